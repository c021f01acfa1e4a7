"""Snapshot scenes of the dialogs of groups, patronage, administration and the shared widgets (issue 15 point 1: every dialog at 80x24 and 120x40).

Each scene signs in and drives the app like a user to the dialog, then settles it (scenes.settle). A precondition
that would take minutes by hand (a colleague's save for the conflict review, a third session in a week) is set
up through the services or the store on the demo store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

from scenes import LOGIN, _admin, _first_planned_visit, _section, _today_target, settle
from textual.pilot import Pilot
from textual.widgets import Button

from soptui.demo import DEMO_PASSWORD
from soptui.screens.navigation import NewCall, OpenClient, OpenVisit

from conftest import click, fill, sign_in, until, wait_screen

# --- groups ------------------------------------------------------------------------------------------------


async def _club_card(pilot: Pilot, login: str = LOGIN):
    """The first club's card from «Группы» (Enter on the list), its sessions loaded."""
    await sign_in(pilot, login, DEMO_PASSWORD)
    await pilot.press("f6")
    await until(pilot, lambda: pilot.app.current_mode == "groups" and pilot.app.screen.is_mounted, "groups")
    await until(pilot, lambda: getattr(pilot.app.screen, "clubs", None), "clubs listed")
    await pilot.press("enter")
    club = await wait_screen(pilot, "ClubScreen")
    await until(pilot, lambda: club.card is not None, "club card loaded")
    await until(
        pilot, lambda: any(k.key == "u" for k in pilot.app.screen.query("FooterKey")), "the card's keys in the footer"
    )
    return club


async def _press_button(pilot: Pilot, selector: str) -> None:
    """Tab to a button and press Enter on it (the button may lie below the fold at 80x24)."""
    button = pilot.app.screen.query_one(selector, Button)
    button.focus()
    await pilot.pause()
    await pilot.press("enter")


async def club_card(pilot: Pilot) -> None:
    await _club_card(pilot)
    await settle(pilot)


async def club_members(pilot: Pilot) -> None:
    """The club's card, tab «Участники» (clicked)."""
    club = await _club_card(pilot)
    await click(pilot, "#--content-tab-tab-members")
    await until(pilot, lambda: club.query_one("#club-tabs").active == "tab-members", "members tab")
    await settle(pilot)


async def choose_club(pilot: Pilot) -> None:
    """Client card → G «В группу»: which club."""
    await sign_in(pilot, LOGIN, DEMO_PASSWORD)
    target = _today_target(pilot, "client")
    assert isinstance(target, OpenClient)
    pilot.app.open(target)
    card = await wait_screen(pilot, "ClientCardScreen")
    await until(pilot, lambda: card.card is not None, "card loaded")
    await pilot.press("g")
    await wait_screen(pilot, "ChooseClubDialog")
    await settle(pilot)


async def session_form(pilot: Pilot) -> None:
    """Club card → O: the report of the session under the cursor (today's)."""
    await _club_card(pilot)
    await pilot.press("o")
    form = await wait_screen(pilot, "SessionFormScreen")
    await until(pilot, lambda: form.loaded, "session report loaded")
    await settle(pilot)


async def feedback(pilot: Pilot) -> None:
    """The session report → «Добавить отзыв»."""
    await _club_card(pilot)
    await pilot.press("o")
    form = await wait_screen(pilot, "SessionFormScreen")
    await until(pilot, lambda: form.loaded, "session report loaded")
    await _press_button(pilot, "#fb-add")
    await wait_screen(pilot, "FeedbackDialog")
    await settle(pilot)


async def _roll_call(pilot: Pilot):
    """Club card → Enter on today's session: the roll-call. (Today's first session is of a club of another
    department that the head may not open: the roll-call scene of scenes.py stays at «Загрузка…».)"""
    await _club_card(pilot)
    await pilot.press("enter")
    screen = await wait_screen(pilot, "RollCallScreen")
    await until(pilot, lambda: screen.call is not None, "roll-call loaded")
    return screen


async def absence_reason(pilot: Pilot) -> None:
    """Roll-call → R on an absent member: the reason."""
    await _roll_call(pilot)
    await pilot.press("r")
    await wait_screen(pilot, "AbsenceReasonDialog")
    await settle(pilot)


