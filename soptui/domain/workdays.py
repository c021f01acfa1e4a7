"""Russian production calendar (производственный календарь) and SOP deadlines.

Plain Python: no Textual, no database.  The store pushes the administrator's
settings in through :func:`set_overrides` and :func:`set_confirmed_years`
(see ``soptui.services.calendar``).

Where the data come from, in order of precedence:

1. Administrator overrides (:func:`set_overrides`): ``"holiday"`` (day off),
   ``"working"`` (full working day) or ``"short"`` (working day one hour
   shorter).  They win over everything below.
2. ``_VERIFIED_CALENDAR``: 2025 and 2026 transcribed from the government
   decrees and checked against the official Ministry of Labour calendars
   (247 working days each, 1972 hours for a 40-hour week).  The ``holidays``
   package (0.109) agrees with this table day for day; the table is kept so
   that another package release cannot silently change deadlines (pyproject
   pins ``holidays>=0.107,<1``: 0.107 is the first release with the 2026 and
   2027 decrees).
3. The ``holidays`` package's Russia calendar (``holidays.RU``) for every
   other year: art. 112 holidays, their automatic transfer to the next working
   day, and the decree transfers it knows (``weekend_workdays`` are the
   working Saturdays/Sundays).  For years after the package's last decree,
   art. 112 part 2 is applied here: a holiday on a Saturday or Sunday (except
   1-8 January, moved by decree only) makes the next working day a day off
   (06.11.2028, 05.11.2029, 25.02.2030).  It is imported lazily: it costs ~65 ms.
   Years before 2025 are taken from it as is and were only spot-checked (the
   rules below give the annual hour norms recalled for 2015-2024, e.g. 1979
   hours for 2024), except one missing day off, 10.03.2014, added by hand in
   ``_PACKAGE_MISSING_DAYS_OFF``.

Short (pre-holiday) days, Labour Code art. 95 part 1: "the working day
immediately preceding a non-working public holiday is one hour shorter".
The official calendars apply it literally, which gives two rules:

a. a working day is short if the next calendar day is an art. 112 public
   holiday (even one falling on a Saturday/Sunday: 07.03.2025 before Saturday
   08.03; 08.05.2026 before Saturday 09.05).  A day before a mere transferred
   day off is NOT short: 07.05.2025 (08.05.2025 is a day off transferred
   from 23.02) and 30.12.2025 (31.12.2025 transferred from 05.01) are full
   days in the official 2025 calendar;
b. when a decree moves a day off from a Saturday/Sunday onto a weekday that
   would have been short by rule (a), the working weekend day inherits the
   shortening (order of the Ministry of Health and Social Development
   No. 588n of 13.08.2009): 01.11.2025 is short because 03.11.2025 (eve of
   04.11) became its day off.

Hence the official short days are 2025: 07.03, 30.04, 11.06, 01.11 and
2026: 30.04, 08.05, 11.06, 03.11 (4 each: 247 * 8 - 4 = 1972 hours).
``OFFICIAL_SHORT_DAYS`` pins them for those years; the rules serve the rest.
Note: 07.05.2025 is sometimes listed as short, but the official calendar
(and the 1972-hour norm) does not shorten it.

Deadline design: the SOP deadline functions return a plain ``date``.  Whether
that date can still move is a separate question answered by
:func:`unconfirmed_years` / :func:`deadline_warning`, which look at every year
between the start and the due date.  A year is confirmed if it is not later
than ``LAST_BUILTIN_CONFIRMED_YEAR`` (its decree is published and included
above) or the administrator confirmed it with :func:`set_confirmed_years`.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, time, timedelta
from functools import lru_cache

from soptui.core.text import plural_ru

__all__ = [
    "OVERRIDE_KINDS",
    "LAST_BUILTIN_CONFIRMED_YEAR",
    "OFFICIAL_SHORT_DAYS",
    "MAX_WAIT_DAYS",
    "PATRONAGE_GROUNDS",
    "SERVICE_WAIT_DEFAULT",
    "SERVICE_WAIT_RANGE",
    "set_overrides",
    "get_overrides",
    "set_confirmed_years",
    "get_confirmed_years",
    "is_confirmed_year",
    "is_working_day",
    "is_short_day",
    "next_working_day",
    "add_working_days",
    "working_days_between",
    "working_hours",
    "unconfirmed_years",
    "deadline_warning",
    "referral_registration_deadline",
    "first_contact_deadline",
    "patronage_deadline",
    "deadline_state",
    "deadline_countdown_text",
    "plural_ru",
]

OVERRIDE_KINDS = ("holiday", "working", "short")

# Years up to this one are trusted without the administrator's confirmation:
# their decrees are published; 2025 and 2026 are verified day by day.
# holidays 0.109 already carries the 2027 decree (days off 22.02, 05.11,
# 31.12.2027, working Saturday 20.02.2027), but it is not verified here, so
# 2027 needs the administrator's confirmation until this constant is raised.
LAST_BUILTIN_CONFIRMED_YEAR = 2026

# Art. 112 of the Labour Code (wording in force since 2013): non-working
# public holidays as (month, day).
_ART112_HOLIDAYS = frozenset([(1, d) for d in range(1, 9)] + [(2, 23), (3, 8), (5, 1), (5, 9), (6, 12), (11, 4)])


@dataclass(frozen=True)
class _YearCalendar:
    weekday_days_off: frozenset[date]  # Mon-Fri days that are not worked
    weekend_workdays: frozenset[date]  # Sat/Sun days that are worked
    # Decree transfers (day off moved onto `to`, from weekend day `from`).
    transfers: tuple[tuple[date, date], ...] = ()


def _d(y: int, m: int, d: int) -> date:
    return date(y, m, d)


# Official calendars, transcribed from the government decrees on the transfer
# of days off (the ones cited in holidays/countries/russia.py):
# 2025: transfers 04.01->02.05, 23.02->08.05, 08.03->13.06, 01.11->03.11,
#   05.01->31.12 (Saturday 01.11.2025 is worked);
# 2026: transfers 03.01->09.01, 04.01->31.12; 09.03 and 11.05 are off by
#   art. 112 part 2 (08.03 is a Sunday, 09.05 a Saturday); no working weekends.
_VERIFIED_CALENDAR: dict[int, _YearCalendar] = {
    2025: _YearCalendar(
        weekday_days_off=frozenset(
            [_d(2025, 1, d) for d in (1, 2, 3, 6, 7, 8)]
            + [_d(2025, 5, 1), _d(2025, 5, 2), _d(2025, 5, 8), _d(2025, 5, 9)]
            + [_d(2025, 6, 12), _d(2025, 6, 13)]
            + [_d(2025, 11, 3), _d(2025, 11, 4)]
            + [_d(2025, 12, 31)]
        ),
        weekend_workdays=frozenset([_d(2025, 11, 1)]),
        transfers=((_d(2025, 11, 3), _d(2025, 11, 1)),),
    ),
    2026: _YearCalendar(
        weekday_days_off=frozenset(
            [_d(2026, 1, d) for d in (1, 2, 5, 6, 7, 8, 9)]
            + [_d(2026, 2, 23), _d(2026, 3, 9)]
            + [_d(2026, 5, 1), _d(2026, 5, 11)]
            + [_d(2026, 6, 12), _d(2026, 11, 4)]
            + [_d(2026, 12, 31)]
        ),
        weekend_workdays=frozenset(),
    ),
}

# Days off the package (0.109) misses in years it otherwise gets right:
# 08.03.2014 was a Saturday, so Monday 10.03.2014 was off (art. 112 part 2).
_PACKAGE_MISSING_DAYS_OFF: dict[int, frozenset[date]] = {
    2014: frozenset([_d(2014, 3, 10)]),
}

# Official pre-holiday (shortened) days; see the module docstring.
OFFICIAL_SHORT_DAYS: dict[int, frozenset[date]] = {
    2025: frozenset([_d(2025, 3, 7), _d(2025, 4, 30), _d(2025, 6, 11), _d(2025, 11, 1)]),
    2026: frozenset([_d(2026, 4, 30), _d(2026, 5, 8), _d(2026, 6, 11), _d(2026, 11, 3)]),
}

# --------------------------------------------------------------------------
# Administrator registry
# --------------------------------------------------------------------------

_overrides: dict[date, str] = {}
_admin_confirmed_years: frozenset[int] = frozenset()


def _as_date(d: date) -> date:
    """Plain ``datetime.date`` from a date, pendulum Date or datetime."""
    if not isinstance(d, date):
        raise TypeError(f"expected a date, got {type(d).__name__}")
    return date(d.year, d.month, d.day)


def set_overrides(overrides: Mapping[date, str]) -> None:
    """Replace the administrator's day overrides.

    Values: ``"holiday"`` (day off), ``"working"`` (full working day),
    ``"short"`` (working day, one hour shorter).  Overrides take precedence
    over the built-in calendar.
    """
    new: dict[date, str] = {}
    for day, kind in overrides.items():
        if kind not in OVERRIDE_KINDS:
            raise ValueError(f"unknown calendar override kind {kind!r} for {day}")
        new[_as_date(day)] = kind
    global _overrides
    _overrides = new


def get_overrides() -> dict[date, str]:
    """A copy of the current administrator overrides."""
    return dict(_overrides)


def set_confirmed_years(years: Iterable[int]) -> None:
    """Replace the set of years the administrator confirmed (decree entered)."""
    global _admin_confirmed_years
    _admin_confirmed_years = frozenset(int(y) for y in years)


def get_confirmed_years() -> frozenset[int]:
    """Years confirmed by the administrator (built-in years not included)."""
    return _admin_confirmed_years


def is_confirmed_year(year: int) -> bool:
    """True if the calendar of `year` is known from a published decree."""
    return year <= LAST_BUILTIN_CONFIRMED_YEAR or year in _admin_confirmed_years


# --------------------------------------------------------------------------
# Built-in calendar (package + verified table)
# --------------------------------------------------------------------------


def _parse_transfers(entries: object, year: int) -> tuple[tuple[date, date], ...]:
    """Decree transfers from the package's RussiaStaticHolidays table."""
    if not entries:
        return ()
    if isinstance(entries, tuple) and entries and isinstance(entries[0], int):
        entries = (entries,)
    result = []
    for item in entries:  # type: ignore[union-attr]
        try:
            if len(item) >= 4 and all(isinstance(x, int) for x in item[:4]):
                to_m, to_d, from_m, from_d, *rest = item
                from_y = rest[0] if rest and isinstance(rest[0], int) else year
                result.append((date(year, to_m, to_d), date(from_y, from_m, from_d)))
        except (TypeError, ValueError):
            continue
    return tuple(result)


