"""Pilot tests of the teleprompter: full SOP 03 calls through each branch, on the fixed clock.

25.11.2026 10:30 (Wed). The referral arrived 23.11.2026, so the first-contact deadline is 26.11.2026.
"""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import Input

from soptui.app import make_app
from soptui.core import clock
from soptui.db import models as m
from soptui.screens.calls.dialogs import (
    BranchScreen,
    CallbackScreen,
    NewCallScreen,
    NoticeSendScreen,
    OffHoursScreen,
    OutcomeScreen,
    VisitScreen,
)
from soptui.screens.calls.teleprompter import TeleprompterScreen
from soptui.screens.navigation import NewCall

from calls_helpers import make_family
from conftest import PASSWORD, click, paste, sign_in, wait_screen


async def settle(pilot, rounds: int = 3) -> None:
    for _ in range(rounds):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def wait_for_screen(pilot, cls):
    return await wait_screen(pilot, cls)


async def type_text(pilot, text: str) -> None:
    """Text into the focused field, pasted in one event (the calls' point is the script, not the keyboard)."""
    await paste(pilot, text)


async def start_call(pilot, client_id: int) -> TeleprompterScreen:
    pilot.app.open(NewCall(client_id))
    await wait_for_screen(pilot, NewCallScreen)
    await pilot.press("enter")  # the legal representative is highlighted for SOP 03
    return await wait_for_screen(pilot, TeleprompterScreen)


async def next_step(pilot, times: int = 1) -> None:
    for _ in range(times):
        await pilot.press("ctrl+n")
        await settle(pilot, 1)


def say(tp: TeleprompterScreen) -> str:
    return str(tp.query_one("#tp-say").render())


async def fill_date_time(pilot, date_text: str, time_text: str) -> None:
    await type_text(pilot, date_text)
    await pilot.press("tab")
    await type_text(pilot, time_text)
    await pilot.press("enter")
    await settle(pilot, 1)


async def send_notice(pilot) -> None:
    """SOP 03 §5: Ctrl+T shows the text; «Скопировать» only copies; «Отправлено» records the time."""
    await pilot.press("ctrl+t")
    dialog = await wait_for_screen(pilot, NoticeSendScreen)
    shown = dialog.query_one("#notice-text").text  # shown in full for copying by hand
    assert shown.startswith("Добрый день, Дарья Сергеевна. Меня зовут Иванова Марина Сергеевна.")
    await click(pilot, "#copy")
    assert pilot.app.clipboard == shown
    assert m.PhoneCall.get().notice_sent_at is None  # copying is not sending
    await click(pilot, "#sent")
    await wait_for_screen(pilot, TeleprompterScreen)
    await settle(pilot)


async def run_to_presentation(pilot, tp: TeleprompterScreen) -> None:
    assert tp.step_id == "notice"
    await send_notice(pilot)
    assert "Государственное автономное учреждение" in pilot.app.clipboard
    await next_step(pilot)  # «Ответ»
    await next_step(pilot)  # «Приветствие»
    assert tp.step_id == "greeting"
    text = say(tp)
    assert text.startswith(
        "Доброе утро! Дарья Сергеевна, меня зовут Иванова Марина Сергеевна, я работаю специалистом по социальной работе"
    )
    # the notes field keeps the focus while the keys move the steps
    assert isinstance(pilot.app.focused, Input) and pilot.app.focused.id == "tp-note"
    await type_text(pilot, "Мама на работе, говорит спокойно")
    await pilot.press("enter")
    await next_step(pilot, 2)  # «Выяснение обстоятельств» -> «Уточняем»
    assert tp.step_id == "clarify"
    assert "Мы получили информацию от МАОУ СОШ № 2" in say(tp)
    await next_step(pilot, 2)
    assert tp.step_id == "presentation"


async def answer_planner_check(pilot, visit: VisitScreen) -> None:
    """The planner's check runs in the dialog: a visit past the referral's term asks for the reason there."""
    if isinstance(pilot.app.screen, VisitScreen) and visit.query_one("#visit-late").display:
        assert "позже срока" in str(visit.query_one("#visit-late FieldError").render())
        await click(pilot, "#visit-late-input")
        await type_text(pilot, "мама может только в пятницу")
        await pilot.press("enter")
        await settle(pilot)


