"""The keys line (widgets/footer.py): rebuilt when the keys change, left alone when moving between fields."""

from __future__ import annotations

from soptui.app import make_app
from soptui.widgets.footer import KeysFooter

from conftest import sign_in, until


def _keys(app) -> list:
    return list(app.screen.query_one(KeysFooter).query("FooterKey"))


async def test_tab_through_a_form_keeps_the_keys_and_a_new_screen_gets_its_own(demo_store):
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        await pilot.press("f3")
        await until(pilot, lambda: app.screen.__class__.__name__ == "ClientsScreen")
        await pilot.press("ctrl+n")
        await until(pilot, lambda: app.screen.__class__.__name__ == "ClientFormScreen" and _keys(app))
        await pilot.pause()
        before = _keys(app)
        assert "Сохранить" in " ".join(str(k.description) for k in before)
        for _ in range(3):  # one text field to the next: the same keys apply
            await pilot.press("tab")
            await pilot.pause()
        after = _keys(app)
        assert [id(k) for k in after] == [id(k) for k in before]  # the very same key widgets: no rebuild
        # the look is the one Textual's footer gives: keys bound to the footer's (non-compact) look, the
        # command palette's key compact
        assert all(not k.has_class("-compact") for k in after if not k.has_class("-command-palette"))
        assert all(k.has_class("-compact") for k in after if k.has_class("-command-palette"))
        await pilot.press("escape")  # back to the list (nothing typed: no question): its own keys
        await until(pilot, lambda: app.screen.__class__.__name__ == "ClientsScreen")
        await until(pilot, lambda: "Новый" in " ".join(str(k.description) for k in _keys(app)))
        assert "Сохранить" not in " ".join(str(k.description) for k in _keys(app))


async def test_the_section_keys_read_as_a_range(demo_store):
    """Six section keys side by side read «f2f3f4f5f6f7 Разделы»: the footer draws «f2–f7 Разделы», and each
    key still opens its section."""
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        await until(pilot, lambda: any(k.has_class("-grouped") for k in _keys(app)), "the keys line")
        grouped = [k for k in _keys(app) if k.has_class("-grouped")]
        shown = [k.key_display for k in grouped if k.display]
        assert shown == ["f2–f7"] and len(grouped) == 6
        await pilot.press("f6")
        await until(pilot, lambda: app.screen.__class__.__name__ == "GroupsScreen", "groups")
