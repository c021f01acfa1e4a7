"""The conflict review: someone saved the record while it was open here. What they changed is shown
next to what was there and what is typed here; nothing is overwritten without the user's choice."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.table import Table
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static


@dataclass(frozen=True)
class FieldChange:
    """One field of a conflict: what the form started from, what is typed here, what the other saved."""

    field: str
    label: str
    base: Any
    mine: Any
    theirs: Any


def show_value(value) -> str:
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, list):
        return ", ".join(" ".join(str(x) for x in v) if isinstance(v, list) else str(v) for v in value) or "—"
    if value is None or value == "":
        return "—"
    return str(value)


UNTOUCHED = "вы не меняли: останется их"


class ConflictDialog(ModalScreen[str | None]):
    """What the other person changed next to your values: reload theirs, overwrite knowingly, or go back."""

    BINDINGS = [
        Binding("escape", "cancel", "Назад", id="conflict.cancel", tooltip="Вернуться к форме, ничего не сохраняя")
    ]
    DEFAULT_CSS = """
    ConflictDialog { align: center middle; }
    ConflictDialog .wide { width: 110; max-width: 100%; height: auto; max-height: 100%;
        border: round $warning; padding: 0 2; background: $panel; }
    ConflictDialog .buttons { height: auto; margin: 1 0 0 0; }
    ConflictDialog .buttons Button { margin: 0 1 0 0; }
    """

    def __init__(self, changes, title: str = "Карточку изменил другой пользователь") -> None:
        super().__init__()
        self.changes = changes
        self.title = title

    def compose(self) -> ComposeResult:
        table = Table(expand=True, show_lines=False)
        table.add_column("Поле", style="bold")
        table.add_column("Было, когда вы открыли")
        table.add_column("Ваше значение", style="cyan")
        table.add_column("Сохранил другой", style="yellow")
        for row in self.rows():
            table.add_row(*row)
        with VerticalScroll(classes="wide"):
            yield Label(self.title, classes="dialog-title")
            if self.changes:
                yield Static(table)
            else:
                yield Static("Другой пользователь сохранил запись, не меняя полей этой формы.")
            with Horizontal(classes="buttons"):
                yield Button("Загрузить их версию", variant="primary", id="cf-reload")
                yield Button("Сохранить моё поверх", variant="error", id="cf-overwrite")
                yield Button("Вернуться к правке", id="cf-back")

    def rows(self) -> list[tuple[str, str, str, str]]:
        """The table's rows: field, value at opening, yours, theirs. A field changed only by them says that
        «Сохранить моё поверх» keeps their value there (it showed the starting value as yours, and saving
        «mine» then kept theirs)."""
        return [
            (c.label, show_value(c.base), show_value(c.mine) if c.mine != c.base else UNTOUCHED, show_value(c.theirs))
            for c in self.changes
        ]

    def on_mount(self) -> None:
        self.query_one("#cf-back", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss({"cf-reload": "reload", "cf-overwrite": "overwrite"}.get(event.button.id or ""))

    def action_cancel(self) -> None:
        self.dismiss(None)
