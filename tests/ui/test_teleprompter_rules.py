"""Pilot tests: the teleprompter follows the calls' SOP rules as written (issue 13 points 8-11, issue 12 point 4).

Fixed clock 25.11.2026 10:30 (Wed); the school's referral arrived 23.11.2026.
"""

from __future__ import annotations

import datetime as dt

from test_teleprompter import (
    answer_planner_check,
    fill_date_time,
    next_step,
    run_to_presentation,
    say,
    send_notice,
    settle,
    start_call,
    type_text,
    wait_for_screen,
)
from test_teleprompter_more import open_new_call
from textual.widgets import Button, Input

from soptui.app import make_app
from soptui.core import clock
from soptui.db import models as m
from soptui.screens.calls.dialogs import (
    BranchScreen,
    CallConflictScreen,
    DetailsScreen,
    NewCallScreen,
    NoticeSendScreen,
    OffHoursScreen,
    OutcomeScreen,
    SessionsScreen,
    VisitScreen,
)
from soptui.screens.calls.teleprompter import TeleprompterScreen
from soptui.screens.navigation import NewCall
from soptui.services import calls

from calls_helpers import make_family
from conftest import PASSWORD, click, sign_in, until


def _call(call_id: int) -> m.PhoneCall:
    return m.PhoneCall.get_by_id(call_id)


# --- point 9: the notice ---------------------------------------------------------------------------------


async def test_sop03_notice_cannot_be_skipped_silently_for_a_mobile(store, staff):
    ids = make_family(staff)
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "spec", PASSWORD)
        tp = await start_call(pilot, ids["client"])
        call_id = tp.record.id
        await next_step(pilot)  # «Ответ»
        assert say(tp) == "Уведомление: ещё не отправлено — Ctrl+T."
        await next_step(pilot)  # to «Приветствие»: the notice comes first
        dialog = await wait_for_screen(pilot, NoticeSendScreen)
        assert tp.step_id == "answer"
        assert dialog.query_one("#notice-text").text.startswith("Добрый день, Дарья Сергеевна.")
        await click(pilot, "#skip")  # no reason: refused at the field
        assert isinstance(app.screen, NoticeSendScreen)
        assert "почему" in str(dialog.query_one("#notice-skip FieldError").render())
        await click(pilot, "#notice-skip-input")
        await type_text(pilot, "мама просила только звонить")
        await pilot.press("enter")
        await wait_for_screen(pilot, TeleprompterScreen)
        await until(pilot, lambda: tp.step_id == "greeting", "the call goes on to the greeting")
        await until(pilot, lambda: _call(call_id).notice_skip_reason != "", "the reason stored")
        await pilot.press("pageup")
        await settle(pilot)
        assert say(tp) == "Уведомление: не отправлено — мама просила только звонить. Можно звонить."
    call = _call(call_id)
    assert call.notice_skip_reason == "мама просила только звонить" and call.notice_sent_at is None


async def test_sop03_notice_off_hours_needs_a_reason_and_is_recorded_on_confirm(store, staff):
    ids = make_family(staff)
    clock.set_fixed(dt.datetime(2026, 11, 25, 18, 20))
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "spec", PASSWORD)
        app.open(NewCall(ids["client"]))
        await wait_for_screen(pilot, NewCallScreen)
        await pilot.press("enter")
        await wait_for_screen(pilot, OffHoursScreen)
        await type_text(pilot, "мама просила позвонить после работы")
        await pilot.press("enter")
        tp = await wait_for_screen(pilot, TeleprompterScreen)
        await pilot.press("ctrl+t")
        dialog = await wait_for_screen(pilot, NoticeSendScreen)
        assert "18:20" in str(dialog.query_one(".form-error").render())  # the calls' working-hours rule
        await click(pilot, "#sent")
        assert isinstance(app.screen, NoticeSendScreen)
        assert "причину" in str(dialog.query_one("#notice-offhours FieldError").render())
        assert _call(tp.record.id).notice_sent_at is None  # nothing recorded yet
        await click(pilot, "#notice-offhours-input")
        await type_text(pilot, "мама на смене, просила написать вечером")
        await click(pilot, "#sent")
        await wait_for_screen(pilot, TeleprompterScreen)
        await until(pilot, lambda: _call(tp.record.id).notice_sent_at is not None, "the notice recorded")
    call = _call(tp.record.id)
    assert call.notice_sent_at == dt.datetime(2026, 11, 25, 18, 20)
    assert call.notice_off_hours_reason == "мама на смене, просила написать вечером"


