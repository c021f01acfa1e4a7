"""Сегодня: what needs doing today, with deadline colours."""

from __future__ import annotations

import re

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from soptui.core import clock
from soptui.core.text import short_of_full
from soptui.screens.base import SectionScreen
from soptui.screens.navigation import Open, target_of
from soptui.services import agenda as today_service
from soptui.widgets.paged_table import RowTable
from soptui.widgets.workers import db_work

STATE_STYLE = {"overdue": "bold red", "today": "bold yellow", "ok": "green", "info": "", "done": "dim"}
SECTION_SHORT = {
    "Незавершённое": "Черновик",
    "Сроки по обращениям": "Обращение",
    "Занятия": "Занятие",
    "Звонки": "Звонок",
}
STATE_LABEL = {"overdue": "просрочено", "today": "сегодня", "ok": "в срок", "info": "", "done": "сделано"}
# the state at 80 columns, before the date (with the row's colour): overdue, due today, in time
STATE_MARK = {"overdue": "!", "today": "•", "ok": " ", "info": " ", "done": "✓"}
_COMPACT = [
    (re.compile(r"просрочено на (\d+) раб\. дн\."), r"просрочено \1 р.д."),
    (re.compile(r"осталось (\d+) раб\. дн\."), r"осталось \1 р.д."),
    (re.compile(r" \(СОП 0\d\)"), ""),
    (re.compile(r" \(Enter\)"), ""),  # the footer says «⏎ Открыть»
]


