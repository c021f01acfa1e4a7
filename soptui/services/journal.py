"""Журнал: the service log («журнал учета услуг»), the head's audit summary and the audit log.

Every SOP ends with "the head of department checks the service log and the
records during audits". This module answers those checks from the database:
a page of the service log for a period (LIMIT/OFFSET plus a total count), the
totals per member of staff and per SOP, a summary of deadlines and documents
(referrals, calls, visits, group sessions) and the global audit log (152-FZ:
who viewed or changed whose record). Everything returns plain dataclasses.

Access: heads and administrators see every department; a specialist sees the
services of their own department and their own ones, and never the audit log.
A record belongs to the department of the member of staff who did it, or to
the client's department when nobody is recorded.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import peewee as pw
from peewee import JOIN, fn

from soptui.core import clock, session
from soptui.core.text import fold, full_name, short_name
from soptui.db import models as m
from soptui.domain.labels import ACT_KINDS, POSITIONS, SOPS
from soptui.services import access
from soptui.services.errors import AccessDenied  # noqa: F401  (re-exported: area.AccessDenied)

PAGE_SIZE = 50
MAX_LIMIT = 500
MAX_PRINT_ROWS = 10_000  # a printed log beyond this is unreadable: narrow the period instead
MAX_LIST = 200  # lines of the "late / without act" lists in the head's report


class TooManyRows(Exception):
    """The printed log would be too long; the message says so in Russian."""


# --- labels ----------------------------------------------------------------------

ACTION_LABELS = {
    "view": "просмотр",
    "create": "создание",
    "update": "изменение",
    "delete": "удаление",
    "login": "вход",
    "login_failed": "неудачный вход",
    "logout": "выход",
    "password_changed": "смена пароля",
    "export": "выгрузка",
    "print": "печать",
    "notice_sent": "уведомление отправлено",
    "notice_state": "ответ на уведомление",
}

TABLE_LABELS = {
    "client": "карточка клиента",
    "representative": "законный представитель",
    "contact": "родственник/друг",
    "contact_point": "телефон/мессенджер",
    "referral": "обращение",
    "service_entry": "журнал учёта услуг",
    "service_log": "журнал учёта услуг",
    "audit_report": "отчёт для заведующего",
    "staff": "сотрудник",
    "department": "отделение",
    "draft": "черновик",
    "phone_call": "звонок",
    "reminder": "напоминание",
    "patronage_visit": "патронаж",
    "visit_staff": "участник патронажа",
    "recommendation": "рекомендация",
    "visit_act": "акт/отчёт патронажа",
    "club": "клуб",
    "club_leader": "ведущий клуба",
    "programme_item": "программа клуба",
    "schedule_slot": "расписание клуба",
    "club_member": "участник клуба",
    "group_session": "занятие",
    "attendance": "посещение",
    "session_feedback": "отзыв о занятии",
    "client_status_change": "статус клиента",
    "institution": "учреждение",
    "calendar_override": "производственный календарь",
    "calendar_year": "производственный календарь",
}

SOURCE_LABELS = {"call": "звонок", "visit": "патронаж", "attendance": "занятие", "manual": "вручную"}

_CODE_RE = re.compile(r"^[a-z0-9_]+$")


def sop_label(sop: str) -> str:
    """«01 — Телефонный звонок законному представителю»; "" stays "без СОП"."""
    if not sop:
        return "без СОП"
    name = SOPS.get(sop)
    return f"{sop} — {name}" if name else sop


def service_label(kind: str, sop: str) -> str:
    """What the log shows as the service: its text, or the SOP's name when only a code was stored."""
    kind = (kind or "").strip()
    if kind in SOPS:
        return SOPS[kind]
    if not kind or _CODE_RE.match(kind):
        return SOPS.get(sop, SOURCE_LABELS.get(kind, kind))
    return kind


