"""A session's report (SOP 05 stages 1-4): topic and goal from the programme, props, the first
acquaintance, guests, photo/video and where it is kept, the leader's analysis and summary, and the
reviews: each from a participant, a member of staff or a guest with a score 1-5, whose mean is the
session's satisfaction. Typed text is kept as a draft until saved."""

from __future__ import annotations

import time

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Checkbox, DataTable, Label, Select, Static, TextArea

from soptui.core import clock
from soptui.domain.groups import WEEKDAY_SHORT
from soptui.domain.service_time import WritingClock, whole_minutes
from soptui.screens.base import SectionScreen
from soptui.screens.form_base import EditFlow
from soptui.services import drafts
from soptui.services import groups as service
from soptui.widgets.fields import FieldError, LabeledInput
from soptui.widgets.paged_table import RowTable
from soptui.widgets.textbox import TextBox, boxes_ok
from soptui.widgets.workers import db_work


class SessionFormScreen(EditFlow, SectionScreen):
    """Edit the report of one session; Ctrl+S saves, F9 prints the session report."""

    SECTION_TITLE = "Занятие"
    DEFAULT_CSS = """
    SessionFormScreen #sf-scroll { height: 1fr; padding: 0 1; }
    SessionFormScreen #sf-head { height: auto; margin: 0 0 1 0; }
    SessionFormScreen TextArea { height: 5; }
    SessionFormScreen .sf-label { color: $text-muted; padding: 0 1; margin: 1 0 0 0; }
    SessionFormScreen #sf-feedback { height: auto; max-height: 10; }
    SessionFormScreen .sf-row { height: auto; }
    SessionFormScreen .sf-row Button { margin: 0 1 0 0; }
    SessionFormScreen #sf-satisfaction { height: auto; padding: 0 1; }
    SessionFormScreen #sf-buttons { height: auto; margin: 1 0; }
    SessionFormScreen #sf-buttons Button { margin: 0 1 0 0; }
    SessionFormScreen #sf-media-row { height: auto; }
    SessionFormScreen #sf-media { width: 22; }
    SessionFormScreen #sf-media-location { width: 1fr; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", "Сохранить", id="session.save", tooltip="Сохранить отчёт о занятии"),
        Binding("f9", "print", "Печать", id="session.print", tooltip="Отчёт о занятии (PDF)"),
        Binding("escape", "leave", "Назад", id="session.back", tooltip="Закрыть"),
    ]
    AUTO_RESUME = True
    LEAVE_QUESTION = "Отчёт о занятии не сохранён."
    RESUMED_MESSAGE = "Восстановлен несохранённый черновик отчёта."
    CONFLICT_TITLE = "Отчёт о занятии изменил другой сотрудник, пока он был открыт"
    FIELD_LABELS = {
        "programme_item": "Пункт программы",
        "topic": "Тема",
        "goal": "Цель",
        "guests": "Гости",
        "media_taken": "Фото/видео",
        "media_location": "Где хранятся файлы",
        "analysis": "Анализ",
        "summary": "Итоги",
        "props": "Реквизит",
        "first_meeting": "Первое знакомство",
    }

    def __init__(self, session_id: int) -> None:
        super().__init__()
        self.session_id = session_id
        self.detail: service.SessionDetail | None = None
        self.original: dict = {}
        self.version: int | None = None
        self.init_edit_flow(f"session:{session_id}")
        self.writing = WritingClock()  # the report's writing time (SOP 05 stage 4), measured between edits

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="sf-scroll"):
            yield Static("Загрузка…", id="sf-head")
            yield Label("Тема по программе", classes="sf-label")
            yield Select([], id="sf-programme", prompt="— выбрать из программы —", allow_blank=True)
            yield LabeledInput("Тема занятия", id="sf-topic", required=True)
            yield LabeledInput("Цель занятия", id="sf-goal")
            yield LabeledInput(
                "Реквизит (подготовка, СОП 05 этап 1)", id="sf-props", placeholder="например, карточки эмоций, мяч"
            )
            yield Checkbox("Первое знакомство с участниками (этап 2) проведено на этом занятии", id="sf-first")
            yield LabeledInput("Гости", id="sf-guests", placeholder="кто присутствовал из гостей учреждения")
            with Horizontal(id="sf-media-row"):
                yield Checkbox("Фото/видео", id="sf-media")
                yield LabeledInput(
                    "Где хранятся файлы", id="sf-media-location", placeholder="например, \\\\server\\Клубы\\2026-11-25"
                )
            yield Label("Анализ занятия (ведущий)", classes="sf-label")
            yield TextBox(id="sf-analysis")
            yield Label("Итоги занятия", classes="sf-label")
            yield TextBox(id="sf-summary")
            yield FieldError(id="sf-error", classes="-empty")
            with Horizontal(id="sf-buttons"):
                yield Button("Сохранить (Ctrl+S)", id="sf-save", variant="primary")
                yield Button("Печать отчёта (F9)", id="sf-print")
            yield Label("Отзывы с оценкой 1–5 (получатели услуг, сотрудники, гости)", classes="sf-label")
            yield Static("", id="sf-satisfaction")
            yield RowTable(id="sf-feedback", cursor_type="row", zebra_stripes=True)
            with Horizontal(classes="sf-row"):
                yield Button("Добавить отзыв", id="fb-add")
                yield Button("Удалить выбранный", id="fb-delete")

    def on_mount(self) -> None:
        super().on_mount()
        feedback = self.query_one("#sf-feedback", DataTable)
        feedback.add_columns("От кого", "Кто", "Оценка", "Отзыв")
        feedback.styles.height = "auto"  # app.tcss gives every table 1fr: in this scroll that left it one row tall
        self._load()

    @db_work(exclusive=True, group="session-form")
    def _load(self) -> None:
        try:
            detail = service.get_session(self.session_id)
        except service.GroupError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        draft = drafts.load_draft(self.draft_key)
        self.app.call_from_thread(self._show, detail, draft)

    def _values_of(self, d: service.SessionDetail) -> dict:
        return {
            "topic": d.topic,
            "goal": d.goal,
            "guests": d.guests,
            "media_taken": d.media_taken,
            "media_location": d.media_location,
            "analysis": d.analysis,
            "summary": d.summary,
            "programme_item": d.programme_item_id,
            "props": d.props,
            "first_meeting": d.first_meeting,
        }

    def _show(self, d: service.SessionDetail, draft: dict | None, keep_form: bool = False) -> None:
        self.loaded = False  # filling the fields below is not typing
        self.detail = d
        self.version = d.version
        self.original = self._values_of(d)
        head = Text()
        head.append(f"{d.club_name}", style="bold")
        head.append(f"  {clock.fmt_date(d.date)} ({WEEKDAY_SHORT[d.date.weekday()]}) {d.start_time}–{d.end_time}\n")
        head.append(f"Присутствовали {d.present} из {d.marked} отмеченных · Ведущие: {', '.join(d.leaders)}")
        if d.extra:
            head.append(" · дополнительное занятие (не из программы)")
        if d.report_seconds:
            head.append(f"\nОтчёт писали {whole_minutes(d.report_seconds)} мин (измерено)", style="dim")
        self.query_one("#sf-satisfaction", Static).update(f"Удовлетворённость: {d.satisfaction_text()}")
        self.query_one("#sf-head", Static).update(head)
        sel = self.query_one("#sf-programme", Select)
        sel.set_options([(f"{p.number}. {p.topic}", p.id) for p in d.programme])
        if not keep_form:
            self.fill(self.original)
            if draft and "values" not in draft:  # a draft written before drafts kept {"values": ...}
                draft = {"values": draft}
            self.offer_draft(draft, "", lambda saved: self.fill({**self.original, **saved["values"]}))
        fb = self.query_one("#sf-feedback", DataTable)
        fb.clear()
        for f in d.feedback:
            fb.add_row(f.source_label, f.author, str(f.score) if f.score else "—", f.text, key=str(f.id))
        self.call_after_refresh(self.mark_loaded, self.original)

    def fill(self, v: dict) -> None:
        item = v.get("programme_item")
        sel = self.query_one("#sf-programme", Select)
        if item and self.detail and any(p.id == item for p in self.detail.programme):
            sel.value = item
        else:
            sel.clear()
        self.query_one("#sf-topic", LabeledInput).value = v.get("topic") or ""
        self.query_one("#sf-goal", LabeledInput).value = v.get("goal") or ""
        self.query_one("#sf-props", LabeledInput).value = v.get("props") or ""
        self.query_one("#sf-first", Checkbox).value = bool(v.get("first_meeting"))
        self.query_one("#sf-guests", LabeledInput).value = v.get("guests") or ""
        self.query_one("#sf-media", Checkbox).value = bool(v.get("media_taken"))
        self.query_one("#sf-media-location", LabeledInput).value = v.get("media_location") or ""
        self.query_one("#sf-analysis", TextArea).text = v.get("analysis") or ""
        self.query_one("#sf-summary", TextArea).text = v.get("summary") or ""

    def raw_values(self) -> dict:
        sel = self.query_one("#sf-programme", Select).value
        return {
            "programme_item": sel if isinstance(sel, int) else None,
            "topic": self.query_one("#sf-topic", LabeledInput).value.strip(),
            "goal": self.query_one("#sf-goal", LabeledInput).value.strip(),
            "guests": self.query_one("#sf-guests", LabeledInput).value.strip(),
            "media_taken": self.query_one("#sf-media", Checkbox).value,
            "media_location": self.query_one("#sf-media-location", LabeledInput).value.strip(),
            "analysis": self.query_one("#sf-analysis", TextArea).text.strip(),
            "summary": self.query_one("#sf-summary", TextArea).text.strip(),
            "props": self.query_one("#sf-props", LabeledInput).value.strip(),
            "first_meeting": self.query_one("#sf-first", Checkbox).value,
        }

    # --- typing: the draft ---

    def note_change(self) -> None:
        if self.loaded:
            self.writing.touch(time.monotonic())
        super().note_change()

    @on(Select.Changed, "#sf-programme")
    def _programme_chosen(self, event: Select.Changed) -> None:
        if not self.loaded or self.detail is None or not isinstance(event.value, int):
            return
        item = next((p for p in self.detail.programme if p.id == event.value), None)
        if item:
            self.query_one("#sf-topic", LabeledInput).value = item.topic
            self.query_one("#sf-goal", LabeledInput).value = item.goal
        self.note_change()

    def on_input_changed(self) -> None:
        self.note_change()

    def on_text_area_changed(self) -> None:
        self.note_change()

    def on_checkbox_changed(self) -> None:
        self.note_change()

    def load_stored(self):
        try:
            d = service.get_session(self.session_id)
        except service.GroupError:
            return None
        return self._values_of(d), d.version

    def set_version(self, version: int) -> None:
        self.version = version
        self.original = dict(self.baseline)  # the next save's changes are counted from what is stored now

    # --- saving ---

    @on(Button.Pressed, "#sf-save")
    def action_save(self) -> None:
        if self.detail is None or not boxes_ok(self):
            return
        ok, _ = self.query_one("#sf-topic", LabeledInput).check()
        if not ok:
            return
        values = self.raw_values()
        changes = {k: v for k, v in values.items() if v != self.original.get(k)}
        if not changes:
            self.notify("Изменений нет.")
            return
        self._save(self.version, changes, dict(self.original), self.writing.take(time.monotonic()))

    @db_work(exclusive=True, group="session-save")
    def _save(self, version: int, changes: dict, original: dict, writing: float = 0) -> None:
        try:
            saved, _version = self.guarded_save(
                lambda: service.save_session_report(self.session_id, version, changes, original, writing),
                "Занятие удалено другим сотрудником.",
            )
        except service.GroupError as exc:
            self.app.call_from_thread(self._failed, str(exc), exc.field)
            saved = False
        if not saved:  # the time is not lost: it counts with the next save
            self.writing.seconds += writing
            return
        self.app.call_from_thread(self._saved, service.get_session(self.session_id))

    def _failed(self, message: str, field: str) -> None:
        target = {"topic": "#sf-topic", "media_location": "#sf-media-location"}.get(field)
        if target:
            self.query_one(target, LabeledInput).show_error(message)
        else:
            self.query_one("#sf-error", FieldError).show(message)

    def _saved(self, detail: service.SessionDetail) -> None:
        self.query_one("#sf-error", FieldError).show(None)
        for w in self.query(LabeledInput):
            w.show_error(None)
        self.mark_saved()
        self.notify("Отчёт о занятии сохранён.")
        if self.leave_after_save:
            self.leave()
            return
        self._show(detail, None, keep_form=True)

    # --- feedback ---

    @on(Button.Pressed, "#fb-add")
    def _add_feedback(self) -> None:
        if self.detail is None:
            return
        from soptui.screens.groups.feedback import FeedbackDialog

        self.app.push_screen(FeedbackDialog(self.detail), self._feedback_added)

    def _feedback_added(self, saved: bool | None) -> None:
        if saved:
            self.notify("Отзыв записан.")
            self._reload_feedback()

    @db_work(exclusive=True, group="session-feedback")
    def _reload_feedback(self) -> None:
        detail = service.get_session(self.session_id)
        self.app.call_from_thread(self._show, detail, None, True)

    @on(Button.Pressed, "#fb-delete")
    def _delete_feedback(self) -> None:
        if self.detail is None or not self.detail.feedback:
            return
        table = self.query_one("#sf-feedback", DataTable)
        row = table.cursor_row
        if row is None or row >= len(self.detail.feedback):
            return
        from soptui.widgets.dialogs import ConfirmDialog

        f = self.detail.feedback[row]
        question = f"Удалить отзыв ({f.source_label}: {f.author or 'без имени'}, оценка {f.score or '—'})?"
        self.app.push_screen(ConfirmDialog(question, danger=True), lambda yes: yes and self._delete(f.id))

    @db_work(group="session-feedback")
    def _delete(self, feedback_id: int) -> None:
        service.delete_feedback(feedback_id)
        detail = service.get_session(self.session_id)
        self.app.call_from_thread(self._show, detail, None, True)

    # --- print and leave ---

    @on(Button.Pressed, "#sf-print")
    def action_print(self) -> None:
        if self.dirty:
            self.notify("Сначала сохраните отчёт (Ctrl+S), затем печатайте.", severity="warning")
            return
        self._print()

    @db_work(group="print")
    def _print(self) -> None:
        try:
            path = service.print_session_report(self.session_id)
        except OSError as exc:
            self.app.call_from_thread(self.notify, f"Не удалось сохранить PDF: {exc}", severity="error")
            return
        self.app.call_from_thread(self.notify, f"PDF сохранён: {path}", timeout=12)

    def leave(self, result=None) -> None:
        self.app.pop_screen()
