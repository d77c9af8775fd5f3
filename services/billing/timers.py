"""A Nameko timer whose interval comes from the service's config."""
from nameko.timer import Timer


class ConfiguredTimer(Timer):
    """``@configured_timer("DUNNING_INTERVAL", default=3600)``: the interval is read at setup."""

    def __init__(self, config_key: str, default: float, **kwargs):
        super().__init__(interval=default, **kwargs)
        self.config_key = config_key

    def setup(self):
        self.interval = float(self.container.config.get(self.config_key, self.interval))


configured_timer = ConfiguredTimer.decorator
