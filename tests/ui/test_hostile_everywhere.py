"""Stored text is data, never markup, in every record kind and every section (issue 10, point 1).

Every free-text column of every table in the demo store gets a hostile suffix behind the services' back
(markup, a live link, an escape sequence, NUL, right-to-left text, emoji, a lone backslash, 10,000
characters), including staff, department and institution names and the JSON of acts and calls. Then a head
of the centre walks every section and opens a record of each kind, and the documents are printed and read
back: the app keeps running, nothing reaches the terminal raw, and the values appear literally.
"""

from __future__ import annotations

import datetime as dt
import html
import json

import pytest
from pypdf import PdfReader

from soptui.app import make_app
from soptui.db import models as m
from soptui.db.connection import db
from soptui.screens.navigation import OpenCall, OpenClient, OpenSession, OpenVisit

from conftest import portable, sign_in, until, wait_screen

SUFFIXES = (
    " [/]",
    " [b]x",
    " [@click=app.quit]жми[/]",
    " до\x1b[2Jпосле",
    " \x00nul",
    " \u202eсправа налево",
    " 👩\u200d👧 🏠",
    " C:\\папка\\",
)
LONG = " Длинный текст" * 715  # 10,010 characters

# free text a person types (codes, times, phones, logins and hashes are not free text)
FREE_TEXT = {
    "client": ("last_name", "first_name", "patronymic", "address", "status_reason", "ipra_number", "notes"),
    "representative": ("relation", "last_name", "first_name", "patronymic", "preferred_call_time", "notes"),
    "contact": ("relation", "last_name", "first_name", "patronymic", "notes"),
    "contact_point": ("note",),
    "client_status_change": ("reason",),
    "referral": ("source_body", "summary"),
    "phone_call": ("callee_name", "purpose", "summary", "agreements", "notes", "off_hours_reason"),
    "reminder": ("text", "closed_reason"),
    "patronage_visit": (
        "purpose",
        "address",
        "status_reason",
        "late_reason",
        "documents_to_prepare",
        "findings",
        "rights_explained",
        "effectiveness",
    ),
    "recommendation": ("text", "for_whom", "comment"),
    "club": ("name", "goal", "room", "analysis_note"),
    "programme_item": ("topic", "goal"),
    "group_session": ("topic", "goal", "guests", "media_location", "analysis", "summary", "props"),
    "session_notice": ("note",),
    "session_feedback": ("author", "text"),
    "attendance": ("absence_reason", "override_reason"),
    "club_member": ("left_reason", "admit_warning", "admit_reason"),
    "service_entry": ("note", "late_reason"),
    "staff": ("last_name", "first_name", "patronymic"),
    "department": ("name", "short_name", "working_hours"),
    "institution": ("full_name", "short_name", "address"),
}
LONG_FIELDS = {
    ("client", "notes"),
    ("phone_call", "notes"),
    ("group_session", "analysis"),
    ("recommendation", "comment"),
}


def _poisoned(value: str, n: int) -> str:
    return value + SUFFIXES[n % len(SUFFIXES)]


