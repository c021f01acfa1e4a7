"""Патронаж (SOP 04): the week planner, days × staff, for one specialist or the department.

Keys: arrows move between days and staff, Enter opens a visit (or plans one in
an empty cell), n plans a visit in the first free slot of the selected day,
p reschedules, x cancels, [ and ] change the week, v toggles «мои / отделение»,
g prints the field-visit schedule.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.coordinate import Coordinate
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Label, OptionList, RadioButton, RadioSet, Static
from textual.widgets.option_list import Option

from .. import clock, patronage
from ..db.choices import VISIT_KINDS, VISIT_STATUSES, WEEKDAYS
from .base import SectionScreen

if TYPE_CHECKING:
    from ..services.visits import PlannerWeek, VisitCard

STATUS_MARK = {"planned": "", "done": "✓", "cancelled": "✗", "not_let_in": "⊘", "draft": "?"}
STATUS_STYLE = {"planned": "", "done": "green", "cancelled": "dim strike", "not_let_in": "dim",
                "draft": "yellow"}
DRAFTS_ROW = "drafts"


def visit_line(v: "VisitCard", width: int) -> Text:
    """One visit in a planner cell: «10:30 Петров Т.Ю. Т!»."""
    line = Text()
    line.append(f"{v.start:%H:%M} ", style="bold" if v.status == "planned" else "")
    marks = STATUS_MARK.get(v.status, "")
    if v.transport_needed:
        marks += "Т"
    if v.conflicts:
        marks += "!"
    name_w = max(1, width - 6 - (len(marks) + 1 if marks else 0))
    name = v.client_name
    if len(name) > name_w:
        name = name.split(" ")[0]  # the surname alone reads better than a cut-off initial
    if len(name) > name_w:
        name = name[:name_w - 1] + "…"
    line.append(name, style=STATUS_STYLE.get(v.status, ""))
    if marks:
        line.append(" ")
        for ch in marks:
            style = {"!": "bold red", "Т": "bold cyan", "✓": "green", "?": "bold yellow"}.get(ch, "dim")
            line.append(ch, style=style)
    return line


def render_cell(visits: list["VisitCard"], width: int, working: bool) -> Text:
    if not visits:
        return Text("" if working else "вых.", style="dim")
    return Text("\n").join(visit_line(v, width) for v in visits)


def fill_planner(table: DataTable, week: "PlannerWeek", width: int, highlight: dt.date) -> list:
    """Put the week into the table: one row per staff member (+ call drafts); returns row keys."""
    table.clear(columns=True)
    staff_w = 14 if width >= 100 else 12
    weekend_busy = [any(v.start.date() == d.day for v in week.visits) for d in week.days[5:]]
    weekend_w = [16 if busy else 5 for busy in weekend_busy]
    pad = 2 * 8
    day_w = max(7, min(22, (width - 2 - staff_w - sum(weekend_w) - pad) // 5))
    table.add_column("Сотрудник", width=staff_w, key="staff")
    for i, d in enumerate(week.days):
        w = day_w if i < 5 else weekend_w[i - 5]
        label = Text(f"{WEEKDAYS[d.day.weekday()]} {d.day:%d.%m}")
        if not d.working:
            label.stylize("red")
        elif d.short:
            label.append("*", style="yellow")
        if d.day == highlight:
            label.stylize("reverse")
        table.add_column(label, width=w, key=d.day.isoformat())
    keys = []
    cells: dict[tuple[int, dt.date], list] = {}
    for v in week.visits:
        for sid in v.staff_ids:
            cells.setdefault((sid, v.start.date()), []).append(v)
    for s in week.staff:
        row = [Text(s.short_name, style="bold")]
        height = 1
        for i, d in enumerate(week.days):
            items = cells.get((s.id, d.day), [])
            height = max(height, len(items))
            row.append(render_cell(items, day_w if i < 5 else weekend_w[i - 5], d.working))
        table.add_row(*row, height=height, key=str(s.id))
        keys.append(s.id)
    if week.drafts:
        row = [Text("Из звонков", style="bold yellow")]
        height = 1
        for i, d in enumerate(week.days):
            items = [v for v in week.drafts if v.start.date() == d.day]
            height = max(height, len(items))
            row.append(render_cell(items, day_w if i < 5 else weekend_w[i - 5], True))
        table.add_row(*row, height=height, key=DRAFTS_ROW)
        keys.append(DRAFTS_ROW)
    return keys


def describe_visit(v: "VisitCard") -> Text:
    t = Text()
    t.append(f"{v.start:%d.%m %H:%M} ", style="bold")
    t.append(v.client_full_name, style="bold")
    t.append(f" · {VISIT_KINDS.get(v.kind, v.kind)} · {VISIT_STATUSES.get(v.status, v.status)}")
    t.append(f"\n  занят {v.busy_from:%H:%M}–{v.busy_to:%H:%M} · {', '.join(v.staff_names) or 'сотрудник не назначен'}")
    t.append(f"\n  {v.address}")
    if v.transport_needed:
        t.append(" · нужен транспорт", style="bold cyan")
    if v.status == "draft":
        t.append("\n  из звонка: подтвердите (Enter)", style="yellow")
        if v.documents_to_prepare:
            t.append(f"; документы: {v.documents_to_prepare}", style="yellow")
    for c in v.conflicts:
        t.append(f"\n  ! {c}", style="bold red")
    return t


class PatronageScreen(SectionScreen):
    """The week planner."""

    SECTION_TITLE = "Патронаж"
    BINDINGS = [
        Binding("enter", "open_visit", "Открыть", id="visits.open", tooltip="Открыть визит или запланировать"),
        Binding("n", "new_visit", "Новый", id="visits.new", tooltip="Запланировать визит в свободное время"),
        Binding("p", "reschedule", "Перенести", id="visits.reschedule", tooltip="Перенести визит"),
        Binding("x", "cancel_visit", "Отменить", id="visits.cancel", tooltip="Отменить визит / не впустили"),
        Binding("left_square_bracket,pageup", "week(-1)", "‹ Нед.", id="visits.prev",
                tooltip="Предыдущая неделя"),
        Binding("right_square_bracket,pagedown", "week(1)", "Нед. ›", id="visits.next",
                tooltip="Следующая неделя"),
        Binding("t", "this_week", "Сегодня", id="visits.today", tooltip="Текущая неделя", show=False),
        Binding("v", "toggle_scope", "Мои/все", id="visits.scope", tooltip="Только мои визиты или всё отделение"),
        Binding("o", "next_department", "Отделение", id="visits.department", show=False,
                tooltip="Следующее отделение"),
        Binding("g", "print_schedule", "График", id="visits.schedule", tooltip="График выходов (PDF)"),
        Binding("r", "reload", "Обновить", id="visits.reload", show=False, tooltip="Перечитать"),
    ]
    DEFAULT_CSS = """
    PatronageScreen #planner { height: 1fr; }
    PatronageScreen #week-bar { height: 1; padding: 0 1; background: $boost; }
    PatronageScreen #cell-info { height: auto; max-height: 7; padding: 0 1; border-top: solid $primary; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.monday = patronage.week_start(clock.today())
        self.only_mine = False
        self.department_id: int | None = None
        self.departments: list[tuple[int, str]] = []
        self.week: PlannerWeek | None = None
        self.row_keys: list = []
        self._want: tuple[object, dt.date] | None = None

    def compose_body(self) -> ComposeResult:
        yield Static("", id="week-bar")
        yield DataTable(id="planner", cursor_type="cell", zebra_stripes=False)
        yield Static("", id="cell-info")

    def on_mount(self) -> None:
        super().on_mount()
        actor = self.app.actor
        self.department_id = actor.department_id if actor else None
        self.action_reload()

    def on_screen_resume(self) -> None:
        if self.week is not None:
            self.action_reload()

    def on_resize(self) -> None:
        if self.week is not None:
            self._render_week(keep=True)

    # --- loading ----------------------------------------------------------------------

    def action_reload(self) -> None:
        self._load(self.monday, self.department_id, self.app.actor.id if self.only_mine else None)

    @work(thread=True, exclusive=True, group="planner")
    def _load(self, monday: dt.date, department_id: int | None, staff_id: int | None) -> None:
        from ..services import visits

        week = visits.planner_week(monday, department_id, staff_id)
        deps = visits.departments() if not self.departments else self.departments
        self.app.call_from_thread(self._show, week, deps)

    def _show(self, week: "PlannerWeek", deps: list[tuple[int, str]]) -> None:
        self.departments = deps
        self.week = week
        self._render_week(keep=True)

    def _render_week(self, keep: bool) -> None:
        week = self.week
        table = self.query_one("#planner", DataTable)
        old = self.selected_key(), self.selected_day()
        want = self._want or old
        self._want = None
        self.row_keys = fill_planner(table, week, self.size.width or 80, clock.today())
        dep = dict(self.departments).get(self.department_id, "все отделения") if self.department_id else "все отделения"
        scope = "мои визиты" if self.only_mine else dep
        bar = Text()
        bar.append(f"Неделя {week.monday:%d.%m}–{week.monday + dt.timedelta(days=6):%d.%m.%Y}", style="bold")
        bar.append(f" · {scope} · визитов {len([v for v in week.visits if v.status != 'cancelled'])}")
        if week.drafts:
            bar.append(f" · из звонков ждут подтверждения: {len(week.drafts)}", style="bold yellow")
        bar.append("   ✓ проведён  Т транспорт  ! конфликт  ? черновик", style="dim")
        self.query_one("#week-bar", Static).update(bar)
        if not self.row_keys:
            self.query_one("#cell-info", Static).update(
                "В отделении нет сотрудников, выполняющих патронаж (специалист по социальной работе, "
                "психолог, медицинская сестра, социальный педагог).")
            return
        row = 0
        key, day = want
        if key in self.row_keys:
            row = self.row_keys.index(key)
        elif self.app.actor and self.app.actor.id in self.row_keys:
            row = self.row_keys.index(self.app.actor.id)
        days = [d.day for d in week.days]
        if day not in days:
            day = clock.today() if clock.today() in days else days[0]
        table.cursor_coordinate = Coordinate(row, days.index(day) + 1)
        self._update_info()

    # --- selection --------------------------------------------------------------------

    def selected_key(self):
        table = self.query_one("#planner", DataTable)
        if not self.row_keys or table.cursor_row >= len(self.row_keys):
            return None
        return self.row_keys[table.cursor_row]

    def selected_day(self) -> dt.date | None:
        if self.week is None:
            return None
        col = self.query_one("#planner", DataTable).cursor_column
        if col < 1:
            return None
        return self.week.days[min(col, 7) - 1].day

    def selected_visits(self) -> list["VisitCard"]:
        key, day = self.selected_key(), self.selected_day()
        if self.week is None or key is None or day is None:
            return []
        if key == DRAFTS_ROW:
            return [v for v in self.week.drafts if v.start.date() == day]
        return self.week.cell(key, day)

    @on(DataTable.CellHighlighted, "#planner")
    def _highlighted(self, event: DataTable.CellHighlighted) -> None:
        table = event.data_table
        if table.cursor_coordinate.column == 0:  # the name column is not a day
            table.cursor_coordinate = Coordinate(table.cursor_coordinate.row, 1)
            return
        self._update_info()

    @on(DataTable.CellSelected, "#planner")
    def _cell_selected(self, event: DataTable.CellSelected) -> None:
        self.action_open_visit()

    def _update_info(self) -> None:
        info = self.query_one("#cell-info", Static)
        visits = self.selected_visits()
        day = self.selected_day()
        if day is None:
            info.update("")
            return
        dayinfo = next(d for d in self.week.days if d.day == day)
        head = Text(f"{WEEKDAYS[day.weekday()]} {day:%d.%m.%Y}", style="bold")
        if not dayinfo.working:
            head.append(" — нерабочий день", style="red")
        elif dayinfo.hours:
            head.append(f" · рабочее время {dayinfo.hours[0]:%H:%M}–{dayinfo.hours[1]:%H:%M}")
            if dayinfo.short:
                head.append(" (предпраздничный)", style="yellow")
        if not visits:
            head.append("\nВизитов нет. n — запланировать визит в свободное время.", style="dim")
            info.update(head)
            return
        info.update(Text("\n").join([head, *[describe_visit(v) for v in visits]]))

    # --- actions -------------------------------------------------------------------------

    def action_week(self, step: int) -> None:
        self._want = (self.selected_key(), (self.selected_day() or self.monday) + dt.timedelta(days=7 * step))
        self.monday += dt.timedelta(days=7 * step)
        self.action_reload()

    def action_this_week(self) -> None:
        self.monday = patronage.week_start(clock.today())
        self._want = (self.selected_key(), clock.today())
        self.action_reload()

    def action_toggle_scope(self) -> None:
        self.only_mine = not self.only_mine
        self.action_reload()

    def action_next_department(self) -> None:
        actor = self.app.actor
        if not actor or not actor.sees_all_departments or not self.departments:
            self.notify("Вы видите своё отделение.", severity="information")
            return
        ids = [d for d, _ in self.departments] + [None]
        pos = ids.index(self.department_id) if self.department_id in ids else -1
        self.department_id = ids[(pos + 1) % len(ids)]
        self.action_reload()

    def _pick_visit(self, then) -> None:
        visits = self.selected_visits()
        if not visits:
            then(None)
        elif len(visits) == 1:
            then(visits[0])
        else:
            by_id = {v.id: v for v in visits}
            self.app.push_screen(VisitChooser(visits), lambda vid: then(by_id.get(vid)) if vid else None)

    def action_open_visit(self) -> None:
        if self.week is None:
            return
        if not self.selected_visits():
            self.action_new_visit()
            return
        self._pick_visit(lambda v: v and open_visit(self.app, v.id))

    def action_new_visit(self) -> None:
        key, day = self.selected_key(), self.selected_day()
        if day is None:
            return
        if self.week and not next(d for d in self.week.days if d.day == day).working:
            self.notify(f"{day:%d.%m.%Y} — нерабочий день по производственному календарю.",
                        severity="warning")
            return
        staff_id = key if isinstance(key, int) else (self.app.actor.id if self.app.actor else None)
        from .client_picker import ClientPickerScreen

        def picked(client_id: int | None) -> None:
            if client_id:
                self._plan_for(client_id, staff_id, day)

        self.app.push_screen(ClientPickerScreen(), picked)

    def _plan_for(self, client_id: int, staff_id: int | None, day: dt.date) -> None:
        from .visit_form import VisitFormScreen

        self.app.push_screen(VisitFormScreen(client_id=client_id, staff_id=staff_id, day=day),
                             self._after_form)

    def _after_form(self, visit_id: int | None) -> None:
        if visit_id:
            self.notify("Визит сохранён.")
        self.action_reload()

    def action_reschedule(self) -> None:
        def go(v) -> None:
            if v is None:
                self.notify("В этой ячейке нет визита.", severity="warning")
                return
            if v.status not in ("planned", "draft"):
                self.notify("Перенести можно только запланированный визит.", severity="warning")
                return
            from .visit_form import VisitFormScreen

            self.app.push_screen(VisitFormScreen(visit_id=v.id, mode="reschedule"), self._after_form)

        self._pick_visit(go)

    def action_cancel_visit(self) -> None:
        def go(v) -> None:
            if v is None:
                self.notify("В этой ячейке нет визита.", severity="warning")
                return
            from .visit_form import CancelVisitScreen

            self.app.push_screen(CancelVisitScreen(v.id, v.client_full_name), lambda _: self.action_reload())

        self._pick_visit(go)

    def action_print_schedule(self) -> None:
        key = self.selected_key()
        staff_id = key if isinstance(key, int) else None
        name = ""
        if staff_id and self.week:
            name = next((s.short_name for s in self.week.staff if s.id == staff_id), "")
        self.app.push_screen(ScheduleDialog(name, self.selected_day() or self.monday),
                             lambda choice: choice and self._print(choice, staff_id))

    def _print(self, choice: tuple[str, str, dt.date], staff_id: int | None) -> None:
        scope, period, anchor = choice
        if period == "week":
            start = patronage.week_start(anchor)
            end = start + dt.timedelta(days=6)
        else:
            start = anchor.replace(day=1)
            end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        self.notify("Готовлю график выходов…")
        self._print_worker(start, end, staff_id if scope == "staff" else None,
                           self.department_id if scope == "department" else None)

    @work(thread=True, exclusive=True, group="planner-print", exit_on_error=False)
    def _print_worker(self, start, end, staff_id, department_id) -> None:
        from ..services import visits

        try:
            path = visits.schedule_pdf(start, end, staff_id, department_id)
        except OSError as exc:
            self.app.call_from_thread(self.notify, f"Не удалось сохранить PDF: {exc}", severity="error")
            return
        self.app.call_from_thread(self.notify, f"График выходов сохранён: {path}", timeout=10)

    def palette_commands(self):
        yield SystemCommand("Патронаж: запланировать визит", "Выбрать клиента и время (n)", self.action_new_visit)
        yield SystemCommand("Патронаж: график выходов (PDF)", "Неделя или месяц (g)", self.action_print_schedule)


