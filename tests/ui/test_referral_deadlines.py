"""Issue 13 points 1, 2, 6: the referral form's deadlines follow the date, the time and the source's term
as they are typed; the source document's term is the registration deadline; the wait until the first
service is 4 working days from registration and never ends before the registration deadline."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.geometry import Region
from textual.widgets import Select, Static

from soptui.app import make_app
from soptui.db import models as m
from soptui.screens.clients.referral_form import ReferralFormScreen
from soptui.services import referrals
from soptui.widgets.fields import LabeledInput

from conftest import sign_in, until


def _shown(widget) -> str:
    lines = widget.render_lines(Region(0, 0, widget.size.width, widget.size.height))
    return "\n".join("".join(seg.text for seg in line) for line in lines)


def test_the_source_term_is_the_registration_deadline_and_the_wait_follows_registration():
    received = dt.datetime(2026, 12, 5, 10, 0)  # a Saturday
    d = referrals.compute_deadlines(received, "prevention_request", registered_on=dt.date(2026, 12, 7))
    assert (d.registration, d.first_contact, d.patronage) == (
        dt.date(2026, 12, 9),  # Mon 07 is day 1 of the three working days after a day off
        dt.date(2026, 12, 9),  # SOP 03: three working days of arrival — 07, 08, 09
        dt.date(2026, 12, 11),  # registered Mon 07.12 + 4 working days
    )
    d = referrals.compute_deadlines(received, "ipra", dt.date(2026, 12, 8), registered_on=dt.date(2026, 12, 7))
    assert d.registration == dt.date(2026, 12, 8)  # the source document's term
    assert d.patronage == dt.date(2026, 12, 11)  # the same rule whatever the ground


async def test_deadlines_refresh_as_the_date_and_the_term_are_typed(demo_store):
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(100, 40)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        await pilot.press("ctrl+r")
        await until(pilot, lambda: isinstance(app.screen, ReferralFormScreen) and app.screen.loaded)
        form = app.screen
        form.query_one("#rf-ground", Select).value = "prevention_request"
        await pilot.pause()
        box = form.query_one("#rf-deadlines", Static)
        date_field = form.query_one("#rf-date", LabeledInput)
        date_field.value = "20.11.2026"
        await until(pilot, lambda: "до 25.11.2026" in _shown(box))  # registration: 23, 24, 25 November
        first = _shown(box)
        date_field.value = "23.11.2026"
        await until(pilot, lambda: _shown(box) != first)
        assert "Зарегистрировать обращение: до 26.11.2026" in _shown(box)
        form.query_one("#rf-source-due", LabeledInput).value = "24.11.2026"
        await until(pilot, lambda: "(срок источника): до 24.11.2026" in _shown(box))
        # a source term before the day the information arrived is a typo: said at the field on saving
        term = form.query_one("#rf-source-due", LabeledInput)
        term.value = "19.11.2026"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "раньше дня поступления" in term.error_text)
        assert isinstance(app.screen, ReferralFormScreen) and term.value == "19.11.2026"
    from soptui.services import access

    with access.acting_as(access.centre_actor(None)), pytest.raises(ValueError, match="раньше дня поступления"):
        referrals.create_referral(
            m.Client.select().first().id,
            dt.datetime(2026, 11, 23, 10, 0),
            "prevention_request",
            source_term_due=dt.date(2026, 11, 19),
        )
