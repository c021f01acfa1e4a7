"""Issue 13 points 8-11: the calls' SOP rules as written, through the services on a real SQLite store.

Fixed clock: 25.11.2026 10:30 (Wed). The school's referral arrived 23.11.2026.
"""

from __future__ import annotations

import datetime as dt

import pytest
from pypdf import PdfReader

from soptui.core import clock
from soptui.db import models as m
from soptui.domain.calls import rules
from soptui.domain.calls import scripts as callscripts
from soptui.services import calls
from soptui.services.calls import CallError, CallOutcome

from calls_helpers import make_family, make_ready

LATE = "мама может только в пятницу"


def start(ids, sop="03", person="representative"):
    ctx = calls.call_context(ids["client"])
    p = next(p for p in ctx.persons if p.kind == person)
    return calls.start_call(sop, ids["client"], p.kind, p.id, p.phones[0], purpose="обсудить занятия")


def pdf_text(path) -> str:
    """The PDF's text with line breaks as spaces (long values wrap)."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(str(path)).pages).split())


# --- SOP 03 point 8: «мне нужно прийти к Вам, или Вам в учреждение» ------------------------------


def test_sop03_agrees_at_home_goes_into_the_field_visit_schedule_with_the_planner_checks(actor, staff):
    ids = make_family(staff)
    call_id = start(ids)
    make_ready(call_id, "03")
    at = dt.datetime(2026, 12, 2, 11, 0)
    check = calls.check_meeting(call_id, at)
    assert "late_reason" in check.errors  # the wait (registered 23.11: to 27.11) has passed: the planner asks why
    assert check.deadline is not None and check.deadline.late
    with pytest.raises(CallError, match="позже срока"):
        calls.finish_call(call_id, CallOutcome("agrees", visit_at=at, meeting_place="home"))
    # a visit of a colleague's at the same time: the planner's conflict must be accepted explicitly
    from soptui.services.patronage import VisitPlan, save_plan

    save_plan(
        VisitPlan(
            client_id=ids["client"],
            staff_ids=[staff["spec"]],
            day=at.date(),
            start=dt.time(10, 30),
            end=dt.time(11, 30),
            kind="planned",
            address="ул. Мира, 1",
            purpose="плановый",
        ),
        allow_conflicts=True,
    )
    assert calls.check_meeting(call_id, at, late_reason=LATE).conflicts
    with pytest.raises(CallError, match="Пересечения в графике выходов"):
        calls.finish_call(call_id, CallOutcome("agrees", visit_at=at, meeting_place="home", late_reason=LATE))
    result = calls.finish_call(
        call_id,
        CallOutcome("agrees", visit_at=at, meeting_place="home", late_reason=LATE, allow_conflicts=True),
    )
    v = m.PatronageVisit.get_by_id(result.visit_id)
    assert (v.status, v.kind, v.drafted_by_call_id, v.late_reason) == ("planned", "primary", call_id, LATE)
    assert v.planned_start == at and v.work_minutes == 40
    call = m.PhoneCall.get_by_id(call_id)
    assert (call.meeting_place, call.meeting_at) == ("home", at)


def test_sop03_agrees_at_the_institution_is_a_meeting_on_today_not_a_field_visit(actor, staff):
    ids = make_family(staff)
    call_id = start(ids)
    make_ready(call_id, "03")
    with pytest.raises(CallError, match="рабочее время"):
        calls.finish_call(
            call_id, CallOutcome("agrees", visit_at=dt.datetime(2026, 11, 26, 19, 0), meeting_place="institution")
        )
    at = dt.datetime(2026, 11, 26, 15, 0)
    result = calls.finish_call(
        call_id, CallOutcome("agrees", visit_at=at, meeting_place="institution", documents=["паспорт"])
    )
    assert result.visit_id is None and result.meeting_place == "institution"
    assert not m.PatronageVisit.select().exists()
    reminder = m.Reminder.get(m.Reminder.call == call_id)
    assert (reminder.kind, reminder.due_at) == ("meeting", at)
    assert "Встреча в учреждении" in reminder.text and "паспорт" in reminder.text
    assert "Встреча в учреждении: 26.11.2026 15:00." in m.PhoneCall.get_by_id(call_id).agreements
    items = calls.today_items(actor, dt.date(2026, 11, 26))
    assert any(i.target == ("reminder", reminder.id) for i in items)


# --- SOP 03 point 9: the notice cannot be skipped silently ------------------------------------


def test_sop03_mobile_number_needs_the_notice_sent_or_a_reason(actor, staff):
    ids = make_family(staff)
    call_id = start(ids)
    record = calls.get_call(call_id)
    assert calls.notice_required(record) and calls.notice_missing(record)
    with pytest.raises(CallError, match="Уведомление о звонке на сотовый не отправлено"):
        calls.finish_call(call_id, CallOutcome("refuses"))
    with pytest.raises(CallError, match="почему"):
        calls.skip_notice(call_id, "   ")
    calls.skip_notice(call_id, "мама просила не писать, только звонить")
    record = calls.get_call(call_id)
    assert not calls.notice_missing(record) and record.notice_sent_at is None
    calls.finish_call(call_id, CallOutcome("refuses"))
    entry = calls.log_entry(call_id)
    assert entry.notice == "не отправлено: мама просила не писать, только звонить"


def test_a_landline_needs_no_notice(actor, staff):
    ids = make_family(staff)
    m.ContactPoint.update(value="+73436251234").where(m.ContactPoint.representative == ids["mother"]).execute()
    call_id = start(ids)
    assert not calls.notice_required(calls.get_call(call_id))


def test_notice_obeys_the_working_hours_rule_and_records_when_it_was_confirmed(actor, staff):
    ids = make_family(staff)
    call_id = start(ids)
    clock.set_fixed(dt.datetime(2026, 11, 25, 18, 40))
    with pytest.raises(CallError, match="вне рабочего времени"):
        calls.record_notice_sent(call_id)
    assert m.PhoneCall.get_by_id(call_id).notice_sent_at is None
    calls.record_notice_sent(call_id, off_hours_reason="мама на смене до 19:00, просила написать вечером")
    call = m.PhoneCall.get_by_id(call_id)
    assert call.notice_sent_at == dt.datetime(2026, 11, 25, 18, 40)
    assert call.notice_off_hours_reason.startswith("мама на смене")
    clock.set_fixed(dt.datetime(2026, 11, 26, 10, 0))
    calls.finish_call(call_id, CallOutcome("refuses"))
    assert calls.log_entry(call_id).notice.startswith("отправлено 25.11.2026 18:40 (вне рабочего времени: мама")


# --- SOP 01 point 10: channel and ground, recorded and printed; the meeting outcome ---------------


def test_sop01_ground_and_channel_are_required_recorded_and_printed(actor, staff, tmp_path):
    ids = make_family(staff, with_referral=False)
    call_id = start(ids, "01")
    with pytest.raises(CallError, match="основание"):
        calls.finish_call(call_id, CallOutcome("done"))
    with pytest.raises(CallError, match="почему невозможно"):
        calls.set_details(call_id, ground="impossible_other")
    with pytest.raises(CallError, match="способ связи"):
        calls.set_details(call_id, channel="pigeon")
    calls.set_details(call_id, channel="skype", ground="away", ground_note="семья в отъезде до 15.12")
    calls.finish_call(call_id, CallOutcome("done", summary="обсудили занятия"))
    entry = calls.log_entry(call_id)
    assert entry.channel == "видеозвонок Skype"
    assert entry.ground == "невозможно провести патронаж, консультирование лично: отъезд (семья в отъезде до 15.12)"
    text = pdf_text(calls.print_call_form(call_id, folder=tmp_path))
    assert "Способ связи: видеозвонок Skype" in text
    assert "отъезд (семья в отъезде до 15.12)" in text
    log = pdf_text(calls.print_phone_log(dt.date(2026, 11, 1), dt.date(2026, 11, 30), actor, folder=tmp_path))
    assert "видеозвонок Skype" in log


def test_sop01_meeting_at_home_or_in_the_institution_is_an_outcome_that_plans_it(actor, staff):
    ids = make_family(staff, with_referral=False)
    call_id = start(ids, "01")
    make_ready(call_id, "01")
    at = dt.datetime(2026, 11, 30, 11, 0)  # Monday
    result = calls.finish_call(call_id, CallOutcome("meeting", visit_at=at, meeting_place="home"))
    v = m.PatronageVisit.get_by_id(result.visit_id)
    assert (v.status, v.ground, v.planned_start) == ("planned", "ipra", at)
    assert "СОП 01" in v.purpose
    assert "Встреча на дому: 30.11.2026 11:00." in m.PhoneCall.get_by_id(call_id).agreements
    script = callscripts.load_sop("01")
    assert script.outcomes["meeting"] == "договорились о встрече на дому или в учреждении"
    assert any(b.outcome == "meeting" and b.ask == "visit" for b in script.branches_at("control"))


# --- SOP 02 point 11: agreed with the client, the relay branch, working days --------------------


def test_sop02_sessions_agreed_with_the_client_are_stored_and_in_the_agreements(actor, staff):
    ids = make_family(staff, category="elderly", with_referral=False)
    call_id = start(ids, "02", person="contact")
    with pytest.raises(CallError, match="раньше первого"):
        calls.set_details(call_id, client_session=(dt.datetime(2026, 12, 1, 16, 0), 7, dt.date(2026, 11, 30)))
    calls.set_details(call_id, client_session=(dt.datetime(2026, 12, 1, 16, 0), 7, dt.date(2026, 12, 29)))
    call = m.PhoneCall.get_by_id(call_id)
    assert (call.client_session_at, call.client_session_every_days) == (dt.datetime(2026, 12, 1, 16, 0), 7)
    calls.finish_call(
        call_id,
        CallOutcome(
            "self",
            sessions_start=dt.datetime(2026, 12, 1, 16, 0),
            sessions_every_days=7,
            sessions_until=dt.date(2026, 12, 29),
            sessions_channel="viber",
        ),
    )
    call = m.PhoneCall.get_by_id(call_id)
    assert "С клиентом согласовано: с 01.12.2026 16:00, раз в неделю до 29.12.2026." in call.agreements
    assert "предварительный звонок родственникам не требовался" in call.agreements
    assert m.Reminder.select().where(m.Reminder.call == call_id).count() == 5


def test_sop02_sessions_never_fall_on_non_working_days():
    # Thursdays from 24.12.2026: 31.12.2026 and 07.01.2027 are days off -> the next working day, with a note
    sessions = rules.session_times(dt.datetime(2026, 12, 24, 15, 0), 7, dt.date(2027, 1, 14))
    assert [s.at.date() for s in sessions] == [
        dt.date(2026, 12, 24),
        dt.date(2027, 1, 11),
        dt.date(2027, 1, 14),
    ]
    assert sessions[0].note == ""
    assert sessions[1].note == "перенесён с 31.12.2026, нерабочий день"
    assert all(s.at.time() == dt.time(15, 0) for s in sessions)
    # a Saturday start moves to Monday; a daily series skips the weekend without doubling Monday
    daily = rules.session_times(dt.datetime(2026, 11, 27, 10, 0), 1, dt.date(2026, 12, 1))
    assert [s.at.date() for s in daily] == [
        dt.date(2026, 11, 27),
        dt.date(2026, 11, 30),
        dt.date(2026, 12, 1),
    ]


def test_sop02_moved_session_is_noted_on_the_reminder(actor, staff):
    ids = make_family(staff, category="elderly", with_referral=False)
    call_id = start(ids, "02", person="contact")
    outcome = CallOutcome(
        "agreed",
        sessions_start=dt.datetime(2026, 12, 24, 15, 0),
        sessions_every_days=7,
        sessions_until=dt.date(2027, 1, 14),
        sessions_channel="viber",
    )
    with pytest.raises(CallError, match="согласованные с клиентом"):
        calls.finish_call(call_id, outcome)  # the client's own wish is recorded first
    make_ready(call_id, "02")
    result = calls.finish_call(
        call_id,
        CallOutcome(
            "agreed",
            sessions_start=dt.datetime(2026, 12, 24, 15, 0),
            sessions_every_days=7,
            sessions_until=dt.date(2027, 1, 14),
            sessions_channel="viber",
        ),
    )
    assert result.moved_sessions == 1
    moved = m.Reminder.get((m.Reminder.call == call_id) & (m.Reminder.due_at == dt.datetime(2027, 1, 11, 15, 0)))
    assert "перенесён с 31.12.2026" in moved.text
    assert "Сеанс 11.01.2027 15:00 перенесён с 31.12.2026" in m.PhoneCall.get_by_id(call_id).agreements


_BRANCH_VALUES = {
    "visit_at": "27.11.2026 11:00",
    "meeting_place": "у Вас дома",
    "meeting_docs_for": "моему визиту",
    "documents": "паспорт",
    "sessions": "27.11.2026 16:00",
    "sessions_channel": "Viber",
}


@pytest.mark.parametrize("sop", ["01", "02", "03"])
def test_no_step_reads_out_a_blank_placeholder_on_any_route(sop):
    """Every route of every script: a step's words use only what that route has asked for by then.

    The case's own data (names, phones, the referral) is given; a branch's answer (the visit, the sessions) only
    on the branches that ask for it. «[… — не указано]» must never be read out because of the route.
    """
    script = callscripts.load_sop(sop)
    case = {name: "x" for name in callscripts.VARIABLES if name not in _BRANCH_VALUES}
    asks = {b.id: b.ask for b in script.branches}
    for branch in ["", *asks]:
        values = dict(case)
        if asks.get(branch) == "visit":
            values.update(
                {k: _BRANCH_VALUES[k] for k in ("visit_at", "meeting_place", "meeting_docs_for", "documents")}
            )
        if asks.get(branch) == "sessions":
            values.update({k: _BRANCH_VALUES[k] for k in ("sessions", "sessions_channel")})
        for step in script.route(branch):
            text = callscripts.fill(step.say_for(branch), values)
            assert "не указано]" not in text, (sop, branch, step.id, text)


def test_sop02_after_relatives_decline_the_close_has_no_session_gap():
    script = callscripts.load_sop("02")
    close = script.step("close")
    text = callscripts.fill(close.say_for("declined"), {"person_io": "Нина Петровна", "client_io": "Алиса Игоревна"})
    assert text == "Спасибо, Нина Петровна, что уделили время! Ваш ответ я передам. До свидания!"
    relay = script.branch("relay")
    assert relay.from_steps == ("can_call",) and relay.goto == "greeting"
    assert script.step("can_call").choice
    assert not script.choice_answered("agree_sessions", "relay")  # the relay branch does not answer it
