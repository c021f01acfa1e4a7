"""A few labelled fields in a dialog; the caller's `submit(values)` runs in a worker."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from soptui.widgets.fields import LabeledInput
from soptui.widgets.workers import db_work


@dataclass
class FieldSpec:
    key: str
    label: str
    value: str = ""
    validator: Callable[[str], Any] | None = None
    required: bool = False
    placeholder: str = ""


class FieldsDialog(ModalScreen[Any]):
    """A few labelled fields; `submit(values)` runs in a worker and may raise GroupError/ValueError,
    whose message is shown at its field (or under the fields) with everything typed kept."""

    DEFAULT_CSS = """
    FieldsDialog { align: center middle; }
    FieldsDialog > #fd-box { width: 72; height: auto; max-height: 100%; }
    FieldsDialog #fd-text { height: auto; padding: 0 1 1 1; }
    FieldsDialog #fd-buttons { height: auto; margin: 1 0 0 0; }
    FieldsDialog #fd-buttons Button { margin: 0 1 0 0; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Отмена", tooltip="Закрыть, ничего не меняя", id="fields.cancel"),
        Binding("ctrl+s", "ok", "Сохранить", tooltip="Сохранить", id="fields.ok"),
    ]

    def __init__(
        self,
        title: str,
        fields: list[FieldSpec],
        submit: Callable[[dict], Any],
        text: str = "",
        ok_label: str = "Сохранить",
    ) -> None:
        super().__init__()
        self.title_text = title
        self.fields = fields
        self.submit = submit
        self.text = text
        self.ok_label = ok_label

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="fd-box", classes="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            if self.text:
                yield Static(self.text, id="fd-text")
            for f in self.fields:
                yield LabeledInput(
                    f.label,
                    value=f.value,
                    placeholder=f.placeholder,
                    validator=f.validator,
                    required=f.required,
                    id=f"fd-{f.key}",
                )
            yield Static("", id="fd-error", classes="error")
            with Horizontal(id="fd-buttons"):
                yield Button(self.ok_label, id="fd-ok", variant="primary")
                yield Button("Отмена", id="fd-cancel")

    def on_mount(self) -> None:
        self.query_one("#fd-box").styles.width = 76  # wider than the global .dialog
        if self.fields:
            self.query_one(f"#fd-{self.fields[0].key}", LabeledInput).input.focus()

    @on(Button.Pressed, "#fd-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#fd-ok")
    def action_ok(self) -> None:
        values = {}
        ok = True
        for f in self.fields:
            good, cleaned = self.query_one(f"#fd-{f.key}", LabeledInput).check()
            ok = ok and good
            values[f.key] = cleaned
        if not ok:
            return
        self.query_one("#fd-error", Static).update("Сохранение…")
        self._run(values)

    def on_input_submitted(self) -> None:
        self.action_ok()

    @db_work(exclusive=True, group="dialog")
    def _run(self, values: dict) -> None:
        try:
            result = self.submit(values)
        except ValueError as exc:  # a rule or bad input (GroupError is one): its message, at its field
            self.app.call_from_thread(self._failed, str(exc), getattr(exc, "field", ""))
            return
        self.app.call_from_thread(self.dismiss, result if result is not None else True)

    def _failed(self, message: str, field: str) -> None:
        target = None
        for f in self.fields:
            if f.key == field:
                target = self.query_one(f"#fd-{f.key}", LabeledInput)
        if target is not None:
            target.show_error(message)
            self.query_one("#fd-error", Static).update("")
        else:
            self.query_one("#fd-error", Static).update(message)
