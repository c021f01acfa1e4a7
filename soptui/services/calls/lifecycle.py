"""The call record and its life: start, save progress, the SOP 03 notice, abandon, the call to resume.

A call is a `PhoneCall` row from the moment the teleprompter opens (state "in_progress"); the teleprompter
state (step, branch, timers, notes) is kept in `PhoneCall.state_json` on every step change and every few
seconds of typing, so a dropped SSH link loses nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from soptui.core import clock, session
from soptui.core.phones import format_phone
from soptui.core.text import full_name, name_patronymic
from soptui.db import models as m
from soptui.db import store
from soptui.db.connection import write_transaction
from soptui.domain.calls import scripts as callscripts
from soptui.domain.calls.rules import CALL_CHANNELS, ground_problem
from soptui.domain.labels import POSITIONS
from soptui.services import access, institution
from soptui.services.calls._common import (
    NOTICE_STATES,
    CallError,
    contact_points,
    is_mobile,
    messengers_text,
    notice_label,
    person_of,
)
from soptui.services.calls.context import NO_PHONE_MESSAGE, _callee, _open_referral_id, call_hours_problem
from soptui.services.staff import Names


@dataclass(frozen=True)
class CallRecord:
    """A call as the teleprompter and the forms need it, with the script's values filled in."""

    id: int
    sop: str
    client_id: int
    client_name: str
    staff_id: int | None
    staff_name: str
    person_kind: str
    person_id: int | None
    callee_name: str
    phone_number: str
    referral_id: int | None
    state: str
    notice_sent_at: dt.datetime | None
    notice_state: str
    notice_call_at: dt.datetime | None
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    prep_seconds: int
    talk_seconds: int
    doc_seconds: int
    step_id: str
    branch: str
    outcome: str
    purpose: str
    summary: str
    agreements: str
    notes: str
    off_hours_reason: str
    teleprompter: dict
    values: dict[str, str]
    created_at: dt.datetime | None = None
    version: int = 1
    channel: str = ""
    ground: str = ""
    ground_note: str = ""
    notice_skip_reason: str = ""
    notice_off_hours_reason: str = ""
    meeting_place: str = ""
    meeting_at: dt.datetime | None = None
    client_session_at: dt.datetime | None = None
    client_session_every_days: int = 0
    client_session_until: dt.date | None = None
    updated_at: dt.datetime | None = None

    @property
    def notice_label(self) -> str:
        return notice_label(self.notice_state, self.notice_sent_at, self.notice_call_at)


def staff_values(staff_id: int | None) -> dict[str, str]:
    """The specialist's words for the script: ФИО, Имя Отчество, position, phone, working hours."""
    info = institution.get()
    values = {"institution": info.full_name, "working_hours": f"пн–пт с {info.work_start} до {info.work_end}"}
    staff = m.Staff.get_or_none(m.Staff.id == staff_id) if staff_id else None
    if staff is None:
        return values
    values.update(
        staff_fio=full_name(staff.last_name, staff.first_name, staff.patronymic),
        staff_io=name_patronymic(staff.first_name, staff.patronymic),
        staff_position=POSITIONS.get(staff.position, staff.position),
        staff_position_ins=callscripts.POSITION_INSTRUMENTAL.get(staff.position, POSITIONS.get(staff.position, "")),
        staff_sent=callscripts.sent_verb(staff.patronymic),
    )
    dept = m.Department.get_or_none(m.Department.id == staff.department_id) if staff.department_id else None
    if dept is not None and dept.working_hours:
        values["working_hours"] = f"{dept.short_name or dept.name}: {dept.working_hours}"
    phone = staff.phone or (dept.phone if dept is not None else "") or info.phone
    values["staff_phone"] = format_phone(phone) if phone.startswith("+") else phone
    return values


def _values(call: m.PhoneCall) -> dict[str, str]:
    values = staff_values(call.staff_id)
    client = call.client
    values.update(
        client_fio=full_name(client.last_name, client.first_name, client.patronymic),
        client_io=name_patronymic(client.first_name, client.patronymic),
        purpose=call.purpose,
        person_phone=format_phone(call.phone_number),
    )
    if client.category == "child":
        values["child_name"] = client.first_name
        values["child_fio"] = values["client_fio"]
    kind, pid, person = person_of(call)
    if person is not None:
        values["person_io"] = name_patronymic(person.first_name, person.patronymic)
        values["person_fio"] = full_name(person.last_name, person.first_name, person.patronymic)
        values["person_relation"] = person.relation or ""
    else:
        values["person_io"] = values["client_io"]
        values["person_fio"] = values["client_fio"]
        values["person_relation"] = "сам клиент"
    owner = {"representative": "representative", "contact": "contact", "client": "client"}[kind]
    _, msgs = contact_points(**{owner: pid})
    values["person_messengers"] = messengers_text(msgs)
    if call.referral_id:
        ref = m.Referral.get_or_none(m.Referral.id == call.referral_id)
        if ref is not None:
            values["source_body"] = ref.source_body
            values["summary"] = ref.summary
    if call.notice_sent_at:
        values["notice_sent_at"] = f"{call.notice_sent_at:%H:%M}" + (
            "" if call.notice_sent_at.date() == clock.today() else f" {clock.fmt_date(call.notice_sent_at.date())}"
        )
    if call.notice_call_at:
        values["notice_call_at"] = clock.fmt_datetime(call.notice_call_at)
    return {k: v for k, v in values.items() if v}


