"""The service log («журнал учета услуг»): filters, pages, totals and the printed log.

Every SOP ends with "the head of department checks the service log". A page of the log for a
period is read with LIMIT/OFFSET plus a total count; the printout reads every row by keyset.

Access: heads and administrators see every department; a specialist sees the services of their
own department and their own ones. An entry belongs to the department of the member of staff who
did it, or to the client's department when nobody is recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import peewee as pw
from peewee import JOIN, fn

from soptui.core import clock, session
from soptui.core.text import fold, full_name, short_name
from soptui.db import models as m
from soptui.domain.journal_labels import SOURCE_LABELS, service_label, sop_label
from soptui.domain.labels import POSITIONS
from soptui.domain.period import validate_period
from soptui.services import access, institution, printing
from soptui.services.journal.audit_log import record_print
from soptui.services.journal.common import MAX_LIMIT, PAGE_SIZE, actor_or_current, signers
from soptui.services.staff import Names

MAX_PRINT_ROWS = 10_000  # a printed log beyond this is unreadable: narrow the period instead


class TooManyRows(Exception):
    """The printed log would be too long; the message says so in Russian."""


@dataclass(frozen=True)
class JournalFilters:
    """What the head picks: the period (inclusive) and optional narrowing."""

    start: dt.date
    end: dt.date
    department_id: int | None = None
    staff_id: int | None = None
    client_id: int | None = None
    client_query: str = ""  # beginning of the recipient's name (surname first)
    sop: str | None = None


@dataclass(frozen=True)
class ServiceRow:
    """One line of the service log."""

    id: int
    number: int  # № п/п within the filtered period
    date: dt.date
    client_id: int
    client_name: str
    service: str
    sop: str
    units: int
    minutes: int
    staff_name: str  # short: Иванова М. С.
    source: str  # звонок / патронаж / занятие / вручную
    note: str
    norm_minutes: int = 0  # the SOP norm the measured minutes are held against (0: none recorded)
    late_reason: str = ""  # «внесено позже»: why the entry was written after the day of the service
    recorded_at: Any = None

    @property
    def over_norm(self) -> bool:
        return bool(self.norm_minutes) and self.minutes > self.norm_minutes


@dataclass(frozen=True)
class Totals:
    entries: int = 0
    units: int = 0
    minutes: int = 0  # a group session's duration once for its leader, however many came
    repeated: int = 0  # the session minutes the rows show more than once, not in `minutes`


@dataclass(frozen=True)
class ServicePage:
    rows: list[ServiceRow]
    offset: int
    limit: int
    total: int  # entries matching the filters (all pages)
    totals: Totals

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.rows) < self.total

    @property
    def has_prev(self) -> bool:
        return self.offset > 0


@dataclass(frozen=True)
class TotalRow:
    """Totals of one member of staff or one SOP."""

    key: str
    label: str
    entries: int
    units: int
    minutes: int


def _in_department(department_id: int) -> Any:
    """Entry belongs to a department: its performer works there, or nobody is recorded and the
    client is there. Written with subqueries so counting needs no joins."""
    E, C = m.ServiceEntry, m.Client
    staff_ids = [s for (s,) in m.Staff.select(m.Staff.id).where(m.Staff.department == department_id).tuples()]
    own = E.staff.in_(staff_ids) if staff_ids else pw.SQL("0")
    return own | (E.staff.is_null() & E.client.in_(C.select(C.id).where(C.department == department_id)))


def _entry_condition(filters: JournalFilters, actor: session.Actor | None) -> Any:
    """The WHERE of the filters and of the actor's access, on ServiceEntry alone."""
    E, C = m.ServiceEntry, m.Client
    cond = (E.date >= filters.start) & (E.date <= filters.end)
    if filters.department_id is not None:
        cond &= _in_department(filters.department_id)
    if filters.staff_id is not None:
        cond &= E.staff == filters.staff_id
    if filters.client_id is not None:
        cond &= E.client == filters.client_id
    prefix = fold(" ".join(filters.client_query.split()))
    if prefix:  # name_key is the folded full name: a prefix is an index range
        cond &= E.client.in_(C.select(C.id).where((C.name_key >= prefix) & (C.name_key < prefix + "\uffff")))
    if filters.sop:
        cond &= E.sop == filters.sop
    if actor is not None and not actor.sees_all_departments:
        if actor.department_id is None:
            cond &= E.staff == actor.id
        else:
            cond &= _in_department(actor.department_id) | (E.staff == actor.id)
    return cond


