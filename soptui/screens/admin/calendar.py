"""The production calendar: a year's months (as many as the terminal shows; the cursor's month always), a
day marked working / non-working / short by a decree (EditFlow dialog: drafts, conflict review), the year
confirmed once its decree is entered. Every deadline is counted on this calendar (domain/workdays.py)."""

from __future__ import annotations

import calendar as _cal
import datetime as dt

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Select, Static

from soptui.core import clock
from soptui.screens.form_base import EditFlow
from soptui.services import calendar as service
from soptui.widgets.fields import FieldError, LabeledInput
from soptui.widgets.workers import db_work

MONTHS = [
    "Январь",
    "Февраль",
    "Март",
    "Апрель",
    "Май",
    "Июнь",
    "Июль",
    "Август",
    "Сентябрь",
    "Октябрь",
    "Ноябрь",
    "Декабрь",
]
WEEKDAYS = "Пн Вт Ср Чт Пт Сб Вс"
WEEKDAY_SHORT = ["пн", "вт", "ср", "чт", "пт", "сб", "вс"]
MONTH_WIDTH = 20  # seven days of «dd » less the last space
GAP = 3
STYLE_OFF = "bold red"
STYLE_SHORT = "bold yellow"
STYLE_MARK = "underline"


def _weeks(year: int, month: int) -> list[list[int]]:
    return _cal.Calendar(firstweekday=0).monthdayscalendar(year, month)


def _shift_month(day: dt.date, step: int) -> dt.date:
    month = day.month - 1 + step
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, _cal.monthrange(year, month)[1]))