@lru_cache(maxsize=64)
def _package_year(year: int) -> _YearCalendar:
    """What the ``holidays`` package says about `year` (imported lazily)."""
    import holidays  # slow import, kept out of module import

    cal = holidays.country_holidays("RU", years=year)
    weekday_off = frozenset(d for d in cal if d.year == year and d.weekday() < 5)
    workdays = frozenset(getattr(cal, "weekend_workdays", ()) or ())
    try:
        from holidays.countries.russia import RussiaStaticHolidays

        table = getattr(RussiaStaticHolidays, "special_public_holidays", {})
        transfers = _parse_transfers(table.get(year, ()), year)
    except Exception:  # pragma: no cover - package internals moved
        transfers = ()
    return _YearCalendar(weekday_off, workdays, transfers)


@lru_cache(maxsize=64)
def _builtin_year(year: int) -> _YearCalendar:
    """Built-in calendar of `year`, limited to dates inside the year."""
    if year in _VERIFIED_CALENDAR:
        return _VERIFIED_CALENDAR[year]
    own = _package_year(year)
    # A decree may make a weekend day of a neighbouring year a working day.
    workdays = set(own.weekend_workdays)
    for other in (year - 1, year + 1):
        if 1991 <= other <= 2100:
            workdays |= _package_year(other).weekend_workdays
    workdays = {d for d in workdays if d.year == year and d.weekday() >= 5}
    days_off = own.weekday_days_off | _PACKAGE_MISSING_DAYS_OFF.get(year, frozenset())
    if year > _package_last_decree_year():
        days_off |= _art112_moved_days_off(year, days_off)
    return _YearCalendar(days_off, frozenset(workdays), own.transfers)


