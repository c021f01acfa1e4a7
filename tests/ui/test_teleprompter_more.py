"""Pilot tests: SOP 01 and SOP 02 calls end to end, timer colours and pause, the Звонки log PDF, Today reminders."""

from __future__ import annotations

import datetime as dt
import io

from pypdf import PdfReader
from test_teleprompter import next_step, say, settle, type_text, wait_for_screen
from textual.widgets import Input

from soptui.app import make_app
from soptui.db import models as m
from soptui.screens.calls.call_list import CallsScreen, ReminderScreen
from soptui.screens.calls.dialogs import BranchScreen, DetailsScreen, NewCallScreen, OutcomeScreen, SessionsScreen
from soptui.screens.calls.teleprompter import TeleprompterScreen
from soptui.screens.navigation import NewCall, OpenReminder
from soptui.services import calls

from calls_helpers import make_family, make_ready
from conftest import PASSWORD, click, sign_in


async def open_new_call(pilot, client_id: int, purpose: str = "") -> TeleprompterScreen:
    pilot.app.open(NewCall(client_id))
    dialog = await wait_for_screen(pilot, NewCallScreen)
    if purpose:
        dialog.query_one("#newcall-purpose-input", Input).value = purpose
    await pilot.press("enter")
    return await wait_for_screen(pilot, TeleprompterScreen)


async def test_sop01_call_records_control_points(store, staff):
    ids = make_family(staff, with_referral=False)
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "spec", PASSWORD)
        tp = await open_new_call(pilot, ids["client"], "обсудить занятия с логопедом")
        call_id = tp.record.id
        assert tp.script.sop == "01" and tp.step_id == "prepare"
        assert "Цель звонка: обсудить занятия с логопедом" in say(tp)
        # SOP 01 §5: the ground and the channel are recorded before the talk
        await pilot.press("ctrl+n")
        details = await wait_for_screen(pilot, DetailsScreen)
        await pilot.press("down", "down", "enter")  # «невозможно … лично: риск заразиться»
        details.query_one("#details-channel").value = "zoom"
        await click(pilot, "#ok")
        await wait_for_screen(pilot, TeleprompterScreen)
        await settle(pilot)
        assert tp.step_id == "greeting"
        await pilot.press("pageup")
        await settle(pilot, 1)
        assert "Основание: невозможно провести патронаж, консультирование лично: риск заразиться." in say(tp)
        assert "Способ связи: видеозвонок Zoom." in say(tp)
        stored = m.PhoneCall.get_by_id(call_id)
        assert (stored.ground, stored.channel) == ("infection", "zoom")
        await next_step(pilot)
        assert say(tp).startswith("Доброе утро! Государственное автономное учреждение")
        assert "специалист по социальной работе Иванова Марина Сергеевна" in say(tp)
        await pilot.press("pagedown")  # PageDown works as well while the notes field has the focus
        await settle(pilot, 1)
        assert tp.step_id == "convenient" and app.focused.id == "tp-note"
        await pilot.press("pageup")
        await settle(pilot, 1)
        assert tp.step_id == "greeting"
        await next_step(pilot, 3)
        assert say(tp) == "Дарья Сергеевна, я звоню Вам, чтобы обсудить занятия с логопедом"
        await next_step(pilot, 5)
        assert tp.step_id == "close"
        assert "Спасибо, что уделили мне время, Дарья Сергеевна!" in say(tp)
        await next_step(pilot)
        assert tp.step_id == "document"
        await next_step(pilot)  # "next" on the last step records the result
        outcome = await wait_for_screen(pilot, OutcomeScreen)
        assert outcome.selected == "done"
        outcome.query_one("#out-control-input", Input).value = "02.12.2026 15:00; 28.11.2026 10:00"
        outcome.query_one("#out-frequency Input", Input).value = "раз в неделю"
        outcome.query_one("#out-control-input", Input).focus()
        await pilot.press("enter")
        await settle(pilot, 1)
        # 28.11.2026 is a Saturday: the message is at the field, the text stays
        assert isinstance(app.screen, OutcomeScreen)
        assert "рабочий день" in str(outcome.query_one("#out-control FieldError").render())
        assert outcome.query_one("#out-control-input", Input).value == "02.12.2026 15:00; 28.11.2026 10:00"
        outcome.query_one("#out-control-input", Input).value = "02.12.2026 15:00; 09.12.2026 15:00"
        await pilot.press("enter")
        await settle(pilot, 4)
    points = [
        r.due_at
        for r in m.Reminder.select()
        .where((m.Reminder.call == call_id) & (m.Reminder.kind == "control_point"))
        .order_by(m.Reminder.due_at)
    ]
    assert points == [dt.datetime(2026, 12, 2, 15, 0), dt.datetime(2026, 12, 9, 15, 0)]
    call = m.PhoneCall.get_by_id(call_id)
    assert call.state == "finished" and call.purpose == "обсудить занятия с логопедом"
    assert "Периодичность контактов: раз в неделю." in call.agreements
    assert m.ServiceEntry.get(m.ServiceEntry.source_id == call_id).norm_minutes == 95  # the norm, beside the measured