def _two_sessions_this_week(session_id: int) -> None:
    """Every member of the session's club attended two sessions earlier this week (extra sessions added and
    marked through the service; a member who had sessions already is marked absent at those that would be a
    third)."""
    from soptui.db import models as m
    from soptui.services import access
    from soptui.services import groups as g

    session = m.GroupSession.get_by_id(session_id)
    members = [
        mb.client_id
        for mb in m.ClubMember.select().where((m.ClubMember.club == session.club_id) & m.ClubMember.left_on.is_null())
    ]
    monday = session.date - dt.timedelta(days=session.date.weekday())
    with access.acting_as(access.centre_actor(None)):
        for day in (monday, monday + dt.timedelta(days=1)):
            sid = g.add_session(session.club_id, day, "08:00", "08:45")
            try:
                g.save_roll_call(sid, {c: (True, "") for c in members})
            except g.WeeklyLimitError as exc:
                full = {v.client_id for v in exc.violations}
                g.save_roll_call(sid, {c: (c not in full, "") for c in members})


async def _override(pilot: Pilot, login: str) -> None:
    club = await _club_card(pilot, login)
    _two_sessions_this_week(club.card.sessions[club.query_one("#sessions-table").cursor_row].id)
    await pilot.press("enter")
    screen = await wait_screen(pilot, "RollCallScreen")
    await until(pilot, lambda: screen.call is not None, "roll-call loaded")
    await pilot.press("a", "ctrl+s")
    await wait_screen(pilot, "OverrideDialog")
    await settle(pilot)


async def override(pilot: Pilot) -> None:
    """Roll-call → A, Ctrl+S when the members had two sessions this week already: the SOP 05 limit; the head of
    department allows it with a reason alone."""
    await _override(pilot, LOGIN)


async def override_specialist(pilot: Pilot) -> None:
    """The same for a leader who is not the head: the head's login and password are asked too."""
    await _override(pilot, "ivanova")


async def fields_dialog(pilot: Pilot) -> None:
    """Club card → M: moving a session (a FieldsDialog: a note and two fields)."""
    await _club_card(pilot)
    await pilot.press("m")
    await wait_screen(pilot, "FieldsDialog")
    await settle(pilot)


async def confirm(pilot: Pilot) -> None:
    """Club card → Z: close the club? (ConfirmDialog)."""
    await _club_card(pilot)
    await pilot.press("z")
    await wait_screen(pilot, "ConfirmDialog")
    await settle(pilot)


# --- patronage ---------------------------------------------------------------------------------------------


async def _visit(pilot: Pilot, kind: str = "planned"):
    await sign_in(pilot, LOGIN, DEMO_PASSWORD)
    pilot.app.open(OpenVisit(_first_planned_visit(kind)))
    screen = await wait_screen(pilot, "VisitDoScreen")
    await until(pilot, lambda: screen.detail is not None, "visit loaded")
    return screen


async def _act(pilot: Pilot, kind: str) -> None:
    await _visit(pilot, "primary")
    await _press_button(pilot, f"#act-{kind}")
    act = await wait_screen(pilot, "ActFormScreen")
    await until(pilot, lambda: act.loaded, "act loaded")
    await settle(pilot)


async def patronage_act(pilot: Pilot) -> None:
    await _act(pilot, "patronage")


async def report_act(pilot: Pilot) -> None:
    await _act(pilot, "report")


async def _planner(pilot: Pilot, visits: Callable[[int], bool]):
    """«Патронаж», the cursor moved with the arrows to the first cell whose number of visits fits."""
    screen = None
    await _section(pilot, "f5", "patronage")
    screen = pilot.app.screen
    grid = screen.query_one("#planner")
    await until(pilot, lambda: screen.week is not None and grid.rows, "planner loaded")
    for r, row in enumerate(grid.rows):
        for c, cell in enumerate(row.cells):
            if visits(len(cell)):
                await pilot.press(*["down"] * (r - grid.cursor_row), *["right"] * (c - grid.cursor_col))
                await pilot.press(*["up"] * (grid.cursor_row - r), *["left"] * (grid.cursor_col - c))
                await until(pilot, lambda want=(r, c): (grid.cursor_row, grid.cursor_col) == want, "cursor on the cell")
                return screen
    raise AssertionError("no such cell in the demo week")


