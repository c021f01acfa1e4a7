"""The client summary (who the client is, how to reach their people) and the full card with its tabs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from soptui.core import clock, session
from soptui.core.phones import format_phone
from soptui.core.text import full_name, short_name
from soptui.db import models as m
from soptui.db import store
from soptui.domain import workdays
from soptui.domain.clients import age, ipra_warning
from soptui.domain.labels import (
    CALL_STATES,
    CATEGORIES,
    CLIENT_STATUSES,
    GROUNDS,
    INTAKE_LOGS,
    OUTCOME_LABELS,
    VISIT_KINDS,
    VISIT_STATUSES,
)
from soptui.services import access
from soptui.services.clients._common import load_client
from soptui.services.staff import Names


@dataclass(frozen=True)
class PersonInfo:
    """A legal representative or a relative/friend, with how to reach them."""

    id: int
    kind: str  # representative / relative / friend
    relation: str
    full_name: str
    last_name: str
    first_name: str
    patronymic: str
    phones: list[str]  # E.164
    messengers: list[tuple[str, str]]  # (channel, handle)
    preferred_call_time: str = ""
    notes: str = ""
    version: int = 1


@dataclass(frozen=True)
class ClientSummary:
    id: int
    full_name: str
    last_name: str
    first_name: str
    patronymic: str
    birth_date: dt.date | None
    address: str
    department_id: int | None
    department_name: str
    assigned_staff_id: int | None
    assigned_staff_name: str
    assigned_staff_short: str
    representatives: list[PersonInfo]
    contacts: list[PersonInfo]
    phones: list[str] = field(default_factory=list)  # the client's own, E.164
    messengers: list[tuple[str, str]] = field(default_factory=list)
    category: str = "child"
    status: str = "potential"
    remote_territory: bool = False
    version: int = 1


def _points(rows) -> tuple[list[str], list[tuple[str, str]]]:
    phones, messengers = [], []
    for cp in rows:
        if cp.channel == "phone":
            phones.append(cp.value)
        else:
            messengers.append((cp.channel, cp.value))
    return phones, messengers


def people_of(client_id: int) -> tuple[list[PersonInfo], list[PersonInfo]]:
    """The client's representatives and relatives/friends with their phones and messengers, oldest first."""
    reps = list(m.Representative.select().where(m.Representative.client == client_id).order_by(m.Representative.id))
    contacts = list(m.Contact.select().where(m.Contact.client == client_id).order_by(m.Contact.id))
    points: dict[tuple[str, int], list] = {}
    rep_ids = [r.id for r in reps] or [0]
    con_ids = [c.id for c in contacts] or [0]
    for cp in (
        m.ContactPoint.select()
        .where(m.ContactPoint.representative.in_(rep_ids) | m.ContactPoint.contact.in_(con_ids))
        .order_by(m.ContactPoint.id)
    ):
        key = ("r", cp.representative_id) if cp.representative_id else ("c", cp.contact_id)
        points.setdefault(key, []).append(cp)
    rep_info = []
    for r in reps:
        phones, msg = _points(points.get(("r", r.id), []))
        rep_info.append(
            PersonInfo(
                r.id,
                "representative",
                r.relation,
                full_name(r.last_name, r.first_name, r.patronymic),
                r.last_name,
                r.first_name,
                r.patronymic,
                phones,
                msg,
                r.preferred_call_time,
                r.notes,
                r.version,
            )
        )
    con_info = []
    for c in contacts:
        phones, msg = _points(points.get(("c", c.id), []))
        con_info.append(
            PersonInfo(
                c.id,
                c.kind,
                c.relation,
                full_name(c.last_name, c.first_name, c.patronymic),
                c.last_name,
                c.first_name,
                c.patronymic,
                phones,
                msg,
                "",
                c.notes,
                c.version,
            )
        )
    return rep_info, con_info


