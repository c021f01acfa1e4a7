"""Workload by the SOP norms (issue 12 point 7): per specialist and month, the services of each SOP with
the minutes really worked against the SOP norm minutes and against the working time of the production
calendar (short pre-holiday days count an hour less).

Plain Python: the journal service reads the service-log rows, this module adds them up. A group session
is one piece of work however many clients came: its duration counts once for the leader (each attending
client's entry carries it), its report-writing minutes are added as written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from soptui.domain import workdays

FULL_WEEK_HOURS = 40


def working_minutes(start: dt.date, end: dt.date, week_hours: int = FULL_WEEK_HOURS) -> tuple[int, int]:
    """(working days, working minutes) in [start, end] by the production calendar, for a `week_hours`
    week: 8 hours a day on a 40-hour week, an hour less on a short day (pro rata for part-time)."""
    days = minutes = 0
    day = start
    while day <= end:
        if workdays.is_working_day(day):
            days += 1
            minutes += 480 - (60 if workdays.is_short_day(day) else 0)
        day += dt.timedelta(days=1)
    return days, round(minutes * week_hours / FULL_WEEK_HOURS)


@dataclass(frozen=True)
class EntryMinutes:
    """One service-log entry as the workload needs it."""

    staff_id: int | None
    day: dt.date
    sop: str
    units: int
    minutes: int  # measured, all stages
    norm_minutes: int  # 0: the SOP sets none (group sessions) or none was recorded
    session_id: int | None = None  # a group session's entry (one per attending client)
    work_minutes: int = 0
    doc_minutes: int = 0


@dataclass
class SopLoad:
    sop: str
    services: int = 0
    minutes: int = 0  # measured
    norm_minutes: int = 0  # the norms of the entries that have one


@dataclass
class StaffMonth:
    """One specialist's month."""

    staff_id: int | None
    year: int
    month: int
    working_days: int
    working_minutes: int
    by_sop: dict[str, SopLoad] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.month:02d}.{self.year}"

    @property
    def services(self) -> int:
        return sum(s.services for s in self.by_sop.values())

    @property
    def minutes(self) -> int:
        return sum(s.minutes for s in self.by_sop.values())

    @property
    def norm_minutes(self) -> int:
        return sum(s.norm_minutes for s in self.by_sop.values())

    @property
    def share_of_working_time(self) -> str:
        """Measured minutes as a share of the month's working time: «42 %»."""
        return f"{round(100 * self.minutes / self.working_minutes)} %" if self.working_minutes else "—"


def _months(start: dt.date, end: dt.date) -> list[tuple[int, int, dt.date, dt.date]]:
    out = []
    first = start.replace(day=1)
    while first <= end:
        nxt = (first + dt.timedelta(days=32)).replace(day=1)
        out.append((first.year, first.month, max(first, start), min(nxt - dt.timedelta(days=1), end)))
        first = nxt
    return out


def workload(entries: Iterable[EntryMinutes], start: dt.date, end: dt.date) -> list[StaffMonth]:
    """Per specialist and month of [start, end] (the working time counts only the days in the period)."""
    months = {(y, mo): (a, b) for y, mo, a, b in _months(start, end)}
    time_of = {key: working_minutes(a, b) for key, (a, b) in months.items()}
    result: dict[tuple[int | None, int, int], StaffMonth] = {}
    sessions_seen: set[tuple[int | None, int]] = set()
    for e in entries:
        key = (e.day.year, e.day.month)
        if key not in months:
            continue
        row = result.get((e.staff_id, *key))
        if row is None:
            row = StaffMonth(e.staff_id, key[0], key[1], *time_of[key])
            result[(e.staff_id, *key)] = row
        load = row.by_sop.setdefault(e.sop or "", SopLoad(e.sop or ""))
        load.services += e.units
        load.norm_minutes += e.norm_minutes
        if e.session_id is None:
            load.minutes += e.minutes
        else:  # the session's duration once for its leader, the report's minutes as shared out
            if (e.staff_id, e.session_id) not in sessions_seen:
                sessions_seen.add((e.staff_id, e.session_id))
                load.minutes += e.work_minutes or max(e.minutes - e.doc_minutes, 0)  # older entries: minutes only
            load.minutes += e.doc_minutes
    return sorted(result.values(), key=lambda r: (r.year, r.month, r.staff_id or 0))