class YearCalendar(Widget, can_focus=True):
    """The months of one year in a grid; the cursor moves by day (arrows), week (↑↓) and month (PgUp/PgDn)."""

    DEFAULT_CSS = """
    YearCalendar { height: 1fr; padding: 0 1; }
    YearCalendar:focus { background-tint: $foreground 3%; }
    """
    BINDINGS = [
        Binding("left", "move(-1)", "←", show=False, id="calendar.left", tooltip="Предыдущий день"),
        Binding("right", "move(1)", "→", show=False, id="calendar.right", tooltip="Следующий день"),
        Binding("up", "move(-7)", "↑", show=False, id="calendar.up", tooltip="На неделю назад"),
        Binding("down", "move(7)", "↓", show=False, id="calendar.down", tooltip="На неделю вперёд"),
        Binding("pageup", "month(-1)", "←Мес.", show=False, id="calendar.prev_month", tooltip="Предыдущий месяц"),
        Binding("pagedown", "month(1)", "Мес.→", show=False, id="calendar.next_month", tooltip="Следующий месяц"),
        Binding("home", "today", "Сегодня", show=False, id="calendar.today", tooltip="К сегодняшнему дню"),
    ]

    cursor: reactive[dt.date] = reactive(dt.date(2000, 1, 1), always_update=True)

    class Moved(Message):
        def __init__(self, day: dt.date) -> None:
            super().__init__()
            self.day = day

    class Chosen(Message):
        def __init__(self, day: dt.date) -> None:
            super().__init__()
            self.day = day

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.year_view: service.YearView | None = None
        self._first_row = 0
        self._hits: dict[tuple[int, int], dt.date] = {}

    def set_view(self, view: service.YearView) -> None:
        self.year_view = view
        self.refresh()

    def watch_cursor(self, day: dt.date) -> None:
        self.refresh()
        self.post_message(self.Moved(day))

    def action_move(self, days: int) -> None:
        self.cursor = self.cursor + dt.timedelta(days=days)

    def action_month(self, step: int) -> None:
        self.cursor = _shift_month(self.cursor, step)

    def action_today(self) -> None:
        self.cursor = clock.today()

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            self.post_message(self.Chosen(self.cursor))

    def on_click(self, event: events.Click) -> None:
        day = self._hits.get((event.x, event.y))
        if day is not None:
            if day == self.cursor and event.chain >= 2:
                self.post_message(self.Chosen(day))
            self.cursor = day

    def _columns(self) -> int:
        width = max(self.size.width - 2, MONTH_WIDTH)
        fits = max(1, (width + GAP) // (MONTH_WIDTH + GAP))
        return max(c for c in (1, 2, 3, 4, 6) if c <= fits)

    def render(self) -> Text:
        view = self.year_view
        self._hits = {}
        if view is None:
            return Text("Загрузка…")
        cols = self._columns()
        rows = [list(range(r * cols + 1, min(r * cols + cols, 12) + 1)) for r in range(-(-12 // cols))]
        heights = [2 + max(len(_weeks(view.year, mth)) for mth in row) for row in rows]
        # the rows that fit the height, always including the cursor's month
        available = max(self.size.height, 1)
        cursor_row = (self.cursor.month - 1) // cols if self.cursor.year == view.year else 0
        first = min(self._first_row, cursor_row)
        while sum(heights[first : cursor_row + 1]) > available and first < cursor_row:
            first += 1
        last = first
        used = 0
        while last < len(rows) and used + heights[last] <= available:
            used += heights[last]
            last += 1
        last = max(last, first + 1)
        while first > 0 and used + heights[first - 1] <= available:  # room above (the terminal grew): fill it
            first -= 1
            used += heights[first]
        self._first_row = first
        out = Text(no_wrap=True, overflow="crop")
        y = 0
        today = clock.today()
        for r in range(first, last):
            months = rows[r]
            height = heights[r]
            lines = [Text() for _ in range(height)]
            for i, month in enumerate(months):
                x0 = 1 + i * (MONTH_WIDTH + GAP)  # the widget's left padding
                if i:
                    for line in lines:
                        line.append(" " * GAP)
                title = MONTHS[month - 1]
                current = self.cursor.year == view.year and self.cursor.month == month
                lines[0].append(title.center(MONTH_WIDTH), style="bold reverse" if current else "bold")
                lines[1].append(WEEKDAYS, style="dim")
                weeks = _weeks(view.year, month)
                for w in range(height - 2):
                    line = lines[2 + w]
                    week = weeks[w] if w < len(weeks) else [0] * 7
                    for d, number in enumerate(week):
                        if d:
                            line.append(" ")
                        if not number:
                            line.append("  ")
                            continue
                        day = dt.date(view.year, month, number)
                        line.append(f"{number:2d}", style=self._style(day, today))
                        self._hits[(x0 + d * 3, y + 2 + w)] = day
                        self._hits[(x0 + d * 3 + 1, y + 2 + w)] = day
            for line in lines:
                out.append_text(line)
                out.append("\n")
            y += height
        return out

    def _style(self, day: dt.date, today: dt.date) -> str:
        view = self.year_view
        style = ""
        if day not in view.working:
            style = STYLE_OFF
        elif day in view.short:
            style = STYLE_SHORT
        if day in view.marks:
            style += " " + STYLE_MARK
        if day == today:
            style += " italic"
        if day == self.cursor:
            style += " reverse"
        return style.strip()

    def on_resize(self) -> None:
        self.refresh()


class CalendarPane(Vertical):
    """The year, what the cursor's day is, and the keys to mark a day and confirm the year."""

    DEFAULT_CSS = """
    CalendarPane { height: 1fr; }
    CalendarPane #cal-year { height: 1; padding: 0 1; background: $boost; }
    CalendarPane #cal-day { height: 2; padding: 0 1; background: $boost; }
    CalendarPane #cal-legend { height: 1; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("enter", "mark", "День", id="admin.calendar.mark", tooltip="Рабочий, нерабочий, сокращённый"),
        Binding("c", "confirm", "Подтвердить", id="admin.calendar.confirm", tooltip="Календарь года утверждён"),
        Binding("left_square_bracket", "year(-1)", "←Год", id="admin.calendar.prev_year", tooltip="Предыдущий год"),
        Binding("right_square_bracket", "year(1)", "Год→", id="admin.calendar.next_year", tooltip="Следующий год"),
    ]

    def compose(self) -> ComposeResult:
        yield Static("", id="cal-year")
        yield YearCalendar(id="cal-grid")
        yield Static("", id="cal-day")
        legend = Text()
        legend.append("12", style=STYLE_OFF)
        legend.append(" нерабочий  ")
        legend.append("30", style=STYLE_SHORT)
        legend.append(" сокращённый  ")
        legend.append("08", style=STYLE_MARK)
        legend.append(" отмечен администратором")
        yield Static(legend, id="cal-legend")

    def on_mount(self) -> None:
        grid = self.query_one(YearCalendar)
        grid.cursor = clock.today()
        self.reload()

    def focus_main(self) -> None:
        self.query_one(YearCalendar).focus()

    @property
    def grid(self) -> YearCalendar:
        return self.query_one(YearCalendar)

    def reload(self) -> None:
        self._load(self.grid.cursor.year)

    @db_work(exclusive=True, group="admin-calendar")
    def _load(self, year: int) -> None:
        view = service.year_view(year, self.app.actor)
        self.app.call_from_thread(self._show, view)

    def _show(self, view: service.YearView) -> None:
        grid = self.grid
        if grid.cursor.year != view.year:
            return  # the cursor moved on to another year meanwhile; its own load follows
        grid.set_view(view)
        text = Text()
        text.append(f"{view.year} год", style="bold")
        text.append(f": {view.working_days} раб. дн., {view.hours} ч · ")
        if view.confirmed and view.builtin:
            text.append("по постановлению (встроен в программу)", style="green")
        elif view.confirmed:
            text.append("подтверждён: ", style="green")
            text.append(view.decree)
        else:
            text.append("НЕ ПОДТВЕРЖДЁН: сроки могут сдвинуться (C)", style="bold yellow")
        if view.marks:
            text.append(f" · отмечено дней: {len(view.marks)}")
        self.query_one("#cal-year", Static).update(text)
        self._describe(grid.cursor)

    @on(YearCalendar.Moved)
    def _moved(self, event: YearCalendar.Moved) -> None:
        view = self.grid.year_view
        if view is None or view.year != event.day.year:
            self.query_one("#cal-day", Static).update("Загрузка…")
            self._load(event.day.year)
            return
        self._describe(event.day)

    def _describe(self, day: dt.date) -> None:
        view = self.grid.year_view
        if view is None or view.year != day.year:
            return
        text = Text()
        text.append(f"{WEEKDAY_SHORT[day.weekday()]} {clock.fmt_date(day)}: ", style="bold")
        if day not in view.working:
            text.append("нерабочий день", style=STYLE_OFF)
        elif day in view.short:
            text.append("сокращённый рабочий день (7 ч)", style=STYLE_SHORT)
        else:
            text.append("рабочий день (8 ч)")
        mark = view.marks.get(day)
        text.append("\n")
        if mark is not None:
            text.append("отметка администратора: ")
            text.append(mark.note or "без основания", style="italic")
        else:
            text.append("по производственному календарю", style="dim")
        self.query_one("#cal-day", Static).update(text)

    @on(YearCalendar.Chosen)
    def _chosen(self, event: YearCalendar.Chosen) -> None:
        self.action_mark()

    def action_mark(self) -> None:
        view = self.grid.year_view
        day = self.grid.cursor
        if view is None or view.year != day.year:
            return
        state = "нерабочий" if day not in view.working else "сокращённый" if day in view.short else "рабочий"
        self.app.push_screen(DayDialog(day, state, view.marks.get(day)), lambda _r: self.reload())

    def action_year(self, step: int) -> None:
        grid = self.grid
        day = grid.cursor
        target = dt.date(day.year + step, day.month, min(day.day, _cal.monthrange(day.year + step, day.month)[1]))
        grid.cursor = target

    def action_confirm(self) -> None:
        from soptui.widgets.fields_dialog import FieldsDialog, FieldSpec

        view = self.grid.year_view
        if view is None:
            return
        if view.confirmed:
            said = "встроен в программу" if view.builtin else f"подтверждён: {view.decree}"
            self.notify(f"Календарь на {view.year} год уже {said}.", markup=False)
            return
        year = view.year
        actor = self.app.actor

        def submit(values: dict):
            service.confirm_year(year, values["decree"] or "", actor)
            return year

        def done(result) -> None:
            if result:
                self.notify(f"Календарь на {year} год подтверждён: сроки в {year} году больше не помечаются.")
            self.reload()

        self.app.push_screen(
            FieldsDialog(
                f"Подтвердить производственный календарь на {year} год",
                [
                    FieldSpec(
                        "decree",
                        "Постановление (номер и дата)",
                        "",
                        None,
                        True,
                        "например, Постановление Правительства РФ от 04.09.2026 № 1234",
                    )
                ],
                submit,
                text=(
                    f"Сначала отметьте переносы выходных {year} года по постановлению (Enter на дне). "
                    "После подтверждения сроки в этом году не помечаются как «могут сдвинуться»."
                ),
                ok_label="Подтвердить",
            ),
            done,
        )


KIND_CHOICES = [
    ("По производственному календарю (снять отметку)", ""),
    ("Рабочий день", "working"),
    ("Нерабочий день", "holiday"),
    ("Сокращённый день (на 1 час)", "short"),
]


class DayDialog(EditFlow, ModalScreen[bool | None]):
    """Mark one day by a decree: its kind and the reason (the decree). Drafts, leave question, conflict review."""

    DEFAULT_CSS = """
    DayDialog { align: center middle; }
    DayDialog > #day-box { width: 72; max-width: 100%; height: auto; max-height: 100%; }
    DayDialog #day-state { height: auto; padding: 0 0 1 0; }
    DayDialog #day-kind-label { padding: 0 1; }
    DayDialog Select { margin: 0 1; }
    DayDialog #day-buttons { height: auto; margin: 1 0 0 0; }
    DayDialog #day-buttons Button { margin: 0 1 0 0; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", "Сохранить", id="day.save", tooltip="Сохранить отметку дня"),
        Binding("escape", "leave", "Закрыть", id="day.close", tooltip="Закрыть"),
    ]
    LEAVE_QUESTION = "Отметка дня не сохранена."
    CONFLICT_TITLE = "Этот день отметил другой администратор, пока окно было открыто"
    FIELD_LABELS = {"kind": "Вид дня", "note": "Основание"}

    def __init__(self, day: dt.date, state: str, mark: service.DayMark | None) -> None:
        super().__init__()
        self.day = day
        self.state_text = state
        self.day_mark = mark
        self.version = mark.version if mark else 0
        self.init_edit_flow(f"calendar-day:{day.isoformat()}")

    def compose(self) -> ComposeResult:
        with Vertical(id="day-box", classes="dialog"):
            yield Static(
                f"Отметить день: {WEEKDAY_SHORT[self.day.weekday()]} {clock.fmt_date(self.day)}",
                classes="dialog-title",
            )
            said = f"Сейчас: {self.state_text} день"
            said += ", по отметке администратора." if self.day_mark else ", по производственному календарю."
            yield Static(said, id="day-state")
            yield Static("Вид дня *", id="day-kind-label")
            yield Select(
                [(label, value or "none") for label, value in KIND_CHOICES],
                id="day-kind",
                allow_blank=False,
                compact=True,
                value=(self.day_mark.kind if self.day_mark else "none"),
            )
            yield LabeledInput(
                "Основание",
                id="day-note",
                compact=True,
                max_length=300,
                placeholder="например, Постановление Правительства РФ от 04.09.2026 № 1234",
            )
            yield FieldError(id="day-error", classes="-empty")
            with Horizontal(id="day-buttons"):
                yield Button("Сохранить (Ctrl+S)", id="day-save", variant="primary")
                yield Button("Закрыть (Esc)", id="day-close")

    def on_mount(self) -> None:
        # inline: the app stylesheet's `.dialog { width: 64 }` outranks DEFAULT_CSS, and at 64 the decree's
        # example in the «Основание» field was cut
        self.query_one("#day-box").styles.width = 72
        self._load()

    @db_work(exclusive=True, group="day-form")
    def _load(self) -> None:
        from soptui.services import drafts

        draft = drafts.load_draft(self.draft_key)
        self.app.call_from_thread(self._show, draft)

    def _show(self, draft) -> None:
        if self.day_mark:
            self.query_one("#day-note", LabeledInput).value = self.day_mark.note
        stored = self.raw_values()
        self.offer_draft(draft, "Есть несохранённая отметка этого дня. Восстановить?", lambda d: self.fill(d["values"]))
        self.query_one("#day-kind", Select).focus()
        self.call_after_refresh(self.mark_loaded, stored)

    def raw_values(self) -> dict:
        kind = self.query_one("#day-kind", Select).value
        return {"kind": "" if kind in ("none", Select.BLANK) else kind, "note": self.query_one("#day-note").value}

    def fill(self, v: dict) -> None:
        if "kind" in v:
            self.query_one("#day-kind", Select).value = v["kind"] or "none"
        if "note" in v:
            self.query_one("#day-note", LabeledInput).value = v["note"] or ""

    def load_stored(self):
        mark = service.day_mark(self.day, self.app.actor)
        if mark is None:
            return {"kind": "", "note": ""}, 0
        return {"kind": mark.kind, "note": mark.note}, mark.version

    def on_input_changed(self) -> None:
        self.note_change()

    def on_select_changed(self) -> None:
        self.note_change()

    @on(Button.Pressed, "#day-save")
    def action_save(self) -> None:
        values = self.raw_values()
        note = self.query_one("#day-note", LabeledInput)
        note.show_error(None)
        if values["kind"] and not values["note"].strip():
            note.show_error("Укажите основание: постановление или приказ, по которому день перенесён.")
            self.leave_after_save = False
            return
        self.query_one("#day-error", FieldError).show("Сохранение…")
        self._save(values["kind"], values["note"])

    @db_work(exclusive=True, group="day-save", action="сохранить отметку дня")
    def _save(self, kind: str, note: str) -> None:
        try:
            saved, _ = self.guarded_save(
                lambda: service.set_day(self.day, kind, note, self.app.actor, self.version),
                "Отметку дня удалил другой администратор.",
            )
        except service.CalendarError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        if saved:
            self.app.call_from_thread(self._saved, kind)
        else:
            self.app.call_from_thread(self.query_one("#day-error", FieldError).show, None)

    def _failed(self, message: str) -> None:
        self.leave_after_save = False
        self.query_one("#day-error", FieldError).show(message)

    def _saved(self, kind: str) -> None:
        self.mark_saved()
        what = service.KIND_LABELS.get(kind, "по производственному календарю")
        self.notify(
            f"{clock.fmt_date(self.day)}: {what}. Новые сроки считаются по исправленному календарю "
            "(уже поставленные сроки не меняются)."
        )
        self.dismiss(True)

    @on(Button.Pressed, "#day-close")
    def _close_pressed(self) -> None:
        self.action_leave()

    def set_version(self, version: int) -> None:
        self.version = version
