"""Referrals (incoming information about a family) and the SOP deadlines they start."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import peewee as pw
from peewee import fn

from soptui.core import clock
from soptui.core.session import Actor
from soptui.core.text import full_name, short_name
from soptui.db import models as m
from soptui.db import store
from soptui.db.connection import write_transaction
from soptui.domain import workdays
from soptui.domain.labels import GROUNDS
from soptui.services import access


@dataclass(frozen=True)
class Deadlines:
    """The SOP deadlines a referral starts."""

    registration: dt.date  # SOP 04: register within 3 working days, or by the source document's term
    first_contact: dt.date  # SOP 03: call within 3 working days
    patronage: dt.date  # SOP 04: the first service within the wait (1-4 working days) after registration
    warning: str | None  # the calendar for a year in the span is not confirmed


def wait_days() -> int:
    """The institution's SOP 04 wait from registration to the first service, in working days."""
    from soptui.services import institution

    return institution.get().service_wait_days


def compute_deadlines(
    received_at: dt.datetime,
    ground: str,
    source_term_due: dt.date | None = None,
    registered_on: dt.date | None = None,
    wait: int | None = None,
) -> Deadlines:
    """SOP 04: the source document's term replaces the 3 days of registration; the wait for the service is
    counted from the day of registration (`registered_on`; until then from the registration deadline, so
    a referral received on Saturday never gets a visit deadline before its registration deadline)."""
    received = received_at.date()
    registration = workdays.referral_registration_deadline(received, source_term_due)
    first_contact = workdays.first_contact_deadline(received)
    wait = wait if wait is not None else workdays.SERVICE_WAIT_DEFAULT
    if registered_on is not None:  # the wait runs from the day of registration, whatever the deadline was
        patronage = workdays.patronage_deadline(registered_on, wait_days=wait)
    else:  # not registered yet: never before the registration deadline
        patronage = workdays.patronage_deadline(registration, registration, wait_days=wait)
    latest = max(registration, first_contact, patronage)
    return Deadlines(registration, first_contact, patronage, workdays.deadline_warning(received, latest))


def late_registration_message(due: dt.date) -> str:
    return f"Обращение регистрируется позже срока (до {clock.fmt_date(due)}): укажите причину."


def create_referral(
    client_id: int,
    received_at: dt.datetime,
    ground: str,
    source_body: str = "",
    summary: str = "",
    intake_log: str = "reception",
    taken_by: int | None = None,
    assigned_staff: int | None = None,
    source_term_due: dt.date | None = None,
    registered: bool = True,
    late_reason: str = "",
    registered_at: dt.datetime | None = None,
) -> int:
    """Record incoming information and its deadlines; registered now (or at `registered_at`, a registration
    copied from the paper register) unless `registered` is False. A registration after its deadline needs
    `late_reason` (ValueError otherwise). Returns the referral id."""
    access.require_client_id(None, client_id)  # access: client
    if ground not in GROUNDS:
        raise ValueError(f"Неизвестное основание: {ground}")
    if registered_at is not None and not received_at <= registered_at <= clock.now():
        raise ValueError("Время регистрации — между поступлением и текущим моментом.")
    if source_term_due is not None and source_term_due < received_at.date():
        raise ValueError("Срок источника раньше дня поступления: проверьте дату.")
    now = registered_at or clock.now()
    d = compute_deadlines(received_at, ground, source_term_due, now.date() if registered else None, wait_days())
    late_reason = late_reason.strip()
    if registered and now.date() > d.registration and not late_reason:
        raise ValueError(late_registration_message(d.registration))
    with write_transaction():
        ref = store.create(
            m.Referral,
            client=client_id,
            received_at=received_at,
            ground=ground,
            source_body=source_body,
            summary=summary,
            intake_log=intake_log,
            taken_by=taken_by,
            assigned_staff=assigned_staff,
            registration_due=d.registration,
            registered_at=now if registered else None,
            registration_late_reason=late_reason if registered and now.date() > d.registration else "",
            first_contact_due=d.first_contact,
            patronage_due=d.patronage,
            source_term_due=source_term_due,
        )
    return ref.id


def register_referral(referral_id: int, late_reason: str = "") -> dt.date:
    """SOP 04: register a referral recorded without registration; the wait for the service starts now.
    Past the registration deadline a reason is required. Returns the new deadline of the first service."""
    ref = m.Referral.get_or_none(m.Referral.id == referral_id)
    if ref is None:
        raise ValueError("Обращение не найдено.")
    access.require_client_id(None, ref.client_id)  # access: client
    if ref.registered_at is not None:
        raise ValueError("Обращение уже зарегистрировано.")
    now = clock.now()
    late_reason = late_reason.strip()
    late = now.date() > ref.registration_due
    if late and not late_reason:
        raise ValueError(late_registration_message(ref.registration_due))
    due = workdays.patronage_deadline(now.date(), wait_days=wait_days())
    with write_transaction():
        store.update_versioned(
            m.Referral,
            ref.id,
            ref.version,
            {"registered_at": now, "registration_late_reason": late_reason if late else "", "patronage_due": due},
        )
    return due


