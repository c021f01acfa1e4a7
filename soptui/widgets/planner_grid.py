"""The planner's days x staff grid, drawn with the line API; it is handed the week's visits (no queries)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Region, Size, Spacing
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from soptui.domain.labels import WEEKDAYS

# What the grid is handed (soptui.services.patronage dataclasses): widgets never import services.
VisitCard = Any  # .start, .status, .client_short, ... of a planned visit
PlannerWeek = Any  # .days, .staff, .visits of one week

STATUS_MARK = {"planned": "", "done": "✓", "cancelled": "✗", "not_let_in": "⊘", "draft": "?"}
STATUS_STYLE = {"planned": "", "done": "green", "cancelled": "dim strike", "not_let_in": "dim", "draft": "yellow"}
DRAFTS_ROW = "drafts"


MARK_STYLE = {
    "!": Style(color="red", bold=True),
    "Т": Style(color="cyan", bold=True),
    "✓": Style(color="green"),
    "?": Style(color="yellow", bold=True),
}
NAME_STYLE = {
    "planned": Style(),
    "done": Style(color="green"),
    "cancelled": Style(dim=True, strike=True),
    "not_let_in": Style(dim=True),
    "draft": Style(color="yellow"),
}
BOLD = Style(bold=True)
DIM = Style(dim=True)


def visit_segments(v: VisitCard, width: int) -> list[Segment]:
    """One visit in a planner cell: «10:30 Петров Т.Ю. Т!», cut to width."""
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
        name = name[: name_w - 1] + "…"
    segments = [
        Segment(f"{v.start:%H:%M} ", BOLD if v.status == "planned" else Style()),
        Segment(name, NAME_STYLE.get(v.status, Style())),
    ]
    if marks:
        segments.append(Segment(" "))
        segments.extend(Segment(ch, MARK_STYLE.get(ch, DIM)) for ch in marks)
    return segments


def visit_two_lines(v: VisitCard, width: int, line: int) -> list[Segment]:
    """One visit in a narrow cell (80 columns) on two lines: «10:30 ✓Т», then the surname whole if it fits."""
    if line == 0:
        marks = STATUS_MARK.get(v.status, "") + ("Т" if v.transport_needed else "") + ("!" if v.conflicts else "")
        segments = [Segment(f"{v.start:%H:%M}", BOLD if v.status == "planned" else Style())]
        if marks:
            segments.append(Segment(" "))
            segments.extend(Segment(ch, MARK_STYLE.get(ch, DIM)) for ch in marks)
        return segments
    name = v.client_name if len(v.client_name) <= width else v.client_name.split(" ")[0]
    if len(name) > width:
        name = name[: width - 1] + "…"
    return [Segment(name, NAME_STYLE.get(v.status, Style()))]


def visit_line(v: VisitCard, width: int) -> Text:
    """The same line as rich Text (for lists outside the grid)."""
    text = Text()
    for seg in visit_segments(v, width):
        text.append(seg.text, seg.style)
    return text


@dataclass
class GridRow:
    key: object  # staff id or DRAFTS_ROW
    label: str
    label_style: Style
    cells: list[list[VisitCard]]  # one list per day


class PlannerGrid(ScrollView, can_focus=True):
    """Days × staff grid drawn with the line API: one strip per line, nothing but segments.

    The planner of a big department (15 staff, 300 visits) must paint in well under
    100 ms, which a DataTable of multi-line rich cells does not.
    """

    COMPONENT_CLASSES = {"planner-grid--cursor", "planner-grid--header", "planner-grid--stripe", "planner-grid--today"}
    DEFAULT_CSS = """
    PlannerGrid { height: 1fr; overflow-x: hidden; }
    PlannerGrid > .planner-grid--cursor { background: $accent 60%; }
    PlannerGrid:focus > .planner-grid--cursor { background: $accent; }
    PlannerGrid > .planner-grid--header { background: $boost; text-style: bold; }
    PlannerGrid > .planner-grid--stripe { background: $boost; }
    PlannerGrid > .planner-grid--today { color: $warning; text-style: bold reverse; }
    """
    BINDINGS = [
        Binding("left", "move(0, -1)", show=False, id="grid.left", tooltip="На день назад"),
        Binding("right", "move(0, 1)", show=False, id="grid.right", tooltip="На день вперёд"),
        Binding("up", "move(-1, 0)", show=False, id="grid.up", tooltip="Строка выше"),
        Binding("down", "move(1, 0)", show=False, id="grid.down", tooltip="Строка ниже"),
        Binding("home", "move(0, -7)", show=False, id="grid.week_back", tooltip="На неделю назад"),
        Binding("end", "move(0, 7)", show=False, id="grid.week_forward", tooltip="На неделю вперёд"),
    ]

    class Moved(Message):
        """The cursor moved to another cell."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.rows: list[GridRow] = []
        self.days: list = []
        self.today: dt.date | None = None
        self.widths: list[int] = []
        self.label_w = 14
        self.two_line = False  # narrow days (80 columns): a visit takes two lines, the surname is never cut
        self._row_top: list[int] = []  # first content line of each row
        self._line_row: list[tuple[int, int]] = []  # content line -> (row, line within row)
        self._strips: dict[int, Strip] = {}  # painted lines away from the cursor row
        self.cursor_row = 0
        self.cursor_col = 0  # 0..6 = Monday..Sunday

    # --- data -------------------------------------------------------------------------------

    def show_week(self, week: PlannerWeek, today: dt.date) -> None:
        self.days = list(week.days)
        self.today = today
        by_cell: dict[tuple[int, dt.date], list] = {}
        for v in week.visits:
            for sid in v.staff_ids:
                by_cell.setdefault((sid, v.start.date()), []).append(v)
        rows = [
            GridRow(s.id, s.short_name, BOLD, [by_cell.get((s.id, d.day), []) for d in week.days]) for s in week.staff
        ]
        in_week = {d.day for d in week.days}
        if any(v.start.date() in in_week for v in week.drafts):
            rows.append(
                GridRow(
                    DRAFTS_ROW,
                    "Из звонков",
                    Style(color="yellow", bold=True),
                    [[v for v in week.drafts if v.start.date() == d.day] for d in week.days],
                )
            )
        self.rows = rows
        self._layout()

    def _layout(self) -> None:
        width = max(60, self.size.width or 80)
        self.label_w = 14 if width >= 100 else 12
        busy_weekend = (
            [any(cell for row in self.rows for cell in [row.cells[i]]) for i in (5, 6)] if self.rows else [False, False]
        )
        weekend = [16 if busy else 5 for busy in busy_weekend]
        day_w = max(7, min(24, (width - self.label_w - sum(weekend) - 8) // 5))
        self.widths = [day_w] * 5 + weekend
        self.two_line = day_w < 14
        per_visit = 2 if self.two_line else 1
        self._row_top, self._line_row = [], []
        for r, row in enumerate(self.rows):
            self._row_top.append(len(self._line_row))
            height = max(per_visit, per_visit * max((len(c) for c in row.cells), default=1))
            self._line_row.extend((r, i) for i in range(height))
        total = self.label_w + sum(w + 1 for w in self.widths)
        self.virtual_size = Size(total, len(self._line_row) + 1)
        self._strips.clear()
        self.cursor_row = min(self.cursor_row, max(0, len(self.rows) - 1))
        self.refresh()

    def on_resize(self) -> None:
        if self.rows:
            self._layout()

    # --- cursor -------------------------------------------------------------------------------

    @property
    def selected_row(self) -> GridRow | None:
        return self.rows[self.cursor_row] if 0 <= self.cursor_row < len(self.rows) else None

    def select(self, key, col: int) -> None:
        keys = [r.key for r in self.rows]
        self.move_to(keys.index(key) if key in keys else 0, col)

    def move_to(self, row: int, col: int) -> None:
        row = max(0, min(len(self.rows) - 1, row))
        col = max(0, min(6, col))
        if (row, col) == (self.cursor_row, self.cursor_col) and self._strips:
            return
        self.cursor_row, self.cursor_col = row, col
        self._cursor_changed()

    def action_move(self, drow: int, dcol: int) -> None:
        if self.rows:
            self.move_to(self.cursor_row + drow, self.cursor_col + dcol)

    def _cursor_changed(self) -> None:
        if self._row_top and self.cursor_row < len(self._row_top):
            top = self._row_top[self.cursor_row]
            bottom = (
                self._row_top[self.cursor_row + 1] if self.cursor_row + 1 < len(self._row_top) else len(self._line_row)
            )
            # +1: line 0 is the fixed header
            self.scroll_to_region(
                Region(0, top, 1, bottom - top), spacing=Spacing(1, 0, 0, 0), animate=False, force=True
            )
        self.refresh()
        self.post_message(self.Moved())

    def on_click(self, event) -> None:
        y = event.y
        if y <= 0 or not self._line_row:
            return
        index = y - 1 + int(self.scroll_offset.y)
        if index >= len(self._line_row):
            return
        x = event.x - self.label_w
        col = 0
        for i, w in enumerate(self.widths):
            if x < w + 1:
                col = i
                break
        else:
            col = 6
        self.move_to(self._line_row[index][0], col)

    # --- painting ------------------------------------------------------------------------------

    def _header(self) -> list[Segment]:
        style = self.get_component_rich_style("planner-grid--header")
        segs = [Segment("Сотрудник".ljust(self.label_w)[: self.label_w], style)]
        today_style = self.get_component_rich_style("planner-grid--today")
        for i, day in enumerate(self.days):
            w = self.widths[i]
            label = f"{WEEKDAYS[day.day.weekday()]} {day.day:%d.%m}"
            if day.short:
                label += "*"
            s = style
            if not day.working:
                s = style + Style(color="red")
            if day.day == self.today:
                s = style + today_style
            segs.append(Segment(" ", style))
            segs.append(Segment(label[:w].ljust(w), s))
        return segs

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if not self.rows:
            return Strip.blank(width)
        if y == 0:
            return Strip(self._header()).adjust_cell_length(width).simplify()
        index = y - 1 + int(self.scroll_offset.y)
        if index >= len(self._line_row):
            return Strip.blank(width)
        r, line = self._line_row[index]
        if r != self.cursor_row and index in self._strips:
            return self._strips[index]
        row = self.rows[r]
        stripe = self.get_component_rich_style("planner-grid--stripe") if r % 2 else Style()
        cursor = self.get_component_rich_style("planner-grid--cursor")
        if self.two_line and len(row.label) > self.label_w and " " in row.label:
            # «Морозова А.И.» in 12 columns: the surname, then the initials underneath
            first, _, rest = row.label.partition(" ")
            label = first if line == 0 else rest if line == 1 else ""
        else:
            label = row.label if line == 0 else ""
        segs = [Segment(label[: self.label_w].ljust(self.label_w), stripe + row.label_style)]
        per_visit = 2 if self.two_line else 1
        at, sub = divmod(line, per_visit)
        for i, cell in enumerate(row.cells):
            w = self.widths[i]
            base = stripe + (cursor if (r == self.cursor_row and i == self.cursor_col) else Style())
            segs.append(Segment(" ", stripe))
            if at < len(cell):
                content = visit_two_lines(cell[at], w, sub) if self.two_line else visit_segments(cell[at], w)
            elif line == 0 and not cell and i < len(self.days) and not self.days[i].working:
                content = [Segment("вых.", DIM)]
            else:
                content = []
            content = Segment.adjust_line_length(
                [Segment(t, base + st if st else base) for t, st, _ in content], w, base
            )
            segs.extend(content)
        strip = Strip(segs).adjust_cell_length(width, stripe).simplify()
        if r != self.cursor_row:
            self._strips[index] = strip
        return strip