class VisitChooser(ModalScreen[int | None]):
    """Several visits in one cell: pick one."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Закрыть")]

    def __init__(self, visits: list["VisitCard"]) -> None:
        super().__init__()
        self.visits = visits

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Выберите визит", classes="dialog-title")
            yield OptionList(*[Option(visit_line(v, 40), id=str(v.id)) for v in self.visits], id="choose")

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id))


class ScheduleDialog(ModalScreen[tuple | None]):
    """«График выходов»: for whom and for what period."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Закрыть")]

    def __init__(self, staff_name: str, anchor: dt.date) -> None:
        super().__init__()
        self.staff_name = staff_name
        self.anchor = anchor

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="schedule-dialog"):
            yield Label("График выходов в семьи (PDF)", classes="dialog-title")
            with RadioSet(id="scope"):
                yield RadioButton(f"Сотрудник: {self.staff_name}" if self.staff_name else "Сотрудник не выбран",
                                  value=bool(self.staff_name), disabled=not self.staff_name, id="staff")
                yield RadioButton("Всё отделение", value=not self.staff_name, id="department")
            with RadioSet(id="period"):
                yield RadioButton(f"Неделя с {patronage.week_start(self.anchor):%d.%m.%Y}", value=True, id="week")
                yield RadioButton(f"Месяц {self.anchor:%m.%Y}", id="month")
            with Horizontal(classes="buttons"):
                yield Button("Сформировать", variant="primary", id="make")
                yield Button("Отмена", id="cancel")

    @on(Button.Pressed, "#make")
    def _make(self) -> None:
        scope = self.query_one("#scope", RadioSet).pressed_button
        period = self.query_one("#period", RadioSet).pressed_button
        self.dismiss((scope.id if scope else "department", period.id if period else "week", self.anchor))

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)


# --- openers (registered in app.OPENERS) -------------------------------------------------------

def open_visit(app, visit_id: int) -> None:
    """Open a visit: doing it, its record, or confirming a call-drafted one."""
    from .visit_do import VisitDoScreen

    if app.current_mode != "visits":
        app.switch_mode("visits")
    app.push_screen(VisitDoScreen(visit_id))


def open_new_visit(app, client_id: int) -> None:
    """Plan a visit for a client (from the client card): the form prefilled from the card."""
    from .visit_form import VisitFormScreen

    if app.current_mode != "visits":
        app.switch_mode("visits")
    actor = getattr(app, "actor", None)
    app.push_screen(VisitFormScreen(client_id=client_id, staff_id=actor.id if actor else None,
                                    day=None))
