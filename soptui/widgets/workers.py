"""The one worker policy: database and PDF work runs in a thread, and an unexpected error in it is
logged privately (type and stack, no values) and said in Russian, never a traceback, never silence.

Use `@db_work(...)` (the arguments of `textual.work`, less `thread` and `exit_on_error`) on every method
that calls the services. Errors the screen expects (a conflict, a refused value) are caught inside the
method as before; only the unexpected reach the policy, through `SoptuiApp.report_error`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from textual import work

from soptui.core.text import CONTROL_MESSAGE, ControlCharacters


def db_work(*, action: str = "выполнить действие", **options: Any) -> Callable:
    """`textual.work(thread=True, exit_on_error=False, ...)` with the shared error report."""

    def decorate(method: Callable) -> Callable:
        @functools.wraps(method)
        def guarded(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except ControlCharacters:
                # pasted text with a NUL or an escape in a multi-line box: refused, said, the form keeps it all
                self.app.call_from_thread(_refuse_control_text, self)
                return None
            except Exception as error:
                _report(self.app, error, f"{type(self).__name__}.{method.__name__}", action)
                raise

        return work(thread=True, exit_on_error=False, **options)(guarded)

    return decorate


def app_work(app, job: Callable[[], Any], where: str, *, action: str, group: str):
    """`job` in a worker thread of the app's, with db_work's error report: for a write that must outlive the
    screen asking for it (Textual cancels a closing screen's workers, and one not started yet never runs), or
    work that belongs to no screen. Returns the worker."""

    def guarded() -> Any:
        try:
            return job()
        except Exception as error:
            _report(app, error, where, action)
            raise

    return app.run_worker(guarded, thread=True, exit_on_error=False, group=group)


def _report(app, error: Exception, where: str, action: str) -> None:
    """From a worker thread: the error to the app's shared policy (logged without values, said in Russian)."""
    report = getattr(app, "report_error", None)
    if report is not None:
        app.call_from_thread(report, error, where, action)


def _refuse_control_text(node) -> None:
    """A save refused for a control character the form did not check first: the boxes that hold one say so
    under themselves (widgets.textbox.boxes_ok) and the toast says nothing was saved."""
    from soptui.widgets.textbox import boxes_ok

    boxes_ok(getattr(node, "screen", node))
    node.notify(f"Не сохранено. {CONTROL_MESSAGE}", severity="error", timeout=10, markup=False)
