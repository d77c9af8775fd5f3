"""Service-to-service RPC with a timeout: Nameko 2.14's RpcProxy waits forever by itself."""
import eventlet
from nameko.rpc import RpcProxy

from shared.errors import RpcTimeout

DEFAULT_TIMEOUT = 10.0


class TimedRpcProxy(RpcProxy):
    """``RpcProxy`` whose calls raise ``RpcTimeout`` after ``timeout`` seconds (config ``RPC_TIMEOUT``)."""

    def __init__(self, target_service, timeout=None, **options):
        super().__init__(target_service, **options)
        self.timeout = timeout

    def get_dependency(self, worker_ctx):
        timeout = self.timeout or float(self.container.config.get("RPC_TIMEOUT", DEFAULT_TIMEOUT))
        return TimedServiceProxy(super().get_dependency(worker_ctx), self.target_service, timeout)


class TimedServiceProxy:
    def __init__(self, proxy, service, timeout):
        self._proxy = proxy
        self._service = service
        self._timeout = timeout

    def __getattr__(self, method):
        method_proxy = getattr(self._proxy, method)

        def call(*args, **kwargs):
            return wait_reply(method_proxy.call_async(*args, **kwargs),
                              f"{self._service}.{method}", self._timeout)

        return call


def wait_reply(reply, what: str, timeout: float):
    timer = eventlet.Timeout(timeout)
    try:
        return reply.result()
    except eventlet.Timeout as expired:
        if expired is not timer:
            raise
        raise RpcTimeout(f"{what} did not answer within {timeout:g}s") from None
    finally:
        timer.cancel()
