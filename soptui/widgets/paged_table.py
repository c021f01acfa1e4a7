"""soptui's tables: a DataTable that pages through the database: PgDn/PgUp post a request, the screen loads the page."""

from __future__ import annotations

from textual.message import Message
from textual.widgets import DataTable


class RowTable(DataTable):
    """A DataTable drawn afresh when its size changes. Textual 8.2 kept rows drawn before a resize at their old
    width: after the terminal grew, the cursor's bar and the stripes of the rows already seen stopped short."""

    def on_resize(self) -> None:
        self._clear_caches()

    def start_over(self, *labels: str) -> None:
        """Empty the table and set its columns anew: a kept column only ever widens, so a screen that fits its
        columns to the terminal's width starts over when the terminal shrinks."""
        self.clear(columns=True)
        self.add_columns(*labels)


class PagedTable(RowTable):
    """A DataTable whose PgDn/PgUp ask the screen for the next/previous page from the database."""

    class PageRequest(Message):
        def __init__(self, step: int) -> None:
            super().__init__()
            self.step = step

    def action_page_down(self) -> None:
        self.post_message(self.PageRequest(1))

    def action_page_up(self) -> None:
        self.post_message(self.PageRequest(-1))
