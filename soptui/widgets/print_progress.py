"""The bar shown above the footer while a printout is being made (rendering a long report takes seconds)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import ProgressBar, Static


class PrintProgress(Horizontal):
    """«Печать: Журнал_учёта_услуг_….pdf ▰▰▱▱»: an indeterminate bar, removed when the file is written."""

    DEFAULT_CSS = """
    PrintProgress { dock: bottom; height: 1; background: $panel; padding: 0 1; layer: overlay; offset-y: -1; }
    PrintProgress Static { width: 1fr; height: 1; }
    PrintProgress ProgressBar { width: 24; height: 1; }
    PrintProgress ProgressBar Bar { width: 22; }
    """

    def __init__(self, file_name: str) -> None:
        super().__init__(id="print-progress")
        self.file_name = file_name

    def compose(self) -> ComposeResult:
        yield Static(f"Готовлю PDF: {self.file_name}", markup=False)
        yield ProgressBar(total=None, show_eta=False, show_percentage=False)