async def test_sop02_call_creates_sessions(store, staff):
    ids = make_family(staff, category="elderly", with_referral=False)
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "spec", PASSWORD)
        tp = await open_new_call(pilot, ids["client"])
        call_id = tp.record.id
        assert tp.script.sop == "02" and tp.record.callee_name == "Котова Нина Петровна (бабушка)"
        await next_step(pilot)
        assert tp.step_id == "schedule"
        # SOP 02: the date, time and frequency are agreed with the client first, and stored
        await pilot.press("ctrl+n")
        mine = await wait_for_screen(pilot, SessionsScreen)
        assert "с клиентом" in str(mine.query_one(".dialog-title").render())
        await type_text(pilot, "27.11.2026")
        await pilot.press("tab")
        await type_text(pilot, "16:00")
        mine.query_one("#sess-until Input", Input).value = "25.12.2026"
        await pilot.press("enter")
        await wait_for_screen(pilot, TeleprompterScreen)
        await settle(pilot)
        assert tp.step_id == "relatives"
        stored = m.PhoneCall.get_by_id(call_id)
        assert (stored.client_session_at, stored.client_session_every_days, stored.client_session_until) == (
            dt.datetime(2026, 11, 27, 16, 0),
            7,
            dt.date(2026, 12, 25),
        )
        assert "Котова Нина Петровна (бабушка), +7 (922) 000-11-22" in say(tp)
        assert "Viber" in say(tp)
        await next_step(pilot)
        assert tp.step_id == "can_call"
        # the preliminary call to relatives is the branch for a client who cannot call alone
        await pilot.press("ctrl+n")
        await wait_for_screen(pilot, BranchScreen)
        await pilot.press("1")  # не может позвонить сам
        await wait_for_screen(pilot, TeleprompterScreen)
        await settle(pilot)
        assert tp.step_id == "greeting" and tp.branch == "relay"
        await next_step(pilot, 3)
        assert tp.step_id == "agree_sessions"
        await pilot.press("ctrl+n")  # the relay branch does not answer this step's choice
        await wait_for_screen(pilot, BranchScreen)
        await pilot.press("1")
        sessions = await wait_for_screen(pilot, SessionsScreen)
        # the relatives are offered what the client agreed to
        assert sessions.query_one("#sess-date-input", Input).value == "27.11.2026"
        assert sessions.query_one("#sess-time-input", Input).value == "16:00"
        await pilot.press("enter")
        tp = await wait_for_screen(pilot, TeleprompterScreen)
        assert tp.step_id == "close" and "Первый сеанс связи: 27.11.2026 16:00" in say(tp)
        await next_step(pilot)
        await pilot.press("f9")
        await wait_for_screen(pilot, OutcomeScreen)
        await type_text(pilot, "Нина Петровна рада созваниваться")
        await pilot.press("enter")
        await settle(pilot, 4)
    rows = list(m.Reminder.select().where(m.Reminder.call == call_id).order_by(m.Reminder.due_at))
    assert [r.due_at.date() for r in rows] == [
        dt.date(2026, 11, 27),
        dt.date(2026, 12, 4),
        dt.date(2026, 12, 11),
        dt.date(2026, 12, 18),
        dt.date(2026, 12, 25),
    ]
    assert {r.kind for r in rows} == {"messenger_session"} and rows[0].channel == "viber"
    call = m.PhoneCall.get_by_id(call_id)
    assert call.outcome == "agreed" and call.summary == "Нина Петровна рада созваниваться"


