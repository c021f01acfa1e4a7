"""Pick a client: a search box over the registry and a page of matches (Enter picks, Esc cancels).

Other areas push `ClientPickerScreen()` and get the client id (or None) back.
The search-as-you-type machinery (`ClientSearchMixin`) is shared with the Клиенты section.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from soptui.widgets.client_table import ClientTable
from soptui.widgets.fields import TextInput

# One long-lived thread runs the registry queries: it keeps its SQLite connection and page cache
# warm between keystrokes (a fresh worker thread would open a new connection every time).
_SEARCH_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="registry-search")
_COUNT_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="registry-count")  # never delays a page


def _search(query, filters, limit, offset, with_total):
    from soptui.services import clients

    return clients.search(query, filters, limit=limit, offset=offset, with_total=with_total)


class ClientSearchMixin:
    """Searches the registry on each keystroke without blocking typing; stale answers are dropped.

    Each keystroke bumps a sequence number and queues the query on one long-lived search
    thread (exclusive: a queued query that is already stale is skipped, a finished stale
    answer is discarded). The page is shown first; the capped total follows from a
    second thread so counting never delays the next page.
    The host provides `_search_args() -> (query, filters, offset)` and `_show_result(result)`.
    """

    PAGE = 50
    _seq = 0
    _shown_seq = 0
    last_latency_ms: float = 0.0
    _typed_at: float = 0.0
    shown_at: float = 0.0  # perf_counter() when the list last showed the newest query

    def request_search(self) -> None:
        self._seq += 1
        self._typed_at = time.perf_counter()
        query, filters, offset = self._search_args()
        loop = asyncio.get_running_loop()
        _SEARCH_THREAD.submit(self._page_job, loop, self._seq, query, filters, offset)

    def _page_job(self, loop, seq: int, query: str, filters, offset: int) -> None:
        """On the search thread: one page of results, then queue the count."""
        if seq != self._seq:
            return  # a newer keystroke already asked
        try:
            result = _search(query, filters, self.PAGE, offset, False)
        except Exception as exc:  # the list must keep working whatever was typed
            loop.call_soon_threadsafe(self._search_failed, seq, exc)
            return
        if seq != self._seq:
            return
        loop.call_soon_threadsafe(self._deliver, seq, result)
        if not result.total_known:
            _COUNT_THREAD.submit(self._count_job, loop, seq, query, filters, offset)

    def _count_job(self, loop, seq: int, query: str, filters, offset: int) -> None:
        if seq != self._seq:
            return  # typed on while this waited: the newer query counts
        try:
            counted = _search(query, filters, self.PAGE, offset, True)
        except Exception as exc:
            loop.call_soon_threadsafe(self._search_failed, seq, exc)
            return
        if seq == self._seq:
            loop.call_soon_threadsafe(self._deliver_total, seq, counted)

    def _deliver(self, seq: int, result) -> None:
        if seq != self._seq or not self.is_attached:
            return  # stale: the user typed on (or the screen was closed)
        self._shown_seq = seq
        self._show_result(result)
        self.shown_at = time.perf_counter()
        self.last_latency_ms = (self.shown_at - self._typed_at) * 1000

    def _deliver_total(self, seq: int, result) -> None:
        if seq == self._seq and self.is_attached:
            self._show_total(result)

    def _show_total(self, result) -> None:
        self._show_result(result)

    def _search_failed(self, seq: int, error: Exception) -> None:
        """Logged privately without values; the list says so in Russian and keeps working for the next key."""
        from soptui.core.errorlog import log_exception, user_message

        log_exception(error, "search")
        if seq == self._seq and self.is_attached:
            message = user_message(error, "найти клиентов")
            self.notify(message, severity="error")
            self._shown_seq = seq
            self.show_failure(message)

    def show_failure(self, message: str) -> None:
        """The list says the search failed instead of keeping the rows of an earlier query (issue 14)."""
        self.result = None
        self.query_one(ClientTable).show([])
        for counter in self.query(".search-count"):
            counter.update(message)

    @property
    def search_settled(self) -> bool:
        return self._shown_seq == self._seq


class ClientPickerScreen(ClientSearchMixin, ModalScreen[int | None]):
    """A modal search over the registry; dismisses with the chosen client id or None."""

    PAGE = 30
    DEFAULT_CSS = """
    ClientPickerScreen { align: center middle; }
    ClientPickerScreen > #picker-box { width: 100; max-width: 100%; height: 90%; max-height: 100%;
        border: round $primary; padding: 0 2; background: $panel; }
    ClientPickerScreen ClientTable { height: 1fr; }
    ClientPickerScreen #picker-count { height: 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Отмена", tooltip="Закрыть без выбора", id="picker.cancel"),
        Binding("down", "to_table", "К списку", show=False, id="picker.to_table", tooltip="Перейти к списку найденных"),
    ]

    def __init__(self, title: str = "Выбор клиента", query: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.initial_query = query

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-box"):
            yield Label(self.title_text, classes="dialog-title")
            yield TextInput(
                value=self.initial_query,
                id="picker-query",
                placeholder="Фамилия, имя, телефон (можно последние цифры) или ДД.ММ.ГГГГ",
            )
            yield Static("", id="picker-count", classes="search-count")
            yield ClientTable(compact=True, id="picker-table")
            yield Static("Enter — выбрать · ↓ — к списку · Esc — отмена", classes="muted")

    def on_mount(self) -> None:
        self.query_one("#picker-query", Input).focus()
        self.request_search()

    def _search_args(self):
        return self.query_one("#picker-query", Input).value, None, 0

    _pick_pending = False

    def _show_result(self, result) -> None:
        self.query_one(ClientTable).show(result.rows)
        shown = len(result.rows)
        text = f"Найдено: {result.total_text}" if result.total else "Никого не нашлось"
        if result.corrected:
            text = f"Точных совпадений нет; похожие на «{result.corrected}»: {result.total_text}"
        if result.total and shown < result.total:
            text += f" (показаны первые {shown})"
        self.query_one("#picker-count", Static).update(text)
        if self._pick_pending:
            self._pick_pending = False
            self._pick()

    def show_failure(self, message: str) -> None:
        super().show_failure(message)
        self._pick_pending = False  # nothing to pick from: the keys held for the pick go to the search again
        self.keys_ready = True

    @on(Input.Changed, "#picker-query")
    def _changed(self, event: Input.Changed) -> None:
        self.request_search()

    @on(Input.Submitted, "#picker-query")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._pick()

    @on(ClientTable.RowSelected)
    def _row_selected(self, event: ClientTable.RowSelected) -> None:
        event.stop()
        self._pick()

    # While an Enter waits for the list to show what was typed, the keys after it wait too (KeyGate holds the
    # keys of a screen that is not `keys_ready`): they belong to what the pick opens. Typed into the search
    # box, they changed the query, and the pick then ran on a search that found nobody.
    keys_ready = True

    def _pick(self) -> None:
        if not self.search_settled:
            self._pick_pending = True  # pick as soon as the list shows what was typed
            self.keys_ready = False
            return
        self.keys_ready = True
        client_id = self.query_one(ClientTable).selected_id
        if client_id is not None:
            self.dismiss(client_id)

    def action_to_table(self) -> None:
        table = self.query_one(ClientTable)
        if table.row_count:
            table.focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
