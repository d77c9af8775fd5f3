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
    metrics = Metrics()
    caller = CallerProvider()
    log_context = LogContext()

    @http("GET", "/metrics")
    def prometheus_metrics(self, request):
        return self.metrics.expose_metrics(request)
