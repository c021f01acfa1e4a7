"""SOP 05: a club's leaders may come from several departments. A leader from another department leads the
sessions, but the club itself is its department's to change: «Изменить» opened the form, whose save was then
refused in a toast (the typing lost)."""

from __future__ import annotations

import datetime as dt

from soptui.app import make_app
from soptui.db import models as m
from soptui.domain.groups import Slot
from soptui.services import groups as g

from conftest import PASSWORD, sign_in, until


async def test_a_leader_from_another_department_is_not_offered_the_club_form(store, staff):
    from soptui.core import session
    from soptui.screens.groups.club_form import ClubFormScreen
    from soptui.screens.groups.clubs import ClubScreen
    from soptui.services import auth
    from soptui.widgets.fields import FieldError

    session.set_actor(auth.sign_in("spec", PASSWORD))
    club = g.save_club(
        g.ClubData(
            name="Клуб «Вместе»",
            capacity=8,
            start_date=dt.date(2026, 11, 2),
            end_date=dt.date(2026, 12, 25),
            leader_ids=[staff["spec"], staff["other"]],
            department_id=m.Staff.get_by_id(staff["spec"]).department_id,
            slots=[Slot(1, "15:00", "16:00")],
        )
    )
    session.set_actor(None)
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "other", PASSWORD)
        app.push_screen(ClubScreen(club))
        await until(pilot, lambda: isinstance(app.screen, ClubScreen) and app.screen.card is not None)
        screen = app.screen
        assert screen.card.editable is False
        assert screen.check_action("edit", ()) is False
        await pilot.press("e")
        await pilot.pause(0.3)
        assert app.screen is screen  # no form to type into and lose
        # the form opened some other way says so at once and offers no save
        app.push_screen(ClubFormScreen(club))
        await until(pilot, lambda: isinstance(app.screen, ClubFormScreen) and app.screen.card is not None)
        form = app.screen
        assert form.query_one("#cf-save").disabled
        assert "Клуб другого отделения" in str(form.query_one("#cf-error", FieldError).render())
    # the club's own department still changes it
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "spec", PASSWORD)
        app.push_screen(ClubScreen(club))
        await until(pilot, lambda: isinstance(app.screen, ClubScreen) and app.screen.card is not None)
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, ClubFormScreen) and app.screen.card is not None)
        assert not app.screen.query_one("#cf-save").disabled
