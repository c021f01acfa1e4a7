"""A multi-line field that applies its editing keys in the order typed.

Kept apart from widgets/fields.py: importing TextArea costs start-up time, and only forms with
long texts need it.
"""

from __future__ import annotations

import re

from textual import events
from textual.widgets import TextArea

from soptui.core.text import CONTROL_MESSAGE, has_control_characters
from soptui.widgets.fields import FieldError, run_own_binding

# TextArea's own editing keys; its F6/F7 (select line / all) stay with the app, where F2–F7 are sections
_AREA_KEYS = frozenset(
    key.strip()
    for binding in TextArea.BINDINGS
    for key in binding.key.split(",")
    if not re.fullmatch(r"f\d+", key.strip())
)


class TextBox(TextArea):
    """A multi-line field that applies its editing keys in the order typed (see widgets.fields.TextInput).

    Its red line (a FieldError mounted right after it) says at once when a paste brought a control
    character (NUL, escape...) that the store refuses; the text stays as pasted for the user to correct.
    """

    DEFAULT_CSS = """
    TextBox.-invalid { border: tall $error; }
    """

    _error: FieldError | None = None
    _flagged = False  # the box shows the control-character message

    def on_mount(self) -> None:
        self.call_later(self._attach_error)

    def _attach_error(self) -> None:
        """The red line right after the box: the form's own one if it placed it there, else a new one."""
        siblings = list(self.parent.children)
        after = siblings[siblings.index(self) + 1] if siblings.index(self) + 1 < len(siblings) else None
        if isinstance(after, FieldError):
            self._error = after
        else:
            self._error = FieldError(classes="-empty")
            self.parent.mount(self._error, after=self)

    def check(self) -> bool:
        """True if the text can be stored; otherwise the message is shown under the box. A form's own
        message (a required box left empty) is left to the form."""
        bad = has_control_characters(self.text, multiline=True)
        if bad or self._flagged:
            self.set_class(bad, "-invalid")
            if self._error is not None:
                self._error.show(CONTROL_MESSAGE if bad else None)
        self._flagged = bad
        return not bad

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if event.text_area is self:
            self.check()

    def load_text(self, text: str) -> None:
        """Text put in by the program (stored, restored from a draft): the cursor goes to its end, so
        the next key continues it."""
        super().load_text(text)
        self.move_cursor(self.document.end)

    async def _on_key(self, event: events.Key) -> None:
        if not await run_own_binding(self, event, _AREA_KEYS):
            await super()._on_key(event)


def boxes_ok(screen) -> bool:
    """Before a save: every multi-line box of the screen can be stored. If not, each bad one says so under
    itself, the first gets the focus, and the caller saves nothing (the text stays for the user to correct)."""
    bad = [box for box in screen.query(TextBox) if not box.disabled and not box.check()]
    if bad:
        bad[0].focus()
    return not bad
