"""Calls of SOP 01-03: start, save progress, finish with the records the SOPs require.

A call is a `PhoneCall` row from the moment the teleprompter opens (state
"in_progress"); the teleprompter state (step, branch, timers, notes) is kept in
`PhoneCall.state_json` on every step change and every few seconds of typing, so a
dropped SSH link loses nothing. Finishing writes the «Телефонные переговоры»
entry (the call itself), the service-log entry, reminders and, for SOP 03, the
first-contact mark on the referral and a draft primary visit.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import peewee as pw

from soptui.core import clock, session
from soptui.core.phones import format_phone
from soptui.core.text import full_name, name_patronymic, short_name
from soptui.db import models as m
from soptui.db import store
from soptui.db.connection import write_transaction
from soptui.domain import workdays
from soptui.domain.agenda import TodayItem
from soptui.domain.calls import scripts as callscripts
from soptui.domain.calls.timer import fmt_seconds, minutes_rounded
from soptui.domain.labels import CHANNELS, POSITIONS, SOPS
from soptui.services import access, institution

NOTICE_STATES = {"sent": "уведомление отправлено, ответа нет", "read": "прочитано, ответа нет", "answered": "ответил"}
CALL_STATES = {"in_progress": "идёт", "finished": "завершён", "abandoned": "отменён"}
OUTCOME_LABELS = {
    "agrees": "согласие, назначена встреча",
    "refuses": "отказ",
    "callback": "перезвонить",
    "no_answer": "не отвечает",
    "done": "разговор состоялся",
    "agreed": "родственники согласны",
    "declined": "родственники не согласны",
}
MAX_SESSIONS = 52  # recurring messenger sessions created at once (a year of weekly calls)


class CallError(ValueError):
    """A call that cannot be started or finished as asked; the message is Russian."""


# --- who can be called -------------------------------------------------------------


def messengers_text(messengers) -> str:
    """«WhatsApp +7 (912) 345-67-89, Telegram @name»: phone-like handles formatted."""
    return ", ".join(f"{label} {format_phone(v) if v.startswith('+') else v}" for label, v in messengers)


@dataclass(frozen=True)
class CallPerson:
    """Someone the specialist may call: a representative, a relative/friend or the client."""

    kind: str  # representative / contact / client
    id: int
    full_name: str
    name_patronymic: str
    relation: str
    phones: tuple[str, ...]  # E.164
    messengers: tuple[tuple[str, str], ...]  # (channel label, value)
    preferred_call_time: str = ""

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"

    @property
    def messengers_text(self) -> str:
        return messengers_text(self.messengers)


@dataclass(frozen=True)
class ReferralBrief:
    id: int
    received_at: dt.datetime
    ground: str
    source_body: str
    summary: str
    first_contact_due: dt.date
    first_contact_at: dt.datetime | None


@dataclass(frozen=True)
class CallContext:
    """What the start-of-call dialog needs about a client."""

    client_id: int
    client_name: str
    category: str
    persons: tuple[CallPerson, ...]
    referral: ReferralBrief | None
    suggested_sop: str

    @property
    def has_phone(self) -> bool:
        return any(p.phones for p in self.persons)


def _points(**owner) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    phones, messengers = [], []
    for cp in (
        m.ContactPoint.select()
        .where(*[getattr(m.ContactPoint, k) == v for k, v in owner.items()])
        .order_by(m.ContactPoint.id)
    ):
        if cp.channel == "phone":
            phones.append(cp.value)
        else:
            messengers.append((CHANNELS.get(cp.channel, cp.channel), cp.value))
    return tuple(phones), tuple(messengers)


def _persons(client: m.Client) -> list[CallPerson]:
    people: list[CallPerson] = []
    for rep in m.Representative.select().where(m.Representative.client == client.id).order_by(m.Representative.id):
        phones, msgs = _points(representative=rep.id)
        people.append(
            CallPerson(
                "representative",
                rep.id,
                full_name(rep.last_name, rep.first_name, rep.patronymic),
                name_patronymic(rep.first_name, rep.patronymic),
                rep.relation,
                phones,
                msgs,
                rep.preferred_call_time,
            )
        )
    for con in m.Contact.select().where(m.Contact.client == client.id).order_by(m.Contact.id):
        phones, msgs = _points(contact=con.id)
        people.append(
            CallPerson(
                "contact",
                con.id,
                full_name(con.last_name, con.first_name, con.patronymic),
                name_patronymic(con.first_name, con.patronymic),
                con.relation or ("друг" if con.kind == "friend" else "родственник"),
                phones,
                msgs,
            )
        )
    phones, msgs = _points(client=client.id)
    people.append(
        CallPerson(
            "client",
            client.id,
            full_name(client.last_name, client.first_name, client.patronymic),
            name_patronymic(client.first_name, client.patronymic),
            "сам клиент",
            phones,
            msgs,
        )
    )
    return people


def _open_referral(client_id: int) -> m.Referral | None:
    return (
        m.Referral.select()
        .where((m.Referral.client == client_id) & (m.Referral.closed == False))  # noqa: E712
        .order_by(m.Referral.first_contact_at.is_null(False), m.Referral.received_at.desc())
        .first()
    )


def _brief(ref: m.Referral | None) -> ReferralBrief | None:
    if ref is None:
        return None
    return ReferralBrief(
        ref.id, ref.received_at, ref.ground, ref.source_body, ref.summary, ref.first_contact_due, ref.first_contact_at
    )


def call_context(client_id: int) -> CallContext:
    """The client's people with their phones and messengers, the open referral and a suggested SOP."""
    access.require_client_id(None, client_id)  # access: client
    client = m.Client.get_or_none(m.Client.id == client_id)
    if client is None:
        raise CallError("Клиент не найден: возможно, его карточку удалили.")
    ref = _open_referral(client_id)
    if ref is not None and ref.first_contact_at is None:
        sop = "03"
    elif client.category == "child":
        sop = "01"
    else:
        sop = "02"
    return CallContext(
        client.id,
        full_name(client.last_name, client.first_name, client.patronymic),
        client.category,
        tuple(_persons(client)),
        _brief(ref),
        sop,
    )


