"""Group commit: many concurrent requests for the same hot write share one transaction.

A worker hands its request to the service's writer and waits; the writer takes every request
that is waiting (up to ``GROUP_COMMIT_MAX_BATCH``), applies them with set-based statements in
one transaction, commits, and only then answers each worker with its own result or error.
While one batch commits the next one fills, so under load the per-request cost of BEGIN,
COMMIT, the WAL flush and the statements' round trips is divided by the batch size; a lone
request is written at once, so nothing waits for a batch to fill.

The batch function must leave no trace of a request it refuses (it checks before it writes,
or lets the database skip it, as ``INSERT ... ON CONFLICT DO NOTHING`` does): refusals are
returned as exceptions in the result list and raised in that request's worker, while the rest
of the batch commits. If the batch's transaction fails as a whole (a deadlock with another
instance, an unexpected error), every request is applied again alone, each in its own
transaction through the single function, so one bad request never costs the others theirs.

Uniqueness still lives in the database: two instances each run their own writer, and the
constraints decide between them exactly as they would between two single transactions.
"""
import logging
from collections.abc import Callable, Sequence
from typing import Any

import eventlet
from eventlet.event import Event
from eventlet.queue import Empty, LightQueue
from nameko.extensions import DependencyProvider

from shared.db import Transaction, UnitOfWork, unit_of_work_of
from shared.faults import failpoint
from shared.metrics import counter, histogram

log = logging.getLogger(__name__)

BATCHES = counter("coop_group_commit_batches_total", "Group-commit transactions",
                  ["service", "writer", "outcome"])
BATCH_SIZE = histogram("coop_group_commit_batch_size", "Requests written per group-commit transaction",
                       ["service", "writer"], buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500))


class _Pending:
    __slots__ = ("request", "outcome")

    def __init__(self, request: Any):
        self.request = request
        self.outcome = Event()


class GroupCommit(DependencyProvider):
    """``self.<attr>.submit(request)`` returns the request's result once its batch committed.

    ``batch(session, requests) -> [result or exception, ...]`` (one per request, same order)
    and ``single(session, request) -> result`` are plain domain functions; the transaction is
    the service's ``UnitOfWork`` (its outbox included)."""

    def __init__(self, batch: Callable[[Any, list[Any], Transaction], Sequence[Any]],
                 single: Callable[[Any, Any, Transaction], Any], name: str | None = None):
        self.batch = batch
        self.single = single
        self.name = name

    def setup(self) -> None:
        self.writer: str = self.name or self.attr_name
        self.max_batch = int(self.container.config.get("GROUP_COMMIT_MAX_BATCH", 100))
        uow = unit_of_work_of(self.container)
        if uow is None:
            raise RuntimeError(f"{self.container.service_name}.{self.attr_name}: group commit "
                               "needs the service's UnitOfWork")
        self.uow: UnitOfWork = uow
        self.queue: LightQueue = LightQueue()
        self.running = False

    def start(self) -> None:
        self.running = True
        self.container.spawn_managed_thread(self._write_forever, identifier=f"group-commit-{self.writer}")

    def stop(self) -> None:
        # workers have finished (the container waits for them before stopping dependencies), so
        # nothing is left in the queue; the writer stops at its next look at the queue
        self.running = False
        self.queue.put(None)

    def kill(self) -> None:
        self.running = False

    def get_dependency(self, worker_ctx: Any) -> "GroupCommit":
        return self

    def submit(self, request: Any) -> Any:
        pending = _Pending(request)
        self.queue.put(pending)
        outcome = pending.outcome.wait()
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    # ---- the writer ----

    def _write_forever(self) -> None:
        while self.running:
            first = self.queue.get()
            if first is None:
                continue
            batch = [first]
            while len(batch) < self.max_batch:
                try:
                    pending = self.queue.get_nowait()
                except Empty:
                    break
                if pending is not None:
                    batch.append(pending)
            try:
                self._write(batch)
            except BaseException as error:  # never leave a worker waiting forever
                log.exception("group commit %s failed", self.writer)
                for pending in batch:
                    if not pending.outcome.ready():
                        pending.outcome.send(error)
                if not isinstance(error, Exception):
                    raise
            eventlet.sleep(0)  # let the answered workers reply before the next batch

    def _transaction(self) -> Transaction:
        return Transaction(self.uow, None)

    def _write(self, batch: list[_Pending]) -> None:
        service = self.container.service_name
        BATCH_SIZE.labels(service, self.writer).observe(len(batch))
        if len(batch) > 1:
            try:
                with self._transaction() as tx:
                    outcomes = self.batch(tx.session, [p.request for p in batch], tx)
                    if len(outcomes) != len(batch):
                        raise AssertionError("a batch function returns one outcome per request")
            except Exception:
                log.warning("group commit %s: a batch of %s failed as a whole; writing each alone",
                            self.writer, len(batch), exc_info=True)
                BATCHES.labels(service, self.writer, "fallback").inc()
            else:
                failpoint("group_commit_before_reply")  # committed, nobody answered yet
                BATCHES.labels(service, self.writer, "batch").inc()
                for pending, outcome in zip(batch, outcomes, strict=False):
                    pending.outcome.send(outcome)
                return
        for pending in batch:
            try:
                with self._transaction() as tx:
                    outcome = self.single(tx.session, pending.request, tx)
            except Exception as error:
                outcome = error
            else:
                failpoint("group_commit_before_reply")
            BATCHES.labels(service, self.writer, "single").inc()
            pending.outcome.send(outcome)