def minutes_text(minutes: int) -> str:
    """125 -> «2 ч 05 мин»; 40 -> «40 мин»."""
    minutes = int(minutes or 0)
    if minutes < 60:
        return f"{minutes} мин"
    return f"{minutes // 60} ч {minutes % 60:02d} мин"


# --- period ----------------------------------------------------------------------------


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
    if end < start:
        raise ValueError("Конец периода раньше начала.")
    return start, end


def validate_period(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise ValueError("Конец периода раньше начала.")


def _day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, day after end 00:00) for datetime columns."""
    return (dt.datetime.combine(start, dt.time()), dt.datetime.combine(end + dt.timedelta(days=1), dt.time()))


# --- the service log --------------------------------------------------------------------


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


@dataclass(frozen=True)
class Totals:
    entries: int = 0
    units: int = 0
    minutes: int = 0


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
    (eid, date, client_id, last, first, patr, kind, sop, units, minutes, s_last, s_first, s_patr, source, note) = values
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
    )


def totals(filters: JournalFilters, actor: session.Actor | None = None) -> Totals:
    """Count, units and minutes of everything the filters match."""
    access.require_staff(actor)  # access: staff
    E = m.ServiceEntry
    q = E.select(fn.COUNT(E.id), fn.COALESCE(fn.SUM(E.units), 0), fn.COALESCE(fn.SUM(E.minutes), 0)).where(
        _entry_condition(filters, _actor(actor))
    )
    entries, units, minutes = q.tuples().get()
    return Totals(int(entries or 0), int(units or 0), int(minutes or 0))


def service_page(
    filters: JournalFilters, offset: int = 0, limit: int = PAGE_SIZE, actor: session.Actor | None = None
) -> ServicePage:
    """One page of the log in journal order (date, then entry), with the total and the sums."""
    access.require_staff(actor)  # access: staff
    validate_period(filters.start, filters.end)
    actor = _actor(actor)
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
    actor = _actor(actor)
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
    if by == "sop":
        q = E.select(E.sop, *sums).where(_entry_condition(filters, _actor(actor)))
        return [
            TotalRow(sop or "", sop_label(sop or ""), n, int(u), int(mi))
            for sop, n, u, mi in q.group_by(E.sop).order_by(E.sop).tuples()
        ]
    q, S = _entry_query(filters, _actor(actor))
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
        rows.append(TotalRow(str(staff_id or ""), label, n, int(u), int(mi)))
    return rows


def totals_by_sop(filters: JournalFilters, actor: session.Actor | None = None) -> list[TotalRow]:
    """Entries, units and minutes per SOP (01..05, "" last-but-first as «без СОП»)."""
    access.require_staff(actor)  # access: staff
    return _grouped(filters, actor, "sop")


def totals_by_staff(filters: JournalFilters, actor: session.Actor | None = None) -> list[TotalRow]:
    """Entries, units and minutes per member of staff, by surname."""
    access.require_staff(actor)  # access: staff
    return _grouped(filters, actor, "staff")


def _actor(actor: session.Actor | None) -> session.Actor | None:
    return actor if actor is not None else session.current()


# --- choices for the filters ------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    id: Any
    label: str


@dataclass(frozen=True)
class FilterChoices:
    departments: list[Choice]
    staff: list[Choice]
    sops: list[Choice]
    actions: list[Choice]
    default_staff_id: int | None  # a specialist starts with their own services


def filter_choices(actor: session.Actor | None = None) -> FilterChoices:
    """Departments and staff the actor may filter by (a specialist: their department only)."""
    actor = _actor(actor)
    deps = m.Department.select().order_by(m.Department.name)
    staff = m.Staff.select().order_by(m.Staff.last_name, m.Staff.first_name)
    restricted = actor is not None and not actor.sees_all_departments
    if restricted:
        deps = deps.where(m.Department.id == (actor.department_id or 0))
        staff = staff.where(
            (m.Staff.department == actor.department_id) | (m.Staff.id == actor.id)
            if actor.department_id
            else (m.Staff.id == actor.id)
        )
    return FilterChoices(
        departments=[Choice(d.id, d.name) for d in deps],
        staff=[
            Choice(s.id, short_name(s.last_name, s.first_name, s.patronymic) + ("" if s.active else " (уволен)"))
            for s in staff
        ],
        sops=[Choice(code, f"СОП {code}") for code in SOPS],
        actions=[Choice(code, label) for code, label in ACTION_LABELS.items()],
        # a specialist starts on their own entries; a head on the whole department (or centre)
        default_staff_id=actor.id if restricted and not actor.is_head else None,
    )


def _department_name(department_id: int | None) -> str:
    if department_id is None:
        return ""
    d = m.Department.get_or_none(m.Department.id == department_id)
    return d.name if d else ""


def _staff_full(staff_id: int | None) -> str:
    if staff_id is None:
        return ""
    s = m.Staff.get_or_none(m.Staff.id == staff_id)
    return full_name(s.last_name, s.first_name, s.patronymic) if s else ""


def _head_of(department_id: int | None) -> str:
    """Full name of the department's head (role head), "" when there is none."""
    if department_id is None:
        return ""
    s = (
        m.Staff.select()
        .where((m.Staff.department == department_id) & (m.Staff.role == "head") & (m.Staff.active == True))  # noqa: E712
        .order_by(m.Staff.id)
        .first()
    )
    return full_name(s.last_name, s.first_name, s.patronymic) if s else ""


