"""JSON log lines carrying service, entrypoint, call id and correlation id."""
import json
import logging
import threading
from typing import Any

from nameko.extensions import DependencyProvider

_context = threading.local()  # green-thread local once eventlet has patched threading


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(getattr(_context, "fields", {}))
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


JsonFormatter.converter = __import__("time").gmtime


class LogContext(DependencyProvider):
    """Puts the worker's identity on every log line written while it runs."""

    def worker_setup(self, worker_ctx: Any) -> None:
        data = worker_ctx.data
        _context.fields = {
            "service": worker_ctx.service_name,
            "entrypoint": worker_ctx.entrypoint.method_name,
            "call_id": worker_ctx.call_id,
            "correlation_id": data.get("correlation_id") or (data.get("call_id_stack") or [None])[0],
        }

    def worker_teardown(self, worker_ctx: Any) -> None:
        _context.fields = {}


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "shared.logs.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"level": "INFO", "handlers": ["console"]},
}