@dataclass(frozen=True)
class DueReferral:
    """A referral whose first contact call is still to be made, for Today and the client card."""

    referral_id: int
    client_id: int
    client_name: str
    received_at: dt.datetime
    ground: str
    source_body: str
    assigned: str
    first_contact_due: dt.date
    patronage_due: dt.date | None
    state: str  # ok / today / overdue
    countdown: str
    warning: str | None


def _due_row(ref: m.Referral, client: m.Client, today: dt.date) -> DueReferral:
    staff = ref.assigned_staff
    return DueReferral(
        referral_id=ref.id,
        client_id=client.id,
        client_name=full_name(client.last_name, client.first_name, client.patronymic),
        received_at=ref.received_at,
        ground=GROUNDS.get(ref.ground, ref.ground),
        source_body=ref.source_body,
        assigned=short_name(staff.last_name, staff.first_name, staff.patronymic) if staff else "не назначен",
        first_contact_due=ref.first_contact_due,
        patronage_due=ref.patronage_due,
        state=workdays.deadline_state(ref.first_contact_due, today),
        countdown=workdays.deadline_countdown_text(ref.first_contact_due, today),
        warning=workdays.deadline_warning(ref.received_at.date(), ref.first_contact_due),
    )


def _agenda_scope(actor: Actor) -> tuple[int | None, int | None]:
    """Whose referrals the actor's Today lists, as (staff id, department id) filters (None: no filter): a
    specialist's own clients; a head's department; the head of the centre every department."""
    staff_id = None if actor.is_head else actor.id
    return staff_id, None if actor.sees_all_departments else actor.department_id


def open_referrals(today: dt.date | None = None, actor: Actor | None = None, limit: int = 200) -> list[DueReferral]:
    """Referrals with no first-contact call yet that the actor (else the signed-in person) works with, most
    urgent first."""
    staff_id, department_id = _agenda_scope(access.require_staff(actor))  # access: staff, scoped
    today = today or clock.today()
    Assigned = m.Staff.alias()
    R, C = m.Referral, m.Client
    # only the columns a row shows: Today reads up to `limit` of them, and whole rows of three wide tables
    # were most of its time in a large department
    query = (
        m.Referral.select(
            R.id,
            R.received_at,
            R.ground,
            R.source_body,
            R.first_contact_due,
            R.patronage_due,
            R.assigned_staff,
            C.id,
            C.last_name,
            C.first_name,
            C.patronymic,
            Assigned.id,
            Assigned.last_name,
            Assigned.first_name,
            Assigned.patronymic,
        )
        .join(m.Client)
        .switch(m.Referral)
        .join(Assigned, join_type=pw.JOIN.LEFT_OUTER, on=(m.Referral.assigned_staff == Assigned.id))
        .where(m.Referral.first_contact_at.is_null() & (m.Referral.closed == False))  # noqa: E712
        .order_by(m.Referral.first_contact_due, m.Referral.received_at)
        .limit(limit)
    )
    if staff_id is not None:
        query = query.where(m.Referral.assigned_staff == staff_id)
    if department_id is not None:
        query = query.where(m.Client.department == department_id)
    return [_due_row(r, r.client, today) for r in query]


@dataclass(frozen=True)
class StepDue:
    """A SOP 04 step still to be done for a referral: its registration, or the first service after it."""

    referral_id: int
    client_id: int
    client_name: str
    step: str  # registration / service
    due: dt.date
    state: str  # ok / today / overdue
    countdown: str


def _scoped(query: pw.ModelSelect, staff_id: int | None, department_id: int | None) -> pw.ModelSelect:
    if staff_id is not None:
        query = query.where(m.Referral.assigned_staff == staff_id)
    if department_id is not None:
        query = query.where(m.Client.department == department_id)
    return query


def _first_service_exists(referral: type[m.Referral]) -> pw.Expression:
    """A visit done, or a call that reached the family, since the referral's registration (SOP 04 wait ends)."""
    from soptui.domain.service_time import NOT_DELIVERED

    V, P = m.PatronageVisit, m.PhoneCall
    visit = V.select(V.id).where(
        (V.client == referral.client) & (V.status == "done") & (V.completed_at >= referral.registered_at)
    )
    call = P.select(P.id).where(
        (P.client == referral.client)
        & (P.state == "finished")
        & P.outcome.not_in(sorted(NOT_DELIVERED))
        & (P.started_at >= referral.registered_at)
    )
    return fn.EXISTS(visit) | fn.EXISTS(call)