def _signers(department_id: int | None, staff_id: int | None, actor: session.Actor | None) -> tuple[str, str, str]:
    """(department name, specialist's full name, head's full name) for the signature lines."""
    dep = department_id
    if dep is None and actor is not None and not actor.sees_all_departments:
        dep = actor.department_id
    if dep is None and staff_id is not None:
        s = m.Staff.get_or_none(m.Staff.id == staff_id)
        dep = s.department_id if s else None
    if dep is None and actor is not None and actor.role == "head":
        dep = actor.department_id
    specialist = _staff_full(staff_id)
    if not specialist and actor is not None and actor.role == "specialist":
        specialist = actor.full_name
    head = _head_of(dep)
    if not head and actor is not None and actor.role == "head" and actor.department_id == dep:
        head = actor.full_name
    return _department_name(dep), specialist, head


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


def service_log_report(filters: JournalFilters, actor: session.Actor | None = None) -> ServiceLogReport:
    """The whole filtered log for printing; TooManyRows beyond MAX_PRINT_ROWS."""
    access.require_staff(actor)  # access: staff
    from soptui.services import institution

    actor = _actor(actor)
    sums = totals(filters, actor)
    if sums.entries > MAX_PRINT_ROWS:
        raise TooManyRows(
            f"В журнале за период {sums.entries} записей — это слишком много для печати "
            f"(не больше {MAX_PRINT_ROWS}). Сократите период или выберите специалиста."
        )
    department, specialist, head = _signers(filters.department_id, filters.staff_id, actor)
    parts = []
    if filters.staff_id is not None:
        parts.append(f"исполнитель: {_staff_full(filters.staff_id)}")
    if filters.client_id is not None:
        c = m.Client.get_or_none(m.Client.id == filters.client_id)
        if c:
            parts.append(f"получатель: {full_name(c.last_name, c.first_name, c.patronymic)}")
    if filters.client_query.strip():
        parts.append(f"получатель: «{filters.client_query.strip()}…»")
    if filters.sop:
        parts.append(f"СОП {sop_label(filters.sop)}")
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
    )


# --- the head's audit summary -------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralLine:
    """A referral whose first contact was late or is still outstanding past its deadline."""

    client_name: str
    received_at: dt.datetime
    first_contact_due: dt.date
    first_contact_at: dt.datetime | None
    staff_name: str
    state: str  # «с опозданием на 2 раб. дн.» / «просрочено, звонка нет» ...


@dataclass(frozen=True)
class VisitLine:
    client_name: str
    date: dt.date
    kind: str
    staff_names: str