def _db_call(call_id: int) -> m.PhoneCall:
    return m.PhoneCall.get_by_id(call_id)


async def test_sop03_agrees_plans_the_visit_and_marks_referral(store, staff):
    ids = make_family(staff)
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "spec", PASSWORD)
        tp = await start_call(pilot, ids["client"])
        call_id = tp.record.id
        await run_to_presentation(pilot, tp)
        await pilot.press("ctrl+n")  # a choice step: asks for the person's answer
        await wait_for_screen(pilot, BranchScreen)
        await pilot.press("1")  # Клиент соглашается
        visit = await wait_for_screen(pilot, VisitScreen)
        await fill_date_time(pilot, "27.11.2026", "11:00")
        await settle(pilot)
        await answer_planner_check(pilot, visit)
        tp = await wait_for_screen(pilot, TeleprompterScreen)
        assert tp.step_id == "agrees" and tp.branch == "agrees"
        assert "встречаемся 27.11.2026 11:00 у Вас дома" in say(tp)
        assert "паспорт законного представителя" in say(tp)
        await next_step(pilot)
        assert tp.step_id == "result"
        assert "встречаемся 27.11.2026 11:00 у Вас дома" in say(tp)
        await next_step(pilot)
        assert tp.step_id == "document"
        await pilot.press("f9")
        outcome = await wait_for_screen(pilot, OutcomeScreen)
        assert outcome.selected == "agrees"
        await pilot.press("enter")  # Enter in the summary field records the result
        await wait_for_screen(pilot, type(app.screen_stack[0]))
        await settle(pilot)

    call = _db_call(call_id)
    assert call.state == "finished" and call.outcome == "agrees"
    assert call.started_at == clock.now() and call.notice_sent_at == clock.now()
    assert "Мама на работе" in call.notes and "Мама на работе" in call.summary
    assert "Встреча на дому (первичный патронаж): 27.11.2026 11:00" in call.agreements
    assert (call.meeting_place, call.meeting_at) == ("home", dt.datetime(2026, 11, 27, 11, 0))
    entry = m.ServiceEntry.get(m.ServiceEntry.source_type == "call", m.ServiceEntry.source_id == call_id)
    # the minutes measured by the teleprompter, the SOP 03 norms (20+20+20) beside them as a limit
    assert (entry.sop, entry.units, entry.norm_minutes) == ("03", 1, 60)
    assert entry.minutes == entry.prep_minutes + entry.work_minutes + entry.doc_minutes < 60
    ref = m.Referral.get_by_id(ids["referral"])
    assert ref.first_contact_at == clock.now() and ref.first_contact_late is False
    v = m.PatronageVisit.get(m.PatronageVisit.drafted_by_call == call_id)
    # straight into the field-visit schedule, not a hidden draft (issue 13 point 8)
    assert (v.status, v.kind, v.ground) == ("planned", "primary", "prevention_request")
    assert [s.staff_id for s in v.staff_links] == [staff["spec"]]
    assert v.planned_start == dt.datetime(2026, 11, 27, 11, 0)
    assert "паспорт законного представителя" in v.documents_to_prepare
    assert v.referral_id == ids["referral"]


async def test_sop03_refuses_records_refusal(store, staff):
    ids = make_family(staff)
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "spec", PASSWORD)
        tp = await start_call(pilot, ids["client"])
        call_id = tp.record.id
        await run_to_presentation(pilot, tp)
        await pilot.press("f8")
        await wait_for_screen(pilot, BranchScreen)
        await pilot.press("2")  # Клиент отказывается
        tp = await wait_for_screen(pilot, TeleprompterScreen)
        assert tp.step_id == "refuses"
        assert say(tp).startswith("Дарья Сергеевна, возможно, Ваше мнение изменится в будущем")
        await next_step(pilot)
        assert "встречаемся" not in say(tp)  # no visit to repeat on refusal
        await next_step(pilot)
        await pilot.press("f9")
        await wait_for_screen(pilot, OutcomeScreen)
        await click(pilot, "#out-refusal Input")
        await type_text(pilot, "помощь не нужна")
        await pilot.press("enter")
        await settle(pilot, 4)
    call = _db_call(call_id)
    assert call.state == "finished" and call.outcome == "refuses"
    assert "Отказ от услуг: помощь не нужна" in call.agreements
    client = m.Client.get_by_id(ids["client"])
    assert client.status == "refused"
    assert m.ClientStatusChange.select().where(m.ClientStatusChange.client == client.id).count() == 1
    # the contacts are left: representative and phones untouched
    assert m.ContactPoint.select().where(m.ContactPoint.representative == ids["mother"]).count() == 2
    assert m.Referral.get_by_id(ids["referral"]).first_contact_at is not None
    assert not m.PatronageVisit.select().exists()
    assert m.ServiceEntry.select().where(m.ServiceEntry.source_id == call_id).get().units == 1


