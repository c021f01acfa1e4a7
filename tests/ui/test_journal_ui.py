"""Журнал (F7) driven like a user: period at the field, paging from the DB, report tab, PDFs."""

from __future__ import annotations

import datetime as dt

import pytest
from pypdf import PdfReader
from textual.widgets import DataTable, Select, Static, TabbedContent

from soptui.app import make_app
from soptui.db import models as m
from soptui.services import journal
from soptui.widgets.fields import FieldError, LabeledInput

from conftest import click, fill, sign_in

NOV = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))


@pytest.fixture(autouse=True)
def output(tmp_path, monkeypatch):
    folder = tmp_path / "out"
    monkeypatch.setenv("SOPTUI_OUTPUT", str(folder))
    return folder


async def _settle(pilot) -> None:
    app = pilot.app
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


async def _open_journal(pilot, login: str):
    """Signed in as `login`, F7, everything loaded: the journal screen."""
    await sign_in(pilot, login, "demo2026")
    await pilot.press("f7")
    await _settle(pilot)
    return pilot.app.screen


def _shown_text(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render()).strip()


async def _type_date(pilot, field_id: str, text: str) -> None:
    await click(pilot, f"#{field_id}-input")
    await fill(pilot, pilot.app.screen.query_one(f"#{field_id}", LabeledInput), text)
    await _settle(pilot)