def default_person(ctx: CallContext, sop: str) -> CallPerson | None:
    """SOP 01/03 call the legal representative, SOP 02 a relative or friend; the first with a phone."""
    wanted = {"01": ("representative",), "03": ("representative", "client"), "02": ("contact",)}[sop]
    for kind in wanted:
        for p in ctx.persons:
            if p.kind == kind and p.phones:
                return p
    return next((p for p in ctx.persons if p.phones), None)


NO_PHONE_MESSAGE = (
    "У клиента, его представителей и родственников не записано ни одного телефона. "
    "Добавьте номер в карточке клиента (F3 Клиенты), затем начните звонок."
)


# --- call hours (SOP 03: only in working time 09:00-18:00) -------------------------------


def _work_window() -> tuple[dt.time, dt.time]:
    info = institution.get()
    try:
        return clock.parse_time(info.work_start), clock.parse_time(info.work_end)
    except ValueError:
        return dt.time(9), dt.time(18)


def work_window() -> tuple[dt.time, dt.time]:
    """The institution's working hours (reads the database: call from a worker)."""
    return _work_window()


def call_hours_problem(moment: dt.datetime | None = None, window: tuple[dt.time, dt.time] | None = None) -> str | None:
    """Why `moment` is outside working time (Russian), or None when calling is allowed.

    With `window` given this is pure (calendar only), so a dialog may call it on the UI thread.
    """
    moment = moment or clock.now()
    start, end = window or _work_window()
    day = moment.date()
    weekday = ["понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье"][day.weekday()]
    hours = workdays.working_hours(day, start, end)
    if hours is None:
        return f"{clock.fmt_date(day)} ({weekday}) — нерабочий день. Звонить можно только в рабочее время."
    begin, finish = hours
    if not (begin <= moment.time() < finish):
        short = " (предпраздничный сокращённый день)" if workdays.is_short_day(day) else ""
        return (
            f"Сейчас {moment:%H:%M}, а рабочее время {clock.fmt_date(day)}{short} — "
            f"с {begin:%H:%M} до {finish:%H:%M}. СОП 03: звонок только в рабочее время."
        )
    return None


