"""The three SOP 04 acts as structured forms: saved as a draft while typing, resumable, printable."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static, TextArea

from soptui.core import clock
from soptui.domain import patronage
from soptui.domain.labels import ACT_KINDS
from soptui.widgets.fields import FieldError, TextInput
from soptui.widgets.textbox import TextBox
from soptui.widgets.workers import db_work

if TYPE_CHECKING:
    from soptui.services.patronage import ActState

SAVE_DELAY = 0.8


class ActFormScreen(ModalScreen[bool]):
    """One act of one visit. Dismisses True if the act was completed."""

    BINDINGS = [
        Binding("escape", "close", "Закрыть", id="act.close", tooltip="Закрыть (черновик сохраняется)"),
        Binding("ctrl+s", "save_draft", "Черновик", id="act.save", tooltip="Сохранить черновик сейчас", priority=True),
        Binding("ctrl+d", "complete", "Готово", id="act.complete", tooltip="Завершить акт", priority=True),
        Binding("ctrl+o", "print", "PDF", id="act.print", tooltip="Сохранить PDF", priority=True),
    ]
    DEFAULT_CSS = """
    ActFormScreen { align: center middle; }
    ActFormScreen #act-box { width: 110; max-width: 100%; height: 100%; max-height: 44;
                             border: round $primary; background: $panel; padding: 0 1; }
    ActFormScreen #act-scroll { height: 1fr; }
    ActFormScreen .act-section { text-style: bold; color: $accent; padding: 1 0 0 0; height: auto; }
    ActFormScreen .act-label { color: $text-muted; padding: 0 1; height: auto; }
    ActFormScreen .act-label.-required { color: $text; }
    ActFormScreen TextArea { height: 4; }
    ActFormScreen TextArea.-invalid, ActFormScreen Input.-invalid { border: tall $error; }
    ActFormScreen #act-status { height: auto; padding: 0 1; }
    ActFormScreen #act-error { height: auto; padding: 0 1; color: $error; }
    ActFormScreen .buttons { height: auto; padding: 1 0 0 0; }
    ActFormScreen .buttons Button { margin-right: 1; }
    """

    def __init__(self, visit_id: int, kind: str, readonly: bool = False) -> None:
        super().__init__()
        self.visit_id = visit_id
        self.kind = kind
        self.readonly = readonly
        self.loaded = False
        self.completed = False
        self._timer = None
        self.was_completed = False

    def compose(self) -> ComposeResult:
        with Vertical(id="act-box"):
            yield Label(ACT_KINDS[self.kind], classes="dialog-title")
            yield Static("Загрузка…", id="act-status")
            with VerticalScroll(id="act-scroll"):
                for section in patronage.ACT_SECTIONS[self.kind]:
                    yield Label(section.title, classes="act-section")
                    for f in section.fields:
                        label = Label(f.label + (" *" if f.required else ""), classes="act-label")
                        label.set_class(f.required, "-required")
                        yield label
                        if f.multiline:
                            yield TextBox(id=f"f-{f.key}", disabled=self.readonly)
                        else:
                            yield TextInput(id=f"f-{f.key}", disabled=self.readonly)
                        yield FieldError(classes="-empty", id=f"e-{f.key}")
            yield Static("", id="act-error")
            with Horizontal(classes="buttons"):
                if not self.readonly:
                    yield Button("Готово (Ctrl+D)", variant="success", id="complete")
                    yield Button("Сохранить черновик", id="save")
                yield Button("PDF (Ctrl+O)", id="print")
                yield Button("Закрыть (Esc)", id="close")

    def on_mount(self) -> None:
        self._load()

    @db_work()
    def _load(self) -> None:
        from soptui.services import patronage as visits

        state = visits.load_act(self.visit_id, self.kind)
        self.app.call_from_thread(self._fill, state)

    def _fill(self, state: ActState) -> None:
        for f in patronage.act_fields(self.kind):
            value = str(state.data.get(f.key, "") or "")
            widget = self.query_one(f"#f-{f.key}")
            if isinstance(widget, TextArea):
                widget.text = value
            else:
                widget.value = value
        self.was_completed = not state.is_draft
        status = self.query_one("#act-status", Static)
        if state.act_id is None:
            status.update(
                Text(
                    "Новый акт: часть полей заполнена из карточки клиента и визита. "
                    "Всё введённое сохраняется как черновик.",
                    style="dim",
                )
            )
        elif state.is_draft:
            status.update(Text("Черновик восстановлен: продолжайте заполнение.", style="bold yellow"))
        else:
            status.update(Text(f"Акт завершён {clock.fmt_datetime(state.completed_at)}.", style="green"))
        self.loaded = True
        if not self.readonly:
            first = patronage.act_fields(self.kind)[0]
            self.query_one(f"#f-{first.key}").focus()

    def data(self) -> dict[str, Any]:
        result = {}
        for f in patronage.act_fields(self.kind):
            widget = self.query_one(f"#f-{f.key}")
            result[f.key] = widget.text if isinstance(widget, TextArea) else widget.value
        return result

    # --- drafts while typing -------------------------------------------------------------

    def _changed(self) -> None:
        if not self.loaded or self.readonly:
            return
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(SAVE_DELAY, self.action_save_draft)

    def on_input_changed(self, event: Input.Changed) -> None:
        self._changed()

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self._changed()

    def action_save_draft(self) -> None:
        if not self.loaded or self.readonly:
            return
        if self.was_completed:
            return  # a finished act is changed only by pressing «Готово» again
        self._write(self.data())

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save_draft()
        self.query_one("#act-status", Static).update(Text("Черновик сохранён.", style="green"))

    @db_work(exclusive=True, group="act-draft")
    def _write(self, data: dict[str, Any]) -> None:
        from soptui.services import patronage as visits

        visits.save_act_draft(self.visit_id, self.kind, data)

    # --- completing and printing ------------------------------------------------------------

    def action_complete(self) -> None:
        if not self.loaded or self.readonly:
            return
        if self._timer is not None:
            self._timer.stop()
        data = self.data()
        missing = patronage.act_missing(self.kind, data)
        for f in patronage.act_fields(self.kind):
            bad = f in missing
            self.query_one(f"#e-{f.key}", FieldError).show(f"Заполните поле «{f.label}»." if bad else None)
            self.query_one(f"#f-{f.key}").set_class(bad, "-invalid")
        if missing:
            self.query_one("#act-error", Static).update(
                f"Не заполнено обязательных полей: {len(missing)}. Черновик сохранён, ничего не потеряно."
            )
            if not self.was_completed:
                self._write(data)
            self.query_one(f"#f-{missing[0].key}").focus()
            return
        self._complete(data)

    @on(Button.Pressed, "#complete")
    def _complete_pressed(self) -> None:
        self.action_complete()

    @db_work(exclusive=True, group="act-draft")
    def _complete(self, data: dict[str, Any]) -> None:
        from soptui.services import patronage as visits

        try:
            visits.complete_act(self.visit_id, self.kind, data)
        except visits.VisitError as exc:
            self.app.call_from_thread(self.query_one("#act-error", Static).update, " ".join(exc.errors.values()))
            return
        self.app.call_from_thread(self._done)

    def _done(self) -> None:
        self.completed = True
        self.was_completed = True
        self.notify(f"{ACT_KINDS[self.kind]}: акт завершён.")
        self.dismiss(True)

    def action_print(self) -> None:
        if not self.loaded:
            return
        data = None if (self.readonly or self.was_completed) else self.data()
        self.query_one("#act-status", Static).update("Формирую PDF…")
        self._print(data)

    @on(Button.Pressed, "#print")
    def _print_pressed(self) -> None:
        self.action_print()

    @db_work(exclusive=True, group="act-print")
    def _print(self, data: dict[str, Any] | None) -> None:
        from soptui.services import patronage as visits

        try:
            if data is not None:
                visits.save_act_draft(self.visit_id, self.kind, data)
            path = visits.print_act(self.visit_id, self.kind)
        except OSError as exc:
            self.app.call_from_thread(self.query_one("#act-status", Static).update, f"Не удалось сохранить PDF: {exc}")
            return
        self.app.call_from_thread(
            self.query_one("#act-status", Static).update, Text(f"PDF сохранён: {path}", style="green")
        )

    def action_close(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self.action_save_draft()
        self.dismiss(self.completed)

    @on(Button.Pressed, "#close")
    def _close_pressed(self) -> None:
        self.action_close()
