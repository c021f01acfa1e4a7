"""The call list (unfinished first) and the «Телефонные переговоры» log of a period; who sees which calls."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import peewee as pw

from soptui.core import session
from soptui.core.phones import format_phone
from soptui.core.text import full_name, short_name
from soptui.db import models as m
from soptui.domain.calls.rules import CALL_CHANNELS, MEETING_PLACES, ground_text
from soptui.domain.calls.timer import fmt_seconds
from soptui.domain.labels import CALL_STATES, OUTCOME_LABELS, POSITIONS, SOPS
from soptui.services import access
from soptui.services.calls._common import CallError, call_scope, notice_label


@dataclass(frozen=True)
class CallRow:
    id: int
    sop: str
    when: dt.datetime | None
    client_name: str
    callee: str
    phone: str
    state: str
    state_label: str
    notice: str
    outcome_label: str
    staff_name: str


def scope_for(actor: session.Actor) -> tuple[int | None, int | None]:
    """Whose calls the actor sees, as (staff id, department id) filters (None: no filter): a specialist their
    own; a head their department's, the head of the centre every department's. An administrator who also
    holds a staff position is a head here, as in access.client_scope; one without opens no calls at all
    (access.require_staff refuses them before this is asked)."""
    if actor.is_head:
        return None, actor.department_id
    return actor.id, None


def list_calls(actor: session.Actor | None = None, limit: int = 200, offset: int = 0) -> list[CallRow]:
    """The calls the actor (else the signed-in person) sees (scope_for): unfinished first (with their notice
    state), then the latest finished ones."""
    staff_id, department_id = scope_for(access.require_staff(actor))  # access: staff, scoped
    Staff = m.Staff.alias()
    query = (
        m.PhoneCall.select(m.PhoneCall, m.Client, Staff)
        .join(m.Client)
        .switch(m.PhoneCall)
        .join(Staff, pw.JOIN.LEFT_OUTER, on=(m.PhoneCall.staff == Staff.id))
        .order_by(
            (m.PhoneCall.state == "in_progress").desc(),
            pw.fn.COALESCE(m.PhoneCall.started_at, m.PhoneCall.created_at).desc(),
            m.PhoneCall.id.desc(),
        )
        .limit(limit)
        .offset(offset)
    )
    rows = []
    for c in call_scope(query, staff_id, department_id):
        cl = c.client
        st = c.staff
        rows.append(
            CallRow(
                c.id,
                c.sop,
                c.started_at or c.created_at,
                full_name(cl.last_name, cl.first_name, cl.patronymic),
                c.callee_name,
                format_phone(c.phone_number),
                c.state,
                CALL_STATES.get(c.state, c.state),
                notice_label(c.notice_state, c.notice_sent_at, c.notice_call_at) if c.state == "in_progress" else "",
                OUTCOME_LABELS.get(c.outcome, c.outcome),
                short_name(st.last_name, st.first_name, st.patronymic) if st else "",
            )
        )
    return rows


@dataclass(frozen=True)
class LogEntry:
    """One line of «Телефонные переговоры»."""

    call_id: int
    sop: str
    date: dt.date
    time: str
    caller: str  # ФИО and position of the specialist
    callee: str
    client_name: str
    number: str
    direction: str
    purpose: str
    summary: str
    agreements: str
    duration: str  # talk time, mm:ss
    outcome: str
    off_hours_reason: str
    notice_sent_at: dt.datetime | None
    prep: str
    doc: str
    channel: str = ""  # SOP 01: phone or a video call
    ground: str = ""  # SOP 01: IPRA; visit impossible (why); at the client's request
    notice: str = ""  # SOP 03: the notice sent (when) or not sent (why)
    meeting: str = ""  # the meeting agreed: at home (the field-visit schedule) or at the institution


def _log_entry(c: m.PhoneCall) -> LogEntry:
    st = c.staff
    cl = c.client
    started = c.started_at or c.ended_at or c.created_at
    script_title = SOPS.get(c.sop, "")
    return LogEntry(
        call_id=c.id,
        sop=c.sop,
        date=started.date(),
        time=f"{started:%H:%M}",
        caller=(full_name(st.last_name, st.first_name, st.patronymic) + f", {POSITIONS.get(st.position, st.position)}")
        if st
        else "",
        callee=c.callee_name,
        client_name=full_name(cl.last_name, cl.first_name, cl.patronymic),
        number=format_phone(c.phone_number),
        direction="исходящий" if c.direction == "outgoing" else "входящий",
        purpose=c.purpose or f"СОП {c.sop}: {script_title}",
        summary=c.summary,
        agreements=c.agreements,
        duration=fmt_seconds(c.talk_seconds),
        outcome=OUTCOME_LABELS.get(c.outcome, c.outcome),
        off_hours_reason=c.off_hours_reason,
        notice_sent_at=c.notice_sent_at,
        prep=fmt_seconds(c.prep_seconds),
        doc=fmt_seconds(c.doc_seconds),
        channel=CALL_CHANNELS.get(getattr(c, "channel", ""), ""),
        ground=ground_text(getattr(c, "ground", ""), getattr(c, "ground_note", "")),
        notice=_notice_text(c),
        meeting=(
            f"{MEETING_PLACES.get(c.meeting_place, c.meeting_place)}, {c.meeting_at:%d.%m.%Y %H:%M}"
            if getattr(c, "meeting_place", "") and getattr(c, "meeting_at", None)
            else ""
        ),
    )


def _notice_text(c) -> str:
    sent = getattr(c, "notice_sent_at", None)
    if sent:
        why = getattr(c, "notice_off_hours_reason", "")
        return f"отправлено {sent:%d.%m.%Y %H:%M}" + (f" (вне рабочего времени: {why})" if why else "")
    skipped = getattr(c, "notice_skip_reason", "")
    return f"не отправлено: {skipped}" if skipped else ""


def log_entry(call_id: int) -> LogEntry:
    access.require_call(None, call_id)  # access: client
    c = m.PhoneCall.get_or_none(m.PhoneCall.id == call_id)
    if c is None:
        raise CallError("Звонок не найден.")
    if c.state != "finished":
        raise CallError("Звонок ещё не завершён: бланк заполняется по итогам разговора.")
    return _log_entry(c)


def phone_log(start: dt.date, end: dt.date, actor: session.Actor | None = None, limit: int = 2000) -> list[LogEntry]:
    """Finished calls between two dates (inclusive), oldest first: the «Телефонные переговоры» log of the calls
    the actor (else the signed-in person) sees (scope_for)."""
    staff_id, department_id = scope_for(access.require_staff(actor))  # access: staff, scoped
    if end < start:
        raise CallError("Конец периода раньше начала.")
    lo = dt.datetime.combine(start, dt.time.min)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min)
    Staff = m.Staff.alias()
    P = m.PhoneCall
    columns = (
        P.id,
        P.sop,
        P.started_at,
        P.ended_at,
        P.created_at,
        P.callee_name,
        P.phone_number,
        P.direction,
        P.purpose,
        P.summary,
        P.agreements,
        P.talk_seconds,
        P.prep_seconds,
        P.doc_seconds,
        P.outcome,
        P.off_hours_reason,
        P.notice_sent_at,
        P.notice_skip_reason,
        P.notice_off_hours_reason,
        P.channel,
        P.ground,
        P.ground_note,
        P.meeting_place,
        P.meeting_at,
        P.client,
        P.staff,
        m.Client.last_name,
        m.Client.first_name,
        m.Client.patronymic,
        Staff.last_name,
        Staff.first_name,
        Staff.patronymic,
        Staff.position,
    )
    query = (
        m.PhoneCall.select(*columns)
        .join(m.Client)
        .switch(m.PhoneCall)
        .join(Staff, pw.JOIN.LEFT_OUTER, on=(m.PhoneCall.staff == Staff.id))
        .where((m.PhoneCall.state == "finished") & (m.PhoneCall.started_at >= lo) & (m.PhoneCall.started_at < hi))
        .order_by(m.PhoneCall.started_at, m.PhoneCall.id)
        .limit(limit)
    )
    return [_log_entry(c) for c in call_scope(query, staff_id, department_id)]
