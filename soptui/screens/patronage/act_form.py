"""The three SOP 04 acts as structured forms: saved as a draft while typing, resumable, printable."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from soptui.core import clock
from soptui.domain import patronage
from soptui.domain.labels import ACT_KINDS
from soptui.screens.form_base import EditFlow
from soptui.services.errors import ConflictError, RecordGone
from soptui.widgets.fields import FieldError, TextInput
from soptui.widgets.textbox import TextBox, boxes_ok
from soptui.widgets.workers import db_work

if TYPE_CHECKING:
    from soptui.services.patronage import ActState


class ActFormScreen(EditFlow, ModalScreen[bool]):
    """One act of one visit. Dismisses True if the act was completed."""

    BINDINGS = [
        Binding("escape", "leave", "Закрыть", id="act.close", tooltip="Закрыть (спросит о несохранённом)"),
        Binding("ctrl+s", "save_draft", "Черновик", id="act.save", tooltip="Сохранить черновик сейчас", priority=True),
        Binding("ctrl+d", "complete", "Готово", id="act.complete", tooltip="Завершить акт", priority=True),
        Binding("ctrl+o", "print", "PDF", id="act.print", tooltip="Сохранить PDF", priority=True),
    ]
    DEFAULT_CSS = """
    ActFormScreen { align: center middle; }
    ActFormScreen #act-box { width: 110; max-width: 100%; height: 100%; max-height: 44;
                             border: round $primary; background: $panel; padding: 0 1; }
    ActFormScreen #act-scroll { height: 1fr; }
    ActFormScreen .act-section { text-style: bold; color: $accent; padding: 1 0 0 0; height: auto; }
    ActFormScreen .act-label { color: $text-muted; padding: 0 1; height: auto; }
    ActFormScreen .act-label.-required { color: $text; }
    ActFormScreen TextArea { height: 4; }
    ActFormScreen TextArea.-invalid, ActFormScreen Input.-invalid { border: tall $error; }
    ActFormScreen #act-status { height: auto; padding: 0 1; }
    ActFormScreen #act-error { height: auto; padding: 0 1; color: $error; }
    ActFormScreen .buttons { height: auto; padding: 1 0 0 0; }
    ActFormScreen .buttons Button { margin-right: 1; }
    """

    def __init__(self, visit_id: int, kind: str, readonly: bool = False) -> None:
        super().__init__()
        self.visit_id = visit_id
        self.kind = kind
        self.readonly = readonly
        self.completed = False
        self.was_completed = False
        self.version: int | None = None  # the act's version this form started from (None: no act yet)
        self._in_conflict = False
        self.init_edit_flow(f"act:{visit_id}:{kind}")
        self.was_completed = False

    def compose(self) -> ComposeResult:
        with Vertical(id="act-box"):
            yield Label(ACT_KINDS[self.kind], classes="dialog-title")
            yield Static("Загрузка…", id="act-status")
            with VerticalScroll(id="act-scroll"):
                for section in patronage.ACT_SECTIONS[self.kind]:
                    yield Label(section.title, classes="act-section")
                    for f in section.fields:
                        label = Label(f.label + (" *" if f.required else ""), classes="act-label")
                        label.set_class(f.required, "-required")
                        yield label
                        if f.choices:
                            yield Select(
                                [(c, c) for c in f.choices], prompt="выберите", id=f"f-{f.key}", disabled=self.readonly
                            )
                        elif f.multiline:
                            yield TextBox(id=f"f-{f.key}", disabled=self.readonly)
                        else:
                            yield TextInput(id=f"f-{f.key}", disabled=self.readonly)
                        yield FieldError(classes="-empty", id=f"e-{f.key}")
            yield Static("", id="act-error")
            with Horizontal(classes="buttons"):
                if not self.readonly:
                    yield Button("Готово (Ctrl+D)", variant="success", id="complete")
                    yield Button("Сохранить черновик", id="save")
                yield Button("PDF (Ctrl+O)", id="print")
                yield Button("Закрыть (Esc)", id="close")

    def on_mount(self) -> None:
        self._load()

    @db_work()
    def _load(self) -> None:
        from soptui.services import drafts
        from soptui.services import patronage as visits

        state = visits.load_act(self.visit_id, self.kind)
        # edits to a finished act are kept in a plain draft until «Готово» is pressed again
        draft = drafts.load_draft(self.draft_key) if state.act_id and not state.is_draft else None
        self.app.call_from_thread(self._show, state, draft)

    def fill(self, values: dict[str, Any]) -> None:
        for f in patronage.act_fields(self.kind):
            value = str(values.get(f.key, "") or "")
            widget = self.query_one(f"#f-{f.key}")
            if isinstance(widget, TextArea):
                widget.text = value
            elif isinstance(widget, Select):
                if value in f.choices:
                    widget.value = value
                else:
                    widget.clear()
            else:
                widget.value = value

    def _show(self, state: ActState, draft: dict | None) -> None:
        self.version = state.version
        self.fill(state.data)
        self.was_completed = not state.is_draft
        status = self.query_one("#act-status", Static)
        if state.act_id is None:
            status.update(
                Text(
                    "Новый акт: часть полей заполнена из карточки клиента и визита. "
                    "Всё введённое сохраняется как черновик.",
                    style="dim",
                )
            )
        elif state.is_draft:
            status.update(Text("Черновик восстановлен: продолжайте заполнение.", style="bold yellow"))
        else:
            status.update(Text(f"Акт завершён {clock.fmt_datetime(state.completed_at)}.", style="green"))
        self.mark_loaded()
        if not self.readonly:
            first = patronage.act_fields(self.kind)[0]
            self.query_one(f"#f-{first.key}").focus()
            self.offer_draft(draft, "Есть несохранённые правки завершённого акта. Восстановить их?", self._resume)

    def _resume(self, draft: dict) -> None:
        self.fill(draft["values"])

    def raw_values(self) -> dict[str, Any]:
        return self.data()

    def store_draft(self, payload: dict[str, Any] | None) -> None:
        """A draft act keeps its draft in the act itself; a finished one in a plain draft."""
        from soptui.services import patronage as visits

        if self.was_completed:
            super().store_draft(payload)
            return
        if self._in_conflict:
            return  # the review is open: nothing is written until the user has chosen
        values = self.baseline if payload is None else payload["values"]  # None: back to what it was
        try:
            self.version = visits.save_act_draft_checked(self.visit_id, self.kind, values, self.version)
        except (ConflictError, RecordGone):
            self._in_conflict = True
            self.conflict_found()

    # --- the conflict review: someone saved this act while it was open here

    @property
    def FIELD_LABELS(self) -> dict[str, str]:  # noqa: N802 - EditFlow's class attribute, by act kind here
        return {f.key: f.label for f in patronage.act_fields(self.kind)}

    CONFLICT_TITLE = "Акт изменил другой сотрудник, пока он был открыт"

    def load_stored(self):
        from soptui.services import patronage as visits

        state = visits.load_act(self.visit_id, self.kind)
        if state.act_id is None:
            return None
        self.was_completed = not state.is_draft
        return state.data, state.version

    def _conflict_answer(self, theirs, version, answer) -> None:
        self._in_conflict = False
        super()._conflict_answer(theirs, version, answer)

    def data(self) -> dict[str, Any]:
        result = {}
        for f in patronage.act_fields(self.kind):
            widget = self.query_one(f"#f-{f.key}")
            if isinstance(widget, Select):
                result[f.key] = "" if widget.is_blank() else str(widget.value)
            else:
                result[f.key] = widget.text if isinstance(widget, TextArea) else widget.value
        return result

    # --- drafts while typing -------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        if not self.readonly:
            self.note_change()
            self._filled(event.input, event.value)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if not self.readonly:
            self.note_change()
            self._filled(event.text_area, event.text_area.text)

    def on_select_changed(self, event: Select.Changed) -> None:
        if not self.readonly:
            self.note_change()
            self._filled(event.select, "" if event.select.is_blank() else "x")

    def _filled(self, widget, text: str) -> None:
        """A required field shown empty loses its message once something is written in it, and the count
        under the form follows (both stayed until the next Ctrl+D)."""
        if not widget.has_class("-invalid") or not text.strip() or not (widget.id or "").startswith("f-"):
            return
        widget.set_class(False, "-invalid")
        self.query_one(f"#e-{widget.id[2:]}", FieldError).show(None)
        left = sum(1 for f in patronage.act_fields(self.kind) if self.query_one(f"#f-{f.key}").has_class("-invalid"))
        self.query_one("#act-error", Static).update(
            f"Не заполнено обязательных полей: {left}. Черновик сохранён, ничего не потеряно." if left else ""
        )

    def action_save_draft(self) -> None:
        """Ctrl+S: the act's draft now; from here on nothing is unsaved."""
        if not self.loaded or self.readonly:
            return
        if self.was_completed:
            self.notify("Акт уже завершён: правки сохраняются кнопкой «Готово» (Ctrl+D).", severity="warning")
            return
        self._stop_draft_timer()
        self.write_draft({"values": self.data()}, force=True)
        self.mark_loaded()
        self.dirty = False

    def action_save(self) -> None:
        self.action_save_draft()

    def save_and_leave(self) -> None:
        if self.was_completed:
            self.action_complete()  # leaves when the act is complete
            return
        self.action_save_draft()
        self.leave(self.completed)

    def leave(self, result=None) -> None:
        self.dismiss(self.completed)

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save_draft()
        if not self.was_completed:
            self.query_one("#act-status", Static).update(Text("Черновик сохранён.", style="green"))

    # --- completing and printing ------------------------------------------------------------

    def action_complete(self) -> None:
        if not self.loaded or self.readonly or not boxes_ok(self):
            return
        self._stop_draft_timer()
        data = self.data()
        missing = patronage.act_missing(self.kind, data)
        for f in patronage.act_fields(self.kind):
            bad = f in missing
            self.query_one(f"#e-{f.key}", FieldError).show(f"Заполните поле «{f.label}»." if bad else None)
            self.query_one(f"#f-{f.key}").set_class(bad, "-invalid")
        if missing:
            self.query_one("#act-error", Static).update(
                f"Не заполнено обязательных полей: {len(missing)}. Черновик сохранён, ничего не потеряно."
            )
            self.flush_draft()
            self.query_one(f"#f-{missing[0].key}").focus()
            return
        self._complete(data)

    @on(Button.Pressed, "#complete")
    def _complete_pressed(self) -> None:
        self.action_complete()

    @db_work(exclusive=True, group="act-complete")
    def _complete(self, data: dict[str, Any]) -> None:
        from soptui.services import patronage as visits

        if not self.was_completed:
            with self._draft_lock:
                self._draft_closed = True  # no draft write still in flight may follow the completion
        try:
            visits.complete_act(self.visit_id, self.kind, data, self.version)
        except visits.VisitError as exc:
            self.app.call_from_thread(self.query_one("#act-error", Static).update, " ".join(exc.errors.values()))
            return
        except (ConflictError, RecordGone):
            with self._draft_lock:
                self._draft_closed = False
            self._in_conflict = True
            self.conflict_found()
            return
        if self.was_completed:
            self.drop_draft()
        self.app.call_from_thread(self._done)

    def _done(self) -> None:
        self.mark_saved()
        self.completed = True
        self.was_completed = True
        self.notify(f"{ACT_KINDS[self.kind]}: акт завершён.")
        self.dismiss(True)

    def action_print(self) -> None:
        if not self.loaded:
            return
        data = None if (self.readonly or self.was_completed) else self.data()
        self.query_one("#act-status", Static).update("Формирую PDF…")
        self._print(data)

    @on(Button.Pressed, "#print")
    def _print_pressed(self) -> None:
        self.action_print()

    @db_work(exclusive=True, group="act-print")
    def _print(self, data: dict[str, Any] | None) -> None:
        from soptui.services import patronage as visits

        try:
            if data is not None:
                self.version = visits.save_act_draft_checked(self.visit_id, self.kind, data, self.version)
            path = visits.print_act(self.visit_id, self.kind)
        except (ConflictError, RecordGone):
            self._in_conflict = True
            self.conflict_found()
            return
        except OSError as exc:
            self.app.call_from_thread(self.query_one("#act-status", Static).update, f"Не удалось сохранить PDF: {exc}")
            return
        self.app.call_from_thread(
            self.query_one("#act-status", Static).update, Text(f"PDF сохранён: {path}", style="green")
        )

    @on(Button.Pressed, "#close")
    def _close_pressed(self) -> None:
        self.action_leave()
