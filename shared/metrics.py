"""Prometheus metrics: nameko-prometheus for entrypoints, plus the platform's own gauges.

Metrics live in the process-wide registry; ``counter``/``gauge``/``histogram`` return the
existing collector when one of that name exists, so a service restarted in the same process
(tests, ``coop up`` in one process) does not collide with itself.
"""
import contextlib
from collections.abc import Sequence
from typing import Any, TypeVar, cast

from nameko.rpc import Rpc
from nameko_prometheus import PrometheusMetrics
from prometheus_client import REGISTRY, Counter, Gauge, Histogram

C = TypeVar("C", Counter, Gauge, Histogram)


def _get_or_create(kind: type[C], name: str, documentation: str, labelnames: Sequence[str] = (),
                   **kwargs: Any) -> C:
    existing = REGISTRY._names_to_collectors.get(name)
    if existing is None and kind is Counter:
        existing = REGISTRY._names_to_collectors.get(name + "_total")
    if existing is not None:
        return cast(C, existing)  # the collector an earlier call created under this name
    return kind(name, documentation, labelnames, **kwargs)


def counter(name: str, documentation: str, labelnames: Sequence[str] = ()) -> Counter:
    return _get_or_create(Counter, name.removesuffix("_total"), documentation, labelnames)


def gauge(name: str, documentation: str, labelnames: Sequence[str] = ()) -> Gauge:
    return _get_or_create(Gauge, name, documentation, labelnames)


def histogram(name: str, documentation: str, labelnames: Sequence[str] = (), **kwargs: Any) -> Histogram:
    return _get_or_create(Histogram, name, documentation, labelnames, **kwargs)


class Metrics(PrometheusMetrics):
    """nameko-prometheus, tolerant of a second container of the same service in one process,
    plus a count of RPC calls that failed, by error type (nameko-prometheus counts only calls)."""

    _collectors_by_prefix: dict[str, list] = {}

    def setup(self) -> None:
        prefix = self.container.config.get("PROMETHEUS", {}).get(
            self.container.service_name, {}).get("prefix", self.container.service_name)
        for collector in self._collectors_by_prefix.pop(prefix, []):
            with contextlib.suppress(KeyError):
                REGISTRY.unregister(collector)
        before = set(REGISTRY._collector_to_names)
        super().setup()
        self._collectors_by_prefix[prefix] = [
            c for c in REGISTRY._collector_to_names if c not in before]

    def worker_result(self, worker_ctx: Any, result: Any = None, exc_info: Any = None) -> None:
        super().worker_result(worker_ctx, result, exc_info)
        if exc_info is not None and isinstance(worker_ctx.entrypoint, Rpc):
            RPC_ERRORS.labels(worker_ctx.service_name, worker_ctx.entrypoint.method_name,
                              exc_info[0].__name__).inc()


OUTBOX_BACKLOG = gauge("coop_outbox_backlog", "Events written to the outbox and not yet published", ["service"])
OUTBOX_AGE = gauge("coop_outbox_oldest_age_seconds", "Age of the oldest unpublished outbox event", ["service"])
OUTBOX_PUBLISHED = counter("coop_outbox_published_total", "Events published by the outbox relay", ["service"])
OUTBOX_UNROUTED = counter("coop_outbox_unrouted_total",
                          "Events published that no queue was bound to (kept in the outbox)", ["service"])
DEAD_LETTER_DEPTH = gauge("coop_dead_letter_depth", "Messages waiting in the dead-letter queue", ["service"])
RPC_ERRORS = counter("coop_rpc_errors_total", "RPC calls that ended in an error",
                     ["service", "method_name", "error"])
