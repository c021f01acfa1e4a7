"""Production-calendar overrides kept in the store, fed into soptui.domain.workdays."""

from __future__ import annotations

import datetime as dt

from soptui.db import models as m
from soptui.db import store
from soptui.db.connection import write_transaction
from soptui.domain import workdays

OVERRIDE_KINDS = ("holiday", "working", "short")


def load_overrides() -> None:
    """Push the administrator's days and confirmed years into the calendar module."""
    workdays.set_overrides({o.day: o.kind for o in m.CalendarOverride.select()})
    workdays.set_confirmed_years({y.year for y in m.CalendarYear.select()})


def set_day(day: dt.date, kind: str, note: str = "") -> None:
    """Record one day of a decree (e.g. the 2027 calendar) and reload the calendar."""
    if kind not in OVERRIDE_KINDS:
        raise ValueError(kind)
    with write_transaction():
        existing = m.CalendarOverride.get_or_none(m.CalendarOverride.day == day)
        if existing:
            store.update_versioned(m.CalendarOverride, existing.id, existing.version, {"kind": kind, "note": note})
        else:
            store.create(m.CalendarOverride, day=day, kind=kind, note=note)
    load_overrides()


def confirm_year(year: int, decree: str) -> None:
    """Mark a year's calendar as confirmed by a decree, so its deadlines carry no warning."""
    with write_transaction():
        if not m.CalendarYear.select().where(m.CalendarYear.year == year).exists():
            store.create(m.CalendarYear, year=year, decree=decree)
    load_overrides()