def check_future_working_time(
    moment: dt.datetime, what: str = "Перезвонить", window: tuple[dt.time, dt.time] | None = None
) -> None:
    """Raise CallError if `moment` has passed or falls outside working time (callbacks, visits)."""
    now = clock.now()
    if moment <= now:
        raise CallError(f"Это время уже прошло: сейчас {clock.fmt_datetime(now)}.")
    window = window or _work_window()
    problem = call_hours_problem(moment, window)
    if problem:
        start, end = window
        hours = workdays.working_hours(moment.date(), start, end)
        if hours is None:
            raise CallError(f"{what} можно только в рабочий день: {clock.fmt_date(moment.date())} — нерабочий.")
        raise CallError(
            f"{what} можно только в рабочее время: {clock.fmt_date(moment.date())} "
            f"с {hours[0]:%H:%M} до {hours[1]:%H:%M}."
        )


# --- the call record -----------------------------------------------------------------


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

    @property
    def notice_label(self) -> str:
        return notice_label(self.notice_state, self.notice_sent_at, self.notice_call_at)


def notice_label(state: str, sent_at: dt.datetime | None, call_at: dt.datetime | None) -> str:
    """SOP 03 «Ответ»: what the specialist should do about the pre-notification."""
    if not state:
        return ""
    if state == "answered" and call_at is not None:
        day = "" if call_at.date() == clock.today() else f"{clock.fmt_date(call_at.date())} "
        return f"позвонить в {day}{call_at:%H:%M}"
    if state == "read":
        return "прочитано, ответа нет"
    return NOTICE_STATES.get(state, state) + (f" (с {sent_at:%H:%M})" if sent_at else "")


def _person_of(call: m.PhoneCall) -> tuple[str, int | None, object | None]:
    if call.representative_id:
        return "representative", call.representative_id, m.Representative.get_or_none(id=call.representative_id)
    if call.contact_id:
        return "contact", call.contact_id, m.Contact.get_or_none(id=call.contact_id)
    return "client", call.client_id, None


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
    kind, pid, person = _person_of(call)
    if person is not None:
        values["person_io"] = name_patronymic(person.first_name, person.patronymic)
        values["person_fio"] = full_name(person.last_name, person.first_name, person.patronymic)
        values["person_relation"] = person.relation or ""
    else:
        values["person_io"] = values["client_io"]
        values["person_fio"] = values["client_fio"]
        values["person_relation"] = "сам клиент"
    owner = {"representative": "representative", "contact": "contact", "client": "client"}[kind]
    _, msgs = _points(**{owner: pid})
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


def _record(call: m.PhoneCall) -> CallRecord:
    kind, pid, _ = _person_of(call)
    staff = call.staff
    try:
        state = json.loads(call.state_json) if call.state_json else {}
    except ValueError:
        state = {}
    client = call.client
    return CallRecord(
        id=call.id,
        sop=call.sop,
        client_id=call.client_id,
        client_name=full_name(client.last_name, client.first_name, client.patronymic),
        staff_id=call.staff_id,
        staff_name=full_name(staff.last_name, staff.first_name, staff.patronymic) if staff else "",
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
        values=_values(call),
        created_at=call.created_at,
    )


def get_call(call_id: int) -> CallRecord:
    access.require_call(None, call_id)  # access: client
    call = m.PhoneCall.get_or_none(m.PhoneCall.id == call_id)
    if call is None:
        raise CallError("Звонок не найден: возможно, его удалили.")
    return _record(call)


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
    access.require_person(
        None,
        client_id,
        "representative" if person_kind == "representative" else "contact",
        person_id if person_kind in ("representative", "contact", "relative", "friend") else None,
    )  # access: client
    if sop not in callscripts.SOP_CODES:
        raise CallError(f"Нет сценария для СОП {sop}.")
    if not phone:
        raise CallError(NO_PHONE_MESSAGE)
    problem = call_hours_problem()
    if problem and not off_hours_reason.strip():
        raise CallError("Звонок вне рабочего времени: укажите причину. " + problem)
    ctx = call_context(client_id)
    person = next((p for p in ctx.persons if p.kind == person_kind and p.id == person_id), None)
    if person is None:
        raise CallError("Собеседник не найден среди представителей и родственников клиента.")
    if sop == "03" and referral_id is None and ctx.referral is not None:
        referral_id = ctx.referral.id
    state = {"reminder_id": reminder_id} if reminder_id else {}
    with write_transaction():
        call = store.create(
            m.PhoneCall,
            sop=sop,
            client=client_id,
            staff=session.actor_id(),
            referral=referral_id,
            representative=person_id if person_kind == "representative" else None,
            contact=person_id if person_kind == "contact" else None,
            callee_name=f"{person.full_name} ({person.relation})",
            phone_number=phone,
            purpose=purpose.strip(),
            off_hours_reason=off_hours_reason.strip(),
            state="in_progress",
            state_json=json.dumps(state, ensure_ascii=False),
            created_at=clock.now(),
            updated_at=clock.now(),
        )
    return call.id


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
) -> None:
    """Keep the teleprompter state (cheap, unaudited: it runs every few seconds)."""
    access.require_call(None, call_id)  # access: client
    changes = dict(
        state_json=json.dumps(teleprompter, ensure_ascii=False, default=str),
        step_id=step_id,
        branch=branch,
        notes=notes,
        prep_seconds=int(prep_seconds),
        talk_seconds=int(talk_seconds),
        doc_seconds=int(doc_seconds),
        updated_at=clock.now(),
    )
    if off_hours_reason:
        changes["off_hours_reason"] = off_hours_reason
    with write_transaction():
        call = m.PhoneCall.get_or_none(m.PhoneCall.id == call_id)
        if call is None or call.state != "in_progress":
            return
        if talk_started and call.started_at is None:
            changes["started_at"] = clock.now()
        m.PhoneCall.update(**changes).where(m.PhoneCall.id == call_id).execute()


