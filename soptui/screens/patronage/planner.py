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
from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, OptionList, RadioButton, RadioSet, Static
from textual.widgets.option_list import Option

from soptui.core import clock
from soptui.domain import patronage
from soptui.domain.labels import VISIT_KINDS, VISIT_STATUSES, WEEKDAYS
from soptui.screens.base import SectionScreen
from soptui.widgets.planner_grid import PlannerGrid, visit_line
from soptui.widgets.workers import db_work

if TYPE_CHECKING:
    from soptui.services.patronage import PlannerWeek, VisitCard
    from soptui.services.staff import Choice


def describe_visit(v: VisitCard) -> Text:
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
        Binding("left_square_bracket,pageup", "week(-1)", "‹ Нед.", id="visits.prev", tooltip="Предыдущая неделя"),
        Binding("right_square_bracket,pagedown", "week(1)", "Нед. ›", id="visits.next", tooltip="Следующая неделя"),
        Binding("t", "this_week", "Сегодня", id="visits.today", tooltip="Текущая неделя", show=False),
        Binding("v", "toggle_scope", "Мои/все", id="visits.scope", tooltip="Только мои визиты или всё отделение"),
        Binding("o", "next_department", "Отделение", id="visits.department", show=False, tooltip="Следующее отделение"),
        Binding("g", "print_schedule", "График", id="visits.schedule", tooltip="График выходов (PDF)"),
        Binding("r", "reload", "Обновить", id="visits.reload", show=False, tooltip="Перечитать"),
    ]
    DEFAULT_CSS = """
    PatronageScreen #planner { height: 1fr; }
    PatronageScreen #week-bar { height: auto; max-height: 2; padding: 0 1; background: $boost; }
    /* a fixed height: new text in it must not re-lay out the whole screen */
    PatronageScreen #cell-info { height: 9; padding: 0 1; border-top: solid $primary; overflow-y: auto; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.monday = patronage.week_start(clock.today())
        self.only_mine = False
        self.department_id: int | None = None
        self.departments: list[Choice] = []
        self.week: PlannerWeek | None = None
        self._want: tuple[object, dt.date] | None = None
        self._shown_text: dict[str, tuple] = {}

    def compose_body(self) -> ComposeResult:
        yield Static("", id="week-bar")
        yield PlannerGrid(id="planner")
        yield Static("", id="cell-info")

    def on_mount(self) -> None:
        super().on_mount()
        actor = self.app.actor
        self.department_id = actor.department_id if actor else None
        self.action_reload()

    def on_screen_resume(self) -> None:
        if self.week is not None:
            self.action_reload()

    # --- loading ----------------------------------------------------------------------

    def action_reload(self) -> None:
        self._load(self.monday, self.department_id, self.app.actor.id if self.only_mine else None)

    @db_work(exclusive=True, group="planner")
    def _load(self, monday: dt.date, department_id: int | None, staff_id: int | None) -> None:
        from soptui.services import patronage as visits
        from soptui.services import staff

        week = visits.planner_week(monday, department_id, staff_id)
        deps = staff.departments() if not self.departments else self.departments
        self.app.call_from_thread(self._show, week, deps)

    def _show(self, week: PlannerWeek, deps: list[Choice]) -> None:
        self.departments = deps
        self.week = week
        self._render_week(keep=True)

    def _own_only(self) -> bool:
        """A specialist of no department sees their own visits only (services/access.py)."""
        from soptui.services import access

        return self.app.actor is not None and access.own_clients_only(self.app.actor)

    def _week_bar(self) -> Text:
        week = self.week
        dep = next((d.label for d in self.departments if d.id == self.department_id), "все отделения")
        scope = "мои визиты" if self.only_mine or self._own_only() else dep
        bar = Text()
        bar.append(f"Неделя {week.monday:%d.%m}–{week.monday + dt.timedelta(days=6):%d.%m.%Y}", style="bold")
        bar.append(f" · {scope} · визитов {len([v for v in week.visits if v.status != 'cancelled'])}")
        if week.drafts:
            bar.append(f" · подтвердить из звонков: {len(week.drafts)}", style="bold yellow")
        if self.app.size.width < 100:  # the whole legend on one line at 80 columns (it was cut at «!конфликт»)
            bar.append("  ✓пров. Т трансп. !конфл. ?звонок", style="dim")
        else:
            bar.append("  ✓проведён Т транспорт !конфликт ?из звонка", style="dim")
        return bar

    def on_resize(self) -> None:
        if getattr(self, "week", None) is not None:
            self._set_text("#week-bar", self._week_bar())

    def _render_week(self, keep: bool) -> None:
        week = self.week
        grid = self.query_one("#planner", PlannerGrid)
        old = self.selected_key(), self.selected_day()
        want = self._want or old
        self._want = None
        grid.show_week(week, clock.today())
        self._set_text("#week-bar", self._week_bar())
        keys = [r.key for r in grid.rows]
        if not keys:
            self._set_text(
                "#cell-info",
                "В отделении нет сотрудников, выполняющих патронаж (специалист по социальной работе, "
                "психолог, медицинская сестра, социальный педагог).",
            )
            return
        key, day = want
        if key not in keys:
            key = self.app.actor.id if self.app.actor and self.app.actor.id in keys else keys[0]
        days = [d.day for d in week.days]
        if day not in days:
            day = clock.today() if clock.today() in days else days[0]
        grid.select(key, days.index(day))
        self._update_info()

    # --- selection --------------------------------------------------------------------

    def selected_key(self):
        row = self.query_one("#planner", PlannerGrid).selected_row
        return row.key if row else None

    def selected_day(self) -> dt.date | None:
        grid = self.query_one("#planner", PlannerGrid)
        if self.week is None or not grid.rows:
            return None
        return self.week.days[grid.cursor_col].day

    def selected_visits(self) -> list[VisitCard]:
        row = self.query_one("#planner", PlannerGrid).selected_row
        day = self.selected_day()
        if row is None or day is None:
            return []
        return list(row.cells[self.query_one("#planner", PlannerGrid).cursor_col])

    @on(PlannerGrid.Moved)
    def _moved(self) -> None:
        if self.week is not None:
            self._update_info()

    def on_click(self, event) -> None:
        if event.chain == 2 and isinstance(event.widget, PlannerGrid):
            self.action_open_visit()

    def _update_info(self) -> None:
        visits = self.selected_visits()
        day = self.selected_day()
        if day is None:
            self._set_text("#cell-info", "")
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
            self._set_text("#cell-info", head)
            return
        self._set_text("#cell-info", Text("\n").join([head, *[describe_visit(v) for v in visits]]))

    def _set_text(self, selector: str, content) -> None:
        """Update a Static only if its text changed; both have a fixed height, so no re-layout."""
        key = (str(content), tuple(str(s.style) for s in content.spans) if isinstance(content, Text) else ())
        if self._shown_text.get(selector) == key:
            return
        self._shown_text[selector] = key
        self.query_one(selector, Static).update(content, layout=False)

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
        ids = [d.id for d in self.departments] + [None]
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
            self.notify(f"{day:%d.%m.%Y} — нерабочий день по производственному календарю.", severity="warning")
            return
        staff_id = key if isinstance(key, int) else (self.app.actor.id if self.app.actor else None)
        from soptui.screens.clients.picker import ClientPickerScreen

        def picked(client_id: int | None) -> None:
            if client_id:
                self._plan_for(client_id, staff_id, day)

        self.app.push_screen(ClientPickerScreen(), picked)

    def _plan_for(self, client_id: int, staff_id: int | None, day: dt.date) -> None:
        from soptui.screens.patronage.visit_form import VisitFormScreen

        self.app.push_screen(VisitFormScreen(client_id=client_id, staff_id=staff_id, day=day), self._after_form)

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
            from soptui.screens.patronage.visit_form import VisitFormScreen

            self.app.push_screen(VisitFormScreen(visit_id=v.id, mode="reschedule"), self._after_form)

        self._pick_visit(go)

    def action_cancel_visit(self) -> None:
        def go(v) -> None:
            if v is None:
                self.notify("В этой ячейке нет визита.", severity="warning")
                return
            from soptui.screens.patronage.visit_form import CancelVisitScreen

            self.app.push_screen(CancelVisitScreen(v.id, v.client_full_name), lambda _: self.action_reload())

        self._pick_visit(go)

    def action_print_schedule(self) -> None:
        key = self.selected_key()
        staff_id = key if isinstance(key, int) else None
        name = ""
        if staff_id and self.week:
            name = next((s.short_name for s in self.week.staff if s.id == staff_id), "")
        self.app.push_screen(
            ScheduleDialog(name, self.selected_day() or self.monday, whole_department=not self._own_only()),
            lambda choice: choice and self._print(choice, staff_id),
        )

    def _print(self, choice: tuple[str, str, dt.date], staff_id: int | None) -> None:
        scope, period, anchor = choice
        if period == "week":
            start = patronage.week_start(anchor)
            end = start + dt.timedelta(days=6)
        else:
            start = anchor.replace(day=1)
            end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        self.notify("Готовлю график выходов…")
        self._print_worker(
            start, end, staff_id if scope == "staff" else None, self.department_id if scope == "department" else None
        )

    @db_work(exclusive=True, group="planner-print")
    def _print_worker(self, start, end, staff_id, department_id) -> None:
        from soptui.services import patronage as visits

        try:
            path = visits.print_schedule(start, end, staff_id, department_id)
        except OSError as exc:
            self.app.call_from_thread(self.notify, f"Не удалось сохранить PDF: {exc}", severity="error")
            return
        self.app.call_from_thread(self.notify, f"График выходов сохранён: {path}", timeout=10)

    def palette_commands(self):
        yield SystemCommand("Патронаж: запланировать визит", "Выбрать клиента и время (n)", self.action_new_visit)
        yield SystemCommand("Патронаж: график выходов (PDF)", "Неделя или месяц (g)", self.action_print_schedule)


class VisitChooser(ModalScreen[int | None]):
    """Several visits in one cell: pick one."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Закрыть", id="visit_chooser.close", tooltip="Закрыть без выбора")]
    DEFAULT_CSS = "VisitChooser { align: center middle; }"

    def __init__(self, visits: list[VisitCard]) -> None:
        super().__init__()
        self.visits = visits

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Выберите визит", classes="dialog-title")
            yield OptionList(*[Option(visit_line(v, 40), id=str(v.id)) for v in self.visits], id="choose")

    def on_mount(self) -> None:
        options = self.query_one("#choose", OptionList)
        options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id))