# --- point 8: at home (the schedule, with the planner's checks) or at the institution ------------------


async def test_sop03_agrees_meeting_at_the_institution(store, staff):
    ids = make_family(staff)
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "spec", PASSWORD)
        tp = await start_call(pilot, ids["client"])
        call_id = tp.record.id
        await run_to_presentation(pilot, tp)
        assert "мне нужно прийти к Вам, или Вам в учреждение" in say(tp)
        await pilot.press("ctrl+n")
        await wait_for_screen(pilot, BranchScreen)
        await pilot.press("1")
        visit = await wait_for_screen(pilot, VisitScreen)
        await click(pilot, "#place-institution")
        assert not visit.query_one("#visit-minutes").display  # no field-visit length for a meeting here
        await click(pilot, "#visit-date-input")
        await fill_date_time(pilot, "26.11.2026", "15:00")
        await wait_for_screen(pilot, TeleprompterScreen)
        await settle(pilot)
        assert "встречаемся 26.11.2026 15:00 у нас в учреждении" in say(tp)
        assert "подготовьте к встрече документы" in say(tp)
        await next_step(pilot, 2)
        await pilot.press("f9")
        await wait_for_screen(pilot, OutcomeScreen)
        await pilot.press("enter")
        await settle(pilot, 4)
    call = _call(call_id)
    assert (call.state, call.meeting_place) == ("finished", "institution")
    assert not m.PatronageVisit.select().exists()
    assert m.Reminder.get(m.Reminder.call == call_id).kind == "meeting"


async def test_sop03_home_visit_shows_the_planner_conflict_in_the_dialog(store, staff):
    ids = make_family(staff)
    from soptui.services import access
    from soptui.services.patronage import VisitPlan, save_plan

    with access.acting_as(access.centre_actor(staff["spec"])):
        busy = save_plan(
            VisitPlan(
                client_id=ids["client"],
                staff_ids=[staff["spec"]],
                day=dt.date(2026, 12, 2),
                start=dt.time(10, 30),
                end=dt.time(11, 30),
                kind="planned",
                address="ул. Мира, 1",
                purpose="плановый",
            ),
            allow_conflicts=True,
        )
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "spec", PASSWORD)
        tp = await start_call(pilot, ids["client"])
        call_id = tp.record.id
        await run_to_presentation(pilot, tp)
        await pilot.press("ctrl+n")
        await wait_for_screen(pilot, BranchScreen)
        await pilot.press("1")
        visit = await wait_for_screen(pilot, VisitScreen)
        await fill_date_time(pilot, "02.12.2026", "11:00")
        await settle(pilot)
        await answer_planner_check(pilot, visit)  # past the wait (to 27.11): the reason, asked here
        check = str(visit.query_one("#visit-check").render())
        assert "!" in check, check  # the planner's conflict is shown in the dialog
        assert isinstance(app.screen, VisitScreen)
        assert "несмотря на пересечения" in str(visit.query_one("#ok", Button).label)
        await click(pilot, "#visit-time-input")
        await pilot.press("enter")  # «Назначить» again: accepted explicitly
        await wait_for_screen(pilot, TeleprompterScreen)
        await settle(pilot)
        assert tp.visit is not None and tp.visit.allow_conflicts
        await next_step(pilot, 2)
        await pilot.press("f9")
        await wait_for_screen(pilot, OutcomeScreen)
        await pilot.press("enter")
        await settle(pilot, 4)
    v = m.PatronageVisit.get(m.PatronageVisit.drafted_by_call == call_id)
    assert v.status == "planned" and v.id != busy and v.late_reason