def _entry_query(filters: JournalFilters, actor: session.Actor | None, *selection: Any) -> pw.ModelSelect:
    """ServiceEntry joined to its client and staff (for names), restricted by the filters and by access."""
    E, C = m.ServiceEntry, m.Client
    S = m.Staff.alias("performer")
    q = E.select(*selection).join(C, on=(E.client == C.id)).switch(E).join(S, JOIN.LEFT_OUTER, on=(E.staff == S.id))
    return q.where(_entry_condition(filters, actor)), S


def _row(values: tuple, number: int) -> ServiceRow:
    (
        eid,
        date,
        client_id,
        last,
        first,
        patr,
        kind,
        sop,
        units,
        minutes,
        s_last,
        s_first,
        s_patr,
        source,
        note,
        norm,
        late_reason,
        recorded_at,
    ) = values
    return ServiceRow(
        id=eid,
        number=number,
        date=date,
        client_id=client_id,
        client_name=full_name(last, first, patr),
        service=service_label(kind, sop),
        sop=sop or "",
        units=units or 0,
        minutes=minutes or 0,
        staff_name=short_name(s_last, s_first, s_patr) if s_last else "—",
        source=SOURCE_LABELS.get(source, source or ""),
        note=note or "",
        norm_minutes=norm or 0,
        late_reason=late_reason or "",
        recorded_at=recorded_at,
    )


def _row_columns(S) -> tuple:
    E, C = m.ServiceEntry, m.Client
    return (
        E.id,
        E.date,
        E.client,
        C.last_name,
        C.first_name,
        C.patronymic,
        E.service_kind,
        E.sop,
        E.units,
        E.minutes,
        S.last_name,
        S.first_name,
        S.patronymic,
        E.source_type,
        E.note,
        E.norm_minutes,
        E.late_reason,
        E.recorded_at,
    )


def _repeated_session_minutes(cond, by: str = "") -> dict[Any, int]:
    """Minutes of group sessions counted more than once, to take off the sums: a session is one piece of work
    however many came (each attending client's entry carries its duration), so its duration counts once per
    leader, as in the workload (domain/workload.py); each entry's share of the report's minutes stays.
    Keyed by the sums' grouping (`by`: "", "sop" or "staff")."""
    E, A = m.ServiceEntry, m.Attendance
    work = fn.COALESCE(fn.NULLIF(E.work_minutes, 0), E.minutes - E.doc_minutes)  # older entries: minutes only
    keys = {"": [], "sop": [E.sop], "staff": [E.staff]}[by]
    inner = (
        E.select(*keys, E.staff.alias("performer"), A.session, (fn.SUM(work) - fn.MAX(work)).alias("extra"))
        .join(A, on=((E.source_type == "attendance") & (E.source_id == A.id)))
        .where(cond)
        .group_by(*keys, E.staff, A.session)
    )
    if by == "sop":
        key_column = inner.c.sop
    elif by == "staff":
        key_column = inner.c.performer
    else:
        key_column = pw.Value("")
    q = pw.Select([inner], [key_column, fn.COALESCE(fn.SUM(inner.c.extra), 0)]).group_by(key_column)
    return {key: int(extra or 0) for key, extra in q.bind(E._meta.database).tuples()}


