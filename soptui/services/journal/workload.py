"""Workload by the SOP norms (issue 12 point 7): the service log's measured minutes per specialist and
month, against the SOP norms and the production calendar's working time; on screen and in a PDF."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from peewee import JOIN

from soptui.core import clock, session
from soptui.db import models as m
from soptui.domain.period import validate_period
from soptui.domain.workload import EntryMinutes, StaffMonth, workload
from soptui.services import access, institution, printing
from soptui.services.journal.audit_log import record_print
from soptui.services.journal.common import actor_or_current, department_name, own_unless_head, signers
from soptui.services.journal.service_log import JournalFilters, _entry_condition
from soptui.services.staff import Names


@dataclass(frozen=True)
class WorkloadRow:
    """One specialist's month, with names and labels for the screen and the form."""

    staff_name: str
    month: str  # «11.2026»
    working_days: int
    working_hours: float
    services: int
    minutes: int
    norm_minutes: int
    share: str  # of the working time
    by_sop: list[tuple[str, int, int, int]]  # (SOP label, services, measured minutes, norm minutes)


@dataclass
class Workload:
    institution: str
    start: dt.date
    end: dt.date
    department: str
    rows: list[WorkloadRow] = field(default_factory=list)
    head: str = ""
    printed_at: dt.datetime | None = None
    staff: str = ""  # the one specialist chosen, «Иванова М.С.» ("" = everyone in scope)


def _row(r: StaffMonth, names: Names) -> WorkloadRow:
    return WorkloadRow(
        names.short(r.staff_id) or "не указан",
        r.label,
        r.working_days,
        round(r.working_minutes / 60, 1),
        r.services,
        r.minutes,
        r.norm_minutes,
        r.share_of_working_time,
        [
            (f"СОП {sop}" if sop else "без СОП", s.services, s.minutes, s.norm_minutes)
            for sop, s in sorted(r.by_sop.items())
        ],
    )


def staff_workload(
    start: dt.date,
    end: dt.date,
    department_id: int | None = None,
    staff_id: int | None = None,
    actor: session.Actor | None = None,
) -> Workload:
    """Per specialist and month of [start, end]: services and minutes per SOP, norms, working time. A head sees her
    department (or the centre); a specialist her own row, as in the head's report."""
    access.require_staff(actor)  # access: staff; a specialist's workload is her own
    validate_period(start, end)
    actor = actor_or_current(actor)
    staff_id = own_unless_head(actor, staff_id, "Нагрузка другого сотрудника доступна заведующему.")
    E, A = m.ServiceEntry, m.Attendance
    cond = _entry_condition(JournalFilters(start, end, department_id, staff_id), actor)
    q = (
        E.select(E.staff, E.date, E.sop, E.units, E.minutes, E.norm_minutes, A.session, E.work_minutes, E.doc_minutes)
        .join(A, JOIN.LEFT_OUTER, on=((E.source_type == "attendance") & (E.source_id == A.id)))
        .where(cond)
        .order_by(E.date, E.id)
    )
    entries = (EntryMinutes(*row) for row in q.tuples().iterator())
    names = Names()
    rows = [_row(r, names) for r in workload(entries, start, end)]
    rows.sort(key=lambda r: (r.month[3:], r.month[:2], r.staff_name))
    return Workload(
        institution.get().full_name,
        start,
        end,
        department_name(department_id)
        or (actor.department_name if actor is not None and not actor.sees_all_departments else ""),
        rows,
        head=signers(department_id, None, actor)[2],
        printed_at=clock.now(),
        staff=names.short(staff_id) if staff_id is not None else "",
    )


def print_workload(
    start: dt.date,
    end: dt.date,
    department_id: int | None = None,
    staff_id: int | None = None,
    actor: session.Actor | None = None,
    folder: Path | None = None,
) -> Path:
    """The workload table as a PDF in the output folder; the printout is audited."""
    access.require_staff(actor)  # access: staff
    from soptui.forms import workload as form  # fpdf2 loads only when printing

    data = staff_workload(start, end, department_id, staff_id, actor)
    path = printing.save(form, data, folder)
    record_print("workload", {"start": start, "end": end})
    return path
