"""The intake registers (SOP 04 §7): «журнал приёма граждан» and «журнал регистрации телефонных звонков»,
built from the referrals; a period, the rows, F9 saves the PDF, Enter opens the family's card."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Input, Label, Select, Static

from soptui.core import clock
from soptui.core.text import short_of_full
from soptui.domain.labels import INTAKE_LOGS
from soptui.screens.base import SectionScreen
from soptui.widgets.fields import LabeledInput, say_period_problem
from soptui.widgets.paged_table import RowTable
from soptui.widgets.workers import db_work

LOG_OPTIONS = [(label.capitalize(), code) for code, label in INTAKE_LOGS.items()]
PAGE = 200


COLUMNS = ("№", "Поступило", "Зарегистр.", "Семья", "Основание", "Закреплён")


class IntakeRegisterScreen(SectionScreen):
    """One register for a period; Escape returns to «Клиенты»."""

    SECTION_TITLE = "Журналы приёма"
    DEFAULT_CSS = """
    IntakeRegisterScreen #ir-bar { height: auto; }
    IntakeRegisterScreen #ir-bar > * { width: 1fr; }
    IntakeRegisterScreen #ir-bar .sel { height: auto; width: 2fr; }
    IntakeRegisterScreen #ir-bar .sel > Label { padding: 0 1; color: $text-muted; }
    IntakeRegisterScreen #ir-status { height: 1; padding: 0 1; }
    IntakeRegisterScreen #ir-detail { height: auto; max-height: 3; padding: 0 1; color: $text-muted; }
    IntakeRegisterScreen DataTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("f9", "print", "Печать PDF", id="intake_register.print", tooltip="Сохранить журнал за период в PDF"),
        Binding("enter", "open_card", "Карточка", id="intake_register.open", tooltip="Открыть карточку семьи"),
        Binding("escape", "back", "Назад", id="intake_register.back", tooltip="Вернуться к списку клиентов"),
    ]

    def __init__(self, log: str = "reception") -> None:
        super().__init__()
        self.register_log = log
        self.rows: tuple = ()
        self.register = None

    def compose_body(self) -> ComposeResult:
        today = clock.today()
        with Horizontal(id="ir-bar"):
            with Vertical(classes="sel"):
                yield Label("Журнал")
                yield Select(LOG_OPTIONS, value=self.register_log, allow_blank=False, id="ir-log")
            yield LabeledInput(
                "С", value=clock.fmt_date(today.replace(day=1)), validator=clock.parse_date, id="ir-from"
            )
            yield LabeledInput("По", value=clock.fmt_date(today), validator=clock.parse_date, id="ir-to")
        yield Static("", id="ir-status")
        yield RowTable(id="ir-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="ir-detail")

    def on_mount(self) -> None:
        super().on_mount()
        table = self.query_one(DataTable)
        table.add_columns(*COLUMNS)
        self._reload()
        table.focus()

    def on_resize(self) -> None:
        if self.register is not None and self.is_mounted:  # the columns follow the width (see _show)
            table = self.query_one(DataTable)
            row = table.cursor_row
            self._show(self.register)
            if row is not None and row < len(self.rows):
                table.move_cursor(row=row)

    def _period(self) -> tuple[dt.date, dt.date] | None:
        ok1, start = self.query_one("#ir-from", LabeledInput).check()
        ok2, end = self.query_one("#ir-to", LabeledInput).check()
        if not (ok1 and ok2) or start is None or end is None:
            return None
        if end < start:
            self.query_one("#ir-to", LabeledInput).show_error("Конец периода раньше начала.")
            return None
        return start, end

    @on(Select.Changed, "#ir-log")
    def _log_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self.register_log = event.value
            self._reload()

    @on(Input.Changed)
    def _period_changed(self, event: Input.Changed) -> None:
        self._reload()

    def _reload(self) -> None:
        period = self._period()
        if period is None:
            self.query_one("#ir-status", Static).update(Text("Укажите период: даты ДД.ММ.ГГГГ.", style="yellow"))
            return
        self._load(self.register_log, *period)

    @db_work(group="ir-load", exclusive=True, action="открыть журнал")
    def _load(self, log: str, start: dt.date, end: dt.date) -> None:
        from soptui.services import referrals

        register = referrals.intake_register(log, start, end, limit=PAGE)
        self.app.call_from_thread(self._show, register)

    def _show(self, register) -> None:
        self.register = register
        self.rows = register.rows
        table = self.query_one(RowTable)
        table.start_over(*COLUMNS)
        # below 110 columns: «Волкова О.И.» and the ground cut to what is left, so «Закреплён» stays on screen;
        # the whole ground is in the line under the table
        narrow = self.app.size.width < 110
        family = [short_of_full(r.client_name) if narrow else r.client_name for r in register.rows]
        assigned = [r.assigned or "—" for r in register.rows]
        ground_width = None
        if narrow:
            widths = [
                max([len("№")] + [len(str(r.number)) for r in register.rows]),
                len("22.11 09:00"),
                len("22.11 09:00"),
                max([len("Семья")] + [len(f) for f in family]),
                max([len("Закреплён")] + [len(a) for a in assigned]),
            ]
            # two cells of padding per column, a scrollbar's column
            ground_width = max(len("Основание"), self.app.size.width - sum(widths) - 2 * 6 - 1)
        for r, name, who in zip(register.rows, family, assigned, strict=True):
            ground = r.ground
            if ground_width is not None and len(ground) > ground_width:
                ground = ground[: ground_width - 1] + "…"
            table.add_row(
                Text(str(r.number)),
                Text(r.received_at.strftime("%d.%m %H:%M")),
                Text(
                    r.registered_at.strftime("%d.%m %H:%M") if r.registered_at else "нет",
                    style="" if r.registered_at else "bold red",
                ),
                Text(name),
                Text(ground),
                Text(who),
            )
        shown = (
            f"{len(register.rows)} из {register.total}" if register.total > len(register.rows) else str(register.total)
        )
        self.query_one("#ir-status", Static).update(
            Text(f"{register.title}: записей {shown}. F9 — PDF за период.", style="bold")
        )
        self._detail()

    @on(DataTable.RowHighlighted)
    def _detail(self, event: DataTable.RowHighlighted | None = None) -> None:
        row = self.query_one(DataTable).cursor_row
        if not self.rows or row is None or row >= len(self.rows):
            self.query_one("#ir-detail", Static).update("")
            return
        r = self.rows[row]
        parts = [r.source and f"Источник: {r.source}", r.summary, r.late_reason and f"Позже срока: {r.late_reason}"]
        if self.app.size.width < 110:  # the ground column is cut there: the whole of it here
            parts.insert(0, f"{r.client_name}: {r.ground}")
        self.query_one("#ir-detail", Static).update(Text(" · ".join(p for p in parts if p)))

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        self.action_open_card()

    def action_open_card(self) -> None:
        from soptui.screens.navigation import Open, OpenClient

        row = self.query_one(DataTable).cursor_row
        if self.rows and row is not None and row < len(self.rows):
            self.post_message(Open(OpenClient(self.rows[row].client_id)))

    def action_back(self) -> None:
        self.dismiss(None)

    def action_print(self) -> None:
        period = self._period()
        if period is None:
            say_period_problem(self, self.query_one("#ir-from", LabeledInput), self.query_one("#ir-to", LabeledInput))
            return
        self.notify("Готовлю журнал в PDF…")
        self._print(self.register_log, *period)

    @db_work(group="ir-print", action="напечатать журнал")
    def _print(self, log: str, start: dt.date, end: dt.date) -> None:
        from soptui.services import referrals

        path = referrals.print_intake_register(log, start, end)
        self.app.call_from_thread(self._printed, path)

    def _printed(self, path: Path) -> None:
        self.last_pdf = path
        self.notify(f"Журнал сохранён: {path}", title="PDF готов", timeout=10)