def _record(call: m.PhoneCall, for_display: bool = True) -> CallRecord:
    if call.representative_id:  # whom the call is to, as person_of says, without reading that person's row
        kind, pid = "representative", call.representative_id
    elif call.contact_id:
        kind, pid = "contact", call.contact_id
    else:
        kind, pid = "client", call.client_id
    try:
        state = json.loads(call.state_json) if call.state_json else {}
    except ValueError:
        state = {}
    client = call.client if for_display else None
    return CallRecord(
        id=call.id,
        sop=call.sop,
        client_id=call.client_id,
        client_name=full_name(client.last_name, client.first_name, client.patronymic) if client else "",
        staff_id=call.staff_id,
        staff_name=Names().full(call.staff_id) if for_display else "",
        person_kind=kind,
        person_id=pid,
        callee_name=call.callee_name,
        phone_number=call.phone_number,
        referral_id=call.referral_id,
        state=call.state,
        notice_sent_at=call.notice_sent_at,
        notice_state=call.notice_state,
        notice_call_at=call.notice_call_at,
        started_at=call.started_at,
        ended_at=call.ended_at,
        prep_seconds=call.prep_seconds,
        talk_seconds=call.talk_seconds,
        doc_seconds=call.doc_seconds,
        step_id=call.step_id,
        branch=call.branch,
        outcome=call.outcome,
        purpose=call.purpose,
        summary=call.summary,
        agreements=call.agreements,
        notes=call.notes,
        off_hours_reason=call.off_hours_reason,
        teleprompter=state,
        values=_values(call) if for_display else {},
        created_at=call.created_at,
        version=call.version,
        channel=call.channel,
        ground=call.ground,
        ground_note=call.ground_note,
        notice_skip_reason=call.notice_skip_reason,
        notice_off_hours_reason=call.notice_off_hours_reason,
        meeting_place=call.meeting_place,
        meeting_at=call.meeting_at,
        client_session_at=call.client_session_at,
        client_session_every_days=call.client_session_every_days,
        client_session_until=call.client_session_until,
        updated_at=call.updated_at,
    )


def get_call(call_id: int) -> CallRecord:
    access.require_call(None, call_id)  # access: client
    return _load_call(call_id)


def _load_call(call_id: int, for_display: bool = True) -> CallRecord:
    """The call record, for a service function that has already checked access to this call.

    `for_display=False`: without what only the screens and forms show (the script's filled-in values, the
    client's and the specialist's names: `values` is empty, the names ""), which costs a dozen reads.
    """
    call = m.PhoneCall.get_or_none(m.PhoneCall.id == call_id)
    if call is None:
        raise CallError("Звонок не найден: возможно, его удалили.")
    return _record(call, for_display)


def start_call(
    sop: str,
    client_id: int,
    person_kind: str,
    person_id: int,
    phone: str,
    purpose: str = "",
    referral_id: int | None = None,
    off_hours_reason: str = "",
    reminder_id: int | None = None,
) -> int:
    """Open a call (state in_progress) for the signed-in specialist; returns its id."""
    access.require_client_id(None, client_id)  # access: client (the person called: just below)
    if sop not in callscripts.SOP_CODES:
        raise CallError(f"Нет сценария для СОП {sop}.")
    if not phone:
        raise CallError(NO_PHONE_MESSAGE)
    problem = call_hours_problem()
    if problem and not off_hours_reason.strip():
        raise CallError("Звонок вне рабочего времени: укажите причину. " + problem)
    # the one person called is read, not the whole context: one of this client's people, or refused
    person = _callee(client_id, person_kind, person_id)
    if person is None:
        access.require_person(  # someone of another client's file: refused as such (AccessDenied)
            None,
            client_id,
            "representative" if person_kind == "representative" else "contact",
            person_id if person_kind in ("representative", "contact", "relative", "friend") else None,
        )
        raise CallError("Собеседник не найден среди представителей и родственников клиента.")
    if sop == "03" and referral_id is None:
        referral_id = _open_referral_id(client_id)
    state = {"reminder_id": reminder_id} if reminder_id else {}
    with write_transaction(scope=[("client", client_id)]):  # the client's open referral is read
        call = store.create(
            m.PhoneCall,
            sop=sop,
            client=client_id,
            staff=session.actor_id(),
            referral=referral_id,
            representative=person_id if person_kind == "representative" else None,
            contact=person_id if person_kind == "contact" else None,
            callee_name=f"{person[0]} ({person[1]})",
            phone_number=phone,
            purpose=purpose.strip(),
            off_hours_reason=off_hours_reason.strip(),
            state="in_progress",
            state_json=json.dumps(state, ensure_ascii=False),
            created_at=clock.now(),
            updated_at=clock.now(),
        )
    return call.id


