"""The platform's clock: ``utcnow()`` (an aware UTC instant) and ``today()``.

Code asks this module for the time (domain functions take it as an argument where they can), so
a test fixes the clock in one place (``shared.testing``'s ``fixed_clock``) and every caller in the
process, service containers included, sees the same instant. The clock is one process-wide
value: every thread and greenlet reads the same one, and a test sets it before it starts work.
"""
import datetime as dt

UTC = dt.UTC


class Clock:
    """The real clock unless ``fix``ed; ``advance`` moves a fixed clock on."""

    def __init__(self) -> None:
        self._fixed: dt.datetime | None = None

    @property
    def is_fixed(self) -> bool:
        return self._fixed is not None

    def now(self) -> dt.datetime:
        return self._fixed if self._fixed is not None else dt.datetime.now(UTC)

    def today(self) -> dt.date:
        # the real clock keeps the host's calendar day, as the services have always used
        return self._fixed.date() if self._fixed is not None else dt.date.today()

    def fix(self, instant: dt.datetime | dt.date) -> None:
        """From now on ``utcnow()`` is ``instant`` (a date means its midnight UTC)."""
        if not isinstance(instant, dt.datetime):
            instant = dt.datetime(instant.year, instant.month, instant.day, tzinfo=UTC)
        if instant.tzinfo is None:
            raise ValueError("the clock holds aware instants: give a tzinfo")
        self._fixed = instant.astimezone(UTC)

    def advance(self, delta: dt.timedelta) -> None:
        if self._fixed is None:
            raise RuntimeError("only a fixed clock can be advanced")
        self._fixed += delta

    def release(self) -> None:
        """Back to the real time."""
        self._fixed = None


CLOCK = Clock()


def utcnow() -> dt.datetime:
    """The current instant, timezone-aware, in UTC."""
    return CLOCK.now()


def today() -> dt.date:
    """The current calendar day."""
    return CLOCK.today()
