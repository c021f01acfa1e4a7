"""A DataTable that pages through the database: PgDn/PgUp post a request, the screen loads the page."""

from __future__ import annotations

from textual.message import Message
from textual.widgets import DataTable


class PagedTable(DataTable):
    """A DataTable whose PgDn/PgUp ask the screen for the next/previous page from the database."""

    class PageRequest(Message):
        def __init__(self, step: int) -> None:
            super().__init__()
            self.step = step

    def action_page_down(self) -> None:
        self.post_message(self.PageRequest(1))

    def action_page_up(self) -> None:
        self.post_message(self.PageRequest(-1))