def totals(filters: JournalFilters, actor: session.Actor | None = None) -> Totals:
    """Count, units and minutes of everything the filters match (a group session's duration once)."""
    access.require_staff(actor)  # access: staff
    E = m.ServiceEntry
    cond = _entry_condition(filters, actor_or_current(actor))
    q = E.select(fn.COUNT(E.id), fn.COALESCE(fn.SUM(E.units), 0), fn.COALESCE(fn.SUM(E.minutes), 0)).where(cond)
    entries, units, minutes = q.tuples().get()
    repeated = sum(_repeated_session_minutes(cond).values()) if entries else 0
    return Totals(int(entries or 0), int(units or 0), int(minutes or 0) - repeated, repeated)


def late_entries(filters: JournalFilters, actor: session.Actor | None = None, limit: int = 200) -> list[ServiceRow]:
    """Entries of the period written after the day of the service («внесено позже»), with their reasons."""
    access.require_staff(actor)  # access: staff
    actor = actor_or_current(actor)
    E = m.ServiceEntry
    q, S = _entry_query(filters, actor)
    q = q.select(*_row_columns(S)).where(E.late_reason != "").order_by(E.date, E.id).limit(limit)
    return [_row(values, i + 1) for i, values in enumerate(q.tuples())]


def service_page(
    filters: JournalFilters, offset: int = 0, limit: int = PAGE_SIZE, actor: session.Actor | None = None
) -> ServicePage:
    """One page of the log in journal order (date, then entry), with the total and the sums."""
    access.require_staff(actor)  # access: staff
    validate_period(filters.start, filters.end)
    actor = actor_or_current(actor)
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    E = m.ServiceEntry
    q, S = _entry_query(filters, actor)
    q = q.select(*_row_columns(S)).order_by(E.date, E.id).limit(limit).offset(offset)
    rows = [_row(values, offset + i + 1) for i, values in enumerate(q.tuples())]
    sums = totals(filters, actor)
    return ServicePage(rows, offset, limit, sums.entries, sums)


def iter_service_rows(
    filters: JournalFilters, actor: session.Actor | None = None, chunk: int = 1000
) -> Iterator[ServiceRow]:
    """Every matching row in journal order, read in chunks by keyset (for printing)."""
    access.require_staff(actor)  # access: staff
    validate_period(filters.start, filters.end)
    actor = actor_or_current(actor)
    E = m.ServiceEntry
    last: tuple[dt.date, int] | None = None
    number = 0
    while True:
        q, S = _entry_query(filters, actor)
        q = q.select(*_row_columns(S))
        if last is not None:
            q = q.where((E.date > last[0]) | ((E.date == last[0]) & (E.id > last[1])))
        batch = list(q.order_by(E.date, E.id).limit(chunk).tuples())
        for values in batch:
            number += 1
            yield _row(values, number)
        if len(batch) < chunk:
            return
        last = (batch[-1][1], batch[-1][0])


def _grouped(filters: JournalFilters, actor: session.Actor | None, by: str) -> list[TotalRow]:
    E = m.ServiceEntry
    sums = (fn.COUNT(E.id), fn.COALESCE(fn.SUM(E.units), 0), fn.COALESCE(fn.SUM(E.minutes), 0))
    cond = _entry_condition(filters, actor_or_current(actor))
    repeated = _repeated_session_minutes(cond, by)
    if by == "sop":
        q = E.select(E.sop, *sums).where(cond)
        return [
            TotalRow(sop or "", sop_label(sop or ""), n, int(u), int(mi) - repeated.get(sop, 0))
            for sop, n, u, mi in q.group_by(E.sop).order_by(E.sop).tuples()
        ]
    q, S = _entry_query(filters, actor_or_current(actor))
    q = (
        q.select(E.staff, S.last_name, S.first_name, S.patronymic, S.position, *sums)
        .group_by(E.staff, S.last_name, S.first_name, S.patronymic, S.position)
        .order_by(S.last_name, S.first_name, S.patronymic)
    )
    rows = []
    for staff_id, last, first, patr, position, n, u, mi in q.tuples():
        label = full_name(last, first, patr) if last else "не указан"
        if position:
            label += f" ({POSITIONS.get(position, position)})"
        rows.append(TotalRow(str(staff_id or ""), label, n, int(u), int(mi) - repeated.get(staff_id, 0)))
    return rows