async def visit_chooser(pilot: Pilot) -> None:
    """Planner → Enter on a cell with several visits: which one."""
    await _planner(pilot, lambda n: n >= 2)
    await pilot.press("enter")
    await wait_screen(pilot, "VisitChooser")
    await settle(pilot)


async def cancel_visit(pilot: Pilot) -> None:
    """Planner → X on a visit: cancelled or not let in, and why."""
    await _planner(pilot, lambda n: n == 1)
    await pilot.press("x")
    await wait_screen(pilot, "CancelVisitScreen")
    await settle(pilot)


async def schedule(pilot: Pilot) -> None:
    """Planner → G: the schedule of visits (PDF) for whom and for which period."""
    await _planner(pilot, lambda n: n >= 1)
    await pilot.press("g")
    await wait_screen(pilot, "ScheduleDialog")
    await settle(pilot)


async def recording(pilot: Pilot) -> None:
    """A colleague's visit of yesterday completed by the head: who did it, on which day, why entered later."""
    await _past_visit_completed(pilot, worked_seconds=30 * 60)


async def recording_untimed(pilot: Pilot) -> None:
    """The same visit never timed here (done in the field, written up next day): the act's minutes asked too."""
    await _past_visit_completed(pilot, worked_seconds=0)


async def _past_visit_completed(pilot: Pilot, worked_seconds: int) -> None:
    from soptui.db import models as m
    from soptui.services import access
    from soptui.services import patronage as visits
    from soptui.services.patronage import VisitPlan

    ivanova = m.Staff.get(m.Staff.login == "ivanova")
    client = m.Client.select().where(m.Client.department == ivanova.department).order_by(m.Client.id).first()
    with access.acting_as(access.centre_actor(None)):
        vid = visits.save_plan(
            VisitPlan(
                client_id=client.id,
                staff_ids=[ivanova.id],
                day=dt.date(2026, 11, 24),
                start=dt.time(14, 0),
                end=dt.time(14, 40),
                address=client.address,
            ),
            allow_conflicts=True,
        )
        visits.complete_act(vid, "report", {"goal": "Знакомство", "result": "Семья в порядке", "present": "мать"})
    await sign_in(pilot, LOGIN, DEMO_PASSWORD)
    pilot.app.open(OpenVisit(vid))
    do = await wait_screen(pilot, "VisitDoScreen")
    await until(pilot, lambda: do.detail is not None, "visit loaded")
    do.query_one("#timers").accumulated[1] += worked_seconds  # the visit's minutes with the family, if timed
    do.query_one("#methods").select("observation")
    await fill(pilot, do.query_one("#findings"), "Условия удовлетворительные")
    await pilot.press("ctrl+d")
    await wait_screen(pilot, "RecordingDialog")
    await settle(pilot)


# --- administration ----------------------------------------------------------------------------------------


async def day_dialog(pilot: Pilot) -> None:
    """«Администрирование» → 3 «Календарь» → Enter on a day: its kind and the decree."""
    await _admin(pilot, "3")
    grid = pilot.app.screen.query_one("YearCalendar")
    await until(pilot, lambda: grid.year_view is not None, "calendar loaded")
    grid.focus()
    await pilot.press("enter")
    dialog = await wait_screen(pilot, "DayDialog")
    await until(pilot, lambda: dialog.is_mounted, "day dialog")
    await settle(pilot)


async def _staff_row(pilot: Pilot, login: str) -> None:
    """The staff list's cursor moved with the arrows to a member of staff."""
    await _admin(pilot)
    pane = pilot.app.screen.query_one("#staff-pane")
    table = pane.query_one("#staff-table")
    rows = pane.page.rows
    index = next(i for i, r in enumerate(rows) if r.login == login)
    table.focus()
    await pilot.press(*["down"] * (index - table.cursor_row))
    await until(pilot, lambda: table.cursor_row == index, "cursor on the row")


