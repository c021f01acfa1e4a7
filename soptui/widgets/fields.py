"""Form fields with a Russian message at the field; the typed text is never cleared."""

from __future__ import annotations

from collections.abc import Callable

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from soptui.core.text import CONTROL_MESSAGE, has_control_characters

# The editing keys Input binds itself (Backspace, arrows, Home/End, Ctrl+U/W/K, Enter, ...)
_EDIT_KEYS = frozenset(key.strip() for binding in Input.BINDINGS for key in binding.key.split(","))


class TextInput(Input):
    """An Input that applies its editing keys in the order they were typed.

    Textual inserts printable keys inside the widget but runs key bindings only once the key has
    bubbled up to the app. When keys arrive together (typed ahead, or in one packet over a slow SSH
    link) the bindings ran after the letters that followed them: «abc⌫d» gave «abc», «xyz←←Q» gave
    «xyzQ». Here the Input's own bindings run in the widget, in order.
    """

    def __init__(self, *args, enter_moves_focus: bool = False, **kwargs) -> None:
        # Nothing is selected on focus: the next key continues the text, it never replaces it all
        # (a restored draft, a field reached by Tab); the cursor goes to the end of the text.
        kwargs.setdefault("select_on_focus", False)
        super().__init__(*args, **kwargs)
        self.enter_moves_focus = enter_moves_focus
        self._handed_to: Input | None = None
        self._focus_expected = False  # the previous field's Enter sent the focus here

    async def _on_key(self, event: events.Key) -> None:
        if self._handed_to is not None and (event.is_printable or event.key in ("enter", "backspace")):
            # Enter here moved on to the next field, but Textual moves the focus only after the keys this
            # field already holds: «Смирнова⏎Ольга⏎» arriving together goes on to the fields it was typed for.
            event.stop()
            event.prevent_default()
            handed = events.Key(event.key, event.character)
            handed._set_forwarded()
            self._handed_to.post_message(handed)
            return
        if event.key == "enter" and self.enter_moves_focus:
            chain = self.screen.focus_chain
            later = chain[chain.index(self) + 1 :] if self in chain else []
            self._handed_to = next((w for w in later if isinstance(w, Input)), None)
            if isinstance(self._handed_to, TextInput):
                self._handed_to._focus_expected = True
        if not await run_own_binding(self, event, _EDIT_KEYS):
            await super()._on_key(event)

    def _on_focus(self, event: events.Focus) -> None:
        # The focus that Enter sent here may arrive after this field already passed keys on: keep that.
        # Coming back to the field any other way ends its hand-off.
        if self._focus_expected:
            self._focus_expected = False
        else:
            self._handed_to = None
        super()._on_focus(event)
        if self.selection.is_empty and not event.from_app_focus:
            self.cursor_position = len(self.value)


async def run_own_binding(widget, event: events.Key, keys: frozenset[str]) -> bool:
    """Run the widget's own binding for an editing key right here, in key order; False if it has none."""
    if event.is_printable or event.key not in keys:
        return False
    bindings = widget._bindings.key_to_bindings.get(event.key)
    if not bindings:
        return False
    event.stop()
    event.prevent_default()
    await widget.run_action(bindings[0].action)
    return True


class FieldError(Static):
    """The red line under a field; empty when the value is fine."""

    DEFAULT_CSS = """
    FieldError { color: $error; height: auto; padding: 0 1; }
    FieldError.-empty { display: none; }
    """

    def show(self, message: str | None) -> None:
        self.update(message or "")
        self.set_class(not message, "-empty")


class LabeledInput(Vertical):
    """Label, Input and a FieldError; `check()` runs the validator and shows its message.

    The validator takes the text and returns a cleaned value or raises ValueError
    whose message is shown at the field.
    """

    DEFAULT_CSS = """
    LabeledInput { height: auto; margin: 0 0 0 0; }
    LabeledInput > Label { padding: 0 1; color: $text-muted; }
    LabeledInput.-required > Label { color: $text; }
    LabeledInput > Input { margin: 0; }
    LabeledInput.-invalid > Input { border: tall $error; }
    LabeledInput.-compact { margin: 0; }
    LabeledInput.-compact > Input { margin: 0 1; background: $boost; }
    LabeledInput.-compact > Input:focus { background: $primary 30%; }
    LabeledInput.-compact.-invalid > Input { border: none; background: $error 20%; }
    """

    def __init__(
        self,
        label: str,
        *,
        value: str = "",
        placeholder: str = "",
        validator: Callable[[str], object] | None = None,
        required: bool = False,
        input_id: str | None = None,
        id: str | None = None,
        max_length: int = 0,
        password: bool = False,
        compact: bool = False,
        enter_moves_focus: bool = False,
    ) -> None:
        super().__init__(id=id)
        self.label = label + (" *" if required else "")
        self._error_text = ""
        self.required = required
        self.validator = validator
        self._input = TextInput(
            value=value,
            placeholder=placeholder,
            id=input_id,
            max_length=max_length,
            password=password,
            compact=compact,
            enter_moves_focus=enter_moves_focus,
        )
        self.set_class(required, "-required")
        self.set_class(compact, "-compact")

    def compose(self) -> ComposeResult:
        yield Label(self.label)
        yield self._input
        yield FieldError(classes="-empty")

    @property
    def input(self) -> Input:
        return self._input

    @property
    def value(self) -> str:
        return self._input.value

    @value.setter
    def value(self, text: str) -> None:
        self._input.value = text

    @property
    def error_text(self) -> str:
        """The message shown under the field now ('' when there is none)."""
        return self._error_text

    def show_error(self, message: str | None) -> None:
        self._error_text = message or ""
        self.set_class(bool(message), "-invalid")
        self.query_one(FieldError).show(message)

    def on_input_changed(self, event: Input.Changed) -> None:
        """A field shown wrong is looked at again as it is corrected: the message goes once the text is right
        (it stayed under a fixed value until the next save). No new message appears while typing."""
        if event.input is self._input and self.has_class("-invalid") and self._verdict(event.value)[0] is None:
            self.show_error(None)

    def _verdict(self, text: str) -> tuple[str | None, object]:
        """(None, cleaned value) for acceptable text, else (the Russian message, None)."""
        if has_control_characters(text):  # pasted NUL, escape, tab...: said here, the text stays as pasted
            return CONTROL_MESSAGE, None
        if not text.strip():
            return ("Обязательное поле." if self.required else None), None
        if self.validator is None:
            return None, text.strip()
        try:
            return None, self.validator(text)
        except ValueError as exc:
            return str(exc), None

    def check(self) -> tuple[bool, object]:
        """Validate: (True, cleaned value) or (False, None) with the message shown."""
        message, cleaned = self._verdict(self._input.value)
        self.show_error(message)
        return message is None, cleaned


def say_period_problem(screen, *fields: LabeledInput) -> None:
    """A print or reload refused for its period: what is wrong is said again and the cursor goes to that date
    (the message used to be «даты в виде ДД.ММ.ГГГГ» whatever the fault, also for an end before the start)."""
    for field in fields:
        if field.error_text:
            field.input.focus()
            screen.notify(f"Период: {field.error_text}", severity="warning")
            return
    screen.notify("Укажите период: даты в виде ДД.ММ.ГГГГ.", severity="warning")
