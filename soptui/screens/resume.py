"""«Незавершённое»: Enter on an unfinished form in Today reopens that form with its draft restored.

The draft's key says which form it belongs to (see `services.drafts._describe`); the form is opened in
its own section, as the user opened it before, and takes the draft back without asking.
"""

from __future__ import annotations

from soptui.screens.navigation import OpenSession, OpenVisit
from soptui.widgets.workers import app_work


def resume_draft(app, draft_id: int) -> None:
    """Find the draft's key in a worker, then open its form."""

    def load() -> None:
        from soptui.services import drafts

        key = drafts.key_of(draft_id)
        person = None
        parts = (key or "").split(":")
        if len(parts) == 4 and parts[0] == "person" and parts[3].isdigit():
            from soptui.services import clients

            kind = "representative" if parts[2] == "representative" else "contact"
            person = clients.get_person(int(parts[1]), kind, int(parts[3]))
        app.call_from_thread(_open, app, key, person)

    worker = app_work(app, load, "resume_draft", action="открыть черновик", group="resume")
    app.pause_keys_until(worker.wait())  # keys typed after Enter go to the form, not to Today


def _resumed(screen):
    """The form restores its draft without asking: the user chose to go on with it."""
    screen.AUTO_RESUME = True
    return screen


def _open(app, key: str | None, person) -> None:
    if key is None:
        app.notify("Черновик уже сохранён или удалён.", severity="warning")
        return
    parts = key.split(":")
    number = [int(p) for p in parts if p.isdigit()]
    match parts:
        case ["client", _]:
            from soptui.screens.clients.client_form import ClientFormScreen

            _in(app, "clients", ClientFormScreen(number[0] if number else None))
        case ["referral", *_]:
            from soptui.screens.clients.referral_form import ReferralFormScreen

            _in(app, "clients", ReferralFormScreen(number[0] if number else None))
        case ["person", cid, *rest]:
            from soptui.screens.clients.card import ClientCardScreen
            from soptui.screens.clients.client_form import PersonDialog

            _in(app, "clients", ClientCardScreen(int(cid)), plain=True)
            if rest != ["new"] and person is None:
                app.notify("Эту запись удалили: черновик не к чему применить.", severity="warning")
                return
            app.push_screen(_resumed(PersonDialog(int(cid), person)))
        case ["visit-plan", "new", cid]:
            from soptui.screens.patronage.visit_form import VisitFormScreen

            actor = app.actor
            _in(app, "patronage", VisitFormScreen(client_id=int(cid), staff_id=actor.id if actor else None))
        case ["visit-plan", vid]:
            from soptui.screens.patronage.visit_form import VisitFormScreen

            _in(app, "patronage", VisitFormScreen(visit_id=int(vid)))
        case ["visit", vid]:
            app.open(OpenVisit(int(vid)))  # the visit screen restores its progress itself
        case ["act", vid, kind]:
            from soptui.screens.patronage.act_form import ActFormScreen

            app.open(OpenVisit(int(vid)))
            app.push_screen(_resumed(ActFormScreen(int(vid), kind)))
        case ["club", _]:
            from soptui.screens.groups.club_form import ClubFormScreen

            _in(app, "groups", ClubFormScreen(number[0] if number else None))
        case ["session", sid]:
            from soptui.screens.groups.session_form import SessionFormScreen

            _in(app, "groups", SessionFormScreen(int(sid)))
        case ["rollcall", sid]:
            app.switch_mode("groups")
            app.open(OpenSession(int(sid)))
        case _:
            app.notify("Этот черновик нельзя открыть отсюда.", severity="warning")


def _in(app, mode: str, screen, plain: bool = False) -> None:
    if app.current_mode != mode:
        app.switch_mode(mode)
    app.push_screen(screen if plain else _resumed(screen))