async def password(pilot: Pilot) -> None:
    """Staff list → P on a specialist: a new password, or a temporary one."""
    await _staff_row(pilot, "ivanova")
    await pilot.press("p")
    await wait_screen(pilot, "PasswordDialog")
    await settle(pilot)


async def temporary_password(pilot: Pilot) -> None:
    """The password dialog → «Временный пароль»: shown once (a fixed one here, the real one is random)."""
    from soptui.services import staff

    await _staff_row(pilot, "ivanova")
    await pilot.press("p")
    await wait_screen(pilot, "PasswordDialog")
    make = staff.temporary_password
    staff.temporary_password = lambda: "ktp7-wq3m-x9fd"
    try:
        await pilot.press("ctrl+t")
        await wait_screen(pilot, "TemporaryPasswordScreen")
    finally:
        staff.temporary_password = make
    await settle(pilot)


# --- shared dialogs ----------------------------------------------------------------------------------------


async def _client_form(pilot: Pilot):
    await sign_in(pilot, LOGIN, DEMO_PASSWORD)
    target = _today_target(pilot, "client")
    pilot.app.open(target)
    card = await wait_screen(pilot, "ClientCardScreen")
    await until(pilot, lambda: card.card is not None, "card loaded")
    await pilot.press("e")
    form = await wait_screen(pilot, "ClientFormScreen")
    await until(pilot, lambda: form.query_one("#f-last").value, "form loaded")
    await fill(pilot, form.query_one("#f-address"), "г. Берёзовский, ул. Ленина, д. 1")
    return target.client_id, form


async def conflict(pilot: Pilot) -> None:
    """Client card → E, the address changed, meanwhile a colleague saved another address; Ctrl+S."""
    from soptui.db import models as m
    from soptui.db import store
    from soptui.db.connection import write_transaction

    client_id, _form = await _client_form(pilot)
    with write_transaction():
        store.update_versioned(
            m.Client,
            client_id,
            m.Client.get_by_id(client_id).version,
            {"address": "г. Екатеринбург, ул. Мира, д. 5"},
        )
    await pilot.press("ctrl+s")
    await wait_screen(pilot, "ConflictDialog")
    await settle(pilot)


async def leave_unsaved(pilot: Pilot) -> None:
    """Client card → E, the address changed, Esc: save, discard or stay (ChoiceDialog)."""
    await _client_form(pilot)
    await pilot.press("escape")
    await wait_screen(pilot, "ChoiceDialog")
    await settle(pilot)


async def message(pilot: Pilot) -> None:
    """A call to a client with no phone at all (MessageScreen): whom to ask for a number."""
    from soptui.db import models as m

    await sign_in(pilot, LOGIN, DEMO_PASSWORD)
    target = _today_target(pilot, "client")
    client = m.Client.get_by_id(target.client_id)
    reps = [r.id for r in m.Representative.select().where(m.Representative.client == client.id)]
    contacts = [c.id for c in m.Contact.select().where(m.Contact.client == client.id)]
    m.ContactPoint.delete().where(
        (m.ContactPoint.client == client.id)
        | m.ContactPoint.representative.in_(reps or [0])
        | m.ContactPoint.contact.in_(contacts or [0])
    ).execute()
    pilot.app.open(NewCall(client.id))
    await wait_screen(pilot, "MessageScreen")
    await settle(pilot)


SCENES: dict[str, Callable[[Pilot], Awaitable[None]]] = {
    "choose_club": choose_club,
    "club_card": club_card,
    "club_members": club_members,
    "feedback": feedback,
    "absence_reason": absence_reason,
    "override": override,
    "override_specialist": override_specialist,
    "session_form": session_form,
    "patronage_act": patronage_act,
    "report_act": report_act,
    "schedule": schedule,
    "visit_chooser": visit_chooser,
    "recording": recording,
    "recording_untimed": recording_untimed,
    "cancel_visit": cancel_visit,
    "day_dialog": day_dialog,
    "password": password,
    "temporary_password": temporary_password,
    "conflict": conflict,
    "confirm": confirm,
    "leave_unsaved": leave_unsaved,
    "message": message,
    "fields_dialog": fields_dialog,
}