@lru_cache(maxsize=1)
def _package_last_decree_year() -> int:
    """The last year whose government decree on transfers the ``holidays`` package carries."""
    try:
        from holidays.countries.russia import RussiaStaticHolidays

        return max(getattr(RussiaStaticHolidays, "special_public_holidays", {}) or {2026})
    except Exception:  # pragma: no cover - package internals moved
        return LAST_BUILTIN_CONFIRMED_YEAR


def _art112_moved_days_off(year: int, days_off: frozenset[date]) -> frozenset[date]:
    """Art. 112 part 2 of the Labour Code for a year without a decree yet.

    A public holiday on a Saturday or Sunday moves the day off to the next working day; the
    January holidays (1-8 January) are excluded: the government moves those by decree only.
    """
    moved: set[date] = set()
    for month, day in sorted(_ART112_HOLIDAYS):
        holiday = date(year, month, day)
        if month == 1 or holiday.weekday() < 5:
            continue
        nxt = holiday + timedelta(days=1)
        while nxt.weekday() >= 5 or nxt in days_off or nxt in moved or _is_art112_holiday(nxt):
            nxt += timedelta(days=1)
        if nxt.year == year:
            moved.add(nxt)
    return frozenset(moved)


def _builtin_is_working(d: date) -> bool:
    cal = _builtin_year(d.year)
    if d.weekday() >= 5:
        return d in cal.weekend_workdays
    return d not in cal.weekday_days_off


