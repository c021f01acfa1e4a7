"""A reporting period: a month by default, typed as two dates ДД.ММ.ГГГГ, never reversed."""

from __future__ import annotations

import datetime as dt

from soptui.core import clock

REVERSED = "Конец периода раньше начала."
MAX_DAYS = 366 * 3  # a report over ten years would read the whole store: refused with a message
TOO_LONG = "Период длиннее трёх лет: выберите короче."
YEARS = (1900, 2100)  # beyond them a date is a typo (31.12.9999 overflowed the day after it: «внутренняя ошибка»)
OUT_OF_YEARS = f"Даты периода — с {YEARS[0]} по {YEARS[1]} год."


def month_period(day: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """First and last day of the month of `day` (today by default): the default period."""
    day = day or clock.today()
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def parse_period(start_text: str, end_text: str) -> tuple[dt.date, dt.date]:
    """Both ends as ДД.ММ.ГГГГ; ValueError (Russian) if malformed or reversed."""
    start = clock.parse_date(start_text)
    end = clock.parse_date(end_text)
    validate_period(start, end)
    return start, end


def validate_period(start: dt.date, end: dt.date) -> None:
    """ValueError (Russian) when the period ends before it starts, is longer than three years or lies outside
    the years any record of the centre can have."""
    if not (YEARS[0] <= start.year <= YEARS[1] and YEARS[0] <= end.year <= YEARS[1]):
        raise ValueError(OUT_OF_YEARS)
    if end < start:
        raise ValueError(REVERSED)
    if (end - start).days > MAX_DAYS:
        raise ValueError(TOO_LONG)


def day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, day after end 00:00) for datetime columns."""
    return (dt.datetime.combine(start, dt.time()), dt.datetime.combine(end + dt.timedelta(days=1), dt.time()))
