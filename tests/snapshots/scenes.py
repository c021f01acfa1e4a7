"""What each snapshot shows: the app built by the production factory on the demo store, signed in, driven
to one section or dialog like a user. Shared by tests/snapshots/test_snapshots.py and
tools/readme_screenshot.py, so the README image comes from the very same code path as the snapshots.

The demo store is dated by the fixed clock (conftest.FIXED_NOW); every scene waits for the workers to
load the lists and stops the cursor blinking before the picture is taken.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from soptui.app import SoptuiApp, make_app
from soptui.demo import DEMO_PASSWORD
from soptui.screens.navigation import NewCall, OpenClient, OpenSession, target_of

from conftest import sign_in, until, wait_screen

SIZES = [(80, 24), (120, 40)]
LOGIN = "head"  # the head of the day-care department sees calls, visits and groups of the whole department


def build_app() -> SoptuiApp:
    """The app as the CLI builds it (the store is bound before, as the CLI's start-up does)."""
    return make_app("Учреждение", "КЦСОН")


async def settle(pilot: Pilot) -> None:
    """Workers done, lists filled, no blinking cursor, no toast: the same picture every run."""
    await until(pilot, lambda: pilot.app.screen.is_mounted, "screen mounted")
    app = pilot.app
    for widget in app.screen.query(Input):
        widget.cursor_blink = False
    for widget in app.screen.query(TextArea):
        widget.cursor_blink = False
        # TextArea caches its lines under a key that omits the cursor once the blink is off, so a line painted
        # in the blink's "off" phase stayed cursor-less; on a busy machine the phase differed. Paint afresh.
        widget.notify_style_update()
        widget.refresh()
    app.clear_notifications()
    await until(pilot, lambda: True, "workers done")
    await pilot.pause()
    await pilot.pause(0.2)  # the footer re-checks which keys apply once the loaded data is shown
    await pilot.pause()


async def _section(pilot: Pilot, key: str, mode: str) -> None:
    await sign_in(pilot, LOGIN, DEMO_PASSWORD)
    await pilot.press(key)
    await until(pilot, lambda: pilot.app.current_mode == mode and pilot.app.screen.is_mounted, f"section {mode}")


def _today_target(pilot: Pilot, kind: str):
    """The first Today row pointing at a `kind` ("client", "session"...), as a typed target."""
    for item in pilot.app.screen.items:  # Today is on top right after sign-in
        if item.target[0] == kind:
            return target_of(item.target)
    raise AssertionError(f"no {kind} on Today of the demo store")


async def today(pilot: Pilot) -> None:
    await sign_in(pilot, LOGIN, DEMO_PASSWORD)
    await settle(pilot)


async def clients(pilot: Pilot) -> None:
    await _section(pilot, "f3", "clients")
    await settle(pilot)


async def client_card(pilot: Pilot) -> None:
    await sign_in(pilot, LOGIN, DEMO_PASSWORD)
    target = _today_target(pilot, "client")
    assert isinstance(target, OpenClient)
    pilot.app.open(target)
    await wait_screen(pilot, "ClientCardScreen")
    await until(pilot, lambda: pilot.app.screen.card is not None, "card loaded")
    await until(
        pilot, lambda: any(k.key == "e" for k in pilot.app.screen.query("FooterKey")), "the card's keys in the footer"
    )
    await settle(pilot)


async def calls(pilot: Pilot) -> None:
    await _section(pilot, "f4", "calls")
    await settle(pilot)


async def teleprompter(pilot: Pilot) -> None:
    await sign_in(pilot, LOGIN, DEMO_PASSWORD)
    target = _today_target(pilot, "client")
    pilot.app.open(NewCall(target.client_id))
    await wait_screen(pilot, "NewCallScreen")
    await pilot.press("enter")
    freeze_timers(await wait_screen(pilot, "TeleprompterScreen"))
    await settle(pilot)


def freeze_timers(tp) -> None:
    """The teleprompter's step and phase timers stand at 00:00 whatever the machine's load (they run on
    monotonic time)."""
    timers = tp.timers
    for watch in [*timers.phases.values(), timers.step]:
        watch.accumulated = 0.0
        watch.started = 0.0 if watch.started is not None else None
        watch.clock = timers.clock = lambda: 0.0
    tp._tick()


async def patronage(pilot: Pilot) -> None:
    await _section(pilot, "f5", "patronage")
    await settle(pilot)


async def groups(pilot: Pilot) -> None:
    await _section(pilot, "f6", "groups")
    await settle(pilot)


async def roll_call(pilot: Pilot) -> None:
    await sign_in(pilot, LOGIN, DEMO_PASSWORD)
    target = _today_target(pilot, "session")
    assert isinstance(target, OpenSession)
    pilot.app.open(target)
    await wait_screen(pilot, "RollCallScreen")
    await settle(pilot)


async def informing(pilot: Pilot) -> None:
    """The first club's card, U on its session of today: who was informed, how and when (SOP 05 stage 2)."""
    await _section(pilot, "f6", "groups")
    await until(pilot, lambda: getattr(pilot.app.screen, "clubs", None), "clubs listed")
    await pilot.press("enter")
    club = await wait_screen(pilot, "ClubScreen")
    await until(pilot, lambda: club.card is not None, "club card loaded")
    await pilot.pause(0.2)
    await pilot.press("u")
    dialog = await wait_screen(pilot, "InformingDialog")
    await until(pilot, lambda: dialog.data is not None, "participants listed")
    await settle(pilot)


async def journal(pilot: Pilot) -> None:
    await _section(pilot, "f7", "journal")
    await settle(pilot)


async def client_form(pilot: Pilot) -> None:
    await _section(pilot, "f3", "clients")
    await pilot.press("ctrl+n")
    await wait_screen(pilot, "ClientFormScreen")
    await settle(pilot)


async def referral_form(pilot: Pilot) -> None:
    await _section(pilot, "f3", "clients")
    await pilot.press("ctrl+r")
    await wait_screen(pilot, "ReferralFormScreen")
    await settle(pilot)


async def _admin(pilot: Pilot, tab: str = "1") -> None:
    """«Администрирование» as the demo administrator; the output folder fixed (the default one is the machine's)."""
    from soptui.db import models as m

    m.Institution.update(output_dir="/srv/soptui/pdf").execute()
    await sign_in(pilot, "admin", DEMO_PASSWORD)
    await pilot.press("f8")
    screen = await wait_screen(pilot, "AdminScreen")
    await until(pilot, lambda: screen.query_one("#staff-pane").page is not None, "staff list")
    await pilot.press(tab)
    await pilot.pause()


async def admin_staff(pilot: Pilot) -> None:
    await _admin(pilot)
    await settle(pilot)


async def admin_staff_form(pilot: Pilot) -> None:
    await _admin(pilot)
    await pilot.press("enter")
    form = await wait_screen(pilot, "StaffFormScreen")
    await until(pilot, lambda: form.loaded, "staff form loaded")
    await settle(pilot)


async def admin_institution(pilot: Pilot) -> None:
    await _admin(pilot, "2")
    await pilot.press("e")
    form = await wait_screen(pilot, "InstitutionFormScreen")
    await until(pilot, lambda: form.loaded, "institution form loaded")
    await settle(pilot)


async def admin_calendar(pilot: Pilot) -> None:
    await _admin(pilot, "3")
    grid = pilot.app.screen.query_one("YearCalendar")
    await until(pilot, lambda: grid.year_view is not None, "calendar loaded")
    await settle(pilot)


def _first_planned_visit(kind: str) -> int:
    from soptui.db import models as m

    visit = (
        m.PatronageVisit.select()
        .where((m.PatronageVisit.kind == kind) & (m.PatronageVisit.status == "planned"))
        .order_by(m.PatronageVisit.planned_start, m.PatronageVisit.id)
        .first()
    )
    assert visit is not None, f"no planned {kind} visit in the demo store"
    return visit.id


async def visit(pilot: Pilot) -> None:
    from soptui.screens.navigation import OpenVisit

    await sign_in(pilot, LOGIN, DEMO_PASSWORD)
    pilot.app.open(OpenVisit(_first_planned_visit("planned")))
    await wait_screen(pilot, "VisitDoScreen")
    await settle(pilot)


async def housing_act(pilot: Pilot) -> None:
    """The housing act as the form opens it on a primary visit (prefilled from the card and the visit)."""
    from soptui.screens.patronage.act_form import ActFormScreen

    await sign_in(pilot, LOGIN, DEMO_PASSWORD)
    act = ActFormScreen(_first_planned_visit("primary"), "housing")
    pilot.app.push_screen(act)
    await until(pilot, lambda: act.loaded, "act loaded")
    await settle(pilot)


async def new_call(pilot: Pilot) -> None:
    """The call's first dialog: whom to call, under which SOP."""
    await sign_in(pilot, LOGIN, DEMO_PASSWORD)
    target = _today_target(pilot, "client")
    pilot.app.open(NewCall(target.client_id))
    await wait_screen(pilot, "NewCallScreen")
    await settle(pilot)


async def visit_form(pilot: Pilot) -> None:
    """Planning a visit for a client (the planner's checks shown in the form)."""
    from soptui.screens.navigation import NewVisit

    await sign_in(pilot, LOGIN, DEMO_PASSWORD)
    target = _today_target(pilot, "client")
    pilot.app.open(NewVisit(target.client_id))
    await wait_screen(pilot, "VisitFormScreen")
    await settle(pilot)


async def club_form(pilot: Pilot) -> None:
    await _section(pilot, "f6", "groups")
    await pilot.press("n")
    await wait_screen(pilot, "ClubFormScreen")
    await settle(pilot)


async def help_keys(pilot: Pilot) -> None:
    """F1 on the planner: the screen's own keys in Russian."""
    await _section(pilot, "f5", "patronage")
    await pilot.press("f1")
    await wait_screen(pilot, "HelpScreen")
    await settle(pilot)


SCENES: dict[str, Callable[[Pilot], Awaitable[None]]] = {
    "today": today,
    "clients": clients,
    "client_card": client_card,
    "calls": calls,
    "teleprompter": teleprompter,
    "patronage": patronage,
    "groups": groups,
    "roll_call": roll_call,
    "informing": informing,
    "journal": journal,
    "client_form": client_form,
    "referral_form": referral_form,
    "admin_staff": admin_staff,
    "admin_staff_form": admin_staff_form,
    "admin_institution": admin_institution,
    "admin_calendar": admin_calendar,
    "visit": visit,
    "housing_act": housing_act,
    "new_call": new_call,
    "visit_form": visit_form,
    "club_form": club_form,
    "help_keys": help_keys,
}


def screenshot(scene: str, size: tuple[int, int]) -> str:
    """The SVG of a scene, taken the way snap_compare takes it (textual._doc.take_svg_screenshot)."""
    from textual._doc import take_svg_screenshot

    return take_svg_screenshot(build_app(), terminal_size=size, run_before=SCENES[scene])
