"""Service-to-service RPC with a timeout: Nameko 2.14's RpcProxy waits forever by itself.

Requests are published transient: a request is worth something only while its caller waits
for the answer, so keeping it through a broker restart would only run work whose caller gave
up long ago; and a persistent message costs the broker a write to its journal and another
to remove it. They are still published with a confirm, so that a call to a service that has no
queue fails at once (``UnknownService``) instead of waiting for its timeout.
"""
from collections.abc import Callable
from typing import Any

import eventlet
from nameko.constants import NON_PERSISTENT
from nameko.rpc import RpcProxy, ServiceProxy
from nameko.standalone.rpc import ClusterProxy, ClusterRpcProxy

from shared.errors import RpcTimeout

DEFAULT_TIMEOUT = 10.0
REQUEST_OPTIONS = {"delivery_mode": NON_PERSISTENT}


class TimedRpcProxy(RpcProxy):
    """``RpcProxy`` whose calls raise ``RpcTimeout`` after ``timeout`` seconds (config ``RPC_TIMEOUT``)."""

    def __init__(self, target_service: str, timeout: float | None = None, **options: Any):
        super().__init__(target_service, **{**REQUEST_OPTIONS, **options})
        self.timeout = timeout

    def get_dependency(self, worker_ctx: Any) -> "TimedServiceProxy":
        timeout = self.timeout or float(self.container.config.get("RPC_TIMEOUT", DEFAULT_TIMEOUT))
        return TimedServiceProxy(super().get_dependency(worker_ctx), self.target_service, timeout)


class TimedServiceProxy:
    def __init__(self, proxy: Any, service: str, timeout: float):
        self._proxy = proxy
        self._service = service
        self._timeout = timeout

    def __getattr__(self, method: str) -> Callable[..., Any]:
        method_proxy = getattr(self._proxy, method)

        def call(*args: Any, **kwargs: Any) -> Any:
            return wait_reply(method_proxy.call_async(*args, **kwargs),
                              f"{self._service}.{method}", self._timeout)

        return call


def wait_reply(reply: Any, what: str, timeout: float) -> Any:
    timer = eventlet.Timeout(timeout)
    try:
        return reply.result()
    except eventlet.Timeout as expired:
        if expired is not timer:
            raise
        raise RpcTimeout(f"{what} did not answer within {timeout:g}s") from None
    finally:
        timer.cancel()


class _TransientClusterProxy(ClusterProxy):
    def __getattr__(self, name: str) -> Any:
        if name not in self._proxies:
            self._proxies[name] = ServiceProxy(self._worker_ctx, name, self._reply_listener,
                                               **REQUEST_OPTIONS)
        return self._proxies[name]


class StandaloneRpc(ClusterRpcProxy):
    """Nameko's standalone ``ClusterRpcProxy`` (for the command line, scripts and benchmarks),
    publishing its requests as the services' own proxies do."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._proxy = _TransientClusterProxy(self._worker_ctx, self._reply_listener)
