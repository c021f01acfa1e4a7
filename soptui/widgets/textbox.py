"""A multi-line field that applies its editing keys in the order typed.

Kept apart from widgets/fields.py: importing TextArea costs start-up time, and only forms with
long texts need it.
"""

from __future__ import annotations

import re

from textual import events
from textual.widgets import TextArea

from soptui.widgets.fields import run_own_binding

# TextArea's own editing keys; its F6/F7 (select line / all) stay with the app, where F2–F7 are sections
_AREA_KEYS = frozenset(
    key.strip()
    for binding in TextArea.BINDINGS
    for key in binding.key.split(",")
    if not re.fullmatch(r"f\d+", key.strip())
)


class TextBox(TextArea):
    """A multi-line field that applies its editing keys in the order typed (see widgets.fields.TextInput)."""

    def load_text(self, text: str) -> None:
        """Text put in by the program (stored, restored from a draft): the cursor goes to its end, so
        the next key continues it."""
        super().load_text(text)
        self.move_cursor(self.document.end)

    async def _on_key(self, event: events.Key) -> None:
        if not await run_own_binding(self, event, _AREA_KEYS):
            await super()._on_key(event)
