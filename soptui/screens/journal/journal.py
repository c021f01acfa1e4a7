"""Журнал (F7): the service log, the head's audit report and the audit log of actions.

The period (ДД.ММ.ГГГГ, checked at the field; the current month by default) and
the filters sit above three tabs. The log and the audit log are read one page
at a time from the database (PgDn/PgUp or n/p); F9 prints the open tab as PDF.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Input, Select, Static, TabbedContent, TabPane

from soptui.core import clock
from soptui.core.text import short_of_full
from soptui.domain.period import validate_period
from soptui.screens.base import SectionScreen
from soptui.screens.journal.workload import WorkloadView
from soptui.widgets.fields import LabeledInput, say_period_problem
from soptui.widgets.paged_table import PagedTable, RowTable
from soptui.widgets.workers import db_work

PAGE = 50
TAB_LOG, TAB_REPORT, TAB_LOAD, TAB_AUDIT = "tab-log", "tab-report", "tab-load", "tab-audit"


def _value(select: Select):
    v = select.value
    return None if v is Select.BLANK or v == Select.NULL else v


def _hours(minutes: int) -> str:
    return f"{minutes} мин" if minutes < 60 else f"{minutes} мин ({minutes // 60} ч {minutes % 60:02d} мин)"


class JournalScreen(SectionScreen):
    """The service log and what a head of department audits."""

    SECTION_TITLE = "Журнал"
    DEFAULT_CSS = """
    JournalScreen #j-filters { height: auto; }
    JournalScreen #j-start, JournalScreen #j-end { width: 16; }
    JournalScreen #j-client { width: 1fr; }
    JournalScreen #j-selects { height: 1; }
    JournalScreen #j-selects Select { width: 1fr; margin: 0 1 0 0; }
    JournalScreen TabbedContent { height: 1fr; }
    JournalScreen TabPane { padding: 0; height: 1fr; }
    JournalScreen .j-line { height: 1; padding: 0 1; }
    JournalScreen #log-totals { height: auto; max-height: 3; padding: 0 1; background: $boost; }
    JournalScreen #log-detail { color: $text-muted; }
    JournalScreen #audit-bar { height: 1; }
    JournalScreen #audit-bar Select { width: 30; }
    JournalScreen #audit-count { width: 1fr; }
    JournalScreen #report-scroll { height: 1fr; padding: 0 1; }
    JournalScreen #findings-title { margin: 1 0 0 0; }
    JournalScreen #finding-detail { color: $text-muted; height: auto; }
    """
    BINDINGS = [
        Binding("f9", "print", "Печать PDF", id="journal.print", tooltip="Напечатать открытую вкладку в PDF"),
        Binding("t", "next_tab", "Вкладка", id="journal.tab", tooltip="Следующая вкладка"),
        Binding("pagedown", "page(1)", "Стр.→", id="journal.next", tooltip="Следующая страница (n)"),
        Binding("pageup", "page(-1)", "←Стр.", id="journal.prev", tooltip="Предыдущая страница (p)"),
        Binding("n", "page(1)", "Дальше", show=False, id="journal.next_page", tooltip="Следующая страница"),
        Binding("p", "page(-1)", "Назад", show=False, id="journal.prev_page", tooltip="Предыдущая страница"),
        Binding(
            "left_square_bracket",
            "shift_month(-1)",
            "Пред. месяц",
            show=False,
            id="journal.prev_month",
            tooltip="Предыдущий месяц",
        ),
        Binding(
            "right_square_bracket",
            "shift_month(1)",
            "След. месяц",
            show=False,
            id="journal.next_month",
            tooltip="Следующий месяц",
        ),
        Binding("r", "reload", "Обновить", id="journal.reload", tooltip="Перечитать данные", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        start, end = _month(clock.today())
        self.period: tuple[dt.date, dt.date] | None = (start, end)
        self.log_offset = 0
        self.audit_offset = 0
        self.log_page = None
        self.audit_page = None
        self.summary = None
        self.workload = None
        self.report_stale = True
        self.load_stale = True
        self.audit_stale = True
        self.last_pdf: Path | None = None
        self._ready = False
        self.start_tab = TAB_LOG
        self._width = 0
        self._narrow = False

    # --- layout ---------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        start, end = self.period
        actor = self.app.actor
        with Horizontal(id="j-filters"):
            yield LabeledInput(
                "Период с",
                value=clock.fmt_date(start),
                placeholder="ДД.ММ.ГГГГ",
                validator=clock.parse_date,
                required=True,
                id="j-start",
                input_id="j-start-input",
                max_length=10,
                compact=True,
            )
            yield LabeledInput(
                "по",
                value=clock.fmt_date(end),
                placeholder="ДД.ММ.ГГГГ",
                validator=clock.parse_date,
                required=True,
                id="j-end",
                input_id="j-end-input",
                max_length=10,
                compact=True,
            )
            yield LabeledInput(
                "Получатель (начало фамилии)",
                placeholder="например, Иванов",
                id="j-client",
                input_id="j-client-input",
                max_length=60,
                compact=True,
            )
        with Horizontal(id="j-selects"):
            yield Select([], prompt="Все отделения", id="j-dep", compact=True)
            yield Select([], prompt="Все специалисты", id="j-staff", compact=True)
            yield Select([], prompt="Все СОП", id="j-sop", compact=True)
        if actor is not None and not actor.works_with_clients:
            self.start_tab = TAB_AUDIT  # an administrator without a staff position: the audit log alone
        with TabbedContent(initial=self.start_tab, id="j-tabs"):
            with TabPane("Журнал учёта услуг", id=TAB_LOG):
                yield Static("Загрузка…", id="log-count", classes="j-line")
                yield PagedTable(id="log-table", cursor_type="row", zebra_stripes=True)
                yield Static("", id="log-detail", classes="j-line")
                yield Static("", id="log-totals")
            with TabPane("Отчёт для заведующего", id=TAB_REPORT):
                with VerticalScroll(id="report-scroll"):
                    yield Static("Загрузка…", id="report-body")
                    yield Static("", id="findings-title")
                    yield RowTable(id="report-findings", cursor_type="row", zebra_stripes=True)
                    yield Static("", id="finding-detail")
            with TabPane("Нагрузка", id=TAB_LOAD):
                yield WorkloadView(id="load-view")
            if actor is not None and actor.is_head:
                with TabPane("Журнал действий", id=TAB_AUDIT):
                    with Horizontal(id="audit-bar"):
                        yield Select([], prompt="Все действия", id="j-action", compact=True)
                        yield Static("", id="audit-count", classes="j-line")
                    yield PagedTable(id="audit-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        super().on_mount()
        actor = self.app.actor
        if actor is not None and not actor.works_with_clients:  # the service log, report and workload are
            tabs = self.query_one(TabbedContent)  # case files: not offered (the services refuse them anyway)
            for tab in (TAB_LOG, TAB_REPORT, TAB_LOAD):
                tabs.hide_tab(tab)
        self._columns()
        self._focus_active()  # focusing a table in another tab would switch to that tab
        self._load_choices()

    def on_screen_resume(self) -> None:
        if self._ready:
            self.action_reload()

    def on_resize(self) -> None:
        if abs(self.size.width - self._width) >= 4:
            self._columns()
            if self.log_page is not None:
                self._fill_log(self.log_page)
            if self.audit_page is not None:
                self._fill_audit(self.audit_page)

    def _columns(self) -> None:
        """Column widths that fit the terminal: fixed columns, the rest shared by names and service."""
        width = max(self.size.width or self.app.size.width, 60)
        self._width = width
        table = self.query_one("#log-table", PagedTable)
        table.clear(columns=True)
        # below 100 columns: the date without the year (the period stands above), «Сорокин М.Ю.», the service
        # by its short name and no «Ед.» column (the row's detail line under the table says it all in full)
        self._narrow = narrow = width < 100
        fixed = 4 + (5 if narrow else 10) + 3 + (0 if narrow else 3) + 4  # №, дата, СОП, ед., мин
        columns = 7 if narrow else 8
        free = max(width - fixed - columns * 2 - 3, 30)
        staff = 13 if free < 60 else 16  # «Соколов А.П.»
        client = 13 if narrow else int((free - staff) * 0.42)  # names fit in ~26; the service names are longer
        service = free - staff - client
        for label, w in (
            ("№", 4),
            ("Дата", 5 if narrow else 10),
            ("Получатель", client),
            ("Услуга", service),
            ("СОП", 3),
            ("Ед.", 0 if narrow else 3),
            ("Мин", 4),
            ("Исполнитель", staff),
        ):
            if w:
                table.add_column(label, width=w)
        audit = self.query("#audit-table")
        if audit:
            t = audit.first()
            t.clear(columns=True)
            free = width - (16 + 14 + 12) - 6 * 2 - 3  # narrow terminals scroll sideways
            record, whose = max(16, int(free * 0.3)), max(20, int(free * 0.4))
            for label, w in (
                ("Когда", 16),
                ("Кто", 14),
                ("Действие", 12),
                ("Запись", record),
                ("Чья запись", whose),
                ("Подробности", max(16, free - record - whose)),
            ):
                t.add_column(label, width=w)

    # --- choices and filters ----------------------------------------------------------

    @db_work(group="journal-choices")
    def _load_choices(self) -> None:
        from soptui.services import journal

        choices = journal.filter_choices(self.app.actor)
        self.app.call_from_thread(self._set_choices, choices)

    def _set_choices(self, choices) -> None:
        with self.prevent(Select.Changed):
            self.query_one("#j-dep", Select).set_options([(c.label, c.id) for c in choices.departments])
            staff = self.query_one("#j-staff", Select)
            staff.set_options([(c.label, c.id) for c in choices.staff])
            if choices.default_staff_id is not None:
                staff.value = choices.default_staff_id
            self.query_one("#j-sop", Select).set_options([(c.label, c.id) for c in choices.sops])
            for action in self.query("#j-action"):
                action.set_options([(c.label, c.id) for c in choices.actions])
        self._ready = True
        self.action_reload()

    def _filters(self):
        from soptui.services.journal import JournalFilters

        start, end = self.period
        return JournalFilters(
            start,
            end,
            department_id=_value(self.query_one("#j-dep", Select)),
            staff_id=_value(self.query_one("#j-staff", Select)),
            client_query=self.query_one("#j-client", LabeledInput).value.strip(),
            sop=_value(self.query_one("#j-sop", Select)),
        )

    def _check_period(self, final: bool) -> bool:
        """Validate both dates at their fields; update self.period when valid.

        While typing (final=False) an incomplete date is not an error yet.
        """
        start_field = self.query_one("#j-start", LabeledInput)
        end_field = self.query_one("#j-end", LabeledInput)
        values = []
        ok = True
        for f in (start_field, end_field):
            if not final and len(f.value.strip()) < 10:
                f.show_error(None)
                ok = False
                continue
            good, value = f.check()
            ok = ok and good
            values.append(value)
        if not ok:
            self.period = None
            return False
        start, end = values
        try:
            validate_period(start, end)
        except ValueError as exc:
            end_field.show_error(str(exc))
            self.period = None
            return False
        self.period = (start, end)
        return True

    @on(Input.Changed, "#j-start-input, #j-end-input")
    def _period_typed(self, event: Input.Changed) -> None:
        if self._check_period(final=False):
            self._filters_changed()

    @on(Input.Submitted, "#j-start-input, #j-end-input")
    @on(Input.Blurred, "#j-start-input, #j-end-input")
    def _period_done(self, event) -> None:
        self._check_period(final=True)

    @on(Input.Changed, "#j-client-input")
    def _client_typed(self, event: Input.Changed) -> None:
        self._filters_changed()

    @on(Select.Changed, "#j-dep, #j-staff, #j-sop")
    def _select_changed(self, event: Select.Changed) -> None:
        self._filters_changed()

    @on(Select.Changed, "#j-action")
    def _action_changed(self, event: Select.Changed) -> None:
        self.audit_offset = 0
        self.audit_stale = True
        self._load_active()

    def _filters_changed(self) -> None:
        if not self._ready or self.period is None:
            return
        self.log_offset = self.audit_offset = 0
        self.report_stale = self.audit_stale = self.load_stale = True
        self._load_active()

    def action_reload(self) -> None:
        if not self._ready:
            return
        if self.period is None and not self._check_period(final=True):
            say_period_problem(self, self.query_one("#j-start", LabeledInput), self.query_one("#j-end", LabeledInput))
            return
        self.report_stale = self.audit_stale = self.load_stale = True
        self._load_active()

    def action_shift_month(self, step: int) -> None:
        """Move the period to the previous / next calendar month."""
        base = self.period[0] if self.period else clock.today()
        first = base.replace(day=1)
        target = (
            (first - dt.timedelta(days=1)).replace(day=1)
            if step < 0
            else (first + dt.timedelta(days=32)).replace(day=1)
        )
        start, end = _month(target)
        with self.prevent(Input.Changed):
            self.query_one("#j-start", LabeledInput).value = clock.fmt_date(start)
            self.query_one("#j-end", LabeledInput).value = clock.fmt_date(end)
        self._check_period(final=True)
        self._filters_changed()

    # --- tabs -----------------------------------------------------------------------------

    @property
    def active_tab(self) -> str:
        return self.query_one(TabbedContent).active

    def show_report(self) -> None:
        """Open the head's report tab (the palette's «Отчёт для заведующего»), now or when composed."""
        self.start_tab = TAB_REPORT
        for tabs in self.query(TabbedContent):
            tabs.active = TAB_REPORT
            # a journal opened just now activates its initial tab after this: ask again once it has
            self.call_after_refresh(setattr, tabs, "active", TAB_REPORT)

    def action_next_tab(self) -> None:
        tabs = self.query_one(TabbedContent)
        ids = [pane.id for pane in tabs.query(TabPane) if tabs.get_tab(pane.id).display]  # hidden tabs skipped
        tabs.active = ids[(ids.index(tabs.active) + 1) % len(ids)]

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self._load_active()
        self._focus_active()

    def _focus_active(self) -> None:
        tab = self.active_tab
        # the recipient and SOP filters narrow the log only; the report and the audit log ignore them
        self.query_one("#j-client", LabeledInput).input.disabled = tab != TAB_LOG
        self.query_one("#j-sop", Select).disabled = tab != TAB_LOG
        if tab == TAB_LOG:
            self.query_one("#log-table").focus()
        elif tab == TAB_AUDIT:
            self.query_one("#audit-table").focus()
        elif tab == TAB_LOAD:
            self.query_one("#load-view").focus()
        else:
            self.query_one("#report-scroll").focus()

    def _load_active(self) -> None:
        if not self._ready or self.period is None:
            return
        tab = self.active_tab
        if tab == TAB_LOG:
            self._load_log(self._filters(), self.log_offset)
        elif tab == TAB_REPORT and self.report_stale:
            f = self._filters()
            self.query_one("#report-body", Static).update("Загрузка…")
            self._load_report(f.start, f.end, f.department_id, f.staff_id)
        elif tab == TAB_LOAD and self.load_stale:
            f = self._filters()
            self._load_workload(f.start, f.end, f.department_id, f.staff_id)
        elif tab == TAB_AUDIT and self.audit_stale:
            self._load_audit(self._audit_filters(), self.audit_offset)

    @db_work(exclusive=True, group="journal-load", action="посчитать нагрузку")
    def _load_workload(self, start, end, department_id, staff_id) -> None:
        from soptui.services import journal

        try:
            data = journal.staff_workload(start, end, department_id, staff_id, self.app.actor)
        except journal.AccessDenied as exc:  # a specialist chose a colleague in «Сотрудник»
            self.app.call_from_thread(self._workload_refused, str(exc))
            return
        self.app.call_from_thread(self._show_workload, data)

    def _workload_refused(self, message: str) -> None:
        self.workload = None
        self.load_stale = False
        self.query_one("#load-view", WorkloadView).refused(message)

    def _show_workload(self, data) -> None:
        self.workload = data
        self.load_stale = False
        self.query_one("#load-view", WorkloadView).show(data)

    # --- the service log ---------------------------------------------------------------------

    @db_work(exclusive=True, group="journal-log", action="прочитать журнал")
    def _load_log(self, filters, offset: int) -> None:
        from soptui.services import journal

        page = journal.service_page(filters, offset, PAGE, self.app.actor)
        by_sop = journal.totals_by_sop(filters, self.app.actor)
        self.app.call_from_thread(self._show_log, page, by_sop)

    def _show_log(self, page, by_sop) -> None:
        self.log_page = page
        self.log_offset = page.offset
        self._fill_log(page)
        start, end = self.period or (None, None)
        if not page.total:
            count = f"За период {clock.fmt_date(start)}–{clock.fmt_date(end)} записей нет."
        else:
            count = f"Записи {page.offset + 1}–{page.offset + len(page.rows)} из {page.total}"
            if page.has_next or page.has_prev:
                count += " · PgDn/n — дальше, PgUp/p — назад"
        self.query_one("#log-count", Static).update(count)
        t = page.totals
        totals = Text()
        totals.append("Итого: ", style="bold")
        totals.append(f"записей {t.entries} · услуг {t.units} · {_hours(t.minutes)}")
        if t.repeated:
            totals.append(" (группа — 1 раз)", style="dim")  # a session with several clients: its time once
        if by_sop:
            totals.append("\n")
            totals.append(
                " · ".join(f"СОП {s.key or '—'}: {s.units} усл., {s.minutes} мин" for s in by_sop), style="dim"
            )
        self.query_one("#log-totals", Static).update(totals)

    def _fill_log(self, page) -> None:
        table = self.query_one("#log-table", PagedTable)
        table.clear()
        narrow = self._narrow
        for r in page.rows:
            cells = [
                str(r.number),
                f"{r.date:%d.%m}" if narrow else clock.fmt_date(r.date),
                short_of_full(r.client_name) if narrow else r.client_name,
                short_service(r.sop, r.service) if narrow else r.service,
                r.sop,
                str(r.units),
                Text(f"{r.minutes}!", style="bold red") if r.over_norm else str(r.minutes),
                r.staff_name,
            ]
            if narrow:
                del cells[5]  # «Ед.»: in the detail line
            table.add_row(*cells, key=str(r.id))
        if not page.rows:  # no row is highlighted to replace the last one's line
            self.query_one("#log-detail", Static).update("")

    @on(DataTable.RowHighlighted, "#log-table")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The whole row in one line under the table: narrow terminals cut the columns."""
        page = self.log_page
        row = event.cursor_row
        detail = self.query_one("#log-detail", Static)
        if page is None or row is None or not 0 <= row < len(page.rows):
            detail.update("")
            return
        r = page.rows[row]
        parts = [
            f"№ {r.number}",
            r.client_name,
            r.service,
            f"СОП {r.sop or '—'}",
            f"{r.units} ед.",
            f"{r.minutes} мин"
            + (f" (норма {r.norm_minutes}{', сверх нормы' if r.over_norm else ''})" if r.norm_minutes else ""),
            r.staff_name,
        ]
        if r.late_reason:
            when = f" {r.recorded_at:%d.%m.%Y}" if r.recorded_at else ""
            parts.append(f"внесено позже{when}: {r.late_reason}")
        if r.source:
            parts.append(r.source)
        if r.note:
            parts.append(r.note)
        detail.update(Text(" · ".join(parts), no_wrap=True, overflow="ellipsis"))

    @on(PagedTable.PageRequest)
    def _page_request(self, event: PagedTable.PageRequest) -> None:
        event.stop()
        self.action_page(event.step)

    def action_page(self, step: int) -> None:
        tab = self.active_tab
        page = self.log_page if tab == TAB_LOG else self.audit_page if tab == TAB_AUDIT else None
        if page is None or self.period is None:
            return
        new = page.offset + step * PAGE
        if new < 0 or (step > 0 and not page.has_next):
            self.app.bell()
            return
        if tab == TAB_LOG:
            self.log_offset = new
            self._load_log(self._filters(), new)
        else:
            self.audit_offset = new
            self._load_audit(self._audit_filters(), new)

    # --- the head's report ---------------------------------------------------------------------

    @db_work(exclusive=True, group="journal-report", action="составить отчёт")
    def _load_report(self, start, end, department_id, staff_id) -> None:
        from soptui.services import journal

        try:
            summary = journal.audit_summary(start, end, department_id, staff_id, self.app.actor)
        except journal.AccessDenied as exc:  # a specialist chose a colleague in «Сотрудник»
            self.app.call_from_thread(self._report_refused, str(exc))
            return
        self.app.call_from_thread(self._show_report, summary)

    def _report_refused(self, message: str) -> None:
        self.summary = None
        self.report_stale = False
        self.query_one("#report-body", Static).update(message)
        self.query_one("#findings-title", Static).update("")
        self.query_one("#report-findings", DataTable).clear()
        self.query_one("#finding-detail", Static).update("")

    def _show_report(self, s) -> None:
        self.summary = s
        self.report_stale = False
        self.query_one("#report-body", Static).update(render_summary(s))
        found = s.findings
        title = Text()
        title.append(f"Замечания проверки: {sum(c.found for c in s.checks)}", style="bold")
        if found:
            title.append("  Tab — к списку, Enter — открыть запись", style="dim")
        self.query_one("#findings-title", Static).update(title)
        table = self.query_one("#report-findings", DataTable)
        self.query_one("#finding-detail", Static).update("")
        table.clear(columns=True)
        table.display = bool(found)
        if found:
            width = max(self.size.width or self.app.size.width, 60)
            rest = max(width - 10 - 4 - 8, 40)  # the date, the column gaps and the scrollbar
            wide = width >= 110
            table.add_column("Дата", width=10)
            if wide:
                table.add_column("СОП", width=3)
            table.add_column("Получатель / клуб", width=rest * 3 // 10)
            if wide:
                table.add_column("Кто", width=rest * 15 // 100)
            table.add_column("Замечание", width=rest - rest * 3 // 10 - (rest * 15 // 100 if wide else 0))
            for f in found:
                cells = [clock.fmt_date(f.when), f.sop, f.client_name, f.staff_name, f"{f.title}: {f.detail}"]
                table.add_row(*(cells if wide else [cells[0], cells[2], cells[4]]))
            # the header and up to 13 rows, more scroll inside (app.tcss gives tables 1fr, which here is 1 line)
            table.styles.height = min(len(found), 13) + 1

    @on(DataTable.RowHighlighted, "#report-findings")
    def _finding_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The highlighted finding in full: narrow terminals cut the table's cells."""
        event.stop()
        found = self.summary.findings if self.summary is not None else []
        if 0 <= event.cursor_row < len(found):
            f = found[event.cursor_row]
            sop = f"СОП {f.sop} · " if f.sop else ""
            self.query_one("#finding-detail", Static).update(
                f"{clock.fmt_date(f.when)} · {sop}{f.client_name} · {f.staff_name}\n{f.title}: {f.detail}"
            )

    @on(DataTable.RowSelected, "#report-findings")
    def _finding_selected(self, event: DataTable.RowSelected) -> None:
        from soptui.screens.navigation import Open, target_of

        event.stop()
        found = self.summary.findings if self.summary is not None else []
        row = event.cursor_row
        if 0 <= row < len(found) and found[row].target is not None:
            self.post_message(Open(target_of(found[row].target)))

    # --- the audit log ---------------------------------------------------------------------------

    def _audit_filters(self):
        from soptui.services.journal import AuditFilters

        start, end = self.period
        actions = self.query("#j-action")
        return AuditFilters(
            start,
            end,
            staff_id=_value(self.query_one("#j-staff", Select)),
            action=_value(actions.first()) if actions else None,
        )

    @db_work(exclusive=True, group="journal-audit", action="прочитать журнал действий")
    def _load_audit(self, filters, offset: int) -> None:
        from soptui.services import journal

        try:
            page = journal.audit_page(filters, offset, PAGE, self.app.actor)
        except journal.AccessDenied as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="warning")
            return
        self.app.call_from_thread(self._show_audit, page)

    def _show_audit(self, page) -> None:
        self.audit_page = page
        self.audit_offset = page.offset
        self.audit_stale = False
        self._fill_audit(page)
        if not page.total:
            text = "За период действий нет."
        else:
            text = f"Действия {page.offset + 1}–{page.offset + len(page.rows)} из {page.total}, новые сверху"
        self.query_one("#audit-count", Static).update(text)

    def _fill_audit(self, page) -> None:
        table = self.query_one("#audit-table", PagedTable)
        table.clear()
        for r in page.rows:
            table.add_row(clock.fmt_datetime(r.at), r.staff, r.action, r.what, r.whose, r.details, key=str(r.id))

    # --- printing ------------------------------------------------------------------------------------

    def action_print(self) -> None:
        if self.period is None and not self._check_period(final=True):
            say_period_problem(self, self.query_one("#j-start", LabeledInput), self.query_one("#j-end", LabeledInput))
            return
        tab = self.active_tab
        if tab == TAB_LOG:
            self.notify("Готовлю журнал учёта услуг в PDF…")
            self._print_log(self._filters())
        elif tab == TAB_REPORT:
            f = self._filters()
            self.notify("Готовлю отчёт для заведующего в PDF…")
            self._print_report(f.start, f.end, f.department_id, f.staff_id)
        elif tab == TAB_LOAD:
            f = self._filters()
            self.notify("Готовлю таблицу нагрузки в PDF…")
            self._print_workload(f.start, f.end, f.department_id, f.staff_id)
        else:
            self.notify("Журнал действий не печатается: он хранится в программе (152-ФЗ).", severity="warning")

    @db_work(group="journal-print", action="напечатать журнал")
    def _print_log(self, filters) -> None:
        from soptui.services import journal

        try:
            path = journal.print_service_log(filters, self.app.actor)
        except journal.TooManyRows as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="warning", timeout=10)
            return
        self.app.call_from_thread(self._printed, path, "Журнал учёта услуг сохранён")

    @db_work(group="journal-print", action="напечатать отчёт")
    def _print_report(self, start, end, department_id, staff_id) -> None:
        from soptui.services import journal

        try:
            path = journal.print_audit_report(start, end, department_id, staff_id, self.app.actor)
        except journal.AccessDenied as exc:  # a specialist chose a colleague in «Сотрудник»
            self.app.call_from_thread(self.notify, str(exc), severity="warning", timeout=10)
            return
        self.app.call_from_thread(self._printed, path, "Отчёт для заведующего сохранён")

    @db_work(group="journal-print", action="напечатать нагрузку")
    def _print_workload(self, start, end, department_id, staff_id) -> None:
        from soptui.services import journal

        try:
            path = journal.print_workload(start, end, department_id, staff_id, self.app.actor)
        except journal.AccessDenied as exc:  # a specialist chose a colleague in «Сотрудник»
            self.app.call_from_thread(self.notify, str(exc), severity="warning", timeout=10)
            return
        self.app.call_from_thread(self._printed, path, "Таблица нагрузки сохранена")

    def _printed(self, path: Path, saved: str) -> None:
        """`saved`: the whole phrase, «Таблица нагрузки сохранена» (the participle agrees with its noun)."""
        self.last_pdf = path
        self.notify(f"{saved}: {path}", title="PDF готов", timeout=10)

    def palette_commands(self):
        from textual.app import SystemCommand

        yield SystemCommand("Журнал: печать открытой вкладки", "PDF журнала или отчёта (F9)", self.action_print)
        yield SystemCommand(
            "Журнал: предыдущий месяц", "Период — прошлый месяц ([)", lambda: self.action_shift_month(-1)
        )
        yield SystemCommand(
            "Журнал: следующий месяц", "Период — следующий месяц (])", lambda: self.action_shift_month(1)
        )


def _month(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day.replace(day=1)
    return first, (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def render_summary(s) -> Group:
    """The head's report as Rich tables (the same figures the PDF prints)."""
    parts: list = []
    head = Text()
    head.append(f"Период {clock.fmt_date(s.start)}–{clock.fmt_date(s.end)}", style="bold")
    head.append(f" · {s.department or 'все отделения'}")
    if s.staff:
        head.append(f" · {s.staff}")
    parts.append(head)

    def table(title: str, rows: list[tuple], headers=("Показатель", "Кол-во")) -> Group:
        t = Table(expand=False, show_edge=False, pad_edge=False, header_style="bold")
        numeric = [
            all(isinstance(r[i], (int, Text)) or str(r[i]).endswith("%") for r in rows) if rows else False
            for i in range(len(headers))
        ]
        for i, h in enumerate(headers):
            t.add_column(h, justify="right" if numeric[i] and i else "left", overflow="fold")
        for r in rows:
            t.add_row(*[x if isinstance(x, Text) else str(x) for x in r])
        return Group(Text(title, style="bold"), t)

    late = Text(str(s.contact_late), style="bold red" if s.contact_late else "")
    overdue = Text(str(s.open_overdue), style="bold red" if s.open_overdue else "")
    parts.append(
        table(
            "Обращения: первичный контакт в течение 3 раб. дней (СОП 03)",
            [
                ("Поступило обращений", s.referrals_received),
                ("Контакт в срок", s.contact_in_time),
                ("Контакт с опозданием", late),
                ("Ждут звонка, срок не истёк", s.open_in_time),
                ("Ждут звонка, срок истёк", overdue),
                ("Закрыты без звонка", s.closed_without_contact),
                ("Доля контактов в срок", s.contact_rate),
            ],
        )
    )
    parts.append(
        table(
            "Звонки (СОП 01–03)",
            [
                *[(f"СОП {c.sop}", c.count, c.talked, c.talk_minutes) for c in s.calls],
                ("Итого", s.calls_total, sum(c.talked for c in s.calls), sum(c.talk_minutes for c in s.calls)),
            ],
            headers=("СОП", "Звонков", "Состоялось", "Мин разговора"),
        )
    )
    no_act = Text(str(s.visits_without_act), style="bold red" if s.visits_without_act else "")
    parts.append(
        table(
            "Патронаж (СОП 04)",
            [
                ("Проведено патронажей", s.visits_done),
                ("с актом или отчётом", s.visits_with_act),
                ("без акта или отчёта", no_act),
                (
                    "запланированы, срок прошёл, не проведены",
                    Text(str(s.visits_not_done), style="bold red" if s.visits_not_done else ""),
                ),
                *[(label, n) for label, n in s.acts_by_kind],
            ],
        )
    )
    parts.append(
        table(
            "Групповые занятия (СОП 05)",
            [
                ("Проведено занятий", s.sessions_held),
                ("Отменено", s.sessions_cancelled),
                ("Посещений (услуг)", s.attendances),
                ("Участников", s.participants),
            ],
        )
    )
    parts.append(
        table(
            "Журнал учёта услуг",
            [
                *[(r.label, r.entries, r.units, r.minutes) for r in s.services_by_sop],
                ("Итого", s.services.entries, s.services.units, s.services.minutes),
            ],
            headers=("СОП", "Записей", "Услуг", "Минут"),
        )
    )
    if s.services_by_staff:
        parts.append(
            table(
                "По исполнителям",
                [(r.label, r.entries, r.units, r.minutes) for r in s.services_by_staff],
                headers=("Исполнитель", "Записей", "Услуг", "Минут"),
            )
        )
    if s.checks:
        parts.append(
            table(
                "Проверка записей по СОП",
                [
                    (c.title, c.sop or "—", c.checked, Text(str(c.found), style="bold red" if c.found else ""))
                    for c in s.checks
                ],
                headers=("Правило", "СОП", "Проверено", "Замечаний"),
            )
        )
    if s.shares:
        parts.append(
            table(
                "Записи без замечаний: по специалистам и месяцам",
                [(r.staff_name, r.month, r.checked, r.flagged, r.share) for r in s.shares],
                headers=("Специалист", "Месяц", "Проверено", "Замечаний", "Без замечаний"),
            )
        )
    parts.append(Text("F9 — напечатать отчёт в PDF", style="dim"))
    spaced: list = []
    for p in parts:
        spaced.extend([p, Text("")])
    return Group(*spaced[:-1])


def open_journal(app, _ident: int = 0) -> None:
    """Switch to the Журнал section."""
    app.switch_mode("journal")


# The journal's service names are the official ones («Телефонный звонок законному представителю ребенка»); below
# 100 columns the table shows these, the detail line under it the official name.
SERVICE_SHORT = {
    "01": "Звонок представителю",
    "02": "Звонок родным",
    "03": "Первичный звонок",
    "04": "Патронаж",
    "05": "Занятие в клубе",
}


def short_service(sop: str, service: str) -> str:
    """«Патронаж (первичный)» for «Социальный патронаж (первичный)»: the SOP's short name and the kind."""
    short = SERVICE_SHORT.get(sop)
    if short is None:
        return service
    if not (service.endswith(")") and "(" in service):
        return short
    kind = service[service.find("(") + 1 : -1]
    # «плановый, повторный» (and «плановый (повторный)» of older rows): the first word says it, and fits 80 columns
    kind = kind.split(" (", 1)[0].split(",", 1)[0]
    return f"{short} ({kind})"
