"""What every service class has: metrics, the caller, log context, and typed RPC errors."""
from nameko.amqp.publish import Publisher
from nameko.constants import (
    AMQP_SSL_CONFIG_KEY, AMQP_URI_CONFIG_KEY, DEFAULT_SERIALIZER, LOGIN_METHOD_CONFIG_KEY,
    NON_PERSISTENT, SERIALIZER_CONFIG_KEY,
)
from nameko.rpc import Responder, Rpc, RpcConsumer, get_rpc_exchange
from nameko.web.handlers import http

from shared.auth import CallerProvider
from shared.errors import EXPECTED
from shared.logs import LogContext
from shared.metrics import Metrics


class ReplyPublisher(Publisher):
    """Publishes an RPC reply into the caller's exclusive reply queue. Without a publisher
    confirm: a reply is worth nothing once its caller has gone, and the caller already has the
    one guard that matters, its timeout. Waiting for the broker's confirm cost every call a
    round trip, and a confirm that failed after the work was committed made Nameko requeue the
    request, so the work could run twice. Transient, as the queue it goes to is."""

    use_confirms = False
    delivery_mode = NON_PERSISTENT


class ReplyResponder(Responder):
    publisher_cls = ReplyPublisher


class ReplyingRpcConsumer(RpcConsumer):
    """Nameko's RPC consumer, answering through ``ReplyResponder``."""

    def handle_result(self, message, result, exc_info):
        config = self.container.config
        responder = ReplyResponder(
            config[AMQP_URI_CONFIG_KEY], get_rpc_exchange(config),
            config.get(SERIALIZER_CONFIG_KEY, DEFAULT_SERIALIZER), message,
            ssl=config.get(AMQP_SSL_CONFIG_KEY), login_method=config.get(LOGIN_METHOD_CONFIG_KEY))
        result, exc_info = responder.send_response(result, exc_info)
        self.queue_consumer.ack_message(message)
        return result, exc_info


class ServiceRpc(Rpc):
    rpc_consumer = ReplyingRpcConsumer()


def rpc(fn):
    """``@rpc`` whose expected errors (validation, not found...) are not logged as crashes."""
    return ServiceRpc.decorator(expected_exceptions=EXPECTED)(fn)


class ServiceBase:
    """Base of every service class. It holds no entrypoint itself, so that ``nameko run
    services.<name>.service`` finds only the service in that module."""

    metrics = Metrics()
    caller = CallerProvider()
    log_context = LogContext()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)

        def prometheus_metrics(self, request):
            return self.metrics.expose_metrics(request)

        cls.prometheus_metrics = http("GET", "/metrics")(prometheus_metrics)