def _is_art112_holiday(d: date) -> bool:
    return (d.month, d.day) in _ART112_HOLIDAYS


def _rule_short_day(d: date) -> bool:
    """Short-day rules (a) and (b) from the module docstring; d is working."""
    nxt = d + timedelta(days=1)
    if _is_art112_holiday(nxt) and _overrides.get(nxt) not in ("working", "short"):
        return True
    if d.weekday() >= 5:
        for to_day, from_day in _builtin_year(d.year).transfers:
            if from_day == d and to_day.weekday() < 5:
                if _is_art112_holiday(to_day + timedelta(days=1)):
                    return True
    return False


# --------------------------------------------------------------------------
# Public calendar API
# --------------------------------------------------------------------------


def is_working_day(d: date) -> bool:
    """True if `d` is a working day for a five-day week."""
    d = _as_date(d)
    kind = _overrides.get(d)
    if kind is not None:
        return kind != "holiday"
    return _builtin_is_working(d)


def is_short_day(d: date) -> bool:
    """True if `d` is a pre-holiday working day, one hour shorter (art. 95)."""
    d = _as_date(d)
    kind = _overrides.get(d)
    if kind is not None:
        return kind == "short"
    if not _builtin_is_working(d):
        return False
    if d.year in OFFICIAL_SHORT_DAYS:
        return d in OFFICIAL_SHORT_DAYS[d.year]
    return _rule_short_day(d)


def next_working_day(d: date) -> date:
    """The first working day strictly after `d`."""
    d = _as_date(d) + timedelta(days=1)
    while not is_working_day(d):
        d += timedelta(days=1)
    return d


def _previous_working_day(d: date) -> date:
    d = _as_date(d) - timedelta(days=1)
    while not is_working_day(d):
        d -= timedelta(days=1)
    return d


def add_working_days(d: date, n: int) -> date:
    """The n-th working day after `d` (`d` itself is not counted).

    n == 0 returns `d` if it is a working day, else the next working day;
    a negative n counts backwards (the |n|-th working day before `d`).
    """
    d = _as_date(d)
    if n == 0:
        return d if is_working_day(d) else next_working_day(d)
    step = next_working_day if n > 0 else _previous_working_day
    for _ in range(abs(n)):
        d = step(d)
    return d


def working_days_between(a: date, b: date) -> int:
    """Number of working days in (a, b]; negative (days in (b, a]) if b < a.

    ``working_days_between(today, due)`` is the "осталось N раб. дн." count.
    """
    a, b = _as_date(a), _as_date(b)
    sign = 1
    if b < a:
        a, b, sign = b, a, -1
    count = 0
    d = a + timedelta(days=1)
    while d <= b:
        if is_working_day(d):
            count += 1
        d += timedelta(days=1)
    return sign * count


def working_hours(d: date, start: time = time(9), end: time = time(18)) -> tuple[time, time] | None:
    """Working time of `d`: None on a day off, `end` one hour earlier on short days."""
    if not is_working_day(d):
        return None
    if is_short_day(d):
        end = (_dt.datetime.combine(date.min, end) - timedelta(hours=1)).time()
    return start, end


# --------------------------------------------------------------------------
# Confirmation warnings
# --------------------------------------------------------------------------


def unconfirmed_years(start: date, due: date) -> tuple[int, ...]:
    """Years between `start` and `due` (inclusive) whose calendar is unconfirmed."""
    a, b = sorted((_as_date(start).year, _as_date(due).year))
    return tuple(y for y in range(a, b + 1) if not is_confirmed_year(y))


def deadline_warning(start: date, due: date, consequence: str = "срок может сдвинуться") -> str | None:
    """Russian warning if a deadline counted from `start` to `due` may still move (or, with another
    `consequence`, anything else counted on the calendar of those years, e.g. a club's session dates)."""
    years = unconfirmed_years(start, due)
    if not years:
        return None
    if len(years) == 1:
        return f"Производственный календарь на {years[0]} год не подтверждён: {consequence}"
    listed = ", ".join(str(y) for y in years[:-1]) + f" и {years[-1]}"
    return f"Производственные календари на {listed} годы не подтверждены: {consequence}"


# --------------------------------------------------------------------------
# SOP deadlines
# --------------------------------------------------------------------------