@dataclass(frozen=True)
class SopCount:
    sop: str
    label: str
    count: int
    talked: int  # calls that reached the person (outcome other than no answer)
    talk_minutes: int


@dataclass(frozen=True)
class AuditSummary:
    """The head's audit of the period: deadlines kept, documents written, services logged."""

    institution: str
    start: dt.date
    end: dt.date
    today: dt.date
    department: str
    staff: str
    # SOP 03: first contact within 3 working days of the referral
    referrals_received: int
    contact_in_time: int
    contact_late: int
    open_in_time: int  # no contact yet, the deadline has not passed
    open_overdue: int  # no contact yet, the deadline has passed
    closed_without_contact: int
    late_referrals: list[ReferralLine]
    # SOP 01-03
    calls: list[SopCount]
    calls_total: int
    # SOP 04
    visits_done: int
    visits_with_act: int
    visits_without_act: int
    acts_by_kind: list[tuple[str, int]]
    visits_missing_act: list[VisitLine]
    # SOP 05
    sessions_held: int
    sessions_cancelled: int
    attendances: int
    participants: int
    # the service log
    services: Totals
    services_by_sop: list[TotalRow] = field(default_factory=list)
    services_by_staff: list[TotalRow] = field(default_factory=list)
    head: str = ""
    printed_at: dt.datetime | None = None

    @property
    def contact_rate(self) -> str:
        """Share of referrals contacted in time among those whose outcome is known."""
        decided = self.contact_in_time + self.contact_late + self.open_overdue
        if not decided:
            return "—"
        return f"{round(100 * self.contact_in_time / decided)} %"


def _staff_department(alias, client_alias):
    return fn.COALESCE(alias.department, client_alias.department)


def _access(actor: session.Actor | None, department_expr, staff_expr) -> Any:
    """The actor's visibility as a peewee condition (None = everything)."""
    if actor is None or actor.sees_all_departments:
        return None
    if actor.department_id is None:
        return staff_expr == actor.id
    return (department_expr == actor.department_id) | (staff_expr == actor.id)


def _and(cond, extra):
    return extra if cond is None else (cond & extra)


def _late_text(due: dt.date, at: dt.datetime | None, today: dt.date) -> str:
    from soptui.domain import workdays

    if at is None:
        days = workdays.working_days_between(due, today)
        return f"звонка нет, просрочено на {max(days, 1)} раб. дн."
    days = workdays.working_days_between(due, at.date())
    return f"с опозданием на {max(days, 1)} раб. дн."