def record_notice_sent(call_id: int, when: dt.datetime | None = None) -> dt.datetime:
    """SOP 03: the pre-notification SMS/messenger message was sent now."""
    access.require_call(None, call_id)  # access: client
    when = when or clock.now()
    with write_transaction():
        m.PhoneCall.update(notice_sent_at=when, notice_state="sent", notice_call_at=None).where(
            m.PhoneCall.id == call_id
        ).execute()
        store.audit("notice_sent", "phone_call", call_id, {"notice_sent_at": when})
    return when


def set_notice_state(call_id: int, state: str, call_at: dt.datetime | None = None) -> None:
    """SOP 03 «Ответ»: the message was read (no answer), or answered with a time to call."""
    access.require_call(None, call_id)  # access: client
    if state not in NOTICE_STATES:
        raise CallError(f"Неизвестное состояние уведомления: {state}")
    if state == "answered" and call_at is None:
        raise CallError("Укажите время, в которое клиент просит позвонить.")
    with write_transaction():
        m.PhoneCall.update(notice_state=state, notice_call_at=call_at).where(m.PhoneCall.id == call_id).execute()
        store.audit("notice_state", "phone_call", call_id, {"notice_state": state, "notice_call_at": call_at})


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


# --- finishing: the records each outcome writes -----------------------------------------


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
    service_entry_id: int
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
    talked = outcome.outcome != "no_answer"
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
        norm_minutes = script.norms.prep + script.norms.call + script.norms.doc
        actual = (
            f"фактически: подготовка {fmt_seconds(outcome.prep_seconds)}, "
            f"разговор {fmt_seconds(outcome.talk_seconds)}, "
            f"документирование {fmt_seconds(outcome.doc_seconds)}"
        )
        entry = store.create(
            m.ServiceEntry,
            date=now.date(),
            client=call.client_id,
            staff=actor_id,
            sop=call.sop,
            service_kind=script.service_kind,
            units=1 if talked else 0,
            minutes=norm_minutes
            if talked
            else minutes_rounded(outcome.prep_seconds + outcome.doc_seconds + outcome.talk_seconds),
            source_type="call",
            source_id=call_id,
            note=(
                f"{call.callee_name}, {format_phone(call.phone_number)}. Исход: "
                f"{script.outcomes.get(outcome.outcome, outcome.outcome)}. Норма СОП {call.sop}: "
                f"{script.norms.prep}/{script.norms.call}/{script.norms.doc} мин; {actual}."
                + ("" if talked else " Звонок не состоялся: услуга не оказана.")
            ),
        )
        # SOP 03: the first contact is made when the person answered
        if call.sop == "03" and call.referral_id and talked:
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
    return FinishResult(call_id, entry.id, tuple(reminder_ids), visit_id, referral_marked, late)


# --- reminders ---------------------------------------------------------------------


@dataclass(frozen=True)
class ReminderInfo:
    id: int
    kind: str
    client_id: int
    client_name: str
    due_at: dt.datetime
    text: str
    call_id: int | None
    sop: str
    person_kind: str
    person_id: int | None
    done_at: dt.datetime | None


