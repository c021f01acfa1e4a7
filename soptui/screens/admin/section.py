"""The «Администрирование» section: three tabs, each a pane with its own keys (shown while it has the focus)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static, TabbedContent, TabPane

from soptui.screens.admin.calendar import CalendarPane
from soptui.screens.admin.institution import InstitutionPane
from soptui.screens.admin.staff import StaffPane
from soptui.screens.base import SectionScreen
from soptui.widgets.workers import db_work

TAB_STAFF, TAB_INSTITUTION, TAB_CALENDAR = "adm-staff", "adm-institution", "adm-calendar"
TABS = (TAB_STAFF, TAB_INSTITUTION, TAB_CALENDAR)


class AdminScreen(SectionScreen):
    """Staff, the institution and the production calendar, for administrators."""

    SECTION_TITLE = "Администрирование"
    DEFAULT_CSS = """
    AdminScreen TabbedContent { height: 1fr; }
    AdminScreen TabPane { padding: 0; height: 1fr; }
    AdminScreen #adm-refused { padding: 1 2; }
    """
    BINDINGS = [
        Binding("t", "next_tab", "Вкладка", show=False, id="admin.tab", tooltip="Следующая вкладка"),
        Binding("1", "tab(0)", "Сотрудники", show=False, id="admin.tab.staff", tooltip="Вкладка «Сотрудники»"),
        Binding("2", "tab(1)", "Учреждение", show=False, id="admin.tab.inst", tooltip="Вкладка «Учреждение»"),
        Binding("3", "tab(2)", "Календарь", show=False, id="admin.tab.cal", tooltip="Вкладка «Календарь»"),
    ]

    def compose_body(self) -> ComposeResult:
        actor = getattr(self.app, "actor", None)
        if actor is None or actor.role != "admin":
            # the app opens this section for administrators only; the services refuse the others anyway
            yield Static("Раздел доступен только администратору.", id="adm-refused")
            return
        with TabbedContent(initial=TAB_STAFF, id="adm-tabs"):
            with TabPane("1 Сотрудники", id=TAB_STAFF):
                yield StaffPane(id="staff-pane")
            with TabPane("2 Учреждение", id=TAB_INSTITUTION):
                yield InstitutionPane(id="institution-pane")
            with TabPane("3 Календарь", id=TAB_CALENDAR):
                yield CalendarPane(id="calendar-pane")

    def on_mount(self) -> None:
        super().on_mount()
        if self.query("#adm-tabs"):
            self.call_after_refresh(self._focus_active)
            self._check_calendar()

    @db_work(exclusive=True, group="admin-calendar-check")
    def _check_calendar(self) -> None:
        """Said once on opening: the coming year's calendar waits for its decree (deadlines may move)."""
        from soptui.core import clock
        from soptui.services import calendar

        year = calendar.next_unconfirmed_year(clock.today(), self.app.actor)
        if year is not None:
            self.app.call_from_thread(
                self.notify,
                f"Производственный календарь на {year} год не подтверждён: сроки в {year} году могут сдвинуться. "
                "Вкладка «Календарь»: отметьте переносы по постановлению и подтвердите год (C).",
                title="Календарь",
                severity="warning",
                timeout=12,
            )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("next_tab", "tab") and not self.query("#adm-tabs"):
            return False
        return True

    def on_screen_resume(self) -> None:
        for pane in self.query("StaffPane, InstitutionPane, CalendarPane"):
            if pane.display and hasattr(pane, "reload"):
                pane.reload()

    def on_section_key(self) -> None:
        """F8 again: back on the open tab's list."""
        self._focus_active()

    # --- tabs ---------------------------------------------------------------------------------------

    def _tabs(self) -> TabbedContent:
        return self.query_one("#adm-tabs", TabbedContent)

    def action_next_tab(self) -> None:
        tabs = self._tabs()
        tabs.active = TABS[(TABS.index(tabs.active) + 1) % len(TABS)]

    def action_tab(self, index: int) -> None:
        self._tabs().active = TABS[index]

    @on(TabbedContent.TabActivated)
    def _activated(self, event: TabbedContent.TabActivated) -> None:
        self.call_after_refresh(self._focus_active)

    def _focus_active(self) -> None:
        if not self.query("#adm-tabs"):
            return
        pane = {TAB_STAFF: "#staff-pane", TAB_INSTITUTION: "#institution-pane", TAB_CALENDAR: "#calendar-pane"}
        self.query_one(pane[self._tabs().active]).focus_main()

    def palette_commands(self):
        from textual.app import SystemCommand

        if not self.query("#adm-tabs"):
            return
        yield SystemCommand("Администрирование: новый сотрудник", "Учётная запись, роль, отделение", self._new_staff)
        yield SystemCommand(
            "Администрирование: сведения об учреждении",
            "Наименование, адрес, рабочее время, блокировка, папка и команда печати",
            lambda: self._in_tab(1, "action_edit"),
        )
        yield SystemCommand(
            "Администрирование: производственный календарь",
            "Перенос дня по постановлению, подтверждение года",
            lambda: self.action_tab(2),
        )

    def _new_staff(self) -> None:
        self._in_tab(0, "action_new")

    def _in_tab(self, index: int, action: str) -> None:
        self.action_tab(index)
        pane = self.query_one(("#staff-pane", "#institution-pane", "#calendar-pane")[index])
        getattr(pane, action)()