def audit_summary(
    start: dt.date,
    end: dt.date,
    department_id: int | None = None,
    staff_id: int | None = None,
    actor: session.Actor | None = None,
) -> AuditSummary:
    """Count what the head checks for the period [start, end] (both inclusive)."""
    access.require_staff(actor)  # access: staff
    from soptui.services import institution

    validate_period(start, end)
    actor = _actor(actor)
    today = clock.today()
    lo, hi = _day_bounds(start, end)
    names: dict[int, str] = {}

    def staff_short(sid: int | None) -> str:
        if not sid:
            return "не назначен"
        if sid not in names:
            s = m.Staff.get_or_none(m.Staff.id == sid)
            names[sid] = short_name(s.last_name, s.first_name, s.patronymic) if s else "—"
        return names[sid]

    # referrals received in the period (SOP 03 first contact, SOP 04 registration)
    R, C = m.Referral, m.Client
    S = m.Staff.alias("assignee")
    dep = _staff_department(S, C)
    cond = (R.received_at >= lo) & (R.received_at < hi)
    if department_id is not None:
        cond &= dep == department_id
    if staff_id is not None:
        cond &= R.assigned_staff == staff_id
    scope = _access(actor, dep, R.assigned_staff)
    if scope is not None:
        cond &= scope
    q = (
        R.select(
            R.received_at,
            R.first_contact_due,
            R.first_contact_at,
            R.first_contact_late,
            R.closed,
            R.assigned_staff,
            C.last_name,
            C.first_name,
            C.patronymic,
        )
        .join(C, on=(R.client == C.id))
        .switch(R)
        .join(S, JOIN.LEFT_OUTER, on=(R.assigned_staff == S.id))
        .where(cond)
        .order_by(R.received_at)
    )
    received = in_time = late = open_ok = open_overdue = closed = 0
    late_lines: list[ReferralLine] = []
    for rec_at, due, at, late_flag, is_closed, assigned, last, first, patr in q.tuples():
        received += 1
        if at is not None:
            is_late = bool(late_flag) or at.date() > due
            if is_late:
                late += 1
            else:
                in_time += 1
                continue
        elif is_closed:
            closed += 1
            continue
        elif due >= today:
            open_ok += 1
            continue
        else:
            open_overdue += 1
        if len(late_lines) < MAX_LIST:
            late_lines.append(
                ReferralLine(
                    full_name(last, first, patr), rec_at, due, at, staff_short(assigned), _late_text(due, at, today)
                )
            )

    # finished calls per SOP (SOP 01-03)
    P = m.PhoneCall
    S2, C2 = m.Staff.alias("caller"), m.Client.alias("callee")
    dep2 = _staff_department(S2, C2)
    moment = fn.COALESCE(P.ended_at, P.started_at)
    cond = (P.state == "finished") & (moment >= lo) & (moment < hi)
    if department_id is not None:
        cond &= dep2 == department_id
    if staff_id is not None:
        cond &= P.staff == staff_id
    scope = _access(actor, dep2, P.staff)
    if scope is not None:
        cond &= scope
    talked_expr = fn.SUM(pw.Case(None, [(P.outcome == "no_answer", 0)], 1))
    q = (
        P.select(P.sop, fn.COUNT(P.id), talked_expr, fn.COALESCE(fn.SUM(P.talk_seconds), 0))
        .join(C2, on=(P.client == C2.id))
        .switch(P)
        .join(S2, JOIN.LEFT_OUTER, on=(P.staff == S2.id))
        .where(cond)
        .group_by(P.sop)
        .order_by(P.sop)
    )
    found = {sop: (n, int(t or 0), int(sec or 0)) for sop, n, t, sec in q.tuples()}
    calls = [
        SopCount(sop, SOPS.get(sop, sop), *found.get(sop, (0, 0, 0))[:2], round(found.get(sop, (0, 0, 0))[2] / 60))
        for sop in sorted(set(("01", "02", "03")) | set(found))
    ]
    calls_total = sum(c.count for c in calls)

    # home visits done in the period (SOP 04) and their documents
    V, VA, VS = m.PatronageVisit, m.VisitAct, m.VisitStaff
    C3 = m.Client.alias("family")
    when = fn.COALESCE(V.completed_at, V.planned_start)
    cond = (V.status == "done") & (when >= lo) & (when < hi)
    if department_id is not None:
        cond &= C3.department == department_id
    if staff_id is not None:
        cond &= V.id.in_(VS.select(VS.visit).where(VS.staff == staff_id))
    if actor is not None and not actor.sees_all_departments:
        mine = V.id.in_(VS.select(VS.visit).where(VS.staff == actor.id))
        cond &= ((C3.department == actor.department_id) | mine) if actor.department_id else mine
    visits = list(
        V.select(V.id, V.kind, when.alias("moment"), C3.last_name, C3.first_name, C3.patronymic)
        .join(C3, on=(V.client == C3.id))
        .where(cond)
        .order_by(when)
        .tuples()
    )
    visit_ids = [v[0] for v in visits]
    with_act: set[int] = set()
    acts_by_kind: dict[str, int] = {}
    staff_of: dict[int, list[str]] = {}
    for i in range(0, len(visit_ids), 500):
        chunk = visit_ids[i : i + 500]
        for vid, kind in VA.select(VA.visit, VA.kind).where(VA.visit.in_(chunk) & (VA.is_draft == False)).tuples():  # noqa: E712
            with_act.add(vid)
            acts_by_kind[kind] = acts_by_kind.get(kind, 0) + 1
    missing = [v for v in visits if v[0] not in with_act]
    missing_ids = [v[0] for v in missing[:MAX_LIST]]
    if missing_ids:
        for vid, sid in VS.select(VS.visit, VS.staff).where(VS.visit.in_(missing_ids)).tuples():
            staff_of.setdefault(vid, []).append(staff_short(sid))
    from soptui.domain.labels import VISIT_KINDS

    missing_lines = [
        VisitLine(
            full_name(last, first, patr),
            _as_date(moment),
            VISIT_KINDS.get(kind, kind),
            ", ".join(staff_of.get(vid, [])) or "—",
        )
        for vid, kind, moment, last, first, patr in missing[:MAX_LIST]
    ]

    # group sessions (SOP 05)
    G, A, K, L = m.GroupSession, m.Attendance, m.Club, m.ClubLeader
    cond = (G.date >= start) & (G.date <= end)
    if department_id is not None:
        cond &= K.department == department_id
    if staff_id is not None:
        cond &= K.id.in_(L.select(L.club).where(L.staff == staff_id))
    if actor is not None and not actor.sees_all_departments:
        led = K.id.in_(L.select(L.club).where(L.staff == actor.id))
        cond &= ((K.department == actor.department_id) | led) if actor.department_id else led
    by_status = dict(
        G.select(G.status, fn.COUNT(G.id)).join(K, on=(G.club == K.id)).where(cond).group_by(G.status).tuples()
    )
    held = G.status == "held"
    att_q = (
        A.select(fn.COUNT(A.id), fn.COUNT(A.client.distinct()))
        .join(G, on=(A.session == G.id))
        .join(K, on=(G.club == K.id))
        .where(cond & held & (A.present == True))
    )  # noqa: E712
    attendances, participants = att_q.tuples().get()

    filters = JournalFilters(start, end, department_id, staff_id)
    return AuditSummary(
        institution=institution.get().full_name,
        start=start,
        end=end,
        today=today,
        department=_department_name(department_id)
        or (actor.department_name if actor is not None and not actor.sees_all_departments else ""),
        staff=_staff_full(staff_id),
        referrals_received=received,
        contact_in_time=in_time,
        contact_late=late,
        open_in_time=open_ok,
        open_overdue=open_overdue,
        closed_without_contact=closed,
        late_referrals=late_lines,
        calls=calls,
        calls_total=calls_total,
        visits_done=len(visits),
        visits_with_act=len(with_act),
        visits_without_act=len(missing),
        acts_by_kind=[(ACT_KINDS.get(k, k), n) for k, n in sorted(acts_by_kind.items())],
        visits_missing_act=missing_lines,
        sessions_held=int(by_status.get("held", 0)),
        sessions_cancelled=int(by_status.get("cancelled", 0)),
        attendances=int(attendances or 0),
        participants=int(participants or 0),
        services=totals(filters, actor),
        services_by_sop=totals_by_sop(filters, actor),
        services_by_staff=totals_by_staff(filters, actor),
        head=_signers(department_id, None, actor)[2],
        printed_at=clock.now(),
    )


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.datetime.fromisoformat(str(value)).date()