def get_reminder(reminder_id: int) -> ReminderInfo:
    access.require_reminder(None, reminder_id)  # access: client
    r = m.Reminder.get_or_none(m.Reminder.id == reminder_id)
    if r is None:
        raise CallError("Напоминание не найдено.")
    client = r.client
    sop, kind, pid = "", "client", client.id
    if r.call_id:
        call = m.PhoneCall.get_or_none(m.PhoneCall.id == r.call_id)
        if call is not None:
            sop = call.sop
            kind, pid, _ = _person_of(call)
    return ReminderInfo(
        r.id,
        r.kind,
        client.id,
        full_name(client.last_name, client.first_name, client.patronymic),
        r.due_at,
        r.text,
        r.call_id,
        sop,
        kind,
        pid,
        r.done_at,
    )


def complete_reminder(reminder_id: int) -> None:
    access.require_reminder(None, reminder_id)  # access: client
    with write_transaction():
        r = m.Reminder.get_or_none(m.Reminder.id == reminder_id)
        if r is None or r.done_at is not None:
            return
        store.update_versioned(m.Reminder, r.id, r.version, {"done_at": clock.now()})


# --- lists: the call list and the phone-conversation log ------------------------------


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


def _call_scope(query, staff_id: int | None, department_id: int | None):
    if staff_id is not None:
        query = query.where(m.PhoneCall.staff == staff_id)
    if department_id is not None:
        query = query.where(m.Client.department == department_id)
    return query


def scope_for(actor: session.Actor | None) -> tuple[int | None, int | None]:
    """A specialist sees own calls; a head their department's; an administrator all."""
    if actor is None:
        return None, None
    if actor.role == "admin":
        return None, None
    if actor.is_head:
        return None, actor.department_id
    return actor.id, None


def list_calls(
    staff_id: int | None = None, department_id: int | None = None, limit: int = 200, offset: int = 0
) -> list[CallRow]:
    """Unfinished calls first (with their notice state), then the latest finished ones."""
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
    for c in _call_scope(query, staff_id, department_id):
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
    )


def log_entry(call_id: int) -> LogEntry:
    access.require_call(None, call_id)  # access: client
    c = m.PhoneCall.get_or_none(m.PhoneCall.id == call_id)
    if c is None:
        raise CallError("Звонок не найден.")
    if c.state != "finished":
        raise CallError("Звонок ещё не завершён: бланк заполняется по итогам разговора.")
    return _log_entry(c)


def phone_log(
    start: dt.date, end: dt.date, staff_id: int | None = None, department_id: int | None = None, limit: int = 2000
) -> list[LogEntry]:
    """Finished calls between two dates (inclusive), oldest first: the «Телефонные переговоры» log."""
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
    return [_log_entry(c) for c in _call_scope(query, staff_id, department_id)]


# --- Today ----------------------------------------------------------------------------


def today_items(actor: session.Actor, today: dt.date) -> list:
    """Callbacks, control points, messenger sessions due today or overdue; calls waiting on a notice."""
    access.require_staff(actor)  # access: staff

    staff_id, department_id = scope_for(actor)
    items = []
    end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min)
    query = (
        m.Reminder.select(m.Reminder, m.Client)
        .join(m.Client)
        .where(
            m.Reminder.done_at.is_null()
            & (m.Reminder.due_at < end)
            & m.Reminder.kind.in_(("callback", "control_point", "messenger_session"))
        )
        .order_by(m.Reminder.due_at)
        .limit(200)
    )
    if staff_id is not None:
        query = query.where(m.Reminder.staff == staff_id)
    if department_id is not None:
        query = query.where(m.Client.department == department_id)
    labels = {
        "callback": "перезвонить",
        "control_point": "контрольная точка",
        "messenger_session": "сеанс связи с родственником",
    }
    for r in query:
        cl = r.client
        state = "overdue" if r.due_at.date() < today else "today"
        when = f"{r.due_at:%H:%M}" if r.due_at.date() == today else clock.fmt_datetime(r.due_at)
        items.append(
            TodayItem(
                "Звонки",
                when,
                full_name(cl.last_name, cl.first_name, cl.patronymic),
                r.text or labels[r.kind],
                state,
                ("reminder", r.id),
                r.due_at.isoformat(),
            )
        )
    q = (
        m.PhoneCall.select(m.PhoneCall, m.Client)
        .join(m.Client)
        .where(m.PhoneCall.state == "in_progress")
        .order_by(m.PhoneCall.id)
        .limit(100)
    )
    for c in _call_scope(q, staff_id, department_id):
        cl = c.client
        who = full_name(cl.last_name, cl.first_name, cl.patronymic)
        if c.notice_state:
            label = notice_label(c.notice_state, c.notice_sent_at, c.notice_call_at)
            due = c.notice_call_at or c.notice_sent_at
            state = "today"
            if c.notice_call_at and c.notice_call_at.date() > today:
                state = "ok"
            when = f"{due:%H:%M}" if due and due.date() == today else clock.fmt_datetime(due)
            items.append(
                TodayItem(
                    "Звонки",
                    when,
                    who,
                    f"СОП {c.sop}, {c.callee_name}: {label}",
                    state,
                    ("call", c.id),
                    due.isoformat() if due else "",
                )
            )
        else:
            items.append(
                TodayItem(
                    "Звонки",
                    clock.fmt_datetime(c.updated_at),
                    who,
                    f"незавершённый звонок по СОП {c.sop}: {c.callee_name} — продолжить",
                    "today",
                    ("call", c.id),
                    "",
                )
            )
    return items