@pytest.mark.parametrize("branch_key,outcome,step", [("1", "no_answer", "greeting"), ("2", "callback", "greeting")])
async def test_sop03_no_answer_or_not_convenient_schedules_callback(store, staff, branch_key, outcome, step):
    ids = make_family(staff)
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "spec", PASSWORD)
        tp = await start_call(pilot, ids["client"])
        call_id = tp.record.id
        await send_notice(pilot)
        await next_step(pilot, 2)
        assert tp.step_id == step
        await pilot.press("f8")
        await wait_for_screen(pilot, BranchScreen)
        await pilot.press(branch_key)
        cb = await wait_for_screen(pilot, CallbackScreen)
        # a time in the past: message at the field, text kept
        await fill_date_time(pilot, "25.11.2026", "09:00")
        assert isinstance(app.screen, CallbackScreen)
        assert "уже прошло" in str(
            cb.query_one("#cb-date .-invalid, #cb-date FieldError").render()
        ) or "уже прошло" in str(cb.query_one("#cb-date FieldError").render())
        assert cb.query_one("#cb-date-input", Input).value == "25.11.2026"
        # Saturday: not a working day
        cb.query_one("#cb-date-input", Input).value = "28.11.2026"
        cb.query_one("#cb-time-input", Input).value = "10:00"
        await pilot.press("enter")
        await settle(pilot, 1)
        assert "нерабочий" in str(cb.query_one("#cb-date FieldError").render())
        # after 18:00: outside working hours
        cb.query_one("#cb-date-input", Input).value = "26.11.2026"
        cb.query_one("#cb-time-input", Input).value = "18:30"
        await pilot.press("enter")
        await settle(pilot, 1)
        assert "рабочее время" in str(cb.query_one("#cb-date FieldError").render())
        cb.query_one("#cb-time-input", Input).value = "14:00"
        cb.query_one("#cb-time-input", Input).focus()
        await pilot.press("enter")
        tp = await wait_for_screen(pilot, TeleprompterScreen)
        assert tp.step_id == "document" and tp.outcome == outcome
        steps = str(tp.query_one("#tp-steps").render())
        assert "✓ 3 Приветствие" in steps and "– 5 Уточняем" in steps  # skipped steps are not ticked
        await pilot.press("f9")
        await wait_for_screen(pilot, OutcomeScreen)
        await pilot.press("enter")
        await settle(pilot, 4)
    call = _db_call(call_id)
    assert call.state == "finished" and call.outcome == outcome
    reminder = m.Reminder.get(m.Reminder.call == call_id)
    assert (reminder.kind, reminder.due_at) == ("callback", dt.datetime(2026, 11, 26, 14, 0))
    ref = m.Referral.get_by_id(ids["referral"])
    # not answered, or not convenient: the phone log has the call, the service log nothing, and the
    # SOP 03 first contact is still to be made (issue 12)
    assert ref.first_contact_at is None
    assert not m.ServiceEntry.select().where(m.ServiceEntry.source_id == call_id).exists()
    # the callback shows on Today on its day
    from soptui.services import agenda as today_service
    from soptui.services import auth

    actor = auth.sign_in("spec", PASSWORD)
    items = today_service.collect(actor, dt.date(2026, 11, 26))
    assert any(i.target == ("reminder", reminder.id) and i.state == "today" for i in items)