# --- the global audit log (heads and administrators) ------------------------------------------


@dataclass(frozen=True)
class AuditFilters:
    start: dt.date
    end: dt.date
    staff_id: int | None = None
    action: str | None = None


@dataclass(frozen=True)
class AuditLine:
    id: int
    at: dt.datetime
    staff: str
    action: str
    what: str  # «карточка клиента № 12»
    whose: str  # the client the record belongs to, when it has one
    details: str  # changed fields


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditLine]
    offset: int
    limit: int
    total: int

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.rows) < self.total


_MODELS_BY_TABLE = {model._meta.table_name: model for model in m.ALL_MODELS}
_HIDDEN_FIELDS = {"password_hash", "name_key", "version", "updated_at", "created_at", "state_json"}


def _require_head(actor: session.Actor | None) -> None:
    if actor is not None and not actor.is_head:
        raise AccessDenied("Журнал действий доступен заведующим и администраторам.")


def _whose(lines: list[tuple[int, str, int | None]]) -> dict[tuple[str, int], str]:
    """(table, record id) -> client's full name, for records of a client (batched per table)."""
    wanted: dict[str, set[int]] = {}
    for _id, table, record_id in lines:
        if record_id is not None:
            wanted.setdefault(table, set()).add(record_id)
    result: dict[tuple[str, int], str] = {}
    C = m.Client
    for table, ids in wanted.items():
        model = _MODELS_BY_TABLE.get(table)
        if model is None:
            continue
        if model is m.Client:
            q = C.select(C.id, C.last_name, C.first_name, C.patronymic).where(C.id.in_(list(ids)))
            for cid, last, first, patr in q.tuples():
                result[(table, cid)] = full_name(last, first, patr)
        elif "client" in model._meta.fields:
            q = (
                model.select(model.id, C.last_name, C.first_name, C.patronymic)
                .join(C, on=(model.client == C.id))
                .where(model.id.in_(list(ids)))
            )
            for rid, last, first, patr in q.tuples():
                result[(table, rid)] = full_name(last, first, patr)
        elif model is m.Staff:
            q = m.Staff.select(m.Staff.id, m.Staff.last_name, m.Staff.first_name, m.Staff.patronymic)
            for sid, last, first, patr in q.where(m.Staff.id.in_(list(ids))).tuples():
                result[(table, sid)] = short_name(last, first, patr)
    return result