def pending_steps(today: dt.date | None = None, actor: Actor | None = None, limit: int = 200) -> list[StepDue]:
    """SOP 04 for Today: referrals the actor (else the signed-in person) works with, not yet registered (by their
    registration deadline) and registered ones still waiting for the first service (by the wait deadline), most
    urgent first."""
    staff_id, department_id = _agenda_scope(access.require_staff(actor))  # access: staff, scoped
    today = today or clock.today()
    R, C = m.Referral, m.Client
    columns = (R.id, R.registration_due, R.patronage_due, C.id, C.last_name, C.first_name, C.patronymic)
    base = R.select(*columns).join(C).where(R.closed == False)  # noqa: E712
    out: list[StepDue] = []
    unregistered = _scoped(base.where(R.registered_at.is_null()), staff_id, department_id)
    for r in unregistered.order_by(R.registration_due).limit(limit):
        out.append(_step(r, "registration", r.registration_due, today))
    waiting = base.where(R.registered_at.is_null(False) & R.patronage_due.is_null(False) & ~_first_service_exists(R))
    for r in _scoped(waiting, staff_id, department_id).order_by(R.patronage_due).limit(limit):
        out.append(_step(r, "service", r.patronage_due, today))
    return out


def _step(ref: m.Referral, step: str, due: dt.date, today: dt.date) -> StepDue:
    c = ref.client
    return StepDue(
        ref.id,
        c.id,
        full_name(c.last_name, c.first_name, c.patronymic),
        step,
        due,
        workdays.deadline_state(due, today),
        workdays.deadline_countdown_text(due, today),
    )


# --- the intake registers (SOP 04: «журнал приема граждан или журнал регистрации телефонных звонков») -----


@dataclass(frozen=True)
class RegisterRow:
    number: int  # the referral's number
    client_id: int
    received_at: dt.datetime
    registered_at: dt.datetime | None
    client_name: str
    ground: str
    source: str
    summary: str
    taken_by: str
    assigned: str
    late_reason: str


@dataclass(frozen=True)
class IntakeRegister:
    """One of the two intake registers for a period, built from the referrals."""

    log: str  # reception / incoming_calls
    title: str  # «Журнал приёма граждан»
    institution: str
    start: dt.date
    end: dt.date
    rows: tuple[RegisterRow, ...]
    total: int


def intake_register(log: str, start: dt.date, end: dt.date, offset: int = 0, limit: int | None = 200) -> IntakeRegister:
    """The referrals written in `log` that arrived from `start` to `end`, in order of arrival, within the actor's
    scope (a department's staff see their department's; the centre's heads all). `limit=None`: every row (PDF)."""
    from soptui.domain.labels import INTAKE_LOGS
    from soptui.domain.period import day_bounds, validate_period
    from soptui.services import institution

    actor = access.require_staff(None)  # access: staff; rows scoped by the actor's department below
    if log not in INTAKE_LOGS:
        raise ValueError(f"Неизвестный журнал: {log}")
    validate_period(start, end)
    R, C = m.Referral, m.Client
    Taken, Assigned = m.Staff.alias(), m.Staff.alias()
    lo, hi = day_bounds(start, end)
    query = (
        R.select(R, C, Taken, Assigned)
        .join(C)
        .switch(R)
        .join(Taken, pw.JOIN.LEFT_OUTER, on=(R.taken_by == Taken.id))
        .switch(R)
        .join(Assigned, pw.JOIN.LEFT_OUTER, on=(R.assigned_staff == Assigned.id))
        .where((R.intake_log == log) & (R.received_at >= lo) & (R.received_at < hi))
    )
    kind, value = access.client_scope(actor)
    if kind == "department":
        query = query.where(
            (C.department == value)
            | (C.department.is_null() & (R.assigned_staff.is_null() | (R.assigned_staff == actor.id)))
        )
    elif kind == "assigned":  # the clients they may open (access.may_see_client): their own and unclaimed ones
        query = query.where(access.own_clients_condition(C, actor))
    total = query.count()
    query = query.order_by(R.received_at, R.id).offset(offset)
    if limit is not None:
        query = query.limit(limit)

    def who(s) -> str:
        return short_name(s.last_name, s.first_name, s.patronymic) if s and s.id else ""

    rows = tuple(
        RegisterRow(
            r.id,
            r.client.id,
            r.received_at,
            r.registered_at,
            full_name(r.client.last_name, r.client.first_name, r.client.patronymic),
            GROUNDS.get(r.ground, r.ground),
            r.source_body,
            r.summary,
            who(r.taken_by),
            who(r.assigned_staff),
            r.registration_late_reason,
        )
        for r in query
    )
    title = INTAKE_LOGS[log][0].upper() + INTAKE_LOGS[log][1:]
    return IntakeRegister(log, title, institution.get().full_name, start, end, rows, total)


def print_intake_register(log: str, start: dt.date, end: dt.date, folder=None):
    """(In a worker) the register of a period as a PDF in the output folder; returns the path."""
    access.require_staff(None)  # access: staff; the rows are scoped by intake_register
    from soptui.forms import intake_register as form  # fpdf2 loads only when printing
    from soptui.services import printing

    data = intake_register(log, start, end, limit=None)
    path = printing.save(form, data, folder)
    # a printout of families' personal data (152-FZ)
    store.audit("print", "referral", None, {"register": log, "start": start.isoformat(), "end": end.isoformat()})
    return path