# --- point 10: SOP 01 meeting outcome --------------------------------------------------------------------


async def test_sop01_meeting_branch_plans_a_home_visit(store, staff):
    ids = make_family(staff, with_referral=False)
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "spec", PASSWORD)
        tp = await open_new_call(pilot, ids["client"], "обсудить занятия с логопедом")
        call_id = tp.record.id
        await pilot.press("ctrl+n")
        await wait_for_screen(pilot, DetailsScreen)
        await pilot.press("enter")  # ИПРА
        await click(pilot, "#ok")
        await wait_for_screen(pilot, TeleprompterScreen)
        await next_step(pilot, 7)
        assert tp.step_id == "control"
        await pilot.press("f8")
        await wait_for_screen(pilot, BranchScreen)
        await pilot.press("1")  # Договорились о встрече — на дому или в учреждении
        visit = await wait_for_screen(pilot, VisitScreen)
        await fill_date_time(pilot, "30.11.2026", "11:00")
        await settle(pilot)
        await answer_planner_check(pilot, visit)
        await wait_for_screen(pilot, TeleprompterScreen)
        await settle(pilot)
        assert tp.step_id == "close" and "Итак, встречаемся 30.11.2026 11:00 у Вас дома." in say(tp)
        await pilot.press("f9")
        outcome = await wait_for_screen(pilot, OutcomeScreen)
        assert outcome.selected == "meeting"
        await pilot.press("enter")
        await settle(pilot, 4)
    call = _call(call_id)
    assert (call.outcome, call.ground, call.channel, call.meeting_place) == ("meeting", "ipra", "phone", "home")
    v = m.PatronageVisit.get(m.PatronageVisit.drafted_by_call == call_id)
    assert (v.status, v.planned_start) == ("planned", dt.datetime(2026, 11, 30, 11, 0))


# --- point 11: SOP 02 — the client calls alone; relatives decline ------------------------------------


async def _agree_with_client(pilot, tp) -> None:
    await next_step(pilot)
    await pilot.press("ctrl+n")
    mine = await wait_for_screen(pilot, SessionsScreen)
    await type_text(pilot, "28.11.2026")  # a Saturday, as the client wished
    await pilot.press("tab")
    await type_text(pilot, "16:00")
    mine.query_one("#sess-until Input", Input).value = "19.12.2026"
    await pilot.press("enter")
    await wait_for_screen(pilot, TeleprompterScreen)
    await settle(pilot)
    await next_step(pilot)
    assert tp.step_id == "can_call"


async def test_sop02_client_calls_alone_no_relay_sessions_on_working_days(store, staff):
    ids = make_family(staff, category="elderly", with_referral=False)
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "spec", PASSWORD)
        tp = await open_new_call(pilot, ids["client"])
        call_id = tp.record.id
        await _agree_with_client(pilot, tp)
        await pilot.press("f8")
        await wait_for_screen(pilot, BranchScreen)
        await pilot.press("2")  # позвонит сам
        sessions = await wait_for_screen(pilot, SessionsScreen)
        assert "с клиентом" in str(sessions.query_one(".dialog-title").render())
        assert sessions.query_one("#sess-date-input", Input).value == "28.11.2026"
        await click(pilot, "#sess-time-input")
        await pilot.press("enter")
        await wait_for_screen(pilot, TeleprompterScreen)
        await settle(pilot)
        assert tp.step_id == "self_call"
        assert say(tp).startswith("Алиса Игоревна, звоните сами: Котова Нина Петровна, через")
        # the first session as it will be held: Saturday 28.11 moves to Monday 30.11
        assert "Первый сеанс связи: 30.11.2026 16:00 (перенесён с 28.11.2026, нерабочий день)." in say(tp)
        steps = str(tp.query_one("#tp-steps").render())
        assert "Предварительный" not in steps.split("▶")[1]  # the relay steps are passed by
        await pilot.press("f9")
        outcome = await wait_for_screen(pilot, OutcomeScreen)
        assert outcome.selected == "self"
        await pilot.press("enter")
        await settle(pilot, 4)
    rows = list(m.Reminder.select().where(m.Reminder.call == call_id).order_by(m.Reminder.due_at))
    # Saturdays 28.11 … 19.12: each moves to the Monday after, with a note
    assert [r.due_at for r in rows] == [
        dt.datetime(2026, 11, 30, 16, 0),
        dt.datetime(2026, 12, 7, 16, 0),
        dt.datetime(2026, 12, 14, 16, 0),
        dt.datetime(2026, 12, 21, 16, 0),
    ]
    assert all("перенесён с" in r.text for r in rows)
    call = _call(call_id)
    assert call.outcome == "self" and call.client_session_at == dt.datetime(2026, 11, 28, 16, 0)
    assert m.ServiceEntry.select().where(m.ServiceEntry.source_id == call_id).count() == 1


