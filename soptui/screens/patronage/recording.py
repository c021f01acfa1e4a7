"""Who did the visit and when, asked before completing a visit the signed-in person did not do, or one
whose day has passed (issue 12: the log names the real performer and the real date)."""

from __future__ import annotations

import datetime as dt

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Select, Static

from soptui.core import clock
from soptui.domain import patronage
from soptui.domain.service_time import check_recording, recording_day_problem, typed_minutes_problem
from soptui.widgets.dialogs import dialog_css
from soptui.widgets.fields import FieldError, LabeledInput

MINUTE_FIELDS = (
    ("rec-prep", "Подготовка", patronage.PREP_NORM_MIN),
    ("rec-work", "Работа", patronage.WORK_NORM_MIN),
    ("rec-completion", "Завершение", patronage.COMPLETION_NORM_MIN),
)


def _whole_minutes(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise ValueError("Введите число минут.") from None


class RecordingDialog(ModalScreen[tuple[int, dt.date, str, tuple[int, int, int] | None] | None]):
    """Performer, day, the reason for entering it later and, for a past day not timed here, the stages' minutes
    typed from the act; dismisses with them, or None."""

    DEFAULT_CSS = (
        dialog_css("RecordingDialog")
        + """
    RecordingDialog #rec-note { height: auto; margin: 0 0 1 0; }
    RecordingDialog #rec-who { height: auto; }
    RecordingDialog #rec-performer-label { padding: 1 1 0 1; width: auto; }
    RecordingDialog #rec-performer { margin: 0 0 0 1; width: 1fr; }
    RecordingDialog #rec-minutes, RecordingDialog #rec-when { height: auto; }
    RecordingDialog #rec-day { width: 16; }
    RecordingDialog #rec-reason { width: 1fr; }
    RecordingDialog #rec-minutes LabeledInput { width: 1fr; }
    RecordingDialog #rec-minutes-note { height: auto; padding: 0 1; }
    """
    )
    BINDINGS = [
        Binding("escape", "cancel", "Отмена", id="recording.cancel", tooltip="Вернуться к визиту, ничего не записывая"),
        Binding(
            "ctrl+s", "ok", "Записать", id="recording.ok", tooltip="Завершить визит с этими данными", priority=True
        ),
    ]

    def __init__(
        self,
        performers: dict[int, str],
        me: int | None,
        planned: dt.date,
        is_head: bool = False,
        measured: tuple[int, int, int] | None = None,
    ) -> None:
        super().__init__()
        self.performers = performers
        self.me = me
        self.planned = planned
        self.is_head = is_head
        # the stage timers' seconds: a visit of a past day that was not timed here gets its minutes typed in
        self.measured = measured
        self.typed = measured is not None and planned < clock.today() and measured[1] < 60

    def compose(self) -> ComposeResult:
        today = clock.today()
        day = self.planned if self.planned <= today else today
        with Vertical(classes="dialog"):
            yield Label("Кто и когда провёл визит", classes="dialog-title")
            yield Static(
                "В журнал услуг записывают того, кто провёл визит, и день, когда он был. "
                "Запись за прошедший день помечается «внесено позже» и попадает в отчёт заведующего.",
                id="rec-note",
            )
            options = [(name, sid) for sid, name in self.performers.items()]
            with Horizontal(id="rec-who"):  # the label beside the list: a row saved for 80x24
                yield Label("Провёл(а) визит", id="rec-performer-label")
                if self.me in self.performers:  # the signed-in person did it: chosen, and may be changed by a head
                    yield Select(options, prompt="выберите сотрудника", value=self.me, id="rec-performer")
                else:  # recording on a colleague's behalf: chosen explicitly
                    yield Select(options, prompt="выберите сотрудника", id="rec-performer")
            yield FieldError(id="rec-performer-error", classes="-empty")
            with Horizontal(id="rec-when"):  # one row: the dialog fits 80x24 with the minutes below
                yield LabeledInput(
                    "Дата визита", value=clock.fmt_date(day), validator=clock.parse_date, required=True, id="rec-day"
                )
                yield LabeledInput("Почему вносится позже (за прошедший день)", id="rec-reason")
            if self.typed:
                norms = ", ".join(str(norm) for _fid, _label, norm in MINUTE_FIELDS)
                yield Static(
                    f"Визит не засекался: минуты по акту (нормы {norms}).",
                    id="rec-minutes-note",
                )
                with Horizontal(id="rec-minutes"):
                    for fid, label, _norm in MINUTE_FIELDS:
                        yield LabeledInput(f"{label}, мин", validator=_whole_minutes, id=fid)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Записать (Ctrl+S)", variant="primary", id="rec-ok")
                yield Button("Отмена", id="rec-cancel")

    def on_mount(self) -> None:
        # a visit of a month already closed: said at once, where the day is, not only after Ctrl+S
        if self.planned < clock.today().replace(day=1):
            self.query_one("#rec-day", LabeledInput).show_error(recording_day_problem(self.planned, clock.today()))

    @on(Button.Pressed, "#rec-ok")
    def action_ok(self) -> None:
        """Checked here with the service's own rule (who may be named, no later than today, not before this
        month, a reason for a past day): each error at its field, the dialog stays open with what was typed."""
        performer = self.query_one("#rec-performer", Select).value
        ok_day, day = self.query_one("#rec-day", LabeledInput).check()
        reason_field = self.query_one("#rec-reason", LabeledInput)
        error = self.query_one("#rec-performer-error", FieldError)
        chosen = isinstance(performer, int)
        problems: dict[str, str] = {}
        if ok_day and chosen:
            problems = check_recording(
                actor_id=self.me,
                actor_is_head=self.is_head,
                performers=self.performers,
                performer_id=performer,
                done_on=day,
                today=clock.today(),
                late_reason=reason_field.value,
            )
        error.show(problems.get("performer") if chosen else "Выберите, кто провёл визит.")
        if "done_on" in problems:
            self.query_one("#rec-day", LabeledInput).show_error(problems["done_on"])
        reason_field.show_error(problems.get("late_reason"))
        minutes = None
        if self.typed:
            checked = [self.query_one(f"#{fid}", LabeledInput).check() for fid, _label, _norm in MINUTE_FIELDS]
            if not all(ok for ok, _value in checked):
                return
            minutes = tuple(value for _ok, value in checked)
            if ok_day:
                problem = typed_minutes_problem(minutes, day, clock.today())
                self.query_one("#rec-work", LabeledInput).show_error(problem or None)
                if problem:
                    return
        if not ok_day or not chosen or problems:
            return
        self.dismiss((performer, day, reason_field.value, minutes))

    @on(Button.Pressed, "#rec-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