async def test_off_hours_requires_reason(store, staff):
    ids = make_family(staff)
    clock.set_fixed(dt.datetime(2026, 11, 25, 18, 20))
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "spec", PASSWORD)
        app.open(NewCall(ids["client"]))
        await wait_for_screen(pilot, NewCallScreen)
        await pilot.press("enter")
        guard = await wait_for_screen(pilot, OffHoursScreen)
        assert "18:20" in str(guard.query_one(".form-error").render())
        await pilot.press("enter")  # no reason: refused at the field
        await settle(pilot, 1)
        assert isinstance(app.screen, OffHoursScreen)
        await type_text(pilot, "мама просила позвонить после работы")
        await pilot.press("enter")
        tp = await wait_for_screen(pilot, TeleprompterScreen)
        assert tp.record.off_hours_reason == "мама просила позвонить после работы"
    assert m.PhoneCall.get_by_id(tp.record.id).off_hours_reason == "мама просила позвонить после работы"


async def test_client_without_phone_gets_clear_message(store, staff):
    ids = make_family(staff, phone=False)
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "spec", PASSWORD)
        app.open(NewCall(ids["client"]))
        from soptui.widgets.dialogs import MessageScreen

        msg = await wait_for_screen(pilot, MessageScreen)
        assert "ни одного телефона" in str(msg.query_one("#message-text").render())
    assert not m.PhoneCall.select().exists()


async def test_resume_after_app_killed_mid_call(store, staff):
    ids = make_family(staff)
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "spec", PASSWORD)
        tp = await start_call(pilot, ids["client"])
        call_id = tp.record.id
        await send_notice(pilot)
        await next_step(pilot, 3)  # notice -> answer -> greeting -> circumstances
        await type_text(pilot, "Перезвонить бабушке")
        await pilot.press("enter")
        await type_text(pilot, "недописанная заметка")
        tp.timers.phases["prep"].accumulated = 300.0  # five minutes of preparation
        tp.save_now()
        await settle(pilot)
        assert tp.step_id == "circumstances"
        # the link dies: the app ends without the call being finished
    assert m.PhoneCall.get_by_id(call_id).state == "in_progress"

    app2 = make_app("Учреждение", "КЦСОН")
    async with app2.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "spec", PASSWORD)
        await pilot.press("f4")
        from soptui.widgets.dialogs import ConfirmDialog

        offer = await wait_for_screen(pilot, ConfirmDialog)
        assert "Выяснение обстоятельств" in offer.question
        await click(pilot, "#yes")
        tp2 = await wait_for_screen(pilot, TeleprompterScreen)
        assert tp2.record.id == call_id
        assert tp2.step_id == "circumstances"
        assert any("Перезвонить бабушке" in n for n in tp2.notes)
        assert tp2.query_one("#tp-note", Input).value == "недописанная заметка"
        # resuming never destroys: nothing is selected, the next keys continue the note (issue 11)
        await pilot.press("space", "x")
        assert tp2.query_one("#tp-note", Input).value == "недописанная заметка x"
        await pilot.press("backspace", "backspace")
        assert tp2.timers.seconds("prep") >= 300.0
        assert tp2.talk_started
        assert say(tp2) == "Вам удобно сейчас разговаривать?"


async def test_new_call_from_elsewhere_is_not_interrupted_by_resume_offer(store, staff):
    """An unfinished call exists; starting another call from the card must not pop "resume?" over it."""
    ids = make_family(staff)
    other = make_family(staff, with_referral=False)
    from soptui.core import session
    from soptui.services import auth, calls

    session.set_actor(auth.sign_in("spec", PASSWORD))
    unfinished = calls.start_call("03", other["client"], "representative", other["mother"], "+79123456789")
    session.set_actor(None)
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "spec", PASSWORD)
        app.open(NewCall(ids["client"]))  # the calls section mounts now and lists the unfinished call
        await wait_for_screen(pilot, NewCallScreen)
        await pilot.press("enter")
        tp = await wait_for_screen(pilot, TeleprompterScreen)
        for _ in range(5):
            await settle(pilot)
            assert app.screen is tp, f"the call was interrupted by {app.screen!r}"
        assert tp.record.id != unfinished