def summary_of(client: m.Client) -> ClientSummary:
    """The summary of a loaded client (no access check: the caller loaded it with load_client)."""
    dep = m.Department.get_or_none(m.Department.id == client.department_id) if client.department_id else None
    staff = m.Staff.get_or_none(m.Staff.id == client.assigned_staff_id) if client.assigned_staff_id else None
    reps, contacts = people_of(client.id)
    phones, msg = _points(m.ContactPoint.select().where(m.ContactPoint.client == client.id).order_by(m.ContactPoint.id))
    return ClientSummary(
        id=client.id,
        full_name=full_name(client.last_name, client.first_name, client.patronymic),
        last_name=client.last_name,
        first_name=client.first_name,
        patronymic=client.patronymic,
        birth_date=client.birth_date,
        address=client.address,
        department_id=client.department_id,
        department_name=dep.name if dep else "",
        assigned_staff_id=client.assigned_staff_id,
        assigned_staff_name=full_name(staff.last_name, staff.first_name, staff.patronymic) if staff else "",
        assigned_staff_short=short_name(staff.last_name, staff.first_name, staff.patronymic) if staff else "",
        representatives=reps,
        contacts=contacts,
        phones=phones,
        messengers=msg,
        category=client.category,
        status=client.status,
        remote_territory=client.remote_territory,
        version=client.version,
    )


def get_client_summary(client_id: int) -> ClientSummary:
    """Who the client is and how to reach their people; raises ClientGone / AccessDenied."""
    access.require_client_id(None, client_id)  # access: client
    return summary_of(load_client(client_id, session.current()))


@dataclass(frozen=True)
class StatusChangeInfo:
    at: dt.datetime
    old: str
    new: str
    reason: str
    staff: str


@dataclass(frozen=True)
class ReferralInfo:
    id: int
    received_at: dt.datetime
    ground: str
    source_body: str
    summary: str
    intake_log: str
    assigned: str
    registration_due: dt.date
    first_contact_due: dt.date
    first_contact_at: dt.datetime | None
    patronage_due: dt.date | None
    closed: bool
    state: str  # ok / today / overdue / done
    countdown: str
    warning: str | None


@dataclass(frozen=True)
class TabRow:
    """One line of a card tab (calls, visits, groups, services)."""

    when: str
    what: str
    who: str
    detail: str
    target: tuple[str, int] | None = None


@dataclass(frozen=True)
class ClientCard:
    summary: ClientSummary
    birth_date_text: str
    age: int | None
    category_label: str
    status_label: str
    status_reason: str
    status_changed_at: dt.datetime | None
    history: list[StatusChangeInfo]
    ipra_number: str
    ipra_start: dt.date | None
    ipra_end: dt.date | None
    ipra_warning: str  # "" or "ИПРА истекает 10.12.2026 (через 15 дн.)" / "ИПРА истекла ..."
    consent_date: dt.date | None
    consent_warning: str
    notes: str
    referrals: list[ReferralInfo]
    calls: list[TabRow]
    visits: list[TabRow]
    groups: list[TabRow]
    services: list[TabRow]
    form: dict[str, Any]  # the editable values as the form shows them (for edit and conflicts)


def referral_info(ref: m.Referral, today: dt.date, names: Names) -> ReferralInfo:
    done = ref.first_contact_at is not None or ref.closed
    return ReferralInfo(
        id=ref.id,
        received_at=ref.received_at,
        ground=GROUNDS.get(ref.ground, ref.ground),
        source_body=ref.source_body,
        summary=ref.summary,
        intake_log=INTAKE_LOGS.get(ref.intake_log, ref.intake_log),
        assigned=names.short(ref.assigned_staff_id) or "не назначен",
        registration_due=ref.registration_due,
        first_contact_due=ref.first_contact_due,
        first_contact_at=ref.first_contact_at,
        patronage_due=ref.patronage_due,
        closed=ref.closed,
        state=workdays.deadline_state(ref.first_contact_due, today, done),
        countdown="звонок сделан"
        if ref.first_contact_at
        else ("закрыто" if ref.closed else workdays.deadline_countdown_text(ref.first_contact_due, today)),
        warning=workdays.deadline_warning(ref.received_at.date(), ref.first_contact_due),
    )


