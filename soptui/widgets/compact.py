"""Dialogs that fit an 80x24 terminal: framed fields at 30 rows and more, one-row fields below (issue 15 point 1).

A framed Input, Select or RadioSet takes three rows; a form of six fields then needs a scroll at 24 rows and its
buttons fall below the edge. Below COMPACT_ROWS the fields and choices of a `CompactWhenShort` dialog drop their
frames (Textual's own compact style; labelled fields get LabeledInput's compact look), so the whole dialog with its
buttons is seen at once. The buttons keep their frames. Taller terminals keep the framed look.
"""

from __future__ import annotations

from textual import events

from soptui.widgets.fields import LabeledInput

COMPACT_ROWS = 30


class CompactWhenShort:
    """Mixin for a ModalScreen (put it before ModalScreen): compact fields while the terminal is short."""

    def on_resize(self, event: events.Resize) -> None:
        self.fit_rows(event.size.height)

    def fit_rows(self, rows: int) -> None:
        short = rows < COMPACT_ROWS
        for field in self.query(LabeledInput):
            field.set_class(short, "-compact")
        for widget in self.query("Input, Select, RadioSet, OptionList, TextArea"):
            widget.compact = short
