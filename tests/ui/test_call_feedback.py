"""«Отзыв клиента» from a finished call's card (SOP 03 §8): typed, saved, and read back; a colleague's
save in between opens the conflict review instead of being overwritten."""

from __future__ import annotations

from test_teleprompter import settle, type_text, wait_for_screen

from soptui.app import make_app
from soptui.db import models as m
from soptui.screens.calls.call_list import CallCardScreen, CallsScreen
from soptui.screens.calls.feedback import CallFeedbackDialog
from soptui.services import calls

from calls_helpers import make_family, make_ready
from conftest import PASSWORD, sign_in, until


def _finished_call(staff) -> int:
    from soptui.core import session
    from soptui.services import auth

    ids = make_family(staff)
    session.set_actor(auth.sign_in("spec", PASSWORD))
    ctx = calls.call_context(ids["client"])
    p = calls.default_person(ctx, "03")
    call_id = calls.start_call("03", ids["client"], p.kind, p.id, p.phones[0])
    make_ready(call_id, "03")
    calls.finish_call(call_id, calls.CallOutcome("refuses", summary="не нуждаются"))
    session.set_actor(None)
    return call_id


async def _open_feedback(pilot) -> CallFeedbackDialog:
    await sign_in(pilot, "spec", PASSWORD)
    await pilot.press("f4")
    await wait_for_screen(pilot, CallsScreen)
    await settle(pilot)
    await pilot.press("enter")
    await wait_for_screen(pilot, CallCardScreen)
    await pilot.press("o")
    dialog = await wait_for_screen(pilot, CallFeedbackDialog)
    await until(pilot, lambda: dialog.loaded)
    return dialog


async def test_feedback_typed_on_the_call_card_is_saved(store, staff):
    call_id = _finished_call(staff)
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await _open_feedback(pilot)
        await pilot.press("enter", "down", "down", "enter")  # open the list (blank first), pick «4 — скорее доволен»
        await pilot.press("tab")
        await type_text(pilot, "Спасибо, всё понятно")
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, CallCardScreen)
        assert not dialog.is_attached
    row = m.PhoneCall.get_by_id(call_id)
    assert (row.feedback_score, row.feedback_text) == (4, "Спасибо, всё понятно")
    assert row.feedback_by_id == staff["spec"]


async def test_a_colleagues_feedback_saved_meanwhile_opens_the_review(store, staff):
    from soptui.core import session
    from soptui.services import auth
    from soptui.widgets.conflict import ConflictDialog

    call_id = _finished_call(staff)
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_feedback(pilot)
        await pilot.press("tab")
        await type_text(pilot, "Мой текст")
        # a colleague at another workstation saves first
        me = session.current()
        session.set_actor(auth.sign_in("spec", PASSWORD))
        calls.save_call_feedback(call_id, calls.call_feedback(call_id).version, 2, "Текст коллеги")
        session.set_actor(me)
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, ConflictDialog)
    assert m.PhoneCall.get_by_id(call_id).feedback_text == "Текст коллеги"  # nothing overwritten silently