async def test_timer_colours_and_pause(store, staff):
    ids = make_family(staff)
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "spec", PASSWORD)
        tp = await open_new_call(pilot, ids["client"])
        assert tp.timer_levels()["prep"] == "ok"
        tp.timers.phases["prep"].accumulated = 16 * 60 + 5  # 80 % of the 20-minute norm
        tp._render_timers()
        assert tp.timer_levels()["prep"] == "warn"
        rendered = tp.query_one("#tp-timers").render()
        assert any("yellow" in str(span.style) for span in rendered.spans)
        tp.timers.phases["prep"].accumulated = 20 * 60 + 5
        tp._render_timers()
        assert tp.timer_levels()["prep"] == "over"
        assert any("red" in str(span.style) for span in tp.query_one("#tp-timers").render().spans)
        await pilot.press("f12")
        await settle(pilot, 1)
        assert tp.timers.paused
        frozen = tp.timers.seconds("prep")
        await pilot.pause(0.3)
        assert tp.timers.seconds("prep") == frozen
        assert "ПАУЗА" in str(tp.query_one("#tp-timers").render())
        await pilot.press("f12")
        await pilot.pause(0.2)
        assert not tp.timers.paused and tp.timers.seconds("prep") > frozen


async def test_log_pdf_from_the_calls_section(store, staff, tmp_path, monkeypatch):
    monkeypatch.setenv("SOPTUI_OUTPUT", str(tmp_path))
    ids = make_family(staff)
    from soptui.core import session
    from soptui.services import auth

    session.set_actor(auth.sign_in("spec", PASSWORD))
    ctx = calls.call_context(ids["client"])
    p = calls.default_person(ctx, "03")
    call_id = calls.start_call("03", ids["client"], p.kind, p.id, p.phones[0])
    calls.save_progress(call_id, {}, "greeting", "", "", 60, 0, 0, talk_started=True)
    make_ready(call_id, "03")
    calls.finish_call(call_id, calls.CallOutcome("refuses", summary="помощь пока не нужна", talk_seconds=200))
    session.set_actor(None)
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "spec", PASSWORD)
        await pilot.press("f4")
        screen = await wait_for_screen(pilot, CallsScreen)
        await settle(pilot)
        assert screen.rows[0].id == call_id and screen.rows[0].outcome_label == "отказ"
        await pilot.press("p")  # the selected call's form
        await settle(pilot, 4)
        form = screen.last_pdf
        assert form is not None and form.exists()
        text = "\n".join(pg.extract_text() for pg in PdfReader(io.BytesIO(form.read_bytes())).pages)
        assert "Телефонные переговоры" in text and "помощь пока не нужна" in text
        screen.query_one("#calls-tabs").active = "tab-log"
        await settle(pilot)
        assert len(screen.log_rows) == 1
        await pilot.press("p")
        await settle(pilot, 4)
        log = screen.last_pdf
        assert log.name.startswith("Журнал телефонных переговоров 01.11.2026-25.11.2026")
        text = "\n".join(pg.extract_text() for pg in PdfReader(io.BytesIO(log.read_bytes())).pages)
        assert "Журнал «Телефонные переговоры»" in text and "Котова Дарья" in text


async def test_reminder_from_today_starts_the_callback(store, staff):
    ids = make_family(staff)
    from soptui.core import session
    from soptui.services import auth

    session.set_actor(auth.sign_in("spec", PASSWORD))
    ctx = calls.call_context(ids["client"])
    p = calls.default_person(ctx, "03")
    first = calls.start_call("03", ids["client"], p.kind, p.id, p.phones[0])
    make_ready(first, "03")
    calls.finish_call(first, calls.CallOutcome("no_answer", callback_at=dt.datetime(2026, 11, 25, 15, 0)))
    reminder = m.Reminder.get(m.Reminder.call == first)
    session.set_actor(None)
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "spec", PASSWORD)
        await settle(pilot)
        today_screen = app.screen
        targets = [i.target for i in today_screen.items]
        assert ("reminder", reminder.id) in targets
        app.open(OpenReminder(reminder.id))
        await wait_for_screen(pilot, ReminderScreen)
        await click(pilot, "#call")
        await wait_for_screen(pilot, NewCallScreen)
        await pilot.press("enter")
        tp = await wait_for_screen(pilot, TeleprompterScreen)
        assert tp.reminder_id == reminder.id and tp.record.sop == "03"