def _poison_json(value, n: int):
    if isinstance(value, str):
        return _poisoned(value, n) if value else value
    if isinstance(value, list):
        return [_poison_json(v, n + i) for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {k: _poison_json(v, n + i) for i, (k, v) in enumerate(value.items())}
    return value


def poison_store() -> None:
    """Append a hostile suffix to every free-text value, as a hostile import or a pasted document would."""
    with db.atomic():
        for table, columns in FREE_TEXT.items():
            for n, column in enumerate(columns):
                suffix_sql = "?"
                db.execute_sql(
                    *portable(
                        f"UPDATE {table} SET {column} = COALESCE({column}, '') || {suffix_sql}",
                        (LONG if (table, column) in LONG_FIELDS else SUFFIXES[n % len(SUFFIXES)],),
                    )
                )
        for table, column in (("visit_act", "data"), ("phone_call", "state_json")):
            rows = db.execute_sql(f"SELECT id, {column} FROM {table} WHERE {column} <> ''").fetchall()
            for ident, raw in rows:
                try:
                    value = json.loads(raw)
                except ValueError:
                    continue
                db.execute_sql(
                    *portable(
                        f"UPDATE {table} SET {column} = ? WHERE id = ?",
                        (json.dumps(_poison_json(value, ident), ensure_ascii=False), ident),
                    )
                )


@pytest.fixture
def poisoned(demo_store):
    # the demo head runs the centre here (no department): every record of every kind is theirs to open
    m.Staff.update(department=None).where(m.Staff.login == "head").execute()
    poison_store()
    return demo_store


def _screen_text(app) -> str:
    return html.unescape(app.export_screenshot()).replace("\xa0", " ")


def _assert_clean(app, where: str) -> str:
    shown = _screen_text(app)
    assert app.is_running, where
    assert "Traceback" not in shown, where
    assert "\x1b" not in shown and "\x00" not in shown, where
    return shown


async def _settle(pilot) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def test_every_section_and_record_kind_opens_with_hostile_text(poisoned):
    client = m.Client.select().join(m.Representative).order_by(m.Client.id).first()
    call = m.PhoneCall.select().where(m.PhoneCall.state == "finished").order_by(m.PhoneCall.id).first()
    visit = m.PatronageVisit.select().join(m.VisitAct).order_by(m.PatronageVisit.id).first()
    session = (
        m.GroupSession.select().join(m.Attendance).where(m.GroupSession.status == "held").order_by(m.GroupSession.id)
    ).first()
    assert client and call and visit and session
    app = make_app("Учреждение [/]", "КЦСОН [b]")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "head", "demo2026")
        await _settle(pilot)
        _assert_clean(app, "Today")
        for key, screen_name in (
            ("f3", "ClientsScreen"),
            ("f4", "CallsScreen"),
            ("f5", "PatronageScreen"),
            ("f6", "GroupsScreen"),
            ("f7", "JournalScreen"),
        ):
            await pilot.press(key)
            await wait_screen(pilot, screen_name)
            await _settle(pilot)
            _assert_clean(app, screen_name)
        # the journal's other tabs: the report and the audit log carry staff and client names
        for tab in ("2", "3"):
            await pilot.press(tab)
            await _settle(pilot)
            _assert_clean(app, f"journal tab {tab}")

        await pilot.press("f3")
        await wait_screen(pilot, "ClientsScreen")
        app.open(OpenClient(client.id))
        card = await wait_screen(pilot, "ClientCardScreen")
        await until(pilot, lambda: card.card is not None, "card loaded")
        await _settle(pilot)
        shown = _assert_clean(app, "client card")
        assert "[/]" in shown  # the family name's hostile suffix, literally
        for key in "2345678":
            await pilot.press(key)
            await _settle(pilot)
            _assert_clean(app, f"card tab {key}")

        await pilot.press("f4")
        await wait_screen(pilot, "CallsScreen")
        app.open(OpenCall(call.id))
        await _settle(pilot)
        _assert_clean(app, "a finished call")
        await pilot.press("escape")
        await _settle(pilot)

        await pilot.press("f5")
        await wait_screen(pilot, "PatronageScreen")
        app.open(OpenVisit(visit.id))
        await _settle(pilot)
        shown = _assert_clean(app, "a visit with its acts")
        assert app.screen.__class__.__name__ != "PatronageScreen", "the visit did not open"
        await pilot.press("escape")
        await _settle(pilot)

        await pilot.press("f6")
        await wait_screen(pilot, "GroupsScreen")
        app.open(OpenSession(session.id))
        await _settle(pilot)
        _assert_clean(app, "a held session")
        assert app.screen.__class__.__name__ != "GroupsScreen", "the session did not open"
        # clicking around never follows a stored [@click=...] link
        await pilot.click(offset=(10, 10))
        await pilot.click(offset=(40, 20))
        await _settle(pilot)
        _assert_clean(app, "after clicks")
        # SOP 05 stage records: the informing dialog and a review (participants' and staff names, notes)
        from soptui.screens.groups.feedback import FeedbackDialog
        from soptui.screens.groups.informing import InformingDialog
        from soptui.screens.groups.session_form import SessionFormScreen

        app.push_screen(InformingDialog(session.id))
        informing = await wait_screen(pilot, InformingDialog)
        await until(pilot, lambda: informing.data is not None, "participants listed")
        await _settle(pilot)
        _assert_clean(app, "the informing dialog")
        await pilot.press("escape")
        app.push_screen(SessionFormScreen(session.id))
        form = await wait_screen(pilot, SessionFormScreen)
        await until(pilot, lambda: form.loaded, "session form loaded")
        app.push_screen(FeedbackDialog(form.detail))
        await wait_screen(pilot, FeedbackDialog)
        await _settle(pilot)
        _assert_clean(app, "the review dialog")


def _pdf_text(path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)


async def test_documents_print_hostile_text_literally(poisoned, tmp_path, centre, monkeypatch):
    from soptui.services import calls, groups

    call = m.PhoneCall.select().where(m.PhoneCall.state == "finished").order_by(m.PhoneCall.id).first()
    session = (
        m.GroupSession.select().join(m.Attendance).where(m.GroupSession.status == "held").order_by(m.GroupSession.id)
    ).first()
    club_id = session.club_id
    printed = [
        calls.print_call_form(call.id, tmp_path),
        calls.print_phone_log(dt.date(2026, 11, 1), dt.date(2026, 11, 30), None, tmp_path),
        groups.print_attendance_sheet(club_id, session.date.year, session.date.month, tmp_path),
        groups.print_club_plan(club_id, tmp_path),
        groups.print_session_report(session.id, tmp_path),
        groups.print_informing_list(session.id, tmp_path),
    ]
    from soptui.services import journal, patronage

    monkeypatch.setenv("SOPTUI_OUTPUT", str(tmp_path))
    act = m.VisitAct.select().order_by(m.VisitAct.id).first()
    nov = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    printed += [
        patronage.print_act(act.visit_id, act.kind),
        patronage.print_schedule(dt.date(2026, 11, 23), dt.date(2026, 11, 29)),
        journal.print_service_log(journal.JournalFilters(*nov), None, tmp_path),
        journal.print_audit_report(*nov, folder=tmp_path),
    ]
    for path in printed:
        text = _pdf_text(path)
        assert "[/]" in text or "[b]x" in text or "[@click" in text, path.name
        assert "\x1b" not in text and "\x00" not in text, path.name
        assert path.stat().st_mode & 0o777 == 0o600, path.name
