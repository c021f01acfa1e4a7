"""Finishing a call: the outcome, and the records each outcome writes in one transaction.

The «Телефонные переговоры» entry (the call itself), the service-log entry, reminders (callback, SOP 01
control points, SOP 02 messenger sessions) and, for SOP 03, the first-contact mark on the referral and a
draft primary visit, or the refusal on the client.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from soptui.core import clock, session
from soptui.core.phones import format_phone
from soptui.db import models as m
from soptui.db import store
from soptui.db.connection import write_transaction
from soptui.domain import patronage
from soptui.domain.calls import rules
from soptui.domain.calls import scripts as callscripts
from soptui.domain.labels import CHANNELS
from soptui.domain.service_time import CALL_STAGES, NOT_DELIVERED, StageTimes
from soptui.services import access
from soptui.services.calls._common import CallError
from soptui.services.calls.context import check_future_working_time
from soptui.services.calls.lifecycle import CallRecord, _record, get_call, notice_missing, talk_start

if TYPE_CHECKING:
    from soptui.services.patronage.reading import PlanCheck

MAX_SESSIONS = rules.MAX_SESSIONS  # recurring messenger sessions created at once (a year of weekly calls)


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
    visit_at: dt.datetime | None = None  # SOP 03 agrees / SOP 01 meeting
    documents: list[str] = field(default_factory=list)
    meeting_place: str = "home"  # home: a visit in the field-visit schedule; institution: a meeting reminder
    visit_minutes: int = patronage.WORK_NORM_MIN  # the work with the family, for the schedule
    allow_conflicts: bool = False  # the planner's conflicts were shown and accepted
    late_reason: str = ""  # the visit is later than the referral's deadline
    callback_at: dt.datetime | None = None  # not convenient / no answer
    refusal_reason: str = ""
    control_points: list[dt.datetime] = field(default_factory=list)  # SOP 01
    contact_frequency: str = ""  # SOP 01
    sessions_start: dt.datetime | None = None  # SOP 02
    sessions_every_days: int = 7
    sessions_until: dt.date | None = None
    sessions_channel: str = ""


MEETING_OUTCOMES = ("agrees", "meeting")


@dataclass(frozen=True)
class FinishResult:
    call_id: int
    service_entry_id: int | None  # None: the person was not reached, no service rendered
    reminder_ids: tuple[int, ...]
    visit_id: int | None
    referral_marked: bool
    first_contact_late: bool
    meeting_place: str = ""
    moved_sessions: int = 0


def session_times(start: dt.datetime, every_days: int, until: dt.date | None) -> list[dt.datetime]:
    """SOP 02: the moments of the recurring messenger sessions, on working days only (see domain.calls.rules)."""
    return [x.at for x in rules.session_times(start, every_days, until)]


def _meeting_plan(call: CallRecord, at: dt.datetime, minutes: int, documents: list[str], late_reason: str):
    """The home visit a call agrees on, as the planner's plan (the same checks as the field-visit schedule)."""
    from soptui.services.patronage import VisitPlan

    client = m.Client.get_by_id(call.client_id)
    ref = m.Referral.get_or_none(m.Referral.id == call.referral_id) if call.referral_id else None
    visited = (
        m.PatronageVisit.select()
        .where((m.PatronageVisit.client == call.client_id) & (m.PatronageVisit.status == "done"))
        .exists()
    )
    kind = "planned" if visited and call.sop != "03" else "primary"
    if ref is not None:
        ground = ref.ground
    elif call.ground == "ipra":
        ground = "ipra"
    else:
        ground = "personal_application"
    when = clock.fmt_date(clock.today())
    purpose = (
        f"Первичный патронаж по итогам звонка {when} (СОП 03): знакомство, выяснение ситуации, помощь в сборе документов."
        if call.sop == "03"
        else f"Встреча на дому по итогам звонка {when} (СОП {call.sop}): {call.purpose or 'по договорённости'}."
    )
    return VisitPlan(
        client_id=call.client_id,
        staff_ids=[call.staff_id or session.actor_id()],
        day=at.date(),
        start=at.time(),
        end=(at + dt.timedelta(minutes=minutes)).time(),
        kind=kind,
        ground=ground,
        referral_id=call.referral_id if kind == "primary" else None,
        purpose=purpose,
        address=client.address or "",
        transport_needed=client.remote_territory,
        documents_to_prepare="\n".join(documents),
        late_reason=late_reason,
    )


