"""Snapshot scenes of the dialogs of calls, clients and sign-in (issue 15 point 1: every dialog at 80x24 and 120x40).

Each scene signs in and drives the app like a user to the dialog, then settles it (scenes.settle).
The fixed clock is 25.11.2026 10:30 (Wed, working time); the head of department signs in (scenes.LOGIN).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

from scenes import LOGIN, _section, _today_target, freeze_timers, settle
from textual.pilot import Pilot

from soptui.demo import DEMO_PASSWORD
from soptui.screens.navigation import NewCall

from conftest import click, fill, paste, sign_in, until, wait_screen

# --- calls ---------------------------------------------------------------------------------------------------


async def _call(pilot: Pilot, sop: str | None = None):
    """A new call from Today's first client (SOP 03 suggested, a mobile number), under `sop` if given (picked
    in the dialog like a user): the teleprompter, its timers still."""
    await sign_in(pilot, LOGIN, DEMO_PASSWORD)
    pilot.app.open(NewCall(_today_target(pilot, "client").client_id))
    dialog = await wait_screen(pilot, "NewCallScreen")
    if sop and sop != dialog.sop:
        button = next(b for b in dialog.query("#newcall-sop RadioButton") if b.name == sop)
        await until(pilot, lambda: button.region.area, "the SOP's button laid out")
        assert await pilot.click(button)
        await until(pilot, lambda: dialog.sop == sop, f"SOP {sop} chosen")
        await click(pilot, "#start")
    else:
        await pilot.press("enter")  # the person the SOP calls first is highlighted
    tp = await wait_screen(pilot, "TeleprompterScreen")
    freeze_timers(tp)
    return tp


async def _notice_sent(pilot: Pilot):
    """SOP 03 §5 done: Ctrl+T, «Отправлено»; back on the teleprompter."""
    tp = await _call(pilot)
    await pilot.press("ctrl+t")
    await wait_screen(pilot, "NoticeSendScreen")
    await click(pilot, "#sent")
    await wait_screen(pilot, "TeleprompterScreen")
    await until(pilot, lambda: tp.notice_sent_at is not None, "notice recorded")
    return tp


async def _to_branch(pilot: Pilot):
    """SOP 03 up to the presentation, whose Ctrl+N asks for the person's answer."""
    tp = await _notice_sent(pilot)
    for _ in range(12):
        await pilot.press("ctrl+n")
        await until(pilot, lambda: True, "step saved")
        if type(pilot.app.screen).__name__ == "BranchScreen":
            break
    dialog = await wait_screen(pilot, "BranchScreen")
    return tp, dialog


async def _branch_to(pilot: Pilot, ask: str, screen: str) -> None:
    """At the presentation's answers, the one that asks `ask` (visit, callback): its dialog."""
    _, dialog = await _to_branch(pilot)
    tp = pilot.app.screen_stack[-2]
    ids = [bid for bid, _ in dialog.branches]
    index = next(i for i, bid in enumerate(ids) if tp.script.branch(bid).ask == ask)
    await pilot.press(str(index + 1))
    await wait_screen(pilot, screen)


async def notice_send(pilot: Pilot) -> None:
    """SOP 03 §5: the pre-notification's text to copy, «Отправлено» or why not."""
    await _call(pilot)
    await pilot.press("ctrl+t")
    await wait_screen(pilot, "NoticeSendScreen")
    await settle(pilot)


async def call_notice(pilot: Pilot) -> None:
    """Ctrl+R on the call after the notice: what the person did with the message."""
    await _notice_sent(pilot)
    await pilot.press("ctrl+r")
    await wait_screen(pilot, "NoticeScreen")
    await settle(pilot)


async def call_branch(pilot: Pilot) -> None:
    """The person's answer at the presentation (SOP 03): one line per branch."""
    await _to_branch(pilot)
    await settle(pilot)


async def call_visit(pilot: Pilot) -> None:
    """«Клиент соглашается»: where and when to meet, which documents to prepare."""
    await _branch_to(pilot, "visit", "VisitScreen")
    await settle(pilot)


async def call_callback(pilot: Pilot) -> None:
    """An answer that asks to call back: when."""
    await _branch_to(pilot, "callback", "CallbackScreen")
    await settle(pilot)


