"""Informing participants of a session (SOP 05 stage 2): per participant who informed them, how and when,
each mark saved at once; F9 prints the list to tick off while calling round."""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Label, Select, Static

from soptui.core import clock
from soptui.domain.groups import WEEKDAY_SHORT
from soptui.domain.labels import INFORM_CHANNELS
from soptui.services import groups as service
from soptui.widgets.fields import FieldError, LabeledInput
from soptui.widgets.paged_table import RowTable
from soptui.widgets.workers import db_work


def parse_moment(text: str) -> dt.datetime:
    """ "24.11.2026 16:05" -> datetime; a Russian ValueError otherwise."""
    try:
        return dt.datetime.strptime(" ".join(text.split()), "%d.%m.%Y %H:%M")
    except ValueError:
        raise ValueError("Когда — в виде ДД.ММ.ГГГГ ЧЧ:ММ, например 24.11.2026 16:05.") from None


class InformingDialog(ModalScreen[None]):
    """The participants of one session with their informing marks; Ctrl+S marks the selected one."""

    DEFAULT_CSS = """
    InformingDialog { align: center middle; }
    InformingDialog > #inf-box { width: 104; max-width: 100%; height: 100%; max-height: 40; }
    InformingDialog #inf-head { height: auto; padding: 0 1; }
    InformingDialog #inf-table { height: 1fr; }
    InformingDialog #inf-row { height: auto; margin: 1 0 0 0; }
    InformingDialog .inf-cell { width: 1fr; height: auto; }
    InformingDialog #inf-channel-box { width: 20; }
    InformingDialog #inf-at-box { width: 24; }
    InformingDialog .inf-label { color: $text-muted; padding: 0 1; }
    InformingDialog #inf-buttons { height: auto; }
    InformingDialog #inf-buttons Button { margin: 0 1 0 0; min-width: 10; }
    """
    BINDINGS = [
        Binding("escape", "close", "Закрыть", id="informing.close", tooltip="Закрыть список"),
        Binding("ctrl+s", "mark", "Отметить", id="informing.mark", tooltip="Отметить: проинформирован(а)"),
        Binding("f9", "print", "Печать", id="informing.print", tooltip="Список информирования (PDF)"),
    ]

    def __init__(self, session_id: int) -> None:
        super().__init__()
        self.session_id = session_id
        self.data: service.Informing | None = None
        self.staff: list = []

    def compose(self) -> ComposeResult:
        with Vertical(id="inf-box", classes="dialog"):
            yield Static("Информирование участников о занятии", classes="dialog-title")
            yield Static("Загрузка…", id="inf-head")
            yield RowTable(id="inf-table", cursor_type="row", zebra_stripes=True)
            with Horizontal(id="inf-row"):
                with Vertical(id="inf-channel-box", classes="inf-cell"):
                    yield Label("Как", classes="inf-label")
                    yield Select(
                        [(v, k) for k, v in INFORM_CHANNELS.items()],
                        id="inf-channel",
                        value="call",
                        allow_blank=False,
                        compact=True,
                    )
                with Vertical(classes="inf-cell"):
                    yield Label("Кто проинформировал", classes="inf-label")
                    yield Select([], id="inf-by", allow_blank=True, prompt="— сотрудник —", compact=True)
                with Vertical(id="inf-at-box", classes="inf-cell"):
                    yield LabeledInput("Когда", id="inf-at", validator=parse_moment, required=True, compact=True)
            yield FieldError(id="inf-error", classes="-empty")
            with Horizontal(id="inf-buttons"):
                yield Button("Отметить (Ctrl+S)", id="inf-mark", variant="primary")
                yield Button("Снять отметку", id="inf-clear")
                yield Button("Печать (F9)", id="inf-print")
                yield Button("Закрыть (Esc)", id="inf-close")

    def on_mount(self) -> None:
        self.query_one("#inf-box").styles.width = 104  # wider than the global .dialog (max-width keeps 80 cols)
        self.query_one("#inf-table", DataTable).add_columns("Участник", "Проинф.", "Как", "Когда", "Кто")
        self.query_one("#inf-at", LabeledInput).value = clock.fmt_datetime(clock.now())
        self._load()

    @db_work(exclusive=True, group="informing")
    def _load(self, keep_row: int | None = None) -> None:
        data = service.informing(self.session_id)
        staff = service.leader_options()
        self.app.call_from_thread(self._show, data, staff, keep_row)

    def _show(self, data: service.Informing, staff, keep_row: int | None) -> None:
        first = self.data is None
        self.data = data
        if first:
            actor = getattr(self.app, "actor", None)
            options = [(o.full_name, o.id) for o in staff]
            if actor is not None and actor.id not in {o.id for o in staff}:
                options.insert(0, (actor.full_name, actor.id))
            by = self.query_one("#inf-by", Select)
            by.set_options(options)
            if actor is not None:
                by.value = actor.id
        head = Text()
        head.append(data.club_name, style="bold")
        head.append(
            f"  {clock.fmt_date(data.date)} ({WEEKDAY_SHORT[data.date.weekday()]}) {data.start_time}–{data.end_time}"
        )
        head.append(f"\nПроинформировано {data.informed} из {len(data.rows)}")
        if data.informed < len(data.rows):
            head.append(" · не проинформированы отмечены жёлтым", style="dim")
        self.query_one("#inf-head", Static).update(head)
        table = self.query_one("#inf-table", DataTable)
        table.clear()
        for r in data.rows:
            status = Text("да", style="green") if r.informed else Text("нет", style="yellow")
            table.add_row(
                r.name,
                status,
                r.channel_label,
                clock.fmt_datetime(r.informed_at),
                r.informed_by,
                key=str(r.client_id),
            )
        if data.rows:
            table.move_cursor(row=min(keep_row or 0, len(data.rows) - 1))
            table.focus()
        else:
            self.query_one("#inf-error", FieldError).show("В клубе нет участников на дату занятия.")

    def _selected(self) -> service.NoticeRow | None:
        if self.data is None or not self.data.rows:
            return None
        row = self.query_one("#inf-table", DataTable).cursor_row
        if row is None or row >= len(self.data.rows):
            return None
        return self.data.rows[row]

    @on(DataTable.RowHighlighted, "#inf-table")
    def _highlighted(self) -> None:
        """A participant already informed shows how; otherwise «now», with the channel and person chosen last."""
        r = self._selected()
        if r is None:
            return
        if not r.informed:
            self.query_one("#inf-at", LabeledInput).value = clock.fmt_datetime(clock.now())
            return
        self.query_one("#inf-channel", Select).value = r.channel
        if r.informed_by_id is not None:
            try:
                self.query_one("#inf-by", Select).value = r.informed_by_id
            except Exception:  # a colleague no longer offered (left the staff): the choice stays
                pass
        self.query_one("#inf-at", LabeledInput).value = clock.fmt_datetime(r.informed_at)

    @on(DataTable.RowSelected, "#inf-table")
    def _row_selected(self) -> None:
        self.action_mark()

    @on(Button.Pressed, "#inf-mark")
    def action_mark(self) -> None:
        r = self._selected()
        if r is None:
            return
        self.query_one("#inf-error", FieldError).show(None)
        ok, when = self.query_one("#inf-at", LabeledInput).check()
        by = self.query_one("#inf-by", Select).value
        if not isinstance(by, int):
            self.query_one("#inf-error", FieldError).show("Выберите, кто проинформировал.")
            return
        if not ok:
            return
        channel = str(self.query_one("#inf-channel", Select).value)
        self._mark(r, channel, when, by, self.query_one("#inf-table", DataTable).cursor_row)

    @db_work(exclusive=True, group="informing-save")
    def _mark(self, r: service.NoticeRow, channel: str, when: dt.datetime, by: int, row: int) -> None:
        from soptui.services.errors import ConflictError

        try:
            service.mark_informed(self.session_id, r.client_id, channel, when, by, version=r.version)
        except ConflictError:
            self.app.call_from_thread(self._conflict, r.name, row)
            return
        except service.GroupError as exc:
            self.app.call_from_thread(self._failed, str(exc), exc.field)
            return
        self.app.call_from_thread(self.notify, f"{r.name}: проинформирован(а).")
        self.app.call_from_thread(self._load, row + 1)

    def _conflict(self, name: str, row: int) -> None:
        self.notify(
            f"Отметку для {name} только что изменил другой сотрудник: показана его отметка. "
            f"Проверьте и при необходимости отметьте снова.",
            severity="warning",
            timeout=10,
        )
        self._load(row)

    def _failed(self, message: str, field: str) -> None:
        if field == "informed_at":
            self.query_one("#inf-at", LabeledInput).show_error(message)
        else:
            self.query_one("#inf-error", FieldError).show(message)

    @on(Button.Pressed, "#inf-clear")
    def _clear_pressed(self) -> None:
        r = self._selected()
        if r is None or not r.informed:
            self.notify("У выбранного участника нет отметки.", severity="warning")
            return
        self._clear(r, self.query_one("#inf-table", DataTable).cursor_row)

    @db_work(exclusive=True, group="informing-save")
    def _clear(self, r: service.NoticeRow, row: int) -> None:
        from soptui.services.errors import ConflictError

        try:
            service.clear_informed(self.session_id, r.client_id, r.version)
        except ConflictError:
            self.app.call_from_thread(self._conflict, r.name, row)
            return
        self.app.call_from_thread(self._load, row)

    @on(Button.Pressed, "#inf-print")
    def action_print(self) -> None:
        self._print()

    @db_work(group="print")
    def _print(self) -> None:
        try:
            path = service.print_informing_list(self.session_id)
        except (OSError, service.GroupError) as exc:
            self.app.call_from_thread(self.notify, f"Не удалось сохранить PDF: {exc}", severity="error")
            return
        self.app.call_from_thread(self.notify, f"PDF сохранён: {path}", timeout=12)

    @on(Button.Pressed, "#inf-close")
    def action_close(self) -> None:
        self.dismiss(None)