def talk_start(at: str | dt.datetime | None, created_at: dt.datetime | None, now: dt.datetime) -> dt.datetime | None:
    """When the conversation began, as the teleprompter noted it (ISO text in its state), within the call's own
    life: not before it was created, not after now. None when it was not noted or cannot be read."""
    if not at:
        return None
    try:
        moment = dt.datetime.fromisoformat(at) if isinstance(at, str) else at
    except ValueError:
        return None
    if moment.tzinfo is not None:
        return None  # the store keeps local wall time
    if moment > now:
        moment = now
    if created_at is not None and moment < created_at:
        moment = created_at
    return moment


def _versioned_update(call_id: int, version: int | None, changes: dict, audit_it: bool = False) -> int:
    """Write `changes` to an unfinished call only if nobody saved it since `version` (None: as it is now).

    Raises store.ConflictError (their version in `.current`) when another workstation saved the call in
    between, CallError when the call is no longer in progress. Returns the new version.
    """
    with write_transaction(scope=[("phone_call", call_id)]):  # one row, its version checked
        call = m.PhoneCall.get_or_none(m.PhoneCall.id == call_id)
        if call is None:
            raise CallError("Звонок не найден: возможно, его удалили.")
        expected = call.version if version is None else version
        if call.version != expected:
            raise store.ConflictError(store.row_dict(call), {})
        if call.state != "in_progress":
            raise CallError("Этот звонок уже завершён.")
        talk_at = changes.pop("_talk_started_at", None)
        if changes.pop("_talk_started", False) and call.started_at is None:
            changes["started_at"] = talk_start(talk_at, call.created_at, clock.now()) or clock.now()
        return store.update_versioned(m.PhoneCall, call_id, expected, changes, audit_it=audit_it, current=call).version


def save_progress(
    call_id: int,
    teleprompter: dict,
    step_id: str,
    branch: str,
    notes: str,
    prep_seconds: float,
    talk_seconds: float,
    doc_seconds: float,
    talk_started: bool = False,
    off_hours_reason: str | None = None,
    version: int | None = None,
) -> int:
    """Keep the teleprompter state (cheap, unaudited: it runs every few seconds); returns the new version.

    `version` is the one the teleprompter read: a call saved meanwhile at another workstation raises
    store.ConflictError instead of being overwritten.
    """
    access.require_call(None, call_id)  # access: client
    changes = dict(
        state_json=json.dumps(teleprompter, ensure_ascii=False, default=str),
        step_id=step_id,
        branch=branch,
        notes=notes,
        prep_seconds=int(prep_seconds),
        talk_seconds=int(talk_seconds),
        doc_seconds=int(doc_seconds),
        _talk_started=talk_started,
        _talk_started_at=teleprompter.get("talk_started_at") if isinstance(teleprompter, dict) else None,
    )
    if off_hours_reason:
        changes["off_hours_reason"] = off_hours_reason
    return _versioned_update(call_id, version, changes)


def record_notice_sent(
    call_id: int, when: dt.datetime | None = None, off_hours_reason: str = "", version: int | None = None
) -> int:
    """SOP 03: the user confirms the pre-notification SMS/messenger message was sent (now, or `when`).

    A notice is subject to the calls' working-hours rule: outside working time it needs a recorded reason.
    Returns the new version of the call.
    """
    access.require_call(None, call_id)  # access: client
    when = when or clock.now()
    problem = call_hours_problem(when)
    if problem and not off_hours_reason.strip():
        raise CallError("Уведомление вне рабочего времени: укажите причину. " + problem)
    changes = dict(
        notice_sent_at=when,
        notice_state="sent",
        notice_call_at=None,
        notice_skip_reason="",
        notice_off_hours_reason=off_hours_reason.strip() if problem else "",
    )
    new_version = _versioned_update(call_id, version, changes)
    store.audit("notice_sent", "phone_call", call_id, {"notice_sent_at": when, "off_hours": bool(problem)})
    return new_version