class ScheduleDialog(ModalScreen[tuple | None]):
    """«График выходов»: for whom and for what period."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Закрыть", id="schedule.close", tooltip="Закрыть, не печатая график")
    ]
    DEFAULT_CSS = """
    ScheduleDialog { align: center middle; }
    ScheduleDialog .buttons { height: auto; padding: 1 0 0 0; }
    ScheduleDialog .buttons Button { margin-right: 2; }
    ScheduleDialog RadioSet { width: 100%; }
    """

    def __init__(self, staff_name: str, anchor: dt.date, whole_department: bool = True) -> None:
        super().__init__()
        self.staff_name = staff_name
        self.anchor = anchor
        self.whole_department = whole_department  # not for a specialist of no department: their own only

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="schedule-dialog"):
            yield Label("График выходов в семьи (PDF)", classes="dialog-title")
            with RadioSet(id="scope"):
                yield RadioButton(
                    f"Сотрудник: {self.staff_name}" if self.staff_name else "Сотрудник не выбран",
                    value=bool(self.staff_name),
                    disabled=not self.staff_name,
                    id="staff",
                )
                yield RadioButton(
                    "Всё отделение", value=not self.staff_name, disabled=not self.whole_department, id="department"
                )
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


# --- opened from Today and the client card (SoptuiApp.open) ------------------------------------------


def open_visit(app, visit_id: int) -> None:
    """Open a visit: doing it, its record, or confirming a call-drafted one."""
    from soptui.screens.patronage.visit_do import VisitDoScreen

    if app.current_mode != "patronage":
        app.switch_mode("patronage")
    app.push_screen(VisitDoScreen(visit_id))


def open_new_visit(app, client_id: int) -> None:
    """Plan a visit for a client (from the client card): the form prefilled from the card."""
    from soptui.screens.patronage.visit_form import VisitFormScreen

    if app.current_mode != "patronage":
        app.switch_mode("patronage")
    actor = getattr(app, "actor", None)
    app.push_screen(VisitFormScreen(client_id=client_id, staff_id=actor.id if actor else None, day=None))
