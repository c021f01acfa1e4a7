"""Referrals (incoming information about a family) and the SOP deadlines they start."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import peewee as pw

from soptui.core import clock
from soptui.core.text import full_name, short_name
from soptui.db import models as m
from soptui.db import store
from soptui.db.connection import write_transaction
from soptui.domain import workdays
from soptui.domain.labels import GROUNDS
from soptui.services import access


@dataclass(frozen=True)
class Deadlines:
    """The three SOP deadlines a referral starts."""

    registration: dt.date  # SOP 04: register within 3 working days
    first_contact: dt.date  # SOP 03: call within 3 working days
    patronage: dt.date  # SOP 04: the first service within 4 working days of registration
    warning: str | None  # the calendar for a year in the span is not confirmed


def compute_deadlines(
    received_at: dt.datetime,
    ground: str,
    source_term_due: dt.date | None = None,
    registered_on: dt.date | None = None,
) -> Deadlines:
    """SOP 04 registration (3 working days, or the source document's term), SOP 03 first contact (3 working
    days of arrival) and the wait until the service (4 working days from registration — today when the
    form saves it — never before the registration deadline)."""
    received = received_at.date()
    registration = workdays.referral_registration_deadline(received, source_term_due)
    first_contact = workdays.first_contact_deadline(received)
    patronage = workdays.patronage_deadline(registered_on or clock.today(), registration)
    latest = max(registration, first_contact, patronage)
    return Deadlines(registration, first_contact, patronage, workdays.deadline_warning(received, latest))


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
) -> int:
    """Register incoming information and its deadlines; returns the referral id."""
    access.require_client_id(None, client_id)  # access: client
    if ground not in GROUNDS:
        raise ValueError(f"Неизвестное основание: {ground}")
    registered_at = clock.now() if registered else None
    d = compute_deadlines(received_at, ground, source_term_due, registered_at.date() if registered_at else None)
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
            registered_at=registered_at,
            first_contact_due=d.first_contact,
            patronage_due=d.patronage,
            source_term_due=source_term_due,
        )
    return ref.id


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


def open_referrals(
    today: dt.date | None = None, staff_id: int | None = None, department_id: int | None = None, limit: int = 200
) -> list[DueReferral]:
    """Referrals with no first-contact call yet, most urgent first."""
    today = today or clock.today()
    Assigned = m.Staff.alias()
    query = (
        m.Referral.select(m.Referral, m.Client, Assigned)
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