async def call_outcome(pilot: Pilot) -> None:
    """F9 after the notice: the result of the call."""
    await _notice_sent(pilot)
    await pilot.press("f9")
    await wait_screen(pilot, "OutcomeScreen")
    await settle(pilot)


async def call_details(pilot: Pilot) -> None:
    """SOP 01: F9 asks the ground and the channel first."""
    tp = await _call(pilot, "01")
    assert tp.script.sop == "01"
    await pilot.press("f9")
    await wait_screen(pilot, "DetailsScreen")
    await settle(pilot)


async def call_sessions(pilot: Pilot) -> None:
    """SOP 02: the sessions agreed with the client, asked on the step that needs them."""
    tp = await _call(pilot, "02")
    assert tp.script.sop == "02"
    for _ in range(6):
        await pilot.press("ctrl+n")
        await until(pilot, lambda: True, "step saved")
        if type(pilot.app.screen).__name__ == "SessionsScreen":
            break
    await wait_screen(pilot, "SessionsScreen")
    await settle(pilot)


async def call_off_hours(pilot: Pilot) -> None:
    """The same evening at 19:30: a call outside working time needs a recorded reason."""
    from soptui.core import clock

    await sign_in(pilot, LOGIN, DEMO_PASSWORD)
    clock.set_fixed(dt.datetime(2026, 11, 25, 19, 30))  # the fixture puts the clock back after the test
    pilot.app.open(NewCall(_today_target(pilot, "client").client_id))
    await wait_screen(pilot, "NewCallScreen")
    await pilot.press("enter")
    await wait_screen(pilot, "OffHoursScreen")
    await settle(pilot)


async def call_conflict(pilot: Pilot) -> None:
    """The same call saved at another workstation meanwhile: what they saved, what is typed here."""
    from soptui.services import calls

    tp = await _notice_sent(pilot)
    calls.save_progress(
        tp.record.id, {"notes": ["10:30 [Ответ] там: перезвонить после обеда"]}, "answer", "", "там", 0, 0, 0
    )
    await paste(pilot, "мама на работе, папа дома")
    await pilot.press("enter")
    await wait_screen(pilot, "CallConflictScreen")
    await settle(pilot)


async def _calls_row(pilot: Pilot, wanted: Callable[[object], bool]) -> None:
    """The calls section with the cursor on the first row `wanted` picks."""
    await _section(pilot, "f4", "calls")
    screen = pilot.app.screen
    await until(pilot, lambda: screen.rows, "calls listed")
    index = next(i for i, row in enumerate(screen.rows) if wanted(row))
    for _ in range(index):
        await pilot.press("down")


async def call_card(pilot: Pilot) -> None:
    """Enter on a finished call: its «Телефонные переговоры» entry."""
    await _calls_row(pilot, lambda row: row.state == "finished")
    await pilot.press("enter")
    await wait_screen(pilot, "CallCardScreen")
    await settle(pilot)


async def call_feedback(pilot: Pilot) -> None:
    """O on a finished call's card: the client's feedback on the talk."""
    await _calls_row(pilot, lambda row: row.state == "finished")
    await pilot.press("enter")
    await wait_screen(pilot, "CallCardScreen")
    await pilot.press("o")
    dialog = await wait_screen(pilot, "CallFeedbackDialog")
    await until(pilot, lambda: dialog.loaded, "feedback loaded")
    await settle(pilot)


async def call_reminder(pilot: Pilot) -> None:
    """A callback from Today: call now, mark done or close."""
    await sign_in(pilot, LOGIN, DEMO_PASSWORD)
    pilot.app.open(_today_target(pilot, "reminder"))
    await wait_screen(pilot, "ReminderScreen")
    await settle(pilot)


async def client_picker(pilot: Pilot) -> None:
    """N in the calls section: whom to call."""
    await _section(pilot, "f4", "calls")
    await until(pilot, lambda: pilot.app.screen.rows, "calls listed")
    await pilot.press("n")
    await wait_screen(pilot, "ClientPickerScreen")
    await settle(pilot)


# --- clients -------------------------------------------------------------------------------------------------


