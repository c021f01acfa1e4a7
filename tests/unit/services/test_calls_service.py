"""The calls service: call-hours guard, outcomes of SOP 01/02/03, notice states, Today, the phone log PDFs."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from soptui.core import clock
from soptui.db import models as m
from soptui.services import agenda as today_service
from soptui.services import calls
from soptui.services.calls import CallError, CallOutcome

from calls_helpers import make_family, make_ready

WINDOW = (dt.time(9), dt.time(18))


# --- call-hours guard (SOP 03: only 09:00-18:00 on working days) ---------------------------


def test_guard_saturday():
    problem = calls.call_hours_problem(dt.datetime(2026, 11, 28, 11, 0), WINDOW)
    assert problem and "28.11.2026 (суббота) — нерабочий день" in problem


def test_guard_short_pre_holiday_day_after_17():
    # 08.05.2026 (Fri) is the shortened day before Victory Day: work ends at 17:00
    problem = calls.call_hours_problem(dt.datetime(2026, 5, 8, 17, 10), WINDOW)
    assert problem and "сокращённый" in problem and "до 17:00" in problem
    assert calls.call_hours_problem(dt.datetime(2026, 5, 8, 16, 59), WINDOW) is None


@pytest.mark.parametrize(
    "moment,allowed",
    [
        (dt.datetime(2026, 11, 25, 8, 59), False),
        (dt.datetime(2026, 11, 25, 9, 0), True),
        (dt.datetime(2026, 11, 25, 17, 59), True),
        (dt.datetime(2026, 11, 25, 18, 0), False),
        (dt.datetime(2026, 1, 5, 10, 0), False),  # New Year holidays
    ],
)
def test_guard_working_hours(moment, allowed):
    assert (calls.call_hours_problem(moment, WINDOW) is None) == allowed


def test_guard_reads_institution_hours(store):
    assert calls.call_hours_problem(dt.datetime(2026, 11, 25, 10, 0)) is None
    assert calls.call_hours_problem(dt.datetime(2026, 11, 25, 19, 0)) is not None


def test_callback_time_checks():
    with pytest.raises(CallError, match="уже прошло"):
        calls.check_future_working_time(dt.datetime(2026, 11, 25, 10, 0), window=WINDOW)
    with pytest.raises(CallError, match="только в рабочий день"):
        calls.check_future_working_time(dt.datetime(2026, 11, 29, 10, 0), window=WINDOW)
    with pytest.raises(CallError, match="с 09:00 до 18:00"):
        calls.check_future_working_time(dt.datetime(2026, 11, 26, 8, 0), window=WINDOW)
    calls.check_future_working_time(dt.datetime(2026, 11, 26, 9, 30), window=WINDOW)


# --- starting ------------------------------------------------------------------------------


LATE = "мама может только в пятницу"  # the referral's patronage term (24.11) has passed on 25.11


def start(ids, sop="03", person="representative", reason="", ready=True):
    """Start a call; `ready` also does what the SOP asks before the talk (SOP 03 notice, SOP 01 ground)."""
    ctx = calls.call_context(ids["client"])
    p = next(p for p in ctx.persons if p.kind == person)
    call_id = calls.start_call(
        sop,
        ids["client"],
        p.kind,
        p.id,
        p.phones[0] if p.phones else "",
        purpose="знакомство с семьёй",
        off_hours_reason=reason,
    )
    if ready:
        make_ready(call_id, sop)
    return call_id


def test_start_needs_a_phone_and_a_reason_off_hours(actor, staff):
    ids = make_family(staff, phone=False)
    ctx = calls.call_context(ids["client"])
    assert not ctx.has_phone and ctx.suggested_sop == "03"
    with pytest.raises(CallError, match="ни одного телефона"):
        start(ids)
    ids2 = make_family(staff)
    clock.set_fixed(dt.datetime(2026, 11, 28, 11, 0))  # Saturday
    with pytest.raises(CallError, match="укажите причину"):
        start(ids2)
    call_id = start(ids2, reason="семья просила в выходной", ready=False)
    assert m.PhoneCall.get_by_id(call_id).off_hours_reason == "семья просила в выходной"


def test_values_filled_from_the_case(actor, staff):
    ids = make_family(staff)
    record = calls.get_call(start(ids))
    v = record.values
    assert v["person_io"] == "Дарья Сергеевна" and v["child_name"] == "Алиса"
    assert v["staff_fio"] == "Иванова Марина Сергеевна"
    assert v["staff_position"] == "специалист по социальной работе"
    assert v["institution"].startswith("Государственное автономное учреждение")
    assert v["source_body"] == "МАОУ СОШ № 2" and "пропускает занятия" in v["summary"]
    assert "None" not in " ".join(v.values())
    assert calls.sms_text(record).startswith("Добрый день, Дарья Сергеевна. Меня зовут Иванова Марина Сергеевна.")


# --- notices (SOP 03 «Ответ») ----------------------------------------------------------------


def test_notice_states_in_list_and_today(actor, staff):
    ids = make_family(staff)
    call_id = start(ids)
    calls.record_notice_sent(call_id)
    rows = calls.list_calls(actor)
    assert rows[0].notice == "уведомление отправлено, ответа нет (с 10:30)"
    items = [i for i in today_service.collect(actor) if i.target == ("call", call_id)]
    assert items and "уведомление отправлено, ответа нет" in items[0].what
    calls.set_notice_state(call_id, "read")
    assert calls.list_calls(actor)[0].notice == "прочитано, ответа нет"
    calls.set_notice_state(call_id, "answered", dt.datetime(2026, 11, 25, 14, 0))
    assert calls.list_calls(actor)[0].notice == "позвонить в 14:00"
    items = [i for i in today_service.collect(actor) if i.target == ("call", call_id)]
    assert items[0].when == "14:00" and "позвонить в 14:00" in items[0].what
    with pytest.raises(CallError):
        calls.set_notice_state(call_id, "answered", None)


# --- outcomes -----------------------------------------------------------------------------------


def test_sop03_late_first_contact_is_marked_late(actor, staff):
    ids = make_family(staff, received=dt.datetime(2026, 11, 16, 10, 0))  # due 19.11.2026
    call_id = start(ids)
    calls.save_progress(call_id, {}, "greeting", "", "", 60, 0, 0, talk_started=True)
    result = calls.finish_call(call_id, CallOutcome("refuses", talk_seconds=300))
    assert result.referral_marked and result.first_contact_late
    ref = m.Referral.get_by_id(ids["referral"])
    assert ref.first_contact_late and ref.first_contact_at == clock.now()


def test_finish_validates_callback_and_visit(actor, staff):
    ids = make_family(staff)
    call_id = start(ids)
    with pytest.raises(CallError, match="когда перезвонить"):
        calls.finish_call(call_id, CallOutcome("callback"))
    with pytest.raises(CallError, match="рабочее время"):
        calls.finish_call(call_id, CallOutcome("callback", callback_at=dt.datetime(2026, 11, 26, 19, 0)))
    with pytest.raises(CallError, match="дату и время встречи"):
        calls.finish_call(call_id, CallOutcome("agrees"))
    assert m.PhoneCall.get_by_id(call_id).state == "in_progress"  # nothing half-written
    assert not m.ServiceEntry.select().exists()


def test_sop01_control_points_and_frequency(actor, staff):
    ids = make_family(staff)
    call_id = start(ids, sop="01")
    points = [dt.datetime(2026, 12, 2, 15, 0), dt.datetime(2026, 12, 9, 15, 0)]
    result = calls.finish_call(
        call_id,
        CallOutcome(
            "done",
            summary="обсудили занятия с логопедом",
            control_points=points,
            contact_frequency="раз в неделю по средам",
            prep_seconds=600,
            talk_seconds=1500,
            doc_seconds=300,
        ),
    )
    reminders = list(m.Reminder.select().where(m.Reminder.call == call_id).order_by(m.Reminder.due_at))
    assert [r.kind for r in reminders] == ["control_point", "control_point"]
    assert [r.due_at for r in reminders] == points
    call = m.PhoneCall.get_by_id(call_id)
    assert "Периодичность контактов: раз в неделю по средам." in call.agreements
    entry = m.ServiceEntry.get_by_id(result.service_entry_id)
    # measured, not the norms (15 + 60 + 20): 10 + 25 + 5 minutes, each beside its norm
    assert (entry.sop, entry.minutes, entry.units) == ("01", 40, 1)
    assert (entry.prep_minutes, entry.work_minutes, entry.doc_minutes, entry.norm_minutes) == (10, 25, 5, 95)
    assert "разговор 25 мин (норма 60)" in entry.note and "сверх нормы" not in entry.note
    assert not result.referral_marked  # SOP 01 does not touch the SOP 03 deadline
    items = today_service.collect(actor, dt.date(2026, 12, 2))
    assert any(i.target == ("reminder", reminders[0].id) and "Контрольная точка" in i.what for i in items)


def test_sop02_messenger_sessions_are_created_and_show_on_today(actor, staff):
    ids = make_family(staff, category="elderly", with_referral=False)
    call_id = start(ids, sop="02", person="contact")
    first = dt.datetime(2026, 11, 27, 16, 0)
    calls.finish_call(
        call_id,
        CallOutcome(
            "agreed",
            summary="бабушка рада созваниваться",
            sessions_start=first,
            sessions_every_days=7,
            sessions_until=dt.date(2026, 12, 31),
            sessions_channel="viber",
        ),
    )
    sessions = list(m.Reminder.select().where(m.Reminder.kind == "messenger_session").order_by(m.Reminder.due_at))
    assert [s.due_at.date() for s in sessions] == [
        dt.date(2026, 11, 27),
        dt.date(2026, 12, 4),
        dt.date(2026, 12, 11),
        dt.date(2026, 12, 18),
        dt.date(2026, 12, 25),
    ]
    assert all(s.channel == "viber" and s.repeat_days == 7 and s.contact_id == ids["relative"] for s in sessions)
    entry = m.ServiceEntry.get(m.ServiceEntry.source_id == call_id)
    assert (entry.minutes, entry.norm_minutes) == (0, 25)  # nothing timed here; the norm 5 + 10 + 10 is a limit
    items = today_service.collect(actor, dt.date(2026, 12, 4))
    due = [i for i in items if i.target[0] == "reminder"]
    assert len(due) == 2  # 27.11 overdue (not marked done) and 04.12 today
    assert {i.state for i in due} == {"overdue", "today"}
    calls.complete_reminder(sessions[0].id)
    items = today_service.collect(actor, dt.date(2026, 12, 4))
    assert len([i for i in items if i.target[0] == "reminder"]) == 1


def test_callback_reminder_closed_by_the_follow_up_call(actor, staff):
    ids = make_family(staff)
    first = start(ids)
    calls.finish_call(first, CallOutcome("no_answer", callback_at=dt.datetime(2026, 11, 25, 15, 0)))
    reminder = m.Reminder.get(m.Reminder.call == first)
    info = calls.get_reminder(reminder.id)
    assert (info.sop, info.person_kind, info.person_id) == ("03", "representative", ids["mother"])
    ctx = calls.call_context(ids["client"])
    p = calls.default_person(ctx, "03")
    second = calls.start_call("03", ids["client"], p.kind, p.id, p.phones[0], reminder_id=reminder.id)
    make_ready(second, "03")
    calls.finish_call(
        second,
        CallOutcome(
            "agrees",
            visit_at=dt.datetime(2026, 11, 27, 10, 0),
            late_reason=LATE,
            teleprompter={"reminder_id": reminder.id},
        ),
    )
    assert m.Reminder.get_by_id(reminder.id).done_at == clock.now()
    assert m.Referral.get_by_id(ids["referral"]).first_contact_at is not None


def test_in_progress_call_and_abandon(actor, staff):
    ids = make_family(staff)
    call_id = start(ids)
    calls.save_progress(call_id, {"step": "clarify", "notes": ["a"]}, "clarify", "", "a", 10, 20, 0, talk_started=True)
    waiting = start(ids)
    calls.record_notice_sent(waiting)  # parked until the SMS is answered: listed, not offered for resume
    calls.save_progress(waiting, {"step": "answer"}, "answer", "", "", 30, 0, 0)
    record = calls.in_progress_call(actor.id)
    assert record.id == call_id and record.teleprompter["step"] == "clarify" and record.talk_seconds == 20
    calls.abandon_call(call_id, "ошибочный номер")
    assert calls.in_progress_call(actor.id) is None
    assert [r.id for r in calls.list_calls(actor) if r.state == "in_progress"] == [waiting]
    assert m.PhoneCall.get_by_id(call_id).state == "abandoned"
    # the client card's «Звонки» tab says it in words (it showed «in_progress»)
    from soptui.services import clients

    shown = {row.target: row for row in clients.get_client_card(ids["client"]).calls}
    assert shown[("call", waiting)].detail == "идёт"
    assert not any(row.detail in ("in_progress", "abandoned", "finished") for row in shown.values())


def test_the_call_starts_when_the_talk_began_not_when_it_was_next_saved(actor, staff):
    """The teleprompter notes the moment the talk began in its state: a call resumed after a crash, or
    finished before any save, keeps it (the first save after a resume once wrote the resume's time)."""
    ids = make_family(staff)
    clock.set_fixed(dt.datetime(2026, 11, 25, 10, 0))
    resumed = start(ids)
    finished_first = start(ids)
    clock.set_fixed(dt.datetime(2026, 11, 25, 10, 30))  # the app was restarted; the call resumed now
    began = {"step": "clarify", "talk_started": True, "talk_started_at": "2026-11-25T10:05:00"}
    calls.save_progress(resumed, began, "clarify", "", "", 10, 120, 0, talk_started=True)
    assert m.PhoneCall.get_by_id(resumed).started_at == dt.datetime(2026, 11, 25, 10, 5)
    calls.finish_call(
        finished_first,
        CallOutcome("refuses", talk_seconds=60, teleprompter={"talk_started_at": "2026-11-25T10:07:30"}),
    )
    assert m.PhoneCall.get_by_id(finished_first).started_at == dt.datetime(2026, 11, 25, 10, 7, 30)
    # a noted moment outside the call's own life is kept within it: not before it was created, not ahead
    late = start(ids)
    calls.save_progress(late, {"talk_started_at": "2026-11-26T09:00:00"}, "clarify", "", "", 0, 5, 0, talk_started=True)
    assert m.PhoneCall.get_by_id(late).started_at == dt.datetime(2026, 11, 25, 10, 30)
    from soptui.services.calls.lifecycle import talk_start

    assert talk_start("2026-11-25T09:00:00", dt.datetime(2026, 11, 25, 10, 0), dt.datetime(2026, 11, 25, 11, 0)) == (
        dt.datetime(2026, 11, 25, 10, 0)
    )
    assert talk_start("вчера", None, dt.datetime(2026, 11, 25, 11, 0)) is None


# --- the phone log and its PDFs ---------------------------------------------------------------


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_phone_log_and_pdfs(actor, staff, tmp_path):
    ids = make_family(staff)
    call_id = start(ids)
    calls.save_progress(call_id, {}, "greeting", "", "", 60, 0, 0, talk_started=True)
    calls.finish_call(
        call_id,
        CallOutcome(
            "agrees",
            summary="мама согласна на встречу",
            agreements="подготовит документы",
            visit_at=dt.datetime(2026, 11, 27, 11, 0),
            late_reason=LATE,
            documents=["паспорт законного представителя"],
            talk_seconds=754,
        ),
    )
    entries = calls.phone_log(dt.date(2026, 11, 1), dt.date(2026, 11, 30), actor)
    assert len(entries) == 1
    e = entries[0]
    assert (e.date, e.time, e.number, e.duration) == (dt.date(2026, 11, 25), "10:30", "+7 (912) 345-67-89", "12:34")
    assert e.caller == "Иванова Марина Сергеевна, специалист по социальной работе"
    assert calls.phone_log(dt.date(2026, 12, 1), dt.date(2026, 12, 31), actor) == []
    with pytest.raises(CallError):
        calls.phone_log(dt.date(2026, 12, 1), dt.date(2026, 11, 1))

    form_path = calls.print_call_form(call_id, folder=tmp_path)
    assert form_path.name == f"Телефонные переговоры №{call_id} Котова Алиса Игоревна 25.11.2026.pdf"
    assert form_path.stat().st_mode & 0o777 == 0o600
    form = pdf_text(form_path.read_bytes())
    for needle in (
        "Телефонные переговоры",
        "25.11.2026",
        "10:30",
        "Иванова Марина Сергеевна",
        "Котова Дарья Сергеевна (мать)",
        "+7 (912) 345-67-89",
        "мама согласна на встречу",
        "подготовит документы",
        "27.11.2026 11:00",
        "12:34",
    ):
        assert needle in form, needle
    data = calls.phone_log_data(dt.date(2026, 11, 1), dt.date(2026, 11, 30), actor)
    assert data.who == "Иванова Марина Сергеевна, специалист по социальной работе"
    assert [e.call_id for e in data.entries] == [call_id]
    path = calls.print_phone_log(dt.date(2026, 11, 1), dt.date(2026, 11, 30), actor, folder=tmp_path)
    assert path.name == "Журнал телефонных переговоров 01.11.2026-30.11.2026.pdf"
    log = pdf_text(path.read_bytes())
    for needle in (
        "Журнал «Телефонные переговоры»",
        "с 01.11.2026 по 30.11.2026",
        "Котова Дарья",
        "345-67-89",
        "Всего звонков: 1.",
    ):
        assert needle in log, needle
    empty = pdf_text(calls.print_phone_log(dt.date(2026, 12, 1), dt.date(2026, 12, 31), actor, tmp_path).read_bytes())
    assert "За период звонков нет." in empty
    with pytest.raises(CallError, match="не завершён"):
        calls.log_entry(start(ids))
    with pytest.raises(CallError, match="не завершён"):
        calls.print_call_form(start(ids), folder=tmp_path)


def test_missing_case_values_show_as_gaps_in_the_script(actor, staff):
    from soptui.domain.calls import scripts as callscripts

    ids = make_family(staff)
    m.Referral.update(source_body="", summary="").where(m.Referral.id == ids["referral"]).execute()
    m.Representative.update(patronymic="").where(m.Representative.id == ids["mother"]).execute()
    record = calls.get_call(start(ids))
    step = callscripts.load_sop("03").step("clarify")
    text = callscripts.fill(step.say, record.values)
    assert text == (
        "Дарья. Мы получили информацию от [учреждение, орган — не указано]. [суть полученной информации — не указано]"
    )
    assert "None" not in text


@pytest.mark.parametrize("outcome", ["no_answer", "callback"])
def test_a_call_that_did_not_reach_the_person_is_no_service_and_no_first_contact(actor, staff, outcome):
    """Issue 12: «не отвечает» and «неудобно, перезвонить» go to the phone log with their outcome, write
    no service-log entry, and leave the SOP 03 first contact open."""
    ids = make_family(staff)
    call_id = start(ids, sop="03")
    result = calls.finish_call(
        call_id,
        CallOutcome(outcome, callback_at=dt.datetime(2026, 11, 26, 15, 0), prep_seconds=120, talk_seconds=40),
    )
    call = m.PhoneCall.get_by_id(call_id)
    assert (call.state, call.outcome) == ("finished", outcome)
    assert result.service_entry_id is None and not m.ServiceEntry.select().exists()
    assert not result.referral_marked
    assert m.Referral.get_by_id(ids["referral"]).first_contact_at is None


def test_a_call_over_its_norm_is_flagged(actor, staff):
    ids = make_family(staff)
    call_id = start(ids, sop="03")
    calls.finish_call(
        call_id,
        CallOutcome("refuses", refusal_reason="не нуждаются", prep_seconds=60, talk_seconds=31 * 60, doc_seconds=90),
    )
    entry = m.ServiceEntry.get(m.ServiceEntry.source_id == call_id)
    assert (entry.prep_minutes, entry.work_minutes, entry.doc_minutes, entry.minutes) == (1, 31, 2, 34)
    assert "сверх нормы: разговор" in entry.note


def test_a_passed_messenger_session_stays_overdue_until_closed_held_or_not_held(actor, staff):
    """Issue 12: a SOP 02 session whose time passed stays «просрочено» on Today until it is closed as
    held, or as not held with its reason; then it leaves Today."""
    ids = make_family(staff, category="elderly", with_referral=False)
    call_id = start(ids, sop="02", person="contact")
    calls.finish_call(
        call_id,
        CallOutcome(
            "agreed",
            sessions_start=dt.datetime(2026, 11, 27, 16, 0),
            sessions_every_days=7,
            sessions_until=dt.date(2026, 12, 31),
        ),
    )
    first, second = list(m.Reminder.select().where(m.Reminder.kind == "messenger_session").order_by(m.Reminder.due_at))[
        :2
    ]

    def on_today(day):
        return {i.target[1]: i.state for i in today_service.collect(actor, day) if i.target[0] == "reminder"}

    assert on_today(dt.date(2026, 12, 4)) == {first.id: "overdue", second.id: "today"}
    with pytest.raises(CallError, match="почему сеанс связи не состоялся"):
        calls.complete_reminder(first.id, held=False, reason="  ")
    calls.complete_reminder(first.id, held=False, reason="бабушка в больнице")
    calls.complete_reminder(second.id)
    assert on_today(dt.date(2026, 12, 4)) == {}
    a, b = m.Reminder.get_by_id(first.id), m.Reminder.get_by_id(second.id)
    assert (a.closed_as, a.closed_reason, b.closed_as) == ("not_held", "бабушка в больнице", "held")


def test_client_feedback_on_a_call_is_kept_with_who_and_when_and_version_checked(actor, staff):
    """SOP 03 §8: the head checks the calls by the clients' feedback. Only a call that reached the person
    can have it; a stale version is a conflict, never a silent overwrite."""
    from soptui.db.store import ConflictError

    ids = make_family(staff)
    missed = start(ids, sop="03")
    calls.finish_call(
        missed, CallOutcome("no_answer", callback_at=dt.datetime(2026, 11, 26, 15, 0), prep_seconds=30, talk_seconds=20)
    )
    with pytest.raises(CallError, match="состоявшемуся разговору"):
        calls.save_call_feedback(missed, calls.call_feedback(missed).version, 5, "")
    call_id = start(ids, sop="03")
    calls.finish_call(call_id, CallOutcome("refuses", refusal_reason="не нуждаются", talk_seconds=120))
    fb = calls.call_feedback(call_id)
    assert fb.can_have and fb.score is None and fb.text == "" and fb.at is None
    with pytest.raises(CallError, match="оценку или запишите"):
        calls.save_call_feedback(call_id, fb.version, None, "   ")
    with pytest.raises(CallError, match="от 1 до 5"):
        calls.save_call_feedback(call_id, fb.version, 6, "")
    calls.save_call_feedback(call_id, fb.version, 4, "  Вежливо, но помощь не нужна ")
    got = calls.call_feedback(call_id)
    assert (got.score, got.text, got.at, got.by) == (4, "Вежливо, но помощь не нужна", clock.now(), "Иванова М.С.")
    with pytest.raises(ConflictError):
        calls.save_call_feedback(call_id, fb.version, 2, "другое")  # read before the save above
    assert calls.call_feedback(call_id).score == 4


def test_a_call_goes_only_to_one_of_the_clients_own_people(actor, staff):
    """The person called is read once and must be one of the client's: another family's mother is refused as
    another client's file (AccessDenied), an unknown one as not found; neither opens a call."""
    from soptui.services.access import AccessDenied

    ours = make_family(staff)
    theirs = make_family(staff, with_referral=False)
    with pytest.raises(AccessDenied, match="другого клиента"):
        calls.start_call("03", ours["client"], "representative", theirs["mother"], "+79123456789")
    with pytest.raises(CallError, match="Собеседник не найден"):
        calls.start_call("03", ours["client"], "representative", 999_999, "+79123456789")
    assert m.PhoneCall.select().count() == 0
    call_id = calls.start_call("03", ours["client"], "representative", ours["mother"], "+79123456789")
    assert calls.get_call(call_id).callee_name.startswith("Котова Дарья Сергеевна")


def test_finishing_a_call_saved_elsewhere_meanwhile_writes_nothing(actor, staff, monkeypatch):
    """The call is read once before the write: if another workstation saves it in between, the finish is refused
    as a conflict (their version in it), and no service-log entry or referral mark is written."""
    from soptui.db.store import ConflictError
    from soptui.services.calls import finish

    ids = make_family(staff)
    call_id = start(ids)
    real_record = finish._record

    def read_then_saved_elsewhere(row, for_display=True):
        record = real_record(row, for_display)
        calls.set_details(call_id, channel="phone")  # the other workstation, after this one's read
        return record

    monkeypatch.setattr(finish, "_record", read_then_saved_elsewhere)
    with pytest.raises(ConflictError) as err:
        calls.finish_call(call_id, CallOutcome("agrees", visit_at=dt.datetime(2026, 11, 27, 10, 0)))
    assert err.value.current["version"] == m.PhoneCall.get_by_id(call_id).version
    assert m.PhoneCall.get_by_id(call_id).state == "in_progress"
    assert m.ServiceEntry.select().where(m.ServiceEntry.source_type == "call").count() == 0
    assert m.Referral.get_by_id(ids["referral"]).first_contact_at is None
    monkeypatch.undo()
    calls.finish_call(call_id, CallOutcome("agrees", visit_at=dt.datetime(2026, 11, 27, 10, 0)))
    assert m.PhoneCall.get_by_id(call_id).state == "finished"