async def test_sop02_relatives_decline_no_blank_placeholder(store, staff):
    ids = make_family(staff, category="elderly", with_referral=False)
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "spec", PASSWORD)
        tp = await open_new_call(pilot, ids["client"])
        await _agree_with_client(pilot, tp)
        await pilot.press("ctrl+n")
        await wait_for_screen(pilot, BranchScreen)
        await pilot.press("1")  # relay
        await wait_for_screen(pilot, TeleprompterScreen)
        await next_step(pilot, 3)
        await pilot.press("ctrl+n")
        await wait_for_screen(pilot, BranchScreen)
        await pilot.press("2")  # Родственники не согласны
        await wait_for_screen(pilot, TeleprompterScreen)
        await settle(pilot)
        assert tp.step_id == "close"
        assert "не указано" not in say(tp)
        assert say(tp) == "Спасибо, Нина Петровна, что уделили время! Ваш ответ я передам. До свидания!"


# --- issue 12 point 4: one call, two workstations -----------------------------------------------------


async def test_call_saved_elsewhere_shows_the_conflict_and_loses_nothing(store, staff):
    ids = make_family(staff)
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "spec", PASSWORD)
        tp = await start_call(pilot, ids["client"])
        call_id = tp.record.id
        await send_notice(pilot)
        await type_text(pilot, "мама на работе")
        await pilot.press("enter")
        await settle(pilot)
        # the same call, open at another workstation, saves a note of its own
        calls.save_progress(
            call_id, {"notes": ["10:30 [Ответ] там: перезвонить после обеда"]}, "answer", "", "там", 0, 0, 0
        )
        await type_text(pilot, "папа дома")
        await pilot.press("enter")
        dialog = await wait_for_screen(pilot, CallConflictScreen)
        text = str(dialog.query_one("#conflict-text").render())
        assert "Звонок изменён на другом рабочем месте" in str(dialog.query_one(".dialog-title").render())
        assert "там: перезвонить после обеда" in text and "папа дома" in text and "мама на работе" in text
        assert tp.conflicted
        await click(pilot, "#mine")  # continue here: both sides' notes kept
        await wait_for_screen(pilot, TeleprompterScreen)
        await until(pilot, lambda: "папа дома" in _call(call_id).notes, "the merged notes saved")
    notes = _call(call_id).notes
    assert "там: перезвонить после обеда" in notes and "мама на работе" in notes and "папа дома" in notes


async def test_call_finished_elsewhere_is_not_overwritten_by_f9(store, staff):
    ids = make_family(staff)
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "spec", PASSWORD)
        tp = await start_call(pilot, ids["client"])
        call_id = tp.record.id
        await send_notice(pilot)
        await next_step(pilot)
        await pilot.press("f9")
        await wait_for_screen(pilot, OutcomeScreen)
        await settle(pilot)
        calls.finish_call(call_id, calls.CallOutcome("refuses", summary="там: отказ"))  # the other workstation
        await type_text(pilot, "здесь: мама согласна подумать")
        await pilot.press("enter")
        dialog = await wait_for_screen(pilot, CallConflictScreen)
        text = str(dialog.query_one("#conflict-text").render())
        assert "завершён" in text and "отказ" in text
        assert "здесь: мама согласна подумать" in text  # what was typed here is shown, not lost
        assert not dialog.query("#mine")  # a finished call cannot be continued here
        await click(pilot, "#leave")
        await settle(pilot)
        assert not isinstance(app.screen, TeleprompterScreen)
    call = _call(call_id)
    assert (call.outcome, call.summary) == ("refuses", "там: отказ")
    assert m.ServiceEntry.select().where(m.ServiceEntry.source_id == call_id).count() == 1