async def _card(pilot: Pilot):
    """The card of Today's first client, loaded, its keys in the footer."""
    await sign_in(pilot, LOGIN, DEMO_PASSWORD)
    pilot.app.open(_today_target(pilot, "client"))
    card = await wait_screen(pilot, "ClientCardScreen")
    await until(pilot, lambda: card.card is not None, "card loaded")
    await until(pilot, lambda: any(k.key == "s" for k in pilot.app.screen.query("FooterKey")), "the card's keys")
    return card


async def client_status(pilot: Pilot) -> None:
    """S on a client's card: the new status and why."""
    await _card(pilot)
    await pilot.press("s")
    await wait_screen(pilot, "StatusDialog")
    await settle(pilot)


async def client_person(pilot: Pilot) -> None:
    """P on a client's card: a representative, relative or friend."""
    await _card(pilot)
    await pilot.press("p")
    dialog = await wait_screen(pilot, "PersonDialog")
    await until(pilot, lambda: dialog.loaded, "person form ready")
    await settle(pilot)


async def client_duplicate(pilot: Pilot) -> None:
    """A new client typed with the name and birth date of one already in the registry: Ctrl+S warns."""
    from soptui.db import models as m

    await _section(pilot, "f3", "clients")
    await until(pilot, lambda: pilot.app.screen.is_mounted, "clients")
    existing = (
        m.Client.select().where(m.Client.department == pilot.app.actor.department_id).order_by(m.Client.id).first()
    )
    await pilot.press("ctrl+n")
    form = await wait_screen(pilot, "ClientFormScreen")
    await until(pilot, lambda: form.loaded, "client form ready")
    for field, text in [
        ("#f-last", existing.last_name),
        ("#f-first", existing.first_name),
        ("#f-patr", existing.patronymic),
        ("#f-birth", existing.birth_date.strftime("%d.%m.%Y")),
    ]:
        await fill(pilot, form.query_one(field), text)
    await pilot.press("ctrl+s")
    await wait_screen(pilot, "DuplicateDialog")
    await settle(pilot)


async def intake_register(pilot: Pilot) -> None:
    """Ctrl+O in «Клиенты»: the intake register for the month so far."""
    await _section(pilot, "f3", "clients")
    await pilot.press("ctrl+o")
    screen = await wait_screen(pilot, "IntakeRegisterScreen")
    await until(pilot, lambda: "записей" in str(screen.query_one("#ir-status").render()), "register loaded")
    await settle(pilot)


# --- sign-in --------------------------------------------------------------------------------------------------


async def sign_in_screen(pilot: Pilot) -> None:
    """The first picture a user sees: login and password, the institution's name."""
    screen = await wait_screen(pilot, "SignInScreen")
    await until(pilot, pilot.app.store_ready.is_set, "store open")
    await until(pilot, lambda: screen.institution, "the institution's name shown")
    await settle(pilot)


async def first_run(pilot: Pilot) -> None:
    """An empty store: the administrator is created first. The demo store has users, so the scene takes the app's
    own path for a store without any (SoptuiApp._store_opened with has_users=False)."""
    await until(pilot, pilot.app.store_ready.is_set, "store open")
    await wait_screen(pilot, "SignInScreen")
    pilot.app._store_opened(pilot.app.institution, pilot.app.institution_short, False)
    await wait_screen(pilot, "FirstRunScreen")
    await settle(pilot)


async def lock(pilot: Pilot) -> None:
    """Ctrl+L (or the idle lock): the screen hidden, the same person's password unlocks."""
    await sign_in(pilot, LOGIN, DEMO_PASSWORD)
    await pilot.press("ctrl+l")
    await wait_screen(pilot, "LockScreen")
    await settle(pilot)


SCENES: dict[str, Callable[[Pilot], Awaitable[None]]] = {
    "call_card": call_card,
    "call_feedback": call_feedback,
    "call_reminder": call_reminder,
    "call_notice_send": notice_send,
    "call_notice": call_notice,
    "call_branch": call_branch,
    "call_visit": call_visit,
    "call_callback": call_callback,
    "call_outcome": call_outcome,
    "call_details": call_details,
    "call_sessions": call_sessions,
    "call_off_hours": call_off_hours,
    "call_conflict": call_conflict,
    "client_picker": client_picker,
    "client_status": client_status,
    "client_person": client_person,
    "client_duplicate": client_duplicate,
    "intake_register": intake_register,
    "sign_in": sign_in_screen,
    "first_run": first_run,
    "lock": lock,
}
