"""What every service class has: metrics, the caller, log context, and typed RPC errors."""
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import kombu.serialization
from nameko.constants import AMQP_SSL_CONFIG_KEY, AMQP_URI_CONFIG_KEY, LOGIN_METHOD_CONFIG_KEY
from nameko.exceptions import UnserializableValueError, serialize
from nameko.rpc import Rpc, RpcConsumer, get_rpc_exchange
from nameko.web.handlers import http

from shared.amqp import ReplyPublisher
from shared.auth import CallerProvider
from shared.errors import EXPECTED
from shared.logs import LogContext
from shared.metrics import Metrics


class ReplyingRpcConsumer(RpcConsumer):
    """Nameko's RPC consumer, answering through one long-lived reply channel per process
    (``shared.amqp.ReplyPublisher``: no confirm, serialised once, transient)."""

    def setup(self) -> None:
        super().setup()
        config = self.container.config
        self.replies = ReplyPublisher(config[AMQP_URI_CONFIG_KEY], ssl=config.get(AMQP_SSL_CONFIG_KEY),
                                      login_method=config.get(LOGIN_METHOD_CONFIG_KEY))
        self.reply_exchange = get_rpc_exchange(config).name

    def stop(self) -> None:
        super().stop()
        self.replies.close()

    def kill(self) -> None:
        self.replies.close()

    def handle_result(self, message: Any, result: Any, exc_info: Any) -> tuple[Any, Any]:
        # as nameko's Responder: the reply is encoded as the request was, and a result that
        # cannot be serialised becomes an UnserializableValueError rather than a lost reply
        serializer = kombu.serialization.registry.type_to_name[message.properties["content_type"]]
        error = serialize(exc_info[1]) if exc_info is not None else None
        try:
            encoded = kombu.serialization.dumps({"result": result, "error": error}, serializer)
        except Exception:
            exc_info = sys.exc_info()
            encoded = kombu.serialization.dumps(
                {"result": None, "error": serialize(UnserializableValueError(result))}, serializer)
            result = None
        content_type, content_encoding, body = encoded
        self.replies.publish(body, content_type, content_encoding, self.reply_exchange,
                             message.properties["reply_to"], message.properties.get("correlation_id"))
        self.queue_consumer.ack_message(message)
        return result, exc_info


class ServiceRpc(Rpc):
    rpc_consumer = ReplyingRpcConsumer()


F = TypeVar("F", bound=Callable[..., Any])


def rpc(fn: F) -> F:
    """``@rpc`` whose expected errors (validation, not found...) are not logged as crashes."""
    return ServiceRpc.decorator(expected_exceptions=EXPECTED)(fn)


class ServiceBase:
    """Base of every service class. It holds no entrypoint itself, so that ``nameko run
    services.<name>.service`` finds only the service in that module."""

    metrics = Metrics()
    caller = CallerProvider()
    log_context = LogContext()
    # set on every subclass by __init_subclass__: the HTTP entrypoint for Prometheus
    prometheus_metrics: Callable[[Any, Any], Any]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)

        def prometheus_metrics(self: ServiceBase, request: Any) -> Any:
            return self.metrics.expose_metrics(request)

        cls.prometheus_metrics = http("GET", "/metrics")(prometheus_metrics)