def _details(action: str, changes: str) -> str:
    if not changes or action not in ("update", "notice_state", "export", "print"):
        return ""
    try:
        data = json.loads(changes)
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    if action == "update":
        return ", ".join(k for k in data if k not in _HIDDEN_FIELDS)
    return ", ".join(f"{k}: {v}" for k, v in data.items() if k not in _HIDDEN_FIELDS)[:120]


def audit_page(
    filters: AuditFilters, offset: int = 0, limit: int = PAGE_SIZE, actor: session.Actor | None = None
) -> AuditPage:
    """One page of the audit log, newest first; AccessDenied for specialists."""
    actor = _actor(actor)
    _require_head(actor)
    validate_period(filters.start, filters.end)
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    A = m.AuditLog
    lo, hi = _day_bounds(filters.start, filters.end)
    cond = (A.at >= lo) & (A.at < hi)
    if filters.staff_id is not None:
        cond &= A.staff == filters.staff_id
    if filters.action:
        cond &= A.action == filters.action
    total = A.select().where(cond).count()
    S = m.Staff
    q = (
        A.select(A.id, A.at, A.action, A.table, A.record_id, A.changes, S.last_name, S.first_name, S.patronymic)
        .join(S, JOIN.LEFT_OUTER, on=(A.staff == S.id))
        .where(cond)
        .order_by(A.at.desc(), A.id.desc())
        .limit(limit)
        .offset(offset)
    )
    raw = list(q.tuples())
    whose = _whose([(r[0], r[3], r[4]) for r in raw])
    rows = []
    for aid, at, action, table, record_id, changes, last, first, patr in raw:
        what = TABLE_LABELS.get(table, table or "")
        if record_id is not None:
            what += f" № {record_id}"
        rows.append(
            AuditLine(
                aid,
                at,
                short_name(last, first, patr) if last else "—",
                ACTION_LABELS.get(action, action),
                what.strip(),
                whose.get((table, record_id), "") if record_id is not None else "",
                _details(action, changes),
            )
        )
    return AuditPage(rows, offset, limit, total)


def record_print(kind: str, details: dict[str, Any]) -> None:
    """Audit a printout of personal data (152-FZ): what was printed, for which period."""
    from soptui.db import store
    from soptui.db.connection import write_transaction

    with write_transaction():
        store.audit("print", kind, None, details)
