"""The one configured timer (shared.timers): its interval is the service's config, else the default."""
import time

from nameko.testing.utils import get_extension

from shared.timers import ConfiguredTimer, configured_timer


class Ticker:
    name = "ticker"
    ticks: list[float] = []

    @configured_timer("TICK_INTERVAL", default=3600)
    def tick(self):
        Ticker.ticks.append(time.monotonic())

    @configured_timer("EAGER_INTERVAL", default=3600, eager=True)
    def eager_tick(self):
        Ticker.ticks.append(-1.0)


def test_the_interval_is_read_from_the_config_key_at_setup(container_factory):
    Ticker.ticks = []
    container = container_factory(Ticker, {"TICK_INTERVAL": "0.05"})
    container.start()
    timer = get_extension(container, ConfiguredTimer, method_name="tick")
    assert timer.interval == 0.05
    deadline = time.monotonic() + 5
    while len([t for t in Ticker.ticks if t >= 0]) < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    container.stop()
    fired = [t for t in Ticker.ticks if t >= 0]
    assert len(fired) >= 4
    gaps = [later - earlier for earlier, later in zip(fired, fired[1:], strict=False)]
    assert all(0.02 < gap < 1.0 for gap in gaps), gaps


def test_without_the_key_the_default_holds_and_eager_fires_at_start(container_factory):
    Ticker.ticks = []
    container = container_factory(Ticker, {})
    container.start()
    deadline = time.monotonic() + 5
    while -1.0 not in Ticker.ticks and time.monotonic() < deadline:
        time.sleep(0.01)
    assert get_extension(container, ConfiguredTimer, method_name="tick").interval == 3600.0
    assert get_extension(container, ConfiguredTimer, method_name="eager_tick").interval == 3600.0
    container.stop()
    # the eager timer fired once at start; the other waits its hour
    assert Ticker.ticks == [-1.0]