def totals_by_sop(filters: JournalFilters, actor: session.Actor | None = None) -> list[TotalRow]:
    """Entries, units and minutes per SOP (01..05, "" last-but-first as «без СОП»)."""
    access.require_staff(actor)  # access: staff
    return _grouped(filters, actor, "sop")


def totals_by_staff(filters: JournalFilters, actor: session.Actor | None = None) -> list[TotalRow]:
    """Entries, units and minutes per member of staff, by surname."""
    access.require_staff(actor)  # access: staff
    return _grouped(filters, actor, "staff")


# --- what the printed log needs ------------------------------------------------------------


@dataclass(frozen=True)
class ServiceLogReport:
    """Everything the printed service log shows (soptui.forms.service_log)."""

    institution: str
    start: dt.date
    end: dt.date
    department: str  # "" = all departments
    filters_text: str  # «специалист: ...; СОП 01» or ""
    rows: list[ServiceRow]
    totals: Totals
    by_sop: list[TotalRow]
    by_staff: list[TotalRow]
    specialist: str  # full name for the signature line, "" leaves a blank
    head: str
    printed_at: dt.datetime
    file_tag: str = ""  # the narrowing in the file's name: two reports of one period never share a file


def service_log_report(filters: JournalFilters, actor: session.Actor | None = None) -> ServiceLogReport:
    """The whole filtered log for printing; TooManyRows beyond MAX_PRINT_ROWS."""
    access.require_staff(actor)  # access: staff
    actor = actor_or_current(actor)
    sums = totals(filters, actor)
    if sums.entries > MAX_PRINT_ROWS:
        raise TooManyRows(
            f"В журнале за период {sums.entries} записей — это слишком много для печати "
            f"(не больше {MAX_PRINT_ROWS}). Сократите период или выберите специалиста."
        )
    department, specialist, head = signers(filters.department_id, filters.staff_id, actor)
    parts, tags = [], []
    if filters.staff_id is not None:
        parts.append(f"исполнитель: {Names().full(filters.staff_id)}")
        tags.append(Names().short(filters.staff_id))
    if filters.client_id is not None:
        c = m.Client.get_or_none(m.Client.id == filters.client_id)
        if c:
            parts.append(f"получатель: {full_name(c.last_name, c.first_name, c.patronymic)}")
            tags.append(full_name(c.last_name, c.first_name, c.patronymic))
    if filters.client_query.strip():
        parts.append(f"получатель: «{filters.client_query.strip()}…»")
        tags.append(f"получатель {filters.client_query.strip()}")
    if filters.sop:
        parts.append(f"СОП {sop_label(filters.sop)}")
        tags.append(f"СОП {filters.sop}")
    info = institution.get()
    return ServiceLogReport(
        institution=info.full_name,
        start=filters.start,
        end=filters.end,
        department=department
        if (filters.department_id is not None or (actor is not None and not actor.sees_all_departments))
        else "",
        filters_text="; ".join(parts),
        rows=list(iter_service_rows(filters, actor)),
        totals=sums,
        by_sop=totals_by_sop(filters, actor),
        by_staff=totals_by_staff(filters, actor),
        specialist=specialist,
        head=head,
        printed_at=clock.now(),
        file_tag=" ".join(t for t in (department if filters.department_id is not None else "", *tags) if t),
    )


def print_service_log(filters: JournalFilters, actor: session.Actor | None = None, folder: Path | None = None) -> Path:
    """Print the filtered log to PDF (the output folder, or `folder`) and audit the printout; returns the file.

    TooManyRows beyond MAX_PRINT_ROWS.
    """
    access.require_staff(actor)  # access: staff
    from soptui.forms import service_log as form  # fpdf2 loads only when printing

    report = service_log_report(filters, actor)
    path = printing.save(form, report, folder)
    record_print("service_log", {"start": filters.start, "end": filters.end, "entries": report.totals.entries})
    return path
