"""What every service class has: metrics, the caller, log context, and typed RPC errors."""
from nameko.rpc import rpc as nameko_rpc
from nameko.web.handlers import http

from shared.auth import CallerProvider
from shared.errors import EXPECTED
from shared.logs import LogContext
from shared.metrics import Metrics


def rpc(fn):
    """``@rpc`` whose expected errors (validation, not found...) are not logged as crashes."""
    return nameko_rpc(expected_exceptions=EXPECTED)(fn)


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
