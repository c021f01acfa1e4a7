"""The field-visit schedule («график выходов») of a specialist or a department: its data and its PDF."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from soptui.core import session
from soptui.core.text import full_name, short_name
from soptui.db import models as m
from soptui.db import store
from soptui.domain.labels import POSITIONS, VISIT_KINDS, VISIT_STATUSES, WEEKDAYS
from soptui.services import access, institution, printing
from soptui.services.patronage._common import visit_cards, visit_query


@dataclass(frozen=True)
class ScheduleDocument:
    """Everything the schedule's PDF prints, and what its file is named by."""

    title: str
    subtitle: str
    institution: str
    rows: tuple[tuple[str, ...], ...]
    head_name: str
    compiled_by: str
    scope: str  # whose schedule, short: «Иванова М. С.», «ОДП» or «все отделения»
    start: dt.date
    end: dt.date


def schedule(
    start: dt.date, end: dt.date, staff_id: int | None = None, department_id: int | None = None
) -> ScheduleDocument:
    """Planned and done visits between start and end (inclusive), by date and time."""
    department_id = access.require_department_scope(None, department_id)  # access: department, scoped
    staff_id = access.own_staff_scope(None, staff_id)  # no department: their own visits only
    lo = dt.datetime.combine(start, dt.time())
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time())
    query = visit_query().where(
        (m.PatronageVisit.planned_start >= lo)
        & (m.PatronageVisit.planned_start < hi)
        & m.PatronageVisit.status.in_(["planned", "done", "not_let_in"])
    )
    who = ""
    scope = "все отделения"
    if staff_id is not None:
        query = query.where(
            m.PatronageVisit.id.in_(m.VisitStaff.select(m.VisitStaff.visit).where(m.VisitStaff.staff == staff_id))
        )
        s = m.Staff.get_by_id(staff_id)
        who = f"{full_name(s.last_name, s.first_name, s.patronymic)}, {POSITIONS.get(s.position, s.position)}"
        scope = short_name(s.last_name, s.first_name, s.patronymic)
    elif department_id is not None:
        query = query.where(
            m.PatronageVisit.id.in_(
                m.VisitStaff.select(m.VisitStaff.visit).join(m.Staff).where(m.Staff.department == department_id)
            )
        )
        d = m.Department.get_by_id(department_id)
        who = d.name
        scope = d.short_name or d.name
    rows = []
    for c in visit_cards(query.order_by(m.PatronageVisit.planned_start)):
        rows.append(
            (
                f"{c.start:%d.%m.%Y}\n{WEEKDAYS[c.start.weekday()]}",
                f"{c.busy_from:%H:%M}–{c.busy_to:%H:%M}\nв семье {c.start:%H:%M}",
                c.client_full_name,
                c.address + ("\nнужен транспорт" if c.transport_needed else ""),
                f"{VISIT_KINDS.get(c.kind, c.kind)}\n{c.purpose}".strip(),
                "\n".join(c.staff_names),
                VISIT_STATUSES.get(c.status, c.status),
            )
        )
    head_department = department_id or (m.Staff.get_by_id(staff_id).department_id if staff_id else None)
    head = (
        m.Staff.select().where((m.Staff.role == "head") & (m.Staff.department == head_department)).first()
        if head_department
        else None
    )
    me = session.current()
    return ScheduleDocument(
        title="График выходов в семьи (социальный патронаж)",
        subtitle=f"{who}\nс {start:%d.%m.%Y} по {end:%d.%m.%Y}".strip(),
        institution=institution.get().full_name,
        rows=tuple(rows),
        head_name=short_name(head.last_name, head.first_name, head.patronymic) if head else "",
        compiled_by=me.short_name if me else "",
        scope=scope,
        start=start,
        end=end,
    )


def print_schedule(
    start: dt.date,
    end: dt.date,
    staff_id: int | None = None,
    department_id: int | None = None,
    folder: Path | None = None,
) -> Path:
    """(In a worker) save the schedule's PDF to the output folder (or `folder`) and audit the printout.

    Returns the path. The schedule names clients and their addresses, so the printout is audited (152-FZ).
    """
    department_id = access.require_department_scope(None, department_id)  # access: department, scoped
    from soptui.forms import visit_schedule  # fpdf2 loads only when printing

    document = schedule(start, end, staff_id, department_id)
    path = printing.save(visit_schedule, document, folder)
    details = {
        "start": start,
        "end": end,
        "staff_id": staff_id,
        "department_id": department_id,
        "visits": len(document.rows),
    }
    store.audit("print", "visit_schedule", None, details)
    return path