def check_meeting(
    call_id: int, at: dt.datetime, minutes: int = patronage.WORK_NORM_MIN, late_reason: str = ""
) -> PlanCheck:
    """The planner's check of a home visit agreed during a call: field errors, conflicts, the deadline."""
    access.require_call(None, call_id)  # access: client
    from soptui.services.patronage import check_plan

    call = get_call(call_id)
    return check_plan(_meeting_plan(call, at, minutes, [], late_reason))


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
    if call.sop == "03" and notice_missing(call):
        errors["notice"] = (
            "Уведомление о звонке на сотовый не отправлено, и причина не указана (СОП 03, п. 5): "
            "отметьте отправку или укажите причину (Ctrl+T)."
        )
    if call.sop == "01":
        if call.channel not in rules.CALL_CHANNELS:
            errors["channel"] = "Укажите способ связи: телефон или видеозвонок (СОП 01, п. 5)."
        problem = rules.ground_problem(call.ground, call.ground_note)
        if problem:
            errors["ground"] = problem
    if outcome.outcome in MEETING_OUTCOMES:
        if outcome.meeting_place not in rules.MEETING_PLACES:
            errors["meeting_place"] = "Выберите, где встреча: на дому или в учреждении."
        if outcome.visit_at is None:
            errors["visit_at"] = "Укажите дату и время встречи."
        elif outcome.visit_at <= clock.now():
            errors["visit_at"] = f"Это время уже прошло: сейчас {clock.fmt_datetime(clock.now())}."
        elif outcome.meeting_place == "institution":
            try:
                check_future_working_time(outcome.visit_at, "Встреча в учреждении")
            except CallError as exc:
                errors["visit_at"] = str(exc)
        elif outcome.meeting_place == "home":
            from soptui.services.patronage import check_plan

            check = check_plan(
                _meeting_plan(call, outcome.visit_at, outcome.visit_minutes, outcome.documents, outcome.late_reason)
            )
            for key, message in check.errors.items():
                errors["visit_at" if key in ("day", "start", "end") else f"visit_{key}"] = message
            if check.conflicts and not outcome.allow_conflicts:
                errors["visit_conflicts"] = "Пересечения в графике выходов: " + " ".join(check.conflicts)
    if outcome.outcome == "done":
        for moment in outcome.control_points:
            if moment <= clock.now():
                errors["control_points"] = f"Контрольная точка {clock.fmt_datetime(moment)} уже прошла."
                break
    if call.sop == "02" and outcome.outcome in ("agreed", "self") and call.client_session_at is None:
        errors["client_sessions"] = (
            "Сначала запишите дату, время и периодичность, согласованные с клиентом (СОП 02, шаг 2)."
        )
    if outcome.outcome in ("agreed", "self"):
        if outcome.sessions_start is None:
            errors["sessions_start"] = "Укажите дату и время первого сеанса связи."
        elif outcome.sessions_start <= clock.now():
            errors["sessions_start"] = f"Это время уже прошло: сейчас {clock.fmt_datetime(clock.now())}."
        if outcome.sessions_until and outcome.sessions_start and outcome.sessions_until < outcome.sessions_start.date():
            errors["sessions_until"] = "Дата окончания раньше первого сеанса."
    return errors