class TodayScreen(SectionScreen):
    """Deadlines and appointments of the day; Enter opens the item."""

    SECTION_TITLE = "Сегодня"
    BINDINGS = [
        Binding("enter", "open_item", "Открыть", id="today.open", tooltip="Открыть выбранное"),
        Binding("r", "reload", "Обновить", id="today.reload", tooltip="Перечитать список"),
    ]

    DEFAULT_CSS = """
    TodayScreen #today-table { scrollbar-size-vertical: 1; }
    """

    def compose_body(self) -> ComposeResult:
        yield Static("", id="today-summary", classes="summary")
        table = RowTable(id="today-table", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static("", id="today-detail", classes="detail-line")
        yield Static("", id="today-empty", classes="empty-section")

    def on_mount(self) -> None:
        super().on_mount()
        self.items: list[today_service.TodayItem] = []
        self._layout: tuple[bool, int] | None = None  # (wide, width) the columns were made for
        self._columns()
        self.keys_ready = False  # Enter typed ahead opens a row once the rows are there (widgets/keyorder.py)
        self.action_reload()

    WIDE = 110  # from this width every column has room; below it «Что» gets what the others leave

    def _columns(self) -> None:
        """At 80 columns «Что» matters most: the section goes into it, names are short, dates lose the year.
        «Что» gets the width the others leave, so a longer text ends in «…» instead of running off the screen."""
        width = self.size.width or self.app.size.width
        wide = width >= self.WIDE
        if (wide, width) == self._layout:
            return
        self._layout = (wide, width)
        table = self.query_one(DataTable)
        table.clear(columns=True)
        if wide:
            widths = {"Состояние": 10, "Раздел": 10, "Срок / время": 16, "Кто": 26}
        else:
            # 80 columns: the state is the row's colour and a mark before the date («! до 23.11»: overdue),
            # and «просрочено 9 р.д.» in «Что» says it in words, so «Что» is read whole
            widths = {"Срок": 13, "Кто": 14}
        for label, cells in widths.items():
            table.add_column(label, width=cells)
        taken = sum(widths.values()) + 2 * table.cell_padding * (len(widths) + 1) + 1  # + the scrollbar
        table.add_column("Что", width=max(20, width - taken))
        if self.items:
            self._fill(table)

    def on_resize(self) -> None:
        if getattr(self, "items", None) is not None:
            self._columns()

    def on_screen_resume(self) -> None:
        if getattr(self, "items", None) is not None:
            self.action_reload()

    def action_reload(self) -> None:
        self._load()

    @db_work(exclusive=True, group="today")
    def _load(self) -> None:
        actor = self.app.actor
        if actor is None:  # signed out meanwhile
            return
        items = today_service.collect(actor, clock.today())
        self.app.call_from_thread(self._show, items)

    def _show(self, items: list[today_service.TodayItem]) -> None:
        self.items = items
        self.keys_ready = True
        unfinished = sum(1 for i in items if i.section == "Незавершённое")
        if unfinished and not getattr(self, "_told_unfinished", False):
            self._told_unfinished = True  # said once, at sign-in
            self.notify(
                f"Есть незавершённая работа ({unfinished}): она вверху списка. Enter — продолжить с того же места.",
                title="Незавершённое",
                timeout=10,
            )
        table = self.query_one(DataTable)
        self._fill(table)
        if not items:  # no row is highlighted to replace the last one's line
            self.query_one("#today-detail", Static).update("")
        overdue = sum(1 for i in items if i.state == "overdue")
        due = sum(1 for i in items if i.state == "today")
        summary = Text()
        summary.append(f"{clock.fmt_date(clock.today())}: ")
        summary.append(f"просрочено {overdue}", style="bold red" if overdue else "")
        summary.append(" · ")
        summary.append(f"на сегодня {due}", style="bold yellow" if due else "")
        summary.append(f" · всего {len(items)}")
        self.query_one("#today-summary", Static).update(summary)
        empty = self.query_one("#today-empty", Static)
        empty.update("" if items else "На сегодня ничего не запланировано, просроченных сроков нет.")
        empty.display = not items
        table.display = bool(items)

    def _fill(self, table: DataTable) -> None:
        table.clear()
        for i, item in enumerate(self.items):
            style = STATE_STYLE.get(item.state, "")
            state = Text(STATE_LABEL.get(item.state, ""), style=style)
            section = SECTION_SHORT.get(item.section, item.section)
            if self._layout[0]:
                cells = [
                    state,
                    section,
                    Text(item.when, style=style),
                    Text(item.who, overflow="ellipsis", no_wrap=True),
                    Text(item.what, style=style, overflow="ellipsis", no_wrap=True),
                ]
            else:
                cells = [  # a cut cell ends in «…»: the detail line under the table says it whole
                    Text(f"{STATE_MARK.get(item.state, ' ')} {_without_year(item.when)}", style=style),
                    Text(short_of_full(item.who), overflow="ellipsis", no_wrap=True),
                    Text(f"{section}: {_compact(item.what)}", style=style, overflow="ellipsis", no_wrap=True),
                ]
            table.add_row(*cells, key=str(i))

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The full text of the highlighted row: the table may be cut at 80 columns."""
        row = event.cursor_row
        if 0 <= row < len(getattr(self, "items", [])):
            item = self.items[row]
            self.query_one("#today-detail", Static).update(f"{item.section} · {item.when} · {item.who}\n{item.what}")

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        self.action_open_item()

    def action_open_item(self) -> None:
        table = self.query_one(DataTable)
        if not self.items or table.cursor_row is None or table.cursor_row >= len(self.items):
            return
        self.post_message(Open(target_of(self.items[table.cursor_row].target)))


_YEAR = re.compile(r"\b(\d\d\.\d\d)\.\d{4}\b")


def _compact(what: str) -> str:
    """«первая услуга (СОП 04): просрочено на 7 раб. дн.» -> «первая услуга: просрочено 7 р.д.» (80 columns;
    the detail line under the table says it in full)."""
    for pattern, short in _COMPACT:
        what = pattern.sub(short, what)
    return what


def _without_year(when: str) -> str:
    """«07.12.2026 14:00» -> «07.12 14:00» (the year is this one, or the detail line says it)."""
    return _YEAR.sub(r"\1", when)