async def test_sop01_no_result_without_ground_and_channel(store, staff):
    ids = make_family(staff, with_referral=False)
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "spec", PASSWORD)
        tp = await open_new_call(pilot, ids["client"], "обсудить занятия")
        await pilot.press("f9")  # straight to the result: the ground and channel are asked first
        details = await wait_for_screen(pilot, DetailsScreen)
        await pilot.press("down", "down", "down", "enter")  # «другое» needs the explanation
        await click(pilot, "#ok")
        assert isinstance(app.screen, DetailsScreen)
        # said at the explanation, and the typing goes on there (it was said under «Способ связи», the focus
        # stayed on the button and what was typed next went nowhere)
        assert "почему невозможно" in str(details.query_one("#details-note").query_one("FieldError").render())
        assert app.focused.id == "details-note-input"
        await type_text(pilot, "карантин в группе")
        await click(pilot, "#ok")
        await wait_for_screen(pilot, OutcomeScreen)  # then the result, as asked
        assert tp.details is not None and tp.details.ground == "impossible_other"
        await until(pilot, lambda: _call(tp.record.id).ground_note == "карантин в группе", "the ground stored")


async def test_leaving_a_call_open_elsewhere_adds_my_notes_to_theirs(store, staff):
    ids = make_family(staff)
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "spec", PASSWORD)
        tp = await start_call(pilot, ids["client"])
        call_id = tp.record.id
        await send_notice(pilot)
        await type_text(pilot, "мама на работе")
        await pilot.press("enter")
        await settle(pilot)
        their_state = {"step": "clarify", "notes": ["10:31 [Уточняем] там: школа звонила"]}
        calls.save_progress(call_id, their_state, "clarify", "", "там", 0, 30, 0, talk_started=True)
        await type_text(pilot, "недописанное")
        await pilot.press("ctrl+n")  # a step change saves: the conflict
        await wait_for_screen(pilot, CallConflictScreen)
        await click(pilot, "#leave")
        await until(pilot, lambda: not isinstance(app.screen, (CallConflictScreen, TeleprompterScreen)), "left")
        await until(pilot, lambda: "мама на работе" in _call(call_id).notes, "my notes added to theirs")
    call = _call(call_id)
    assert call.step_id == "clarify"  # their step stays
    assert "там: школа звонила" in call.notes and "мама на работе" in call.notes
    import json

    assert json.loads(call.state_json)["draft"] == "недописанное"  # the unfinished note is kept as a draft


# --- point 12: the greeting follows the clock ------------------------------------------------------------


async def test_sop01_greeting_turns_into_good_afternoon_at_noon_on_the_current_step(store, staff):
    """SOP 01 §3: «Доброе утро» (до 12.00) or «Добрый день» (с 12.00 до 18.00) — said as the clock reads now."""
    ids = make_family(staff)
    clock.set_fixed(dt.datetime(2026, 11, 25, 11, 59, 50))
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "spec", PASSWORD)
        tp = await start_call(pilot, ids["client"])
        await send_notice(pilot)
        await next_step(pilot, 2)  # «Ответ» -> «Приветствие»
        assert tp.step_id == "greeting"
        assert say(tp).startswith("Доброе утро! Дарья Сергеевна")
        clock.set_fixed(dt.datetime(2026, 11, 25, 12, 0, 0))
        await until(pilot, lambda: say(tp).startswith("Добрый день! Дарья Сергеевна"), "the greeting turns at 12:00")
        assert tp.step_id == "greeting"  # on the same step, nothing else moved