def finish_call(call_id: int, outcome: CallOutcome, version: int | None = None) -> FinishResult:
    """Close the call and write what the SOP requires, in one transaction.

    `version` is the one the teleprompter read: if another workstation saved the call since, this raises
    store.ConflictError (their version in `.current`) and writes nothing.
    """
    access.require_call(None, call_id)  # access: client
    # access checked just above: not again; the script's display values are not needed to finish. The row is
    # read once, here: the UPDATE below is made only if its version is still this one (or ConflictError), so it
    # is not read again while every other writer waits
    row = m.PhoneCall.get_or_none(m.PhoneCall.id == call_id)
    if row is None:
        raise CallError("Звонок не найден: возможно, его удалили.")
    call = _record(row, for_display=False)
    if version is not None and call.version != version:
        raise store.ConflictError(store.row_dict(row), {})
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
    if outcome.outcome in MEETING_OUTCOMES and outcome.visit_at:
        if outcome.meeting_place == "institution":
            extra.append(f"Встреча в учреждении: {clock.fmt_datetime(outcome.visit_at)}.")
        elif call.sop == "03":
            extra.append(f"Встреча на дому (первичный патронаж): {clock.fmt_datetime(outcome.visit_at)}.")
        else:
            extra.append(f"Встреча на дому: {clock.fmt_datetime(outcome.visit_at)}.")
        if outcome.late_reason.strip():
            extra.append(f"Визит позже срока по обращению, причина: {outcome.late_reason.strip()}.")
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
    sessions: list[rules.Session] = []
    if call.sop == "02" and call.client_session_at:
        extra.append(
            f"С клиентом согласовано: с {clock.fmt_datetime(call.client_session_at)}, "
            f"{rules.every_text(call.client_session_every_days)}"
            + (f" до {clock.fmt_date(call.client_session_until)}" if call.client_session_until else "")
            + "."
        )
    if outcome.outcome == "self":
        extra.append("Клиент связывается с родственниками сам: предварительный звонок родственникам не требовался.")
    if outcome.outcome in ("agreed", "self") and outcome.sessions_start:
        sessions = rules.session_times(outcome.sessions_start, outcome.sessions_every_days, outcome.sessions_until)
        channel = CHANNELS.get(outcome.sessions_channel, outcome.sessions_channel)
        every = rules.every_text(outcome.sessions_every_days)
        extra.append(
            f"Сеансы связи ({channel}): с {clock.fmt_datetime(outcome.sessions_start)}, {every}"
            + (f" до {clock.fmt_date(outcome.sessions_until)}" if outcome.sessions_until else "")
            + "."
        )
        moved = [x for x in sessions if x.note]
        if len(moved) <= 3:
            extra.extend(f"Сеанс {clock.fmt_datetime(x.at)} {x.note}." for x in moved)
        else:
            extra.append(
                f"Сеансов перенесено с нерабочих дней на следующий рабочий день: {len(moved)} "
                f"(первый — {clock.fmt_datetime(moved[0].at)}, {moved[0].note}); даты — в напоминаниях."
            )
    agreements = "\n".join([a for a in [agreements, *extra] if a]).strip()
    summary = outcome.summary.strip() or script.outcomes.get(outcome.outcome, "")
    delivered = outcome.outcome not in NOT_DELIVERED
    reminder_ids: list[int] = []
    visit_id = None
    referral_marked = late = False
    home_visit = outcome.outcome in MEETING_OUTCOMES and outcome.visit_at and outcome.meeting_place == "home"
    # a home visit is checked against every visit of the staff (the planner's rules): everyone else waits;
    # otherwise what is read and changed is the call's and its client's (referral, status) alone
    scope = None if home_visit else [("client", call.client_id), ("phone_call", call_id)]
    with write_transaction(scope=scope):
        noted = outcome.teleprompter.get("talk_started_at") if isinstance(outcome.teleprompter, dict) else None
        started = row.started_at or talk_start(noted, row.created_at, now) or now
        ended = now
        store.update_versioned(
            m.PhoneCall,
            call_id,
            row.version if version is None else version,
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
                "meeting_place": outcome.meeting_place if outcome.outcome in MEETING_OUTCOMES else "",
                "meeting_at": outcome.visit_at if outcome.outcome in MEETING_OUTCOMES else None,
                "channel": call.channel or {"03": "phone", "02": outcome.sessions_channel}.get(call.sop, ""),
            },
            current=row,  # read above, before the transaction: its version is checked by the UPDATE
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
        if outcome.outcome in MEETING_OUTCOMES and outcome.visit_at and outcome.meeting_place == "home":
            # SOP 03 «внесение визита в семью в график выходов»: a planned visit, checked as the planner does
            from soptui.services.patronage import VisitError, save_plan

            plan = _meeting_plan(call, outcome.visit_at, outcome.visit_minutes, outcome.documents, outcome.late_reason)
            try:
                visit_id = save_plan(plan, allow_conflicts=outcome.allow_conflicts)
            except VisitError as exc:
                raise CallError(" ".join(str(v) for v in getattr(exc, "errors", {}).values()) or str(exc)) from None
            m.PatronageVisit.update(drafted_by_call=call_id).where(m.PatronageVisit.id == visit_id).execute()
        if outcome.outcome in MEETING_OUTCOMES and outcome.visit_at and outcome.meeting_place == "institution":
            reminder_ids.append(
                store.create(
                    m.Reminder,
                    kind="meeting",
                    client=call.client_id,
                    staff=actor_id,
                    due_at=outcome.visit_at,
                    text=f"Встреча в учреждении (СОП {call.sop}): {call.callee_name}"
                    + (f"; документы: {'; '.join(outcome.documents)}" if outcome.documents else ""),
                    call=call_id,
                    channel="",
                ).id
            )
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
        for x in sessions:
            reminder_ids.append(
                store.create(
                    m.Reminder,
                    kind="messenger_session",
                    client=call.client_id,
                    staff=actor_id,
                    due_at=x.at,
                    text=f"Сеанс связи с родственником: {call.callee_name} через "
                    f"{CHANNELS.get(outcome.sessions_channel, outcome.sessions_channel)}"
                    + (f" ({x.note})" if x.note else ""),
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
    return FinishResult(
        call_id,
        entry_id,
        tuple(reminder_ids),
        visit_id,
        referral_marked,
        late,
        outcome.meeting_place if outcome.outcome in MEETING_OUTCOMES else "",
        sum(1 for x in sessions if x.note),
    )
