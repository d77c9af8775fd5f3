"""One broker link per service container: topology declared at start, a confirming publisher."""
import logging

import eventlet
from eventlet.semaphore import Semaphore
from kombu import Connection
from nameko.extensions import SharedExtension

from shared import topology
from shared.amqp import ConfirmingPublisher, OutgoingMessage
from shared.metrics import DEAD_LETTER_DEPTH

log = logging.getLogger(__name__)


class ServiceMessaging(SharedExtension):
    """Declares the service's topology and publishes for the outbox relay and the retry path."""

    def setup(self) -> None:
        self.config = self.container.config
        self.service = self.container.service_name
        self.amqp_uri = self.config["AMQP_URI"]
        self._publisher = ConfirmingPublisher(self.amqp_uri)
        self._lock = Semaphore(1)
        self._running = True
        with Connection(self.amqp_uri) as connection:
            topology.declare_service_topology(connection.default_channel, self.service, self.config)

    def start(self) -> None:
        interval = float(self.config.get("DEAD_LETTER_POLL_INTERVAL", 15))
        self.container.spawn_managed_thread(lambda: self._watch_dead_letters(interval),
                                            identifier="dead-letter-depth")

    def publish(self, messages: list[OutgoingMessage], mandatory: bool = True) -> list[str]:
        with self._lock:
            return self._publisher.publish_batch(messages, mandatory=mandatory)

    def dead_letter_depth(self) -> int:
        with Connection(self.amqp_uri) as connection:
            result = connection.default_channel.queue_declare(
                topology.dead_letter_queue_name(self.service), passive=True)
            return result.message_count

    def _watch_dead_letters(self, interval: float) -> None:
        while self._running:
            try:
                DEAD_LETTER_DEPTH.labels(self.service).set(self.dead_letter_depth())
            except Exception:
                log.debug("dead-letter depth not available", exc_info=True)
            eventlet.sleep(interval)

    def stop(self) -> None:
        self._running = False
        with self._lock:
            self._publisher.close()

    def kill(self) -> None:
        self._running = False
        self._publisher.close()
