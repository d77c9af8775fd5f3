"""The one timer whose interval comes from the service's config.

``@configured_timer("DUNNING_INTERVAL", default=3600)``: the interval is read when the container
sets the entrypoint up, so each deployment (and each test) sets it in config.yml or the
environment; ``eager=True`` fires once at start as Nameko's own timer does.
"""
from typing import Any

from nameko.timer import Timer


class ConfiguredTimer(Timer):
    """Nameko's timer with its interval read from config key ``config_key`` (seconds)."""

    def __init__(self, config_key: str, default: float, **kwargs: Any) -> None:
        super().__init__(interval=default, **kwargs)
        self.config_key = config_key
        self.default = default

    def setup(self) -> None:
        self.interval = float(self.container.config.get(self.config_key, self.default))


configured_timer = ConfiguredTimer.decorator
