"""The edit-form flow every form shares: what changed, the draft kept as you type, resuming a draft,
and the question before leaving with unsaved work.

A form mixes `EditFlow` into its screen class, calls `init_edit_flow(draft_key)` in `__init__`, and
implements `raw_values()` (what the fields hold now, JSON-able), `fill(values)` and `action_save()`.
It calls `mark_loaded()` once its fields are filled from the store, `note_change()` from its change
handlers, `offer_draft(...)` with a stored draft, and `mark_saved()` after a successful save; Esc runs
`action_leave()`. Saving and the conflict review stay in the form: they differ by record.

Drafts: written DRAFT_DELAY s after the last change (never later), and at once when the form is left,
the screen locks, or the connection drops (the app calls `draft_for_exit` on SIGHUP/SIGTERM).
A form whose draft lives somewhere else (the act keeps its draft in the act itself) overrides
`store_draft(payload)`. `AUTO_RESUME` forms restore their draft on opening without asking.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from typing import Any

from soptui.widgets.dialogs import ChoiceDialog, ask_unsaved
from soptui.widgets.keyorder import after_keys
from soptui.widgets.workers import app_work, db_work

RESUME_CHOICES = [("resume", "Восстановить", "primary"), ("discard", "Удалить черновик", "default")]


class EditFlow:
    """Dirty tracking against a baseline, a draft written soon after every change, resume, leave."""

    DRAFT_DELAY = 0.15
    AUTO_RESUME = False
    LEAVE_QUESTION = "Есть несохранённые изменения."
    RESUMED_MESSAGE = "Восстановлен несохранённый черновик формы."

    def init_edit_flow(self, draft_key: str) -> None:
        self.draft_key = draft_key
        self.loaded = False
        self.dirty = False
        self.baseline: dict[str, Any] = {}
        self._draft_timer = None
        self._draft_lock = threading.Lock()
        self._draft_seq = 0  # the newest draft write asked for
        self._draft_done = 0  # the newest draft write carried out
        self._draft_closed = False  # set by drop_draft() after a save, until the next change
        self.leave_after_save = False  # «Сохранить» in the leave question: a form that stays open leaves
        self._refocusing = False

    @property
    def keys_ready(self) -> bool:
        """Keys typed ahead wait until the form is filled (and a resumed draft has its cursor back):
        widgets/keyorder.py holds them meanwhile."""
        return self.loaded and not self._refocusing

    # --- hooks the form implements --------------------------------------------------------

    def raw_values(self) -> dict[str, Any]:
        raise NotImplementedError

    def fill(self, values: dict[str, Any]) -> None:
        raise NotImplementedError

    def draft_payload(self) -> dict[str, Any]:
        """What the draft keeps (the form may add the version it started from)."""
        return {"values": self.raw_values()}

    def store_draft(self, payload: dict[str, Any] | None) -> None:
        """Write the draft (None: delete it); runs in a worker thread, or on exit in the main one."""
        from soptui.services import drafts

        if payload is None:
            drafts.delete_draft(self.draft_key)
        else:
            drafts.save_draft(self.draft_key, payload)

    def leave(self, result: Any = None) -> None:
        self.dismiss(result)

    # --- the flow ------------------------------------------------------------------------

    def mark_loaded(self, baseline: dict[str, Any] | None = None) -> None:
        """The fields hold the stored values (or `baseline` is what is stored): changes count from here."""
        self.baseline = self.raw_values() if baseline is None else baseline
        self.loaded = True

    def note_change(self) -> None:
        """A field changed: mark the form dirty and (re)start the draft timer, unless nothing really changed."""
        if not self.loaded:
            return  # a programmatic fill
        if self.raw_values() == self.baseline:
            if self.dirty:  # typed back to what is stored: the draft has nothing to keep
                self.dirty = False
                self._stop_draft_timer()
                self.write_draft(None)
            return
        self.dirty = True
        self._draft_closed = False
        self.leave_after_save = False  # the save asked for on leaving failed and the user typed on
        if self._draft_timer is None:  # the first change of a burst starts the clock; later ones ride on it
            self._draft_timer = self.set_timer(self.DRAFT_DELAY, self._save_draft_now)

    def _payload(self) -> dict[str, Any]:
        """The draft with the place of the cursor: which field of the form had the focus."""
        payload = self.draft_payload()
        focused = self.app.focused
        chain = self.focus_chain
        if focused is not None and focused in chain:
            payload["focus"] = chain.index(focused)
        return payload

    def _save_draft_now(self) -> None:
        self._draft_timer = None
        if self.dirty:
            self.write_draft(self._payload())

    def _stop_draft_timer(self) -> None:
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None

    def write_draft(self, payload: dict[str, Any] | None, force: bool = False) -> None:
        """Save the draft (None: delete it), in a worker; writes land in the order they were asked for.
        `force`: written even though the form is no longer dirty (an explicit «save the draft now»)."""
        self._draft_seq += 1
        self._write_draft(payload, self._draft_seq, force)

    @db_work(group="draft", action="сохранить черновик")
    def _write_draft(self, payload: dict[str, Any] | None, seq: int, force: bool = False) -> None:
        self._write_draft_now(payload, seq, force)

    def _write_draft_now(self, payload: dict[str, Any] | None, seq: int, force: bool = False) -> None:
        with self._draft_lock:
            if seq < self._draft_done:
                return  # a newer write already landed
            if payload is not None and not force and (not self.dirty or self._draft_closed):
                return  # a save landed since this change was typed: the draft must not come back
            self.store_draft(payload)
            self._draft_done = seq

    def drop_draft(self) -> None:
        """Called in the save's worker once the record is saved: the draft goes, and no draft write still
        in flight may bring it back (a change typed after the save opens drafting again)."""
        with self._draft_lock:
            self._draft_closed = True
            self.store_draft(None)

    def flush_draft(self) -> None:
        """Write a pending draft now (leaving, locking), in a worker."""
        if self._draft_timer is not None:
            self._stop_draft_timer()
            if self.dirty:
                self.write_draft(self._payload())

    def draft_for_exit(self) -> dict[str, Any] | None:
        """The process is about to end (SIGHUP, SIGTERM): what to write now (taken on the UI thread),
        or None when nothing is unsaved. The app writes it with `store_draft_for_exit`."""
        self._stop_draft_timer()
        if not (self.dirty and self.loaded) or self._draft_closed:
            return None
        self._draft_seq += 1
        return self._payload()

    def store_draft_for_exit(self, payload: dict[str, Any]) -> None:
        """Write the exit draft (in the app's exit thread), after any draft write still in flight."""
        with self._draft_lock:
            self.store_draft(payload)
            self._draft_done = self._draft_seq

    def offer_draft(self, draft: dict | None, question: str, resume: Callable[[dict], None]) -> bool:
        """Resume a stored draft (asking first unless AUTO_RESUME); True when there was one."""
        if not (draft and draft.get("values")):
            return False
        if self.AUTO_RESUME:
            self._resume_answer(draft, resume, "resume")
            self.notify(self.RESUMED_MESSAGE, timeout=6)
            return True
        self.app.push_screen(ChoiceDialog(question, RESUME_CHOICES), partial(self._resume_answer, draft, resume))
        return True

    def _resume_answer(self, draft: dict, resume: Callable[[dict], None], answer: str | None) -> None:
        if answer == "resume":
            resume(draft)
            self.dirty = True
            self._refocusing = True
            self.call_after_refresh(self._refocus, draft.get("focus"))
        else:
            self.write_draft(None)

    def _refocus(self, index: int | None) -> None:
        """Back in the field where typing stopped (the cursor goes to the end of its text). Keys typed ahead
        wait until the focus has really moved: `focus()` only asks for it, and a key let go meanwhile went to
        the field focused before (a comma of «, кв. 5» was lost on a busy machine)."""
        chain = self.focus_chain
        if isinstance(index, int) and 0 <= index < len(chain):
            chain[index].focus()
        self.call_after_refresh(self._refocused)

    def _refocused(self) -> None:
        self._refocusing = False

    # --- the conflict review ----------------------------------------------------------------

    FIELD_LABELS: dict[str, str] = {}  # raw_values key -> Russian label, for the conflict review
    CONFLICT_TITLE = "Запись изменил другой пользователь"

    def load_stored(self) -> tuple[dict[str, Any], int] | None:
        """In a worker: the record as stored now, in raw_values' shape, and its version (None: deleted)."""
        raise NotImplementedError

    def set_version(self, version: int) -> None:
        """The version the next save expects."""
        self.version = version

    def guarded_save(self, save: Callable[[], Any], gone: str) -> tuple[bool, Any]:
        """In the save's worker: run `save()`. A colleague's save since this form loaded opens the review,
        a deleted record says `gone`; on success the draft goes. Returns (saved, what save() returned)."""
        from soptui.services.errors import ConflictError, RecordGone

        try:
            result = save()
        except ConflictError:
            self.conflict_found()
            return False, None
        except RecordGone:
            self.app.call_from_thread(self.notify, gone, severity="error", timeout=10)
            return False, None
        self.drop_draft()
        return True, result

    def conflict_found(self) -> None:
        """Called in the save's worker on ConflictError: read what the other saved, then ask (UI thread)."""
        stored = self.load_stored()
        # the keys typed before the review appears are the form's: it opens once they are applied
        self.app.call_from_thread(after_keys, self.app, self._review_conflict, stored)

    def _review_conflict(self, stored: tuple[dict[str, Any], int] | None) -> None:
        from soptui.widgets.conflict import ConflictDialog, FieldChange

        self.leave_after_save = False
        if stored is None:
            self.notify("Запись удалил другой пользователь: сохранить некуда. Введённое осталось в черновике.")
            return
        theirs, version = stored
        mine, base = self.raw_values(), self.baseline
        changes = [
            FieldChange(key, label, base.get(key), mine.get(key), theirs.get(key))
            for key, label in self.FIELD_LABELS.items()
            if theirs.get(key) != base.get(key)
        ]
        self.app.push_screen(
            ConflictDialog(changes, self.CONFLICT_TITLE), partial(self._conflict_answer, theirs, version)
        )

    def _conflict_answer(self, theirs: dict[str, Any], version: int, answer: str | None) -> None:
        mine, base = self.raw_values(), self.baseline
        if answer == "overwrite":
            # their changes stay where nothing was typed here; what was typed here is saved over theirs
            merged = {key: mine[key] if mine.get(key) != base.get(key) else theirs.get(key) for key in mine}
            self.loaded = False
            self.fill(merged)
            self.loaded = True
            self.baseline = theirs
            self.set_version(version)
            self.action_save()
        elif answer == "reload":
            self.loaded = False
            self.fill(theirs)
            self.baseline = theirs
            self.set_version(version)
            self.call_after_refresh(self.mark_loaded, theirs)
            self.dirty = False
            self._stop_draft_timer()
            self.write_draft(None)
            self.notify("Загружена версия другого пользователя. Внесите свои правки заново.")
        else:
            self.notify("Ничего не сохранено. Ваши правки остались в форме и в черновике.")

    def mark_saved(self) -> None:
        """Saved (the save's worker called drop_draft): nothing is unsaved any more."""
        self.dirty = False
        self._stop_draft_timer()

    def save_and_leave(self) -> None:
        """«Сохранить» in the leave question: the form's save; a form that stays open after saving
        checks `leave_after_save` when the save lands."""
        self.leave_after_save = True
        self.action_save()

    def action_leave(self) -> None:
        if not self.dirty:
            if self._draft_seq:  # drafted, then typed back to what is stored: its delete must outlive the form
                self.delete_draft_beyond_close()
            self.leave(None)
            return
        self.flush_draft()
        ask_unsaved(self, self.LEAVE_QUESTION, self.save_and_leave, self.discard)

    def discard(self) -> None:
        """Leave without saving: the draft goes too."""
        self.dirty = False
        self._stop_draft_timer()
        self.delete_draft_beyond_close()
        self.leave(None)

    def delete_draft_beyond_close(self) -> None:
        """Delete the draft in a worker of the app's, for a form about to close.

        Textual cancels a closing screen's workers, and one of the form's not yet started when it closed never
        ran: the draft «Не сохранять» was said of was offered back the next time (seen in CI under load)."""
        self._draft_seq += 1
        seq = self._draft_seq
        app_work(
            self.app,
            lambda: self._write_draft_now(None, seq),
            f"{type(self).__name__}.delete_draft",
            action="удалить черновик",
            group="draft-delete",
        )
