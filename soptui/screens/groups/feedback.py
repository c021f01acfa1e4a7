"""One review of a session (SOP 05 stage 4): from a participant marked present, a member of staff or a guest
by name, with the satisfaction score 1-5 and the words. Saved on its own; the session's satisfaction is the
mean of the scores."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Select, Static

from soptui.domain.groups import SCORE_LABELS
from soptui.domain.labels import FEEDBACK_SOURCES
from soptui.services import groups as service
from soptui.widgets.fields import FieldError, LabeledInput
from soptui.widgets.workers import db_work

SCORES = [(f"{score} — {label}", score) for score, label in sorted(SCORE_LABELS.items(), reverse=True)]


class FeedbackDialog(ModalScreen[bool]):
    """Add a review; dismisses True when saved. Everything typed stays when the service refuses it."""

    DEFAULT_CSS = """
    FeedbackDialog { align: center middle; }
    FeedbackDialog > #fbd-box { width: 76; max-width: 100%; height: auto; max-height: 100%; }
    FeedbackDialog .fbd-label { color: $text-muted; padding: 0 1; }
    FeedbackDialog Select { margin: 0 1; }
    FeedbackDialog #fbd-buttons { height: auto; margin: 1 0 0 0; }
    FeedbackDialog #fbd-buttons Button { margin: 0 1 0 0; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Отмена", id="feedback.cancel", tooltip="Закрыть, ничего не записывая"),
        Binding("ctrl+s", "save", "Сохранить", id="feedback.save", tooltip="Записать отзыв"),
    ]

    def __init__(self, detail: service.SessionDetail) -> None:
        super().__init__()
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(id="fbd-box", classes="dialog"):
            yield Static("Отзыв о занятии", classes="dialog-title")
            yield Label("От кого", classes="fbd-label")
            yield Select(
                [(v, k) for k, v in FEEDBACK_SOURCES.items()],
                id="fbd-source",
                value="client",
                allow_blank=False,
                compact=True,
            )
            yield Label("Участник занятия (отмеченные на перекличке)", classes="fbd-label", id="fbd-client-label")
            yield Select(
                [(name, cid) for cid, name in self.detail.present_clients],
                id="fbd-client",
                prompt="— выбрать участника —",
                compact=True,
            )
            yield Label("Сотрудник", classes="fbd-label", id="fbd-staff-label")
            yield Select([], id="fbd-staff", prompt="— выбрать сотрудника —", compact=True)
            yield LabeledInput("Гость: ФИО или организация", id="fbd-guest", compact=True)
            yield FieldError(id="fbd-person-error", classes="-empty")
            yield Label("Оценка удовлетворённости *", classes="fbd-label")
            yield Select(SCORES, id="fbd-score", prompt="— оценка 1–5 —", compact=True)
            yield FieldError(id="fbd-score-error", classes="-empty")
            yield LabeledInput("Отзыв (слова, по желанию)", id="fbd-text", compact=True)
            yield FieldError(id="fbd-error", classes="-empty")
            with Horizontal(id="fbd-buttons"):
                yield Button("Записать (Ctrl+S)", id="fbd-save", variant="primary")
                yield Button("Отмена (Esc)", id="fbd-cancel")

    def on_mount(self) -> None:
        self.query_one("#fbd-box").styles.width = 76  # wider than the global .dialog
        self._source_shown("client")
        self.query_one("#fbd-source", Select).focus()
        self._load_staff()

    @db_work(exclusive=True, group="feedback-staff")
    def _load_staff(self) -> None:
        from soptui.services.staff import staff_options

        options = staff_options()
        self.app.call_from_thread(self._staff_loaded, options)

    def _staff_loaded(self, options) -> None:
        self.query_one("#fbd-staff", Select).set_options(
            [(f"{o.full_name} — {o.position_label}", o.id) for o in options]
        )

    @on(Select.Changed, "#fbd-source")
    def _source_changed(self, event: Select.Changed) -> None:
        self._source_shown(str(event.value))

    def _source_shown(self, source: str) -> None:
        for widget, shown in (
            ("#fbd-client-label", source == "client"),
            ("#fbd-client", source == "client"),
            ("#fbd-staff-label", source == "staff"),
            ("#fbd-staff", source == "staff"),
            ("#fbd-guest", source == "guest"),
        ):
            self.query_one(widget).display = shown
        self.query_one("#fbd-person-error", FieldError).show(None)

    @on(Button.Pressed, "#fbd-save")
    def action_save(self) -> None:
        source = str(self.query_one("#fbd-source", Select).value)
        client = self.query_one("#fbd-client", Select).value
        staff = self.query_one("#fbd-staff", Select).value
        score = self.query_one("#fbd-score", Select).value
        values = {
            "source": source,
            "author": self.query_one("#fbd-guest", LabeledInput).value if source == "guest" else "",
            "text": self.query_one("#fbd-text", LabeledInput).value,
            "score": score if isinstance(score, int) else None,
            "client_id": client if source == "client" and isinstance(client, int) else None,
            "staff_id": staff if source == "staff" and isinstance(staff, int) else None,
        }
        for error in self.query(FieldError):
            error.show(None)
        self.query_one("#fbd-guest", LabeledInput).show_error(None)
        missing = False  # say everything missing at once; the service checks the rest
        if values["score"] is None:
            self._failed("Выберите оценку от 1 до 5.", "score")
            missing = True
        if source == "client" and values["client_id"] is None:
            self._failed("Выберите участника занятия, который дал отзыв.", "person")
            missing = True
        if source == "staff" and values["staff_id"] is None:
            self._failed("Выберите сотрудника, который дал отзыв.", "person")
            missing = True
        if source == "guest" and not values["author"].strip():
            self._failed("Укажите гостя: ФИО или организацию.", "author")
            missing = True
        if not missing:
            self._save(values)

    @db_work(exclusive=True, group="feedback-save")
    def _save(self, values: dict) -> None:
        try:
            service.add_feedback(self.detail.id, **values)
        except service.GroupError as exc:
            self.app.call_from_thread(self._failed, str(exc), exc.field)
            return
        self.app.call_from_thread(self.dismiss, True)

    def _failed(self, message: str, field: str) -> None:
        if field == "author":
            self.query_one("#fbd-guest", LabeledInput).show_error(message)
        elif field == "person":
            self.query_one("#fbd-person-error", FieldError).show(message)
        elif field == "score":
            self.query_one("#fbd-score-error", FieldError).show(message)
        else:
            self.query_one("#fbd-error", FieldError).show(message)

    @on(Button.Pressed, "#fbd-cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)
