"""Production-calendar overrides kept in the store, fed into soptui.domain.workdays.

Reading the calendar is open to everyone signed in (every deadline is counted on it); marking a day and
confirming a year are for administrators (the app's «Администрирование» and `soptui calendar`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from soptui.core.session import Actor
from soptui.db import models as m
from soptui.db import store
from soptui.db.connection import write_transaction
from soptui.domain import workdays

OVERRIDE_KINDS = ("holiday", "working", "short")
KIND_LABELS = {"working": "рабочий день", "holiday": "нерабочий день", "short": "сокращённый день (на 1 час)"}


class CalendarError(ValueError):
    """A refused mark or confirmation; `field` names the field the message belongs to."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class DayMark:
    """The administrator's mark on one day (None where the built-in calendar rules)."""

    day: dt.date
    kind: str
    note: str
    version: int


@dataclass(frozen=True)
class YearView:
    """One year as the calendar screen shows it: what each day is, the marks, whether it is confirmed."""

    year: int
    working: frozenset[dt.date]
    short: frozenset[dt.date]
    marks: dict[dt.date, DayMark]
    confirmed: bool
    builtin: bool  # confirmed by the program's own table (its decree is published and checked)
    decree: str  # the administrator's confirmation, "" when none
    working_days: int
    hours: int  # the norm for a 40-hour week: 8 h a working day, 7 on a short one


def load_overrides() -> None:
    """Push the administrator's days and confirmed years into the calendar module."""
    # access: start-up: reads the calendar every deadline needs (no personal data)
    workdays.set_overrides({o.day: o.kind for o in m.CalendarOverride.select()})
    workdays.set_confirmed_years({y.year for y in m.CalendarYear.select()})


def year_view(year: int, actor: Actor | None = None) -> YearView:
    """The year's days, marks and confirmation (reloaded from the store: another workstation may have marked)."""
    # access: anyone signed in (no personal data)
    from soptui.services import access

    access.resolve(actor)
    load_overrides()
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    working = frozenset(d for d in days if workdays.is_working_day(d))
    short = frozenset(d for d in working if workdays.is_short_day(d))
    rows = m.CalendarOverride.select().where(m.CalendarOverride.day.between(first, last))
    marks = {r.day: DayMark(r.day, r.kind, r.note, r.version) for r in rows}
    confirmation = m.CalendarYear.get_or_none(m.CalendarYear.year == year)
    return YearView(
        year,
        working,
        short,
        marks,
        workdays.is_confirmed_year(year),
        year <= workdays.LAST_BUILTIN_CONFIRMED_YEAR,
        confirmation.decree if confirmation else "",
        len(working),
        8 * len(working) - len(short),
    )


def day_mark(day: dt.date, actor: Actor | None = None) -> DayMark | None:
    """The administrator's mark on a day, None when the built-in calendar rules it."""
    # access: anyone signed in (no personal data)
    from soptui.services import access

    access.resolve(actor)
    row = m.CalendarOverride.get_or_none(m.CalendarOverride.day == day)
    return DayMark(row.day, row.kind, row.note, row.version) if row else None


CALENDAR_YEARS = (1991, 2100)  # the years the built-in production calendar knows (domain/workdays)


def _check_year(year: int, field: str) -> None:
    if not CALENDAR_YEARS[0] <= year <= CALENDAR_YEARS[1]:
        raise CalendarError(
            f"Производственный календарь ведётся с {CALENDAR_YEARS[0]} по {CALENDAR_YEARS[1]} год: проверьте год.",
            field,
        )


def set_day(day: dt.date, kind: str, note: str = "", actor: Actor | None = None, version: int | None = None) -> None:
    """Mark one day by a decree (e.g. the 2027 calendar) and reload the calendar; administrators only.

    `kind` "" removes the mark (the built-in calendar rules the day again). `version`: the mark's version
    the form started from (0: it saw no mark); a colleague's change since then raises ConflictError.
    """
    # access: administrators only
    from soptui.services import access

    access.require_admin(access.resolve(actor))
    _check_year(day.year, "day")
    if kind and kind not in OVERRIDE_KINDS:
        raise CalendarError("Неизвестный вид дня: " + kind + ". Допустимо: " + ", ".join(OVERRIDE_KINDS) + ".", "kind")
    note = " ".join((note or "").split())
    if kind and not note:  # the form asked for it; `soptui calendar set` did not
        raise CalendarError("Укажите основание: постановление или приказ, по которому день перенесён.", "note")
    if len(note) > 300:
        raise CalendarError("Основание — не длиннее 300 знаков.", "note")
    with write_transaction():
        existing = m.CalendarOverride.get_or_none(m.CalendarOverride.day == day)
        if version is not None and (existing.version if existing else 0) != version:
            theirs = store.row_dict(existing) if existing else {"day": day, "kind": "", "note": ""}
            raise store.ConflictError(theirs, {})
        if not kind:
            if existing:
                store.delete(m.CalendarOverride, existing.id)
        elif existing:
            store.update_versioned(m.CalendarOverride, existing.id, existing.version, {"kind": kind, "note": note})
        else:
            store.create(m.CalendarOverride, day=day, kind=kind, note=note)
    load_overrides()


def confirm_year(year: int, decree: str, actor: Actor | None = None) -> None:
    """Mark a year's calendar as confirmed by a decree, so its deadlines carry no warning; administrators only."""
    # access: administrators only
    from soptui.services import access

    access.require_admin(access.resolve(actor))
    _check_year(year, "year")
    decree = " ".join((decree or "").split())
    if not decree:
        raise CalendarError("Укажите постановление, по которому составлен календарь (номер и дата).", "decree")
    if len(decree) > 300:
        raise CalendarError("Реквизиты постановления — не длиннее 300 знаков.", "decree")
    with write_transaction():
        if not m.CalendarYear.select().where(m.CalendarYear.year == year).exists():
            store.create(m.CalendarYear, year=year, decree=decree)
    load_overrides()


def next_unconfirmed_year(today: dt.date, actor: Actor | None = None) -> int | None:
    """The coming year when its calendar is not confirmed yet and deadlines may reach into it (from 1 October).

    The decree on the next year's days off is published in the autumn; deadlines counted in December already
    end in January.
    """
    # access: anyone signed in (no personal data)
    from soptui.services import access

    access.resolve(actor)
    load_overrides()
    candidates = [today.year] + ([today.year + 1] if today.month >= 10 else [])
    for year in candidates:
        if not workdays.is_confirmed_year(year):
            return year
    return None
