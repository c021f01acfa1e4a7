"""The registry's result list: one page of clients (never the whole table)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text

from soptui.widgets.paged_table import RowTable

STATUS_STYLE = {"potential": "yellow", "served": "green", "refused": "red", "closed": "dim"}


class ClientTable(RowTable):
    """Rows are objects with id, full_name, birth_date, status, status_label, department,
    assigned, phone and matched_by attributes (services.clients.ClientRow)."""

    DEFAULT_CSS = """
    ClientTable { height: 1fr; }
    """

    def __init__(self, *, compact: bool = False, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.compact = compact
        self.ids: list[int] = []

    def on_mount(self) -> None:
        if self.compact:
            self.add_columns("ФИО", "Дата рожд.", "Телефон", "Найдено по")
        else:
            self.add_columns("ФИО", "Дата рожд.", "Телефон", "Найдено по", "Статус", "Специалист", "Отд.")

    def show(self, rows: Sequence[Any]) -> None:
        """Replace the page; keeps the cursor on the first row."""
        self.clear()
        self.ids = [r.id for r in rows]
        for r in rows:
            name = Text(r.full_name)
            if getattr(r, "no_consent", False):
                name = Text.assemble(r.full_name, (" ⚠", "bold red"))
            born = r.birth_date.strftime("%d.%m.%Y") if r.birth_date else ""
            matched = Text(r.matched_by, style="italic cyan") if r.matched_by else ""
            if self.compact:
                self.add_row(name, born, r.phone, matched, key=str(r.id))
            else:
                status = Text(r.status_label, style=STATUS_STYLE.get(r.status, ""))
                self.add_row(name, born, r.phone, matched, status, r.assigned, r.department, key=str(r.id))
        if rows:
            self.move_cursor(row=0)

    @property
    def selected_id(self) -> int | None:
        if not self.ids or self.cursor_row is None or not 0 <= self.cursor_row < len(self.ids):
            return None
        return self.ids[self.cursor_row]
