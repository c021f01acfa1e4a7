"""«Отзыв клиента» on a finished call (SOP 03 §8): a score 1-5 and the client's words, kept as a
draft while typed and saved with the version check (a colleague's save opens the conflict review)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Select, Static

from soptui.core import clock
from soptui.screens.form_base import EditFlow
from soptui.services import calls
from soptui.widgets.fields import FieldError, LabeledInput
from soptui.widgets.workers import db_work

SCORES = [
    ("5 — полностью доволен", 5),
    ("4 — скорее доволен", 4),
    ("3 — отчасти", 3),
    ("2 — скорее недоволен", 2),
    ("1 — недоволен", 1),
]


class CallFeedbackDialog(EditFlow, ModalScreen[bool]):
    """The client's feedback on the call: asked at the end of the talk or later, by phone."""

    BINDINGS = [
        Binding("escape", "leave", "Отмена", id="call_feedback.cancel", tooltip="Закрыть (спросит о несохранённом)"),
        Binding("ctrl+s", "save", "Сохранить", priority=True, id="call_feedback.save", tooltip="Сохранить отзыв"),
    ]
    DEFAULT_CSS = """
    CallFeedbackDialog { align: center middle; }
    CallFeedbackDialog > Vertical { width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; padding: 0 1; background: $panel; }
    CallFeedbackDialog Select { width: 1fr; }
    CallFeedbackDialog .buttons { height: auto; margin: 1 0 0 0; }
    CallFeedbackDialog .buttons Button { margin: 0 1 0 0; }
    """
    FIELD_LABELS = {"score": "Оценка", "text": "Отзыв"}
    CONFLICT_TITLE = "Отзыв к этому звонку записал другой сотрудник"

    def __init__(self, call_id: int, title: str) -> None:
        super().__init__()
        self.call_id = call_id
        self.title_text = title
        self.version = 0
        self.init_edit_flow(f"call-feedback:{call_id}")

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"Отзыв клиента · {self.title_text}", classes="dialog-title")
            yield Static("Загрузка…", id="cf-who")
            yield Select(SCORES, prompt="— оценка не названа —", id="cf-score")
            yield LabeledInput("Что сказал клиент", id="cf-text", max_length=calls.feedback.MAX_TEXT)
            yield FieldError(id="cf-error")
            with Horizontal(classes="buttons"):
                yield Button("Сохранить (Ctrl+S)", variant="primary", id="cf-save")
                yield Button("Отмена", id="cf-cancel")

    def on_mount(self) -> None:
        self._load()

    @db_work(group="call-feedback", action="открыть отзыв")
    def _load(self) -> None:
        from soptui.services import drafts

        fb = calls.call_feedback(self.call_id)
        draft = drafts.load_draft(self.draft_key)
        self.app.call_from_thread(self._loaded, fb, draft)

    def _loaded(self, fb: calls.CallFeedback, draft) -> None:
        self.version = fb.version
        who = self.query_one("#cf-who", Static)
        if not fb.can_have:
            who.update("Отзыв записывают только к состоявшемуся разговору.")
            self.query_one("#cf-save", Button).disabled = True
        elif fb.at is not None:
            who.update(f"Записан {clock.fmt_datetime(fb.at)}, {fb.by or '—'}. Можно уточнить.")
        else:
            who.update("Спросите, доволен ли клиент разговором, и запишите его слова.")
        self.fill({"score": fb.score, "text": fb.text})
        self.mark_loaded()
        self.query_one("#cf-score", Select).focus()
        self.offer_draft(draft, "Есть несохранённый отзыв к этому звонку. Восстановить его?", self._resume)

    def _resume(self, draft: dict) -> None:
        self.fill(draft["values"])

    def raw_values(self) -> dict:
        score = self.query_one("#cf-score", Select).value
        return {
            "score": score if isinstance(score, int) else None,
            "text": self.query_one("#cf-text", LabeledInput).value,
        }

    def fill(self, values: dict) -> None:
        score = self.query_one("#cf-score", Select)
        if isinstance(values.get("score"), int):
            score.value = values["score"]
        else:
            score.clear()
        self.query_one("#cf-text", LabeledInput).value = values.get("text") or ""

    def load_stored(self):
        try:
            fb = calls.call_feedback(self.call_id)
        except calls.CallError:
            return None
        return {"score": fb.score, "text": fb.text}, fb.version

    def on_input_changed(self) -> None:
        self.note_change()

    def on_select_changed(self) -> None:
        self.note_change()

    def leave(self, result=None) -> None:
        self.dismiss(bool(result))

    @on(Button.Pressed, "#cf-cancel")
    def _cancel_pressed(self) -> None:
        self.action_leave()

    @on(Button.Pressed, "#cf-save")
    def action_save(self) -> None:
        if not self.loaded or self.query_one("#cf-save", Button).disabled:
            return
        values = self.raw_values()
        self._save(self.version, values["score"], values["text"])

    @db_work(exclusive=True, group="call-feedback-save", action="сохранить отзыв")
    def _save(self, version: int, score: int | None, text: str) -> None:
        try:
            saved, new_version = self.guarded_save(
                lambda: calls.save_call_feedback(self.call_id, version, score, text), "Звонок удалён."
            )
        except calls.CallError as exc:
            self.app.call_from_thread(self.query_one("#cf-error", FieldError).show, str(exc))
            return
        if saved:
            self.app.call_from_thread(self._saved, new_version)

    def _saved(self, version: int) -> None:
        self.version = version
        self.mark_saved()
        self.notify("Отзыв клиента сохранён.")
        self.dismiss(True)