def _text(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def _shown(widget) -> str:
    """The text a widget paints on screen, line by line."""
    from textual.geometry import Region

    strips = widget.render_lines(Region(0, 0, widget.size.width, widget.size.height))
    return "\n".join("".join(seg.text for seg in strip) for strip in strips)


def _error(screen, field_id: str) -> str:
    return str(screen.query_one(f"#{field_id}", LabeledInput).query_one(FieldError).render())


def _extra_services(n: int) -> None:
    """More November services so the log has several pages."""
    staff = m.Staff.get(m.Staff.login == "ivanova")
    client = m.Client.select().where(m.Client.department == staff.department_id).first()
    for i in range(n):
        m.ServiceEntry.create(
            date=dt.date(2026, 11, 2 + i % 20),
            client=client.id,
            staff=staff.id,
            sop="01",
            service_kind="Телефонный звонок законному представителю ребенка",
            units=1,
            minutes=95,
            source_type="call",
        )


async def test_head_sets_period_sees_rows_totals_report_and_prints(demo_store, output):
    _extra_services(30)
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open_journal(pilot, "head")
        assert screen.__class__.__name__ == "JournalScreen"
        # default: the current month
        assert screen.query_one("#j-start", LabeledInput).value == "01.11.2026"
        assert screen.query_one("#j-end", LabeledInput).value == "30.11.2026"
        await _type_date(pilot, "j-start", "10.11.2026")
        await _type_date(pilot, "j-end", "20.11.2026")
        assert screen.period == (dt.date(2026, 11, 10), dt.date(2026, 11, 20))
        expected = journal.service_page(
            journal.JournalFilters(dt.date(2026, 11, 10), dt.date(2026, 11, 20)), 0, 50, app.actor
        )
        assert expected.total > 0
        table = screen.query_one("#log-table", DataTable)
        assert table.row_count == min(50, expected.total)
        first = table.get_row_at(0)
        assert first[1] == "10.11.2026" or dt.datetime.strptime(first[1], "%d.%m.%Y").date() >= dt.date(2026, 11, 10)
        assert first[2] == expected.rows[0].client_name
        assert f"из {expected.total}" in _text(screen, "#log-count")
        totals = _text(screen, "#log-totals")
        assert f"записей {expected.totals.entries}" in totals and f"услуг {expected.totals.units}" in totals
        assert f"{expected.totals.minutes} мин" in totals
        detail = _text(screen, "#log-detail")  # the highlighted row in full, for narrow terminals
        assert expected.rows[0].client_name in detail and expected.rows[0].service in detail

        # print the log
        table.focus()
        await pilot.press("f9")
        await _settle(pilot)
        assert screen.last_pdf is not None and screen.last_pdf.exists()
        text = "\n".join(p.extract_text() for p in PdfReader(screen.last_pdf).pages)
        assert "Журнал учёта услуг" in text and "с 10.11.2026 по 20.11.2026" in text
        assert expected.rows[0].client_name in text
        assert f"оказано услуг {expected.totals.units}" in text
        assert "Специалист" in text and "Заведующий отделением" in text
        assert m.AuditLog.select().where(m.AuditLog.action == "print").count() == 1

        # the head's report
        await pilot.press("t")
        await _settle(pilot)
        assert screen.query_one(TabbedContent).active == "tab-report"
        assert screen.query_one("#j-sop", Select).disabled  # the report ignores the log-only filters
        summary = screen.summary
        assert summary is not None and (summary.start, summary.end) == screen.period
        body = _shown(screen.query_one("#report-body", Static))
        assert "Обращения" in body and "Патронаж (СОП 04)" in body
        assert "Групповые занятия (СОП 05)" in body
        await pilot.press("f9")
        await _settle(pilot)
        assert screen.last_pdf.name.startswith("Отчёт для заведующего ")
        report = "\n".join(p.extract_text() for p in PdfReader(screen.last_pdf).pages)
        assert "Отчёт для заведующего" in report and "Проведено патронажей" in report
        assert f"Поступило обращений (информации о семьях) {summary.referrals_received}" in report
        assert "Заведующий отделением" in report

        # «Нагрузка»: its PDF, said in a sentence that agrees («Таблица нагрузки сохранена», not «сохранён»)
        await pilot.press("t")
        await _settle(pilot)
        assert screen.query_one(TabbedContent).active == "tab-load"
        app.clear_notifications()
        await pilot.press("f9")
        await _settle(pilot)
        assert screen.last_pdf.name.startswith("Нагрузка по нормам СОП ")
        assert [n.message for n in app._notifications][-1] == f"Таблица нагрузки сохранена: {screen.last_pdf}"
        # the audit log tab: who did what
        await pilot.press("t")  # the access log
        await _settle(pilot)
        assert screen.query_one(TabbedContent).active == "tab-audit"
        audit = screen.query_one("#audit-table", DataTable)
        assert screen.audit_page is not None
        assert audit.row_count == len(screen.audit_page.rows)


async def test_period_errors_at_the_field_keep_the_text(demo_store):
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_journal(pilot, "head")
        before = screen.log_page.total
        await _type_date(pilot, "j-start", "31.02.2026")
        assert _error(screen, "j-start") == "Такой даты нет: 31.02.2026 (в этом месяце меньше дней)."
        assert screen.query_one("#j-start", LabeledInput).value == "31.02.2026"  # nothing typed is lost
        assert screen.period is None
        assert screen.log_page.total == before  # the old page stays until the period is right
        await pilot.press("f9")  # printing refuses a bad period
        await _settle(pilot)
        assert screen.last_pdf is None
        await _type_date(pilot, "j-start", "01.11.2026")
        assert _error(screen, "j-start") == ""
        await _type_date(pilot, "j-end", "01.10.2026")
        assert "раньше начала" in _error(screen, "j-end")
        # printing refused again: the toast says what is wrong (it said «даты в виде ДД.ММ.ГГГГ» for any fault)
        # and the cursor goes to the wrong date
        await click(pilot, "#j-client-input")
        app.clear_notifications()
        await pilot.press("f9")
        await _settle(pilot)
        assert [n.message for n in app._notifications] == ["Период: Конец периода раньше начала."]
        assert app.focused is screen.query_one("#j-end", LabeledInput).input and screen.last_pdf is None
        await _type_date(pilot, "j-end", "30.11.2026")
        assert _error(screen, "j-end") == "" and screen.period == NOV
        # the recipient filter: beginning of the surname, as typed
        surname = screen.log_page.rows[0].client_name.split()[0]
        await click(pilot, "#j-client-input")
        await pilot.press(*surname[:4].lower())
        await _settle(pilot)
        rows = screen.log_page.rows
        assert rows and all(r.client_name.lower().startswith(surname[:4].lower()) for r in rows)
        assert screen.log_page.total < before
        # a recipient nobody is: no rows, and no line left under the table from the last row shown
        screen.query_one("#log-table").focus()
        await pilot.pause()
        assert _shown_text(screen, "#log-detail")
        await click(pilot, "#j-client-input")
        await pilot.press(*"щщщщ")
        await _settle(pilot)
        assert screen.log_page.total == 0 and _shown_text(screen, "#log-detail") == ""


async def test_pagedown_loads_the_next_page_from_the_database(demo_store):
    _extra_services(60)
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open_journal(pilot, "head")
        table = screen.query_one("#log-table", DataTable)
        total = screen.log_page.total
        assert total > 100 and table.row_count == 50
        first_page = [table.get_row_at(i)[0] for i in range(table.row_count)]
        table.focus()
        await pilot.press("pagedown")
        await _settle(pilot)
        assert screen.log_page.offset == 50 and table.row_count == min(50, total - 50)
        assert table.get_row_at(0)[0] == "51" and "Записи 51–" in _text(screen, "#log-count")
        await pilot.press("n")
        await _settle(pilot)
        assert screen.log_page.offset == 100
        await pilot.press("p", "p")
        await _settle(pilot)
        assert screen.log_page.offset == 0
        assert [table.get_row_at(i)[0] for i in range(table.row_count)] == first_page
        await pilot.press("pageup")  # already on the first page: nothing happens
        await _settle(pilot)
        assert screen.log_page.offset == 0


async def test_specialist_sees_own_department_without_audit_log(demo_store):
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_journal(pilot, "ivanova")
        assert not screen.query("#tab-audit")
        me = m.Staff.get(m.Staff.login == "ivanova")
        assert screen.query_one("#j-staff", Select).value == me.id  # starts with own services
        own = journal.service_page(journal.JournalFilters(*NOV, staff_id=me.id), actor=app.actor)
        assert screen.log_page.total == own.total
        # all specialists of the department: still only this department
        screen.query_one("#j-staff", Select).clear()
        await _settle(pilot)
        dep = journal.service_page(journal.JournalFilters(*NOV), actor=app.actor)
        assert screen.log_page.total == dep.total
        everyone = m.ServiceEntry.select().where(m.ServiceEntry.date.between(*NOV)).count()
        assert dep.total < everyone
        for _ in range(3):
            await pilot.press("t")
        await _settle(pilot)
        assert screen.query_one(TabbedContent).active == "tab-log"  # log, report, workload: no access log


async def test_a_specialist_sees_her_own_workload_and_a_colleagues_is_refused_on_the_tab(demo_store, output):
    """«Нагрузка» for a specialist is her own row; a colleague chosen in «Сотрудник» (the log's filter) is said on
    the tab and on F9, not raised as an error."""
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open_journal(pilot, "ivanova")
        screen.query_one(TabbedContent).active = "tab-load"
        await _settle(pilot)
        assert screen.workload is not None
        assert {r.staff_name for r in screen.workload.rows} <= {"Иванова М.С."}
        screen.query_one("#j-staff", Select).clear()  # «все»: still her own row
        await _settle(pilot)
        assert {r.staff_name for r in screen.workload.rows} <= {"Иванова М.С."}
        head = m.Staff.get(m.Staff.login == "head")
        screen.query_one("#j-staff", Select).value = head.id
        await _settle(pilot)
        assert screen.workload is None
        assert "Нагрузка другого сотрудника доступна заведующему" in _shown_text(screen, "#load-title")
        await pilot.press("f9")
        await _settle(pilot)
        said = [n.message for n in app._notifications]
        assert any("Нагрузка другого сотрудника" in text for text in said), said
        assert not any(n.severity == "error" for n in app._notifications)
        assert not output.exists() or not list(output.glob("*.pdf"))  # nothing printed


def test_journal_at_80_columns_names_the_service_short_and_the_client_by_initials():
    from soptui.core.text import short_of_full
    from soptui.screens.journal.journal import short_service

    # the service column is 21 wide at 80 columns: «Патронаж (плановый (повторный))» was cut «…(плановый (п»
    assert short_service("04", "Социальный патронаж (плановый (повторный))") == "Патронаж (плановый)"
    assert short_service("04", "Социальный патронаж (плановый, повторный)") == "Патронаж (плановый)"
    assert short_service("04", "Социальный патронаж (первичный)") == "Патронаж (первичный)"
    assert short_service("05", "Проведение занятий в группах взаимоподдержки, клубах общения") == "Занятие в клубе"
    assert short_service("99", "Что-то иное") == "Что-то иное"
    assert short_of_full("Сорокин Максим Юрьевич") == "Сорокин М.Ю."


async def test_journal_table_at_80_columns_fits_and_at_120_shows_the_official_names(demo_store):
    for size, narrow in (((80, 24), True), ((120, 40), False)):
        app = make_app("Учреждение", "КЦСОН")
        async with app.run_test(size=size) as pilot:
            screen = await _open_journal(pilot, "head")
            table = screen.query_one("#log-table", DataTable)
            first = screen.log_page.rows[0]
            cells = [str(c) for c in table.get_row_at(0)]
            labels = [str(c.label) for c in table.columns.values()]
            if narrow:
                assert "Ед." not in labels
                assert cells[2] == " ".join(
                    [first.client_name.split()[0], "".join(p[0] + "." for p in first.client_name.split()[1:])]
                )
                assert len(cells[3]) <= table.columns[table.ordered_columns[3].key].width  # not cut
            else:
                assert "Ед." in labels and cells[2] == first.client_name and cells[3] == first.service
            assert sum(c.width + 2 for c in table.columns.values()) <= size[0]
