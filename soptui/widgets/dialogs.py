"""Small modal questions shared by every section."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Static

_CSS = """
{name} {{ align: center middle; }}
{name} > .dialog {{ width: 64; max-width: 100%; height: auto; }}
{name} .buttons {{ height: auto; margin: 1 0 0 0; }}
{name} .buttons Button {{ margin: 0 1 0 0; }}
"""


class ConfirmDialog(ModalScreen[bool]):
    """A yes/no question: Enter on the focused button, y = yes, n or Escape = no.

    `danger` marks a destructive «yes» in red and puts the focus on «no».
    """

    DEFAULT_CSS = _CSS.format(name="ConfirmDialog")
    BINDINGS = [
        Binding("escape,n", "no", "Нет", id="confirm.no", tooltip="Ответить «Нет»"),
        Binding("y", "yes", "Да", id="confirm.yes", tooltip="Ответить «Да»"),
    ]

    def __init__(
        self, question: str, yes: str = "Да", no: str = "Нет", *, title: str = "", danger: bool = False
    ) -> None:
        super().__init__()
        self.question, self.yes, self.no = question, yes, no
        self.title_text, self.danger = title, danger

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            if self.title_text:
                yield Static(self.title_text, classes="dialog-title")
            yield Static(self.question)
            with Horizontal(classes="buttons"):
                yield Button(self.yes, id="yes", variant="error" if self.danger else "primary")
                yield Button(self.no, id="no")

    def on_mount(self) -> None:
        self.query_one("#no" if self.danger else "#yes", Button).focus()

    @on(Button.Pressed, "#yes")
    def action_yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def action_no(self) -> None:
        self.dismiss(False)


# The three answers of an unsaved form being left: ChoiceDialog(question, LEAVE_CHOICES).
LEAVE_CHOICES = [
    ("save", "Сохранить", "success"),
    ("discard", "Не сохранять", "error"),
    ("stay", "Остаться", "primary"),
]


class ChoiceDialog(ModalScreen[str | None]):
    """A question with a few buttons (code, label, variant); Escape answers None."""

    DEFAULT_CSS = _CSS.format(name="ChoiceDialog")
    BINDINGS = [Binding("escape", "cancel", "Отмена", id="choice.cancel", tooltip="Закрыть без ответа")]

    def __init__(self, question: str, choices: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.question = question
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question)
            with Horizontal(classes="buttons"):
                for code, label, variant in self.choices:
                    yield Button(label, variant=variant, id=f"choice-{code}")

    def on_mount(self) -> None:
        # Enter on the dialog takes the primary (safe) answer, whichever place it has among the buttons
        primary = [b for b in self.query(Button) if b.variant == "primary"]
        (primary[0] if primary else self.query(Button).first()).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id.removeprefix("choice-"))

    def action_cancel(self) -> None:
        self.dismiss(None)


def leave_unless_dirty(
    screen: Screen, dirty: bool, question: str, leave: Callable[[], None], *, yes: str = "Закрыть", no: str = "Остаться"
) -> None:
    """Leave a form at once when nothing is unsaved, otherwise only after «yes» (drafts stay on disk)."""
    if not dirty:
        leave()
        return
    screen.app.push_screen(ConfirmDialog(question, yes, no), lambda ok: leave() if ok else None)


def ask_unsaved(screen: Screen, question: str, save: Callable[[], None], discard: Callable[[], None]) -> None:
    """Ask what to do with an unsaved form: back to it, save, or leave and throw the changes away."""

    def answer(choice: str | None) -> None:
        if choice == "save":
            save()
        elif choice == "discard":
            discard()

    screen.app.push_screen(ChoiceDialog(question, LEAVE_CHOICES), answer)


WIDE_DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > .dialog {{ width: 76; max-width: 100%; height: auto; max-height: 100%; }}
{name} .dialog-buttons {{ height: auto; margin: 1 0 0 0; }}
{name} .dialog-buttons Button {{ margin: 0 1 0 0; }}
{name} .form-error {{ color: $error; height: auto; }}
{name} OptionList {{ height: auto; max-height: 10; }}
"""


def dialog_css(name: str) -> str:
    """The CSS of a wide dialog box (76 columns) for the screen class `name`."""
    return WIDE_DIALOG_CSS.format(name=name)


class MessageScreen(ModalScreen[None]):
    """A message that must be read (a broken script, a client with no phone)."""

    DEFAULT_CSS = dialog_css("MessageScreen")
    BINDINGS = [Binding("escape,enter", "close", "Закрыть", id="message.close", tooltip="Закрыть сообщение")]

    def __init__(self, title: str, message: str) -> None:
        super().__init__()
        self.title_text = title
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            yield Static(self.message, id="message-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Понятно", id="ok", variant="primary")

    @on(Button.Pressed)
    def action_close(self) -> None:
        self.dismiss(None)