# --- demo data ----------------------------------------------------------------------------


def seed_demo(ctx) -> None:
    """Calls of the last weeks, SMS waits, callbacks, SOP 01 control points and SOP 02 sessions.

    Bulk demo rows (no audit); times relative to ctx.today so Today always has something due.
    """
    rng = ctx.rng
    today = ctx.today
    staff = ctx.staff

    def working_day_back(n: int) -> dt.date:
        d = today
        for _ in range(n):
            d -= dt.timedelta(days=1)
            while not workdays.is_working_day(d):
                d -= dt.timedelta(days=1)
        return d

    def person_with_phone(client_id: int, kind: str):
        model = m.Representative if kind == "representative" else m.Contact
        for p in model.select().where(model.client == client_id).order_by(model.id):
            cp = m.ContactPoint.get_or_none(
                (getattr(m.ContactPoint, kind) == p.id) & (m.ContactPoint.channel == "phone")
            )
            if cp is not None:
                return p, cp.value
        return None, ""

    def new_call(sop, client, staff_id, person, kind, phone, started, **fields):
        talk = fields.pop("talk", rng.randint(6, 18) * 60 + rng.randint(0, 59))
        call = m.PhoneCall.create(
            sop=sop,
            client=client.id,
            staff=staff_id,
            representative=person.id if kind == "representative" else None,
            contact=person.id if kind == "contact" else None,
            callee_name=f"{full_name(person.last_name, person.first_name, person.patronymic)} ({person.relation})",
            phone_number=phone,
            created_at=started,
            updated_at=started,
            **fields,
        )
        if call.state == "finished":
            script_minutes = {"01": 95, "02": 25, "03": 60}[sop]
            m.PhoneCall.update(
                started_at=started,
                ended_at=started + dt.timedelta(seconds=talk),
                talk_seconds=talk,
                prep_seconds=rng.randint(5, 15) * 60,
                doc_seconds=rng.randint(5, 15) * 60,
            ).where(m.PhoneCall.id == call.id).execute()
            m.ServiceEntry.create(
                date=started.date(),
                client=client.id,
                staff=staff_id,
                sop=sop,
                service_kind=SOPS[sop],
                minutes=script_minutes,
                source_type="call",
                source_id=call.id,
                note=f"{call.callee_name}: {fields.get('summary', '')}",
            )
        return call

    children = list(
        m.Client.select()
        .where((m.Client.category == "child") & (m.Client.status == "served") & m.Client.id.in_(ctx.clients))
        .order_by(m.Client.id)
        .limit(40)
    )
    elders = list(
        m.Client.select()
        .where((m.Client.category != "child") & (m.Client.status == "served") & m.Client.id.in_(ctx.clients))
        .order_by(m.Client.id)
        .limit(20)
    )
    summaries01 = [
        "Обсудили занятия с логопедом на дому, мать справляется с упражнениями.",
        "Мать сообщила об ухудшении сна у ребёнка, договорились о консультации психолога.",
        "Обсудили оформление путёвки в реабилитационный центр по ИПРА.",
    ]
    with write_transaction():
        for i, client in enumerate(children[:8]):
            rep, phone = person_with_phone(client.id, "representative")
            if rep is None:
                continue
            spec = staff["ivanova"] if client.department_id == ctx.departments[0] else staff["petrova"]
            day = working_day_back(rng.randint(1, 15))
            started = dt.datetime.combine(day, dt.time(rng.randint(9, 16), rng.choice([0, 15, 30, 45])))
            if i < 5:  # SOP 01 conversations with control points
                call = new_call(
                    "01",
                    client,
                    spec,
                    rep,
                    "representative",
                    phone,
                    started,
                    state="finished",
                    outcome="done",
                    purpose="контроль выполнения ИПРА",
                    summary=rng.choice(summaries01),
                    agreements="Периодичность контактов: раз в неделю.",
                )
                due = dt.datetime.combine(
                    today if i < 2 else today + dt.timedelta(days=7 * i), dt.time(rng.choice([10, 11, 14, 15]), 0)
                )
                m.Reminder.create(
                    kind="control_point",
                    client=client.id,
                    staff=spec,
                    due_at=due,
                    call=call.id,
                    channel="phone",
                    text=f"Контрольная точка (СОП 01): {call.callee_name} сообщает о ходе решения проблемы",
                )
            else:  # SOP 01 not convenient: a callback due today or overdue
                call = new_call(
                    "01",
                    client,
                    spec,
                    rep,
                    "representative",
                    phone,
                    started,
                    state="finished",
                    outcome="callback",
                    summary="неудобно, перезвонить",
                    talk=40,
                )
                due = dt.datetime.combine(today if i < 7 else working_day_back(1), dt.time(15, 30))
                m.Reminder.create(
                    kind="callback",
                    client=client.id,
                    staff=spec,
                    due_at=due,
                    call=call.id,
                    channel="phone",
                    text=f"Перезвонить (СОП 01): {call.callee_name}, {format_phone(phone)}",
                )
        for i, client in enumerate(elders[:4]):
            contact, phone = person_with_phone(client.id, "contact")
            if contact is None:
                continue
            started = dt.datetime.combine(working_day_back(rng.randint(3, 10)), dt.time(11, 0))
            call = new_call(
                "02",
                client,
                staff["lebedeva"],
                contact,
                "contact",
                phone,
                started,
                state="finished",
                outcome="agreed",
                summary="Родственники согласны созваниваться с клиентом.",
                agreements="Сеансы связи раз в неделю.",
            )
            first = dt.datetime.combine(today - dt.timedelta(days=7 * 2 - i), dt.time(16, 0))
            channel = rng.choice(["whatsapp", "viber", "telegram"])
            for k in range(8):
                moment = first + dt.timedelta(days=7 * k)
                m.Reminder.create(
                    kind="messenger_session",
                    client=client.id,
                    staff=staff["lebedeva"],
                    due_at=moment,
                    call=call.id,
                    contact=contact.id,
                    channel=channel,
                    repeat_days=7,
                    repeat_until=(first + dt.timedelta(days=7 * 7)).date(),
                    done_at=moment + dt.timedelta(minutes=20) if moment.date() < today else None,
                    text=f"Сеанс связи с родственником: {call.callee_name} через {CHANNELS[channel]}",
                )
        # SOP 03: calls waiting for the answer to the pre-notification
        waiting = (
            m.Referral.select()
            .join(m.Client)
            .where(m.Referral.first_contact_at.is_null() & (m.Client.department == ctx.departments[0]))
            .order_by(m.Referral.first_contact_due)
            .limit(2)
        )
        for k, ref in enumerate(waiting):
            client = ref.client
            rep, phone = person_with_phone(client.id, "representative")
            if rep is None:
                continue
            sent = dt.datetime.combine(today, dt.time(9, 20 + 10 * k))
            new_call(
                "03",
                client,
                staff["ivanova"],
                rep,
                "representative",
                phone,
                sent,
                state="in_progress",
                referral=ref.id,
                notice_sent_at=sent,
                notice_state="sent" if k == 0 else "answered",
                notice_call_at=None if k == 0 else dt.datetime.combine(today, dt.time(14, 0)),
                step_id="answer",
                purpose="первичный контакт по обращению",
                state_json=json.dumps(
                    {
                        "step": "answer",
                        "notes": [f"{sent:%H:%M} [Предварительное информирование] SMS-уведомление отправлено"],
                        "timers": {"phases": {"prep": 540.0}, "phase": "prep", "step": "answer"},
                    },
                    ensure_ascii=False,
                ),
            )
