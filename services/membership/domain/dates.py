"""Date rules shared by every dated act: never in the future, never out of order."""
import datetime as dt

from shared.errors import rule_broken


def not_in_future(field: str, day: dt.date, today: dt.date) -> dt.date:
    if day > today:
        raise rule_broken(field, f"{day.isoformat()} is in the future (today is {today.isoformat()})")
    return day


def not_before(field: str, day: dt.date, earliest: dt.date | None, what: str) -> dt.date:
    if earliest is not None and day < earliest:
        raise rule_broken(field, f"{day.isoformat()} is before {what} ({earliest.isoformat()})")
    return day


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)
