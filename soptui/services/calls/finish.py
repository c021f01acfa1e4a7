"""Finishing a call: the outcome, and the records each outcome writes in one transaction.

The «Телефонные переговоры» entry (the call itself), the service-log entry, reminders (callback, SOP 01
control points, SOP 02 messenger sessions) and, for SOP 03, the first-contact mark on the referral and a
draft primary visit, or the refusal on the client.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from soptui.core import clock, session
from soptui.core.phones import format_phone
from soptui.db import models as m
from soptui.db import store
from soptui.db.connection import write_transaction
from soptui.domain.calls import scripts as callscripts
from soptui.domain.labels import CHANNELS
from soptui.domain.service_time import CALL_STAGES, NOT_DELIVERED, StageTimes
from soptui.services import access
from soptui.services.calls._common import CallError
from soptui.services.calls.context import check_future_working_time
from soptui.services.calls.lifecycle import CallRecord, get_call

MAX_SESSIONS = 52  # recurring messenger sessions created at once (a year of weekly calls)


@dataclass
class CallOutcome:
    """What the specialist records when the call is over."""

    outcome: str
    summary: str = ""
    agreements: str = ""
    notes: str = ""
    teleprompter: dict = field(default_factory=dict)
    branch: str = ""
    step_id: str = ""
    prep_seconds: float = 0
    talk_seconds: float = 0
    doc_seconds: float = 0
    visit_at: dt.datetime | None = None  # SOP 03 agrees
    documents: list[str] = field(default_factory=list)
    callback_at: dt.datetime | None = None  # not convenient / no answer
    refusal_reason: str = ""
    control_points: list[dt.datetime] = field(default_factory=list)  # SOP 01
    contact_frequency: str = ""  # SOP 01
    sessions_start: dt.datetime | None = None  # SOP 02
    sessions_every_days: int = 7
    sessions_until: dt.date | None = None
    sessions_channel: str = ""


@dataclass(frozen=True)
class FinishResult:
    call_id: int
    service_entry_id: int | None  # None: the person was not reached, no service rendered
    reminder_ids: tuple[int, ...]
    visit_id: int | None
    referral_marked: bool
    first_contact_late: bool


def session_times(start: dt.datetime, every_days: int, until: dt.date | None) -> list[dt.datetime]:
    """SOP 02: the dates of the recurring messenger sessions (at most MAX_SESSIONS)."""
    if every_days <= 0 or until is None:
        return [start]
    times, moment = [], start
    while moment.date() <= until and len(times) < MAX_SESSIONS:
        times.append(moment)
        moment += dt.timedelta(days=every_days)
    return times


def validate_outcome(call: CallRecord, outcome: CallOutcome) -> dict[str, str]:
    """Field -> Russian message for everything wrong with the outcome; empty when it can be saved."""
    errors: dict[str, str] = {}
    script = callscripts.load_sop(call.sop)
    if outcome.outcome not in script.outcomes:
        errors["outcome"] = "Выберите исход звонка."
    if outcome.outcome in ("callback", "no_answer"):
        if outcome.callback_at is None:
            errors["callback_at"] = "Укажите, когда перезвонить (дата и время)."
        else:
            try:
                check_future_working_time(outcome.callback_at, "Перезвонить")
            except CallError as exc:
                errors["callback_at"] = str(exc)
    if outcome.outcome == "agrees":
        if outcome.visit_at is None:
            errors["visit_at"] = "Укажите дату и время встречи."
        elif outcome.visit_at <= clock.now():
            errors["visit_at"] = f"Это время уже прошло: сейчас {clock.fmt_datetime(clock.now())}."
    if outcome.outcome == "done":
        for moment in outcome.control_points:
            if moment <= clock.now():
                errors["control_points"] = f"Контрольная точка {clock.fmt_datetime(moment)} уже прошла."
                break
    if outcome.outcome == "agreed":
        if outcome.sessions_start is None:
            errors["sessions_start"] = "Укажите дату и время первого сеанса связи."
        elif outcome.sessions_start <= clock.now():
            errors["sessions_start"] = f"Это время уже прошло: сейчас {clock.fmt_datetime(clock.now())}."
        if outcome.sessions_until and outcome.sessions_start and outcome.sessions_until < outcome.sessions_start.date():
            errors["sessions_until"] = "Дата окончания раньше первого сеанса."
    return errors


def finish_call(call_id: int, outcome: CallOutcome) -> FinishResult:
    """Close the call and write what the SOP requires, in one transaction."""
    access.require_call(None, call_id)  # access: client
    call = get_call(call_id)
    if call.state != "in_progress":
        raise CallError("Этот звонок уже завершён.")
    errors = validate_outcome(call, outcome)
    if errors:
        raise CallError(" ".join(errors.values()))
    script = callscripts.load_sop(call.sop)
    now = clock.now()
    actor_id = session.actor_id() or call.staff_id
    agreements = outcome.agreements.strip()
    extra: list[str] = []
    if outcome.outcome == "agrees" and outcome.visit_at:
        extra.append(f"Встреча (первичный патронаж): {clock.fmt_datetime(outcome.visit_at)}.")
        if outcome.documents:
            extra.append("Подготовить документы: " + "; ".join(outcome.documents) + ".")
    if outcome.outcome in ("callback", "no_answer") and outcome.callback_at:
        extra.append(f"Перезвонить {clock.fmt_datetime(outcome.callback_at)}.")
    if outcome.outcome == "refuses":
        extra.append(
            "Отказ от услуг"
            + (f": {outcome.refusal_reason.strip()}" if outcome.refusal_reason.strip() else "")
            + ". Оставлены контакты специалиста, приглашение обращаться."
        )
    if outcome.control_points:
        extra.append("Контрольные точки: " + ", ".join(clock.fmt_datetime(t) for t in outcome.control_points) + ".")
    if outcome.contact_frequency.strip():
        extra.append(f"Периодичность контактов: {outcome.contact_frequency.strip()}.")
    sessions: list[dt.datetime] = []
    if outcome.outcome == "agreed" and outcome.sessions_start:
        sessions = session_times(outcome.sessions_start, outcome.sessions_every_days, outcome.sessions_until)
        channel = CHANNELS.get(outcome.sessions_channel, outcome.sessions_channel)
        every = f"каждые {outcome.sessions_every_days} дн." if outcome.sessions_every_days else "однократно"
        extra.append(
            f"Сеансы связи ({channel}): с {clock.fmt_datetime(outcome.sessions_start)}, {every}"
            + (f" до {clock.fmt_date(outcome.sessions_until)}" if outcome.sessions_until else "")
            + "."
        )
    agreements = "\n".join([a for a in [agreements, *extra] if a]).strip()
    summary = outcome.summary.strip() or script.outcomes.get(outcome.outcome, "")
    delivered = outcome.outcome not in NOT_DELIVERED
    reminder_ids: list[int] = []
    visit_id = None
    referral_marked = late = False
    with write_transaction():
        row = m.PhoneCall.get_by_id(call_id)
        started = row.started_at or now
        ended = now
        store.update_versioned(
            m.PhoneCall,
            call_id,
            row.version,
            {
                "state": "finished",
                "outcome": outcome.outcome,
                "summary": summary,
                "agreements": agreements,
                "notes": outcome.notes,
                "branch": outcome.branch,
                "step_id": outcome.step_id or row.step_id,
                "state_json": json.dumps(outcome.teleprompter, ensure_ascii=False, default=str),
                "prep_seconds": int(outcome.prep_seconds),
                "talk_seconds": int(outcome.talk_seconds),
                "doc_seconds": int(outcome.doc_seconds),
                "started_at": started,
                "ended_at": ended,
            },
        )
        times = StageTimes.measured(
            outcome.prep_seconds,
            outcome.talk_seconds,
            outcome.doc_seconds,
            (script.norms.prep, script.norms.call, script.norms.doc),
        )
        entry_id = None
        if delivered:  # a call that did not reach the person is in the phone log only: no service rendered
            entry_id = store.create(
                m.ServiceEntry,
                date=now.date(),
                client=call.client_id,
                staff=actor_id,
                sop=call.sop,
                service_kind=script.service_kind,
                units=1,
                **times.entry_fields(),
                source_type="call",
                source_id=call_id,
                note=(
                    f"{call.callee_name}, {format_phone(call.phone_number)}. Исход: "
                    f"{script.outcomes.get(outcome.outcome, outcome.outcome)}. {times.describe(CALL_STAGES)}."
                ),
            ).id
        # SOP 03: the first contact is made when the person was reached and the conversation took place
        if call.sop == "03" and call.referral_id and delivered:
            ref = m.Referral.get_or_none(m.Referral.id == call.referral_id)
            if ref is not None and ref.first_contact_at is None:
                late = started.date() > ref.first_contact_due
                store.update_versioned(
                    m.Referral, ref.id, ref.version, {"first_contact_at": started, "first_contact_late": late}
                )
                referral_marked = True
        if outcome.outcome in ("callback", "no_answer") and outcome.callback_at:
            reminder_ids.append(
                store.create(
                    m.Reminder,
                    kind="callback",
                    client=call.client_id,
                    staff=actor_id,
                    due_at=outcome.callback_at,
                    text=f"Перезвонить (СОП {call.sop}): {call.callee_name}, {format_phone(call.phone_number)}"
                    + (" — не ответил(а)" if outcome.outcome == "no_answer" else ""),
                    call=call_id,
                    contact=call.person_id if call.person_kind == "contact" else None,
                    channel="phone",
                ).id
            )
        if outcome.outcome == "agrees" and outcome.visit_at:
            client = m.Client.get_by_id(call.client_id)
            ref = m.Referral.get_or_none(m.Referral.id == call.referral_id) if call.referral_id else None
            visit = store.create(
                m.PatronageVisit,
                client=call.client_id,
                kind="primary",
                ground=ref.ground if ref else "personal_application",
                referral=call.referral_id,
                purpose=f"Первичный патронаж по итогам звонка {clock.fmt_date(now.date())} (СОП 03): "
                "знакомство, выяснение ситуации, помощь в сборе документов.",
                planned_start=outcome.visit_at,
                address=client.address,
                transport_needed=client.remote_territory,
                status="draft",
                drafted_by_call=call_id,
                documents_to_prepare="\n".join(outcome.documents),
            )
            if actor_id:
                m.VisitStaff.create(visit=visit.id, staff=actor_id)
            visit_id = visit.id
        if outcome.outcome == "refuses":
            client = m.Client.get_by_id(call.client_id)
            if client.status == "potential":
                reason = "Отказ при первичном звонке" + (
                    f": {outcome.refusal_reason.strip()}" if outcome.refusal_reason.strip() else ""
                )
                store.update_versioned(
                    m.Client,
                    client.id,
                    client.version,
                    {"status": "refused", "status_reason": reason, "status_changed_at": now},
                )
                store.create(
                    m.ClientStatusChange,
                    client=client.id,
                    old_status="potential",
                    new_status="refused",
                    reason=reason,
                    changed_at=now,
                    staff=actor_id,
                )
        for moment in outcome.control_points:
            reminder_ids.append(
                store.create(
                    m.Reminder,
                    kind="control_point",
                    client=call.client_id,
                    staff=actor_id,
                    due_at=moment,
                    text=f"Контрольная точка (СОП 01): {call.callee_name} сообщает о ходе решения проблемы"
                    + (
                        f"; периодичность: {outcome.contact_frequency.strip()}"
                        if outcome.contact_frequency.strip()
                        else ""
                    ),
                    call=call_id,
                    channel="phone",
                ).id
            )
        for moment in sessions:
            reminder_ids.append(
                store.create(
                    m.Reminder,
                    kind="messenger_session",
                    client=call.client_id,
                    staff=actor_id,
                    due_at=moment,
                    text=f"Сеанс связи с родственником: {call.callee_name} через "
                    f"{CHANNELS.get(outcome.sessions_channel, outcome.sessions_channel)}",
                    call=call_id,
                    contact=call.person_id if call.person_kind == "contact" else None,
                    channel=outcome.sessions_channel,
                    repeat_days=outcome.sessions_every_days,
                    repeat_until=outcome.sessions_until,
                ).id
            )
        source_reminder = (call.teleprompter or {}).get("reminder_id")
        if source_reminder:
            m.Reminder.update(done_at=now).where(
                (m.Reminder.id == source_reminder) & m.Reminder.done_at.is_null()
            ).execute()
    return FinishResult(call_id, entry_id, tuple(reminder_ids), visit_id, referral_marked, late)
