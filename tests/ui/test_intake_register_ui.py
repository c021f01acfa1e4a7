"""SOP 04 §7 intake registers (issue 13, point 7): «Клиенты» (F3) → Ctrl+O, both registers from the referrals, F9 PDF."""

from __future__ import annotations

import datetime as dt
import io

from pypdf import PdfReader

from soptui.app import make_app
from soptui.db import models as m
from soptui.services import referrals

from conftest import sign_in, until


async def test_sop04_intake_registers_from_the_clients_screen(demo_store, tmp_path, monkeypatch):
    monkeypatch.setenv("SOPTUI_OUTPUT", str(tmp_path))
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        await pilot.press("f3")
        await pilot.pause()
        footer = " ".join(b.binding.description for b in app.screen.active_bindings.values() if b.binding.show)
        assert "Журналы" in footer
        await pilot.press("ctrl+o")
        await until(pilot, lambda: type(app.screen).__name__ == "IntakeRegisterScreen", "the registers open")
        screen = app.screen
        screen.query_one("#ir-from").value = "01.01.2026"
        await until(
            pilot,
            lambda: screen.rows and "Журнал приёма граждан" in str(screen.query_one("#ir-status").render()),
            "rows",
        )
        dep = app.actor.department_id
        expected = [
            r.id
            for r in m.Referral.select()
            .join(m.Client)
            .where((m.Referral.intake_log == "reception") & (m.Client.department == dep))
            .order_by(m.Referral.received_at, m.Referral.id)
        ]
        assert [r.number for r in screen.rows] == expected
        from textual.widgets import Select

        screen.query_one("#ir-log", Select).value = "incoming_calls"
        await until(
            pilot, lambda: "телефонных звонков" in str(screen.query_one("#ir-status").render()), "calls register"
        )
        await until(pilot, lambda: all(r.number not in expected for r in screen.rows), "other rows")
        calls_rows = list(screen.rows)
        # a wrong period refuses the print and says which date is wrong, with the cursor there
        screen.query_one("#ir-to").value = "31.12.2025"
        app.clear_notifications()
        await pilot.press("f9")
        await until(pilot, lambda: app._notifications, "the refusal")
        assert [n.message for n in app._notifications] == ["Период: Конец периода раньше начала."]
        assert app.focused is screen.query_one("#ir-to").input and getattr(screen, "last_pdf", None) is None
        screen.query_one("#ir-to").value = "25.11.2026"
        await until(pilot, lambda: [r.number for r in screen.rows] == [r.number for r in calls_rows], "rows again")
        await pilot.press("f9")
        await until(pilot, lambda: getattr(screen, "last_pdf", None), "the PDF")
        path = screen.last_pdf
        assert path.name == "Журнал регистрации телефонных звонков 01.01.2026-25.11.2026.pdf"
        text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(path.read_bytes())).pages).split())
        assert "Журнал регистрации телефонных звонков" in text and f"Всего записей: {len(calls_rows)}." in text
        for r in calls_rows:
            assert r.client_name.split()[0] in text
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "ClientsScreen"


def test_sop04_intake_register_is_scoped_and_ordered(store, actor):
    spec = m.Staff.get_by_id(actor.id)
    other_dep = m.Department.create(name="Другое отделение")
    mine = m.Client.create(
        last_name="Котова", first_name="Алиса", name_key="котова алиса", department=spec.department_id
    )
    theirs = m.Client.create(last_name="Орлов", first_name="Пётр", name_key="орлов пётр", department=other_dep.id)
    from soptui.services import access

    with access.acting_as(access.centre_actor(None)):
        referrals.create_referral(theirs.id, dt.datetime(2026, 11, 20, 9), "citizen_report", late_reason="x")
    b = referrals.create_referral(mine.id, dt.datetime(2026, 11, 24, 9), "citizen_report", "Школа №3")
    a = referrals.create_referral(mine.id, dt.datetime(2026, 11, 23, 16), "personal_application")
    referrals.create_referral(mine.id, dt.datetime(2026, 11, 23, 10), "ipra", intake_log="incoming_calls")
    reg = referrals.intake_register("reception", dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert [r.number for r in reg.rows] == [a, b] and reg.total == 2  # another department's is not listed
    assert reg.rows[1].source == "Школа №3" and reg.title == "Журнал приёма граждан"
    assert [
        r.number for r in referrals.intake_register("reception", dt.date(2026, 11, 24), dt.date(2026, 11, 24)).rows
    ] == [b]


async def test_sop04_intake_register_row_opens_the_card(demo_store):
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        await pilot.press("f3")
        await pilot.pause()
        await pilot.press("ctrl+o")
        await until(pilot, lambda: type(app.screen).__name__ == "IntakeRegisterScreen", "the registers open")
        screen = app.screen
        screen.query_one("#ir-from").value = "01.01.2026"
        await until(pilot, lambda: screen.rows, "rows")
        screen.query_one("#ir-table").focus()
        await pilot.press("enter")
        await until(pilot, lambda: type(app.screen).__name__ == "ClientCardScreen", "the card")
        assert app.screen.client_id == screen.rows[0].client_id