async def test_broken_script_stops_the_call_before_it_starts(store, staff, tmp_path, monkeypatch):
    import shutil

    from soptui.domain.calls import scripts as callscripts
    from soptui.widgets.dialogs import MessageScreen

    for sop in ("01", "02", "03"):
        shutil.copy(callscripts.script_path(sop), tmp_path / f"sop{sop}.toml")
    broken = tmp_path / "sop02.toml"
    lines = broken.read_text(encoding="utf-8").splitlines()
    lines[30] = 'say = "{person_io, Вам удобно"'
    broken.write_text("\n".join(lines), encoding="utf-8")
    monkeypatch.setattr(callscripts, "SCRIPTS_DIR", tmp_path)
    ids = make_family(staff)
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "spec", PASSWORD)
        app.open(NewCall(ids["client"]))
        msg = await wait_for_screen(pilot, MessageScreen)
        text = str(msg.query_one("#message-text").render())
        assert "«sop02.toml»" in text and "строка" in text
    assert not m.PhoneCall.select().exists()


def make_family_with_calls(staff, finished: bool) -> int:
    """A family with a SOP 03 call waiting for an answer to its SMS notice (and, if `finished`, one refused
    before it); returns the waiting call's id."""
    from soptui.core import session
    from soptui.services import auth

    ids = make_family(staff)
    session.set_actor(auth.sign_in("spec", PASSWORD))
    ctx = calls.call_context(ids["client"])
    p = calls.default_person(ctx, "03")
    if finished:
        done = calls.start_call("03", ids["client"], p.kind, p.id, p.phones[0])
        make_ready(done, "03")
        calls.finish_call(done, calls.CallOutcome("refuses", summary="не нуждаются"))
    waiting = calls.start_call("03", ids["client"], p.kind, p.id, p.phones[0])
    calls.record_notice_sent(waiting)
    session.set_actor(None)
    return waiting


async def _calls_section(pilot) -> CallsScreen:
    await sign_in(pilot, "spec", PASSWORD)
    await pilot.press("f4")
    screen = await wait_for_screen(pilot, CallsScreen)
    await settle(pilot)
    return screen


async def test_calls_list_notice_answer_and_finished_call_card(store, staff):
    from soptui.screens.calls.call_list import CallCardScreen
    from soptui.screens.calls.dialogs import NoticeScreen

    waiting = make_family_with_calls(staff, finished=True)
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _calls_section(pilot)
        assert screen.rows[0].id == waiting
        assert screen.rows[0].notice == "уведомление отправлено, ответа нет (с 10:30)"
        await pilot.press("o")
        await wait_for_screen(pilot, NoticeScreen)
        await type_text(pilot, "14:30")
        await pilot.press("enter")
        await wait_for_screen(pilot, CallsScreen)
        await settle(pilot, 3)
        assert screen.rows[0].notice == "позвонить в 14:30"
        await pilot.press("down")
        await pilot.press("enter")
        card = await wait_for_screen(pilot, CallCardScreen)
        assert card.entry.summary == "не нуждаются" and card.entry.outcome == "отказ"


async def test_at_120_columns_every_call_column_is_on_screen_and_a_shortened_row_is_said_whole(store, staff):
    """The list at 120x40: all eight columns within the screen (the callee as «Фамилия И.О. (мать)», the SMS line
    cut to what is left), and the line above the list says the highlighted row in full."""

    waiting = make_family_with_calls(staff, finished=False)
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _calls_section(pilot)
        table = screen.query_one("#calls-table")
        assert table.virtual_size.width <= 120, table.virtual_size
        row = screen.rows[0]
        cells = [str(c) for c in table.get_row_at(0)]
        assert row.callee.endswith(")") and cells[4].endswith(")") and len(cells[4]) < len(row.callee)
        assert cells[5] == row.phone and cells[7] == str(waiting)
        hint = str(screen.query_one("#calls-hint").render())
        assert row.client_name in hint and row.notice in hint and row.callee in hint, hint