def referral_registration_deadline(received: date, basis_deadline: date | None = None) -> date:
    """Last day to register a referral from a prevention-system agency (SOP 04).

    SOP 04: "registered within three days of arrival; a request received on a
    non-working day or holiday is registered within the three following
    working days, or within the term set in the basis document".
    Interpretation: the three days are working days in both cases.
    * received on a working day D: due by the 3rd working day after D;
    * received on a non-working day: the next working day W is day 1, so the
      due date is add_working_days(W, 2) -- which is again the 3rd working day
      after the arrival date, so both cases reduce to add_working_days(received, 3).
    If the basis document sets its own term, pass it as `basis_deadline`;
    it is returned as is.
    """
    if basis_deadline is not None:
        return _as_date(basis_deadline)
    received = _as_date(received)
    if is_working_day(received):
        return add_working_days(received, 3)
    return add_working_days(next_working_day(received), 2)


def first_contact_deadline(received: date) -> date:
    """Last day for the first-contact call (SOP 03: within 3 working days after
    the information arrives): add_working_days(received, 3).

    E.g. received 30.12.2025 -> 14.01.2026 (31.12.2025 and 01-11.01.2026 are
    days off; 12, 13 and 14 January are the three working days).
    """
    return add_working_days(received, 3)


# Patronage grounds (SOP 04, section "Основания") in code form.
PATRONAGE_GROUNDS = (
    "prevention_request",  # ходатайство субъектов системы профилактики
    "personal_application",  # личное / устное обращение семьи, ребёнка
    "citizen_report",  # обращения граждан и др. о нуждаемости семьи
    "director_plan",  # план мероприятий, утверждённый директором
    "ipra",  # реализация ИПРА
)

# SOP 04: «Максимальный срок ожидания оказания услуги: 1-4 дня» -- one rule for every ground: the wait is
# counted in working days from the referral's registration to the first service (a visit done, or a call
# that reached the family). The upper bound is the default; an institution may hold itself to less.
MAX_WAIT_DAYS = 4
SERVICE_WAIT_DEFAULT = MAX_WAIT_DAYS
SERVICE_WAIT_RANGE = (1, 4)


def patronage_deadline(registered: date, registration_due: date | None = None, wait_days: int = MAX_WAIT_DAYS) -> date:
    """Last day for the first service (a visit, or a call that reached the family): `wait_days` working
    days after registration, and never before the registration deadline itself."""
    lo, hi = SERVICE_WAIT_RANGE
    if not lo <= wait_days <= hi:
        raise ValueError(f"SOP 04 wait is {lo}-{hi} days, got {wait_days}")
    due = add_working_days(_as_date(registered), wait_days)
    if registration_due is not None:
        due = max(due, _as_date(registration_due))
    return due


# --------------------------------------------------------------------------
# Deadline state and Russian countdown text
# --------------------------------------------------------------------------


def deadline_state(due: date, today: date, done: bool = False) -> str:
    """ "done" if done, else "ok" (due later), "today" or "overdue"."""
    if done:
        return "done"
    due, today = _as_date(due), _as_date(today)
    if due > today:
        return "ok"
    if due == today:
        return "today"
    return "overdue"


def _work_days_phrase(n: int, long: bool) -> str:
    if not long:
        return f"{n} раб. дн."
    return f"{n} {plural_ru(n, 'рабочий день', 'рабочих дня', 'рабочих дней')}"


def deadline_countdown_text(due: date, today: date, long: bool = False) -> str:
    """Countdown in Russian, counted in working days.

    Short form (tables): "сегодня", "осталось 2 раб. дн.",
    "просрочено на 3 раб. дн.".  Long form (``long=True``):
    "остался 1 рабочий день", "осталось 5 рабочих дней",
    "просрочено на 2 рабочих дня".  Edge cases: no working day left before a
    due date that falls on a day off -> "сегодня последний рабочий день" (if
    today is working) or "рабочих дней до срока не осталось"; overdue by
    days off only -> "просрочено".
    """
    due, today = _as_date(due), _as_date(today)
    state = deadline_state(due, today)
    if state == "today":
        return "сегодня"
    n = working_days_between(today, due)
    if state == "ok":
        if n == 0:
            if is_working_day(today):
                return "сегодня последний рабочий день"
            return "рабочих дней до срока не осталось"
        verb = plural_ru(n, "остался", "осталось", "осталось") if long else "осталось"
        return f"{verb} {_work_days_phrase(n, long)}"
    n = -n
    if n == 0:
        return "просрочено"
    return f"просрочено на {_work_days_phrase(n, long)}"