def skip_notice(call_id: int, reason: str, version: int | None = None) -> int:
    """SOP 03: the notice was not sent, with the reason (never skipped silently); returns the new version."""
    access.require_call(None, call_id)  # access: client
    if not reason.strip():
        raise CallError("Укажите, почему уведомление не отправлено.")
    changes = dict(notice_skip_reason=reason.strip(), notice_sent_at=None, notice_state="", notice_call_at=None)
    new_version = _versioned_update(call_id, version, changes)
    store.audit("notice_skipped", "phone_call", call_id, {"reason": True})
    return new_version


def notice_required(call: CallRecord) -> bool:
    """SOP 03 §5: a mobile number gets the pre-notification before the call."""
    return call.sop == "03" and is_mobile(call.phone_number)


def notice_missing(call: CallRecord) -> bool:
    """The notice was neither sent nor skipped with a reason, and the number needs one."""
    return notice_required(call) and call.notice_sent_at is None and not call.notice_skip_reason.strip()


def set_notice_state(call_id: int, state: str, call_at: dt.datetime | None = None, version: int | None = None) -> int:
    """SOP 03 «Ответ»: the message was read (no answer), or answered with a time to call; returns the version."""
    access.require_call(None, call_id)  # access: client
    if state not in NOTICE_STATES:
        raise CallError(f"Неизвестное состояние уведомления: {state}")
    if state == "answered" and call_at is None:
        raise CallError("Укажите время, в которое клиент просит позвонить.")
    new_version = _versioned_update(call_id, version, dict(notice_state=state, notice_call_at=call_at))
    store.audit("notice_state", "phone_call", call_id, {"notice_state": state, "notice_call_at": call_at})
    return new_version


def set_details(
    call_id: int,
    version: int | None = None,
    channel: str | None = None,
    ground: str | None = None,
    ground_note: str = "",
    client_session: tuple[dt.datetime, int, dt.date | None] | None = None,
) -> int:
    """What the call records before the talk: the SOP 01 channel and ground, the SOP 02 session agreed with
    the client (first date and time, every N days, until). Returns the new version."""
    access.require_call(None, call_id)  # access: client
    changes: dict = {}
    if channel is not None:
        if channel not in CALL_CHANNELS:
            raise CallError("Выберите способ связи: телефон или видеозвонок (Skype, WhatsApp, Viber, Zoom…).")
        changes["channel"] = channel
    if ground is not None:
        problem = ground_problem(ground, ground_note)
        if problem:
            raise CallError(problem)
        changes.update(ground=ground, ground_note=ground_note.strip())
    if client_session is not None:
        at, every, until = client_session
        if until is not None and until < at.date():
            raise CallError("Дата окончания раньше первого сеанса.")
        changes.update(client_session_at=at, client_session_every_days=every, client_session_until=until)
    return _versioned_update(call_id, version, changes, audit_it=True)


def sms_text(call: CallRecord) -> str:
    """SOP 03 §5: the pre-notification text with the names filled in."""
    script = callscripts.load_sop(call.sop)
    template = script.sms_template or callscripts.load_sop("03").sms_template
    return callscripts.fill(template, call.values)


def abandon_call(call_id: int, reason: str = "") -> None:
    access.require_call(None, call_id)  # access: client
    with write_transaction():
        call = m.PhoneCall.get_or_none(m.PhoneCall.id == call_id)
        if call is None or call.state != "in_progress":
            return
        store.update_versioned(
            m.PhoneCall,
            call_id,
            call.version,
            {"state": "abandoned", "notes": (call.notes + "\n" + reason).strip(), "ended_at": clock.now()},
        )


def in_progress_call(staff_id: int) -> CallRecord | None:
    """The signed-in specialist's unfinished call to offer for resume (the latest touched)."""
    access.require_own(None, staff_id)  # access: own
    # a call parked while waiting for the answer to the SMS (SOP 03 «Ответ») is not interrupted: the
    # list and Today show it; one whose talk began, or that was being prepared, is offered
    call = (
        m.PhoneCall.select()
        .where(
            (m.PhoneCall.staff == staff_id)
            & (m.PhoneCall.state == "in_progress")
            & (m.PhoneCall.started_at.is_null(False) | (m.PhoneCall.notice_state == ""))
        )
        .order_by(m.PhoneCall.updated_at.desc(), m.PhoneCall.id.desc())
        .first()
    )
    return _record(call) if call else None
