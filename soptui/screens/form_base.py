"""The edit-form flow shared by the forms: what changed, the draft kept as you type, resuming a draft,
and the question before leaving with unsaved work.

A form mixes `EditFlow` into its screen class, calls `init_edit_flow(draft_key)` in `__init__`, and
implements `raw_values()` (what the fields hold now, JSON-able) and `fill(values)`. It calls
`mark_loaded()` once its fields are filled from the store, `note_change()` from its change handlers,
`offer_draft(...)` with a stored draft, and `mark_saved()` after a successful save; Esc runs
`action_leave()`. Saving and the conflict review stay in the form: they differ by record.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from soptui.widgets.dialogs import ChoiceDialog, ask_unsaved
from soptui.widgets.workers import db_work

RESUME_CHOICES = [("resume", "Восстановить", "primary"), ("discard", "Удалить черновик", "default")]


class EditFlow:
    """Dirty tracking against a baseline, a draft written DRAFT_DELAY s after typing stops, resume, leave."""

    DRAFT_DELAY = 0.4
    LEAVE_QUESTION = "Есть несохранённые изменения."

    def init_edit_flow(self, draft_key: str) -> None:
        self.draft_key = draft_key
        self.loaded = False
        self.dirty = False
        self.baseline: dict[str, Any] = {}
        self._draft_timer = None

    # --- hooks the form implements --------------------------------------------------------

    def raw_values(self) -> dict[str, Any]:
        raise NotImplementedError

    def fill(self, values: dict[str, Any]) -> None:
        raise NotImplementedError

    def draft_payload(self) -> dict[str, Any]:
        """What the draft keeps (the form may add the version it started from)."""
        return {"values": self.raw_values()}

    def leave(self, result: Any = None) -> None:
        self.dismiss(result)

    # --- the flow ------------------------------------------------------------------------

    def mark_loaded(self) -> None:
        """The fields now hold the stored values: changes are counted from here."""
        self.baseline = self.raw_values()
        self.loaded = True

    def note_change(self) -> None:
        """A field changed: mark the form dirty and (re)start the draft timer, unless nothing really changed."""
        if not self.loaded or self.raw_values() == self.baseline:
            return  # a programmatic fill, or typed back to what was there
        self.dirty = True
        self._stop_draft_timer()
        self._draft_timer = self.set_timer(self.DRAFT_DELAY, self._save_draft_now)

    def _save_draft_now(self) -> None:
        self.write_draft(self.draft_payload())

    def _stop_draft_timer(self) -> None:
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None

    @db_work(group="draft", action="сохранить черновик")
    def write_draft(self, payload: dict[str, Any] | None) -> None:
        """Save the draft (None: delete it), in a worker."""
        from soptui.services import drafts

        if payload is None:
            drafts.delete_draft(self.draft_key)
        else:
            drafts.save_draft(self.draft_key, payload)

    def offer_draft(self, draft: dict | None, question: str, resume: Callable[[dict], None]) -> bool:
        """Ask whether to resume a stored draft; True when one was offered."""
        if not (draft and draft.get("values")):
            return False
        self.app.push_screen(ChoiceDialog(question, RESUME_CHOICES), partial(self._resume_answer, draft, resume))
        return True

    def _resume_answer(self, draft: dict, resume: Callable[[dict], None], answer: str | None) -> None:
        if answer == "resume":
            resume(draft)
            self.dirty = True
        else:
            self.write_draft(None)

    def mark_saved(self) -> None:
        """Saved: nothing is unsaved any more (the service deleted the draft with the save)."""
        self.dirty = False
        self._stop_draft_timer()

    def action_leave(self) -> None:
        if not self.dirty:
            self.leave(None)
            return
        ask_unsaved(self, self.LEAVE_QUESTION, self.action_save, self.discard)

    def discard(self) -> None:
        """Leave without saving: the draft goes too."""
        self.dirty = False
        self._stop_draft_timer()
        self.write_draft(None)
        self.leave(None)