def _tabs(client_id: int, names: Names) -> tuple[list[TabRow], ...]:
    calls = []
    for c in (
        m.PhoneCall.select()
        .where(m.PhoneCall.client == client_id)
        .order_by(m.PhoneCall.started_at.desc(nulls="last"), m.PhoneCall.id.desc())
        .limit(200)
    ):
        calls.append(
            TabRow(
                clock.fmt_datetime(c.started_at) or "—",
                f"СОП {c.sop}: {c.callee_name}".strip(),
                names.short(c.staff_id),
                c.summary or OUTCOME_LABELS.get(c.outcome, c.outcome) or CALL_STATES.get(c.state, c.state),
                ("call", c.id),
            )
        )
    visits = []
    for v in (
        m.PatronageVisit.select()
        .where(m.PatronageVisit.client == client_id)
        .order_by(m.PatronageVisit.planned_start.desc())
        .limit(200)
    ):
        visits.append(
            TabRow(
                clock.fmt_datetime(v.planned_start),
                VISIT_KINDS.get(v.kind, v.kind),
                VISIT_STATUSES.get(v.status, v.status),
                v.purpose,
                ("visit", v.id),
            )
        )
    groups = []
    for mem in (
        m.ClubMember.select(m.ClubMember, m.Club)
        .join(m.Club)
        .where(m.ClubMember.client == client_id)
        .order_by(m.ClubMember.joined_on.desc())
    ):
        present = (
            m.Attendance.select()
            .join(m.GroupSession)
            .where(
                (m.Attendance.client == client_id)
                & (m.GroupSession.club == mem.club_id)
                & (m.Attendance.present == True)
            )
            .count()
        )  # noqa: E712
        period = clock.fmt_date(mem.joined_on) + (f" – {clock.fmt_date(mem.left_on)}" if mem.left_on else "")
        groups.append(
            TabRow(period, mem.club.name, f"посещений: {present}", mem.left_reason if mem.left_on else "участник", None)
        )
    services = []
    for s in (
        m.ServiceEntry.select()
        .where(m.ServiceEntry.client == client_id)
        .order_by(m.ServiceEntry.date.desc(), m.ServiceEntry.id.desc())
        .limit(300)
    ):
        services.append(
            TabRow(
                clock.fmt_date(s.date),
                s.service_kind,
                names.short(s.staff_id),
                f"СОП {s.sop}, {s.units} ед." + (f", {s.minutes} мин" if s.minutes else ""),
            )
        )
    return calls, visits, groups, services


def form_values(summary: ClientSummary, client: m.Client) -> dict[str, Any]:
    """The editable values of a client as text, the way the form shows and compares them."""
    return {
        "last_name": client.last_name,
        "first_name": client.first_name,
        "patronymic": client.patronymic,
        "birth_date": clock.fmt_date(client.birth_date),
        "category": client.category,
        "department_id": client.department_id,
        "assigned_staff_id": client.assigned_staff_id,
        "address": client.address,
        "remote_territory": bool(client.remote_territory),
        "ipra_number": client.ipra_number,
        "ipra_start": clock.fmt_date(client.ipra_start),
        "ipra_end": clock.fmt_date(client.ipra_end),
        "consent_date": clock.fmt_date(client.consent_date),
        "notes": client.notes,
        "phones": [format_phone(p) for p in summary.phones],
        "messengers": [[ch, h] for ch, h in summary.messengers],
    }


def get_client_card(client_id: int, audit_view: bool = True) -> ClientCard:
    """Everything the card shows; writes a "view" audit entry (152-FZ) unless told not to."""
    access.require_client_id(None, client_id)  # access: client
    actor = session.current()
    client = load_client(client_id, actor)
    if audit_view:
        store.audit("view", "client", client_id)  # alone: its own write, beside others on PostgreSQL
    summary = summary_of(client)
    today = clock.today()
    names = Names()
    history = [
        StatusChangeInfo(
            h.changed_at,
            CLIENT_STATUSES.get(h.old_status, h.old_status),
            CLIENT_STATUSES.get(h.new_status, h.new_status),
            h.reason,
            names.short(h.staff_id),
        )
        for h in m.ClientStatusChange.select()
        .where(m.ClientStatusChange.client == client_id)
        .order_by(m.ClientStatusChange.id)
    ]
    refs = [
        referral_info(r, today, names)
        for r in m.Referral.select().where(m.Referral.client == client_id).order_by(m.Referral.received_at.desc())
    ]
    calls, visits, groups, services = _tabs(client_id, names)
    return ClientCard(
        summary=summary,
        birth_date_text=clock.fmt_date(client.birth_date),
        age=age(client.birth_date, today),
        category_label=CATEGORIES.get(client.category, client.category),
        status_label=CLIENT_STATUSES.get(client.status, client.status),
        status_reason=client.status_reason,
        status_changed_at=client.status_changed_at,
        history=history,
        ipra_number=client.ipra_number,
        ipra_start=client.ipra_start,
        ipra_end=client.ipra_end,
        ipra_warning=ipra_warning(client.ipra_end, today),
        consent_date=client.consent_date,
        consent_warning="" if client.consent_date else "Нет согласия на обработку персональных данных",
        notes=client.notes,
        referrals=refs,
        calls=calls,
        visits=visits,
        groups=groups,
        services=services,
        form=form_values(summary, client),
    )
