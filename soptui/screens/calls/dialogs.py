"""Dialogs of the call teleprompter: start a call, off-hours confirmation, branches, outcomes.

They take plain data (dataclasses from `services.calls`) and return plain values;
none of them touches the database. Dates and times are validated at the field,
with the typed text kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, RadioButton, RadioSet, SelectionList, Static
from textual.widgets.option_list import Option

from soptui.core import clock
from soptui.core.phones import format_phone
from soptui.domain.labels import CHANNELS
from soptui.services.calls import CallContext, CallError, CallPerson, check_future_working_time
from soptui.widgets.compact import CompactWhenShort
from soptui.widgets.dialogs import dialog_css as _css
from soptui.widgets.fields import LabeledInput
from soptui.widgets.workers import db_work

SOP_SHORT = {"01": "законному представителю", "02": "родственникам через мессенджер", "03": "первичный контакт"}


def parse_moment(date_text: str, time_text: str) -> dt.datetime:
    """ДД.ММ.ГГГГ + ЧЧ:ММ -> datetime; ValueError with a Russian message."""
    return dt.datetime.combine(clock.parse_date(date_text), clock.parse_time(time_text))


@dataclass(frozen=True)
class NewCallChoice:
    sop: str
    person: CallPerson
    phone: str
    purpose: str


class NewCallScreen(CompactWhenShort, ModalScreen[NewCallChoice | None]):
    """Choose the SOP and whom to call (with which number) for a client."""

    DEFAULT_CSS = (
        _css("NewCallScreen")
        + """
    NewCallScreen RadioSet { width: 100%; height: auto; }
    NewCallScreen #newcall-people { max-height: 8; }
    """
    )
    BINDINGS = [Binding("escape", "cancel", "Отмена", id="new_call.cancel", tooltip="Не начинать звонок")]

    def __init__(self, ctx: CallContext, sop: str | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.sop = sop or ctx.suggested_sop
        self.options: list[tuple[CallPerson, str]] = [(p, ph) for p in ctx.persons for ph in p.phones]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Static(f"Звонок: {self.ctx.client_name}", classes="dialog-title")
            with RadioSet(id="newcall-sop"):
                for code in ("01", "02", "03"):
                    yield RadioButton(f"СОП {code}: {SOP_SHORT[code]}", value=code == self.sop, name=code)
            ref = self.ctx.referral
            if ref is not None:
                yield Static(
                    f"Обращение от {clock.fmt_date(ref.received_at.date())}: {ref.source_body}. "
                    f"Первичный звонок — до {clock.fmt_date(ref.first_contact_due)}"
                    + (" (уже сделан)" if ref.first_contact_at else ""),
                    classes="muted",
                )
            yield Label("Кому звоним (Enter — начать):")
            if self.options:
                yield OptionList(
                    *[
                        Option(
                            f"{p.full_name} — {p.relation}, {format_phone(ph)}"
                            + (f" (удобно: {p.preferred_call_time})" if p.preferred_call_time else ""),
                            id=str(i),
                        )
                        for i, (p, ph) in enumerate(self.options)
                    ],
                    id="newcall-people",
                )
            else:
                from soptui.services.calls import NO_PHONE_MESSAGE

                yield Static(NO_PHONE_MESSAGE, classes="form-error", id="newcall-nophone")
            yield LabeledInput(
                "Цель звонка",
                id="newcall-purpose",
                input_id="newcall-purpose-input",
                placeholder="коротко, попадёт в «Телефонные переговоры»",
            )
            yield Static("", classes="form-error", id="newcall-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Начать звонок", id="start", variant="primary", disabled=not self.options)
                yield Button("Отмена", id="cancel")

    def on_mount(self) -> None:
        if self.options:
            people = self.query_one("#newcall-people", OptionList)
            people.highlighted = self._default_index()
            people.focus()

    def _default_index(self) -> int:
        wanted = {"01": "representative", "03": "representative", "02": "contact"}[self.sop]
        for i, (p, _) in enumerate(self.options):
            if p.kind == wanted:
                return i
        return 0

    @on(RadioSet.Changed)
    def _sop_changed(self, event: RadioSet.Changed) -> None:
        self.sop = event.pressed.name or self.sop
        if self.options:
            self.query_one("#newcall-people", OptionList).highlighted = self._default_index()

    @on(OptionList.OptionSelected)
    @on(Input.Submitted, "#newcall-purpose-input")
    def _picked(self) -> None:
        self._start()

    @on(Button.Pressed, "#start")
    def _start(self) -> None:
        if not self.options:
            return
        index = self.query_one("#newcall-people", OptionList).highlighted
        if index is None:
            self.query_one("#newcall-error", Static).update("Выберите, кому звонить.")
            return
        person, phone = self.options[index]
        purpose = self.query_one("#newcall-purpose", LabeledInput).value
        self.dismiss(NewCallChoice(self.sop, person, phone, purpose))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class OffHoursScreen(CompactWhenShort, ModalScreen[str | None]):
    """SOP 03: calls only in working time; calling anyway needs a recorded reason."""

    DEFAULT_CSS = _css("OffHoursScreen")
    BINDINGS = [
        Binding("escape", "cancel", "Не звонить", id="off_hours.cancel", tooltip="Не звонить в нерабочее время")
    ]

    def __init__(self, problem: str) -> None:
        super().__init__()
        self.problem = problem

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Нерабочее время", classes="dialog-title")
            yield Static(self.problem, classes="form-error")
            yield LabeledInput(
                "Почему звоните сейчас (будет записано)",
                required=True,
                id="offhours-reason",
                input_id="offhours-reason-input",
                placeholder="например: клиент сам просил позвонить в это время",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Звонить, причина указана", id="confirm", variant="warning")
                yield Button("Не звонить", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#offhours-reason-input", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#confirm")
    def _confirm(self) -> None:
        ok, reason = self.query_one("#offhours-reason", LabeledInput).check()
        if ok and reason:
            self.dismiss(str(reason))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class BranchScreen(CompactWhenShort, ModalScreen[str | None]):
    """The person's answer at a branching step: one option per branch (digits or arrows + Enter)."""

    DEFAULT_CSS = _css("BranchScreen")
    BINDINGS = [Binding("escape", "cancel", "Отмена", id="branch.cancel", tooltip="Вернуться к шагу сценария")] + [
        Binding(str(n), f"pick({n - 1})", show=False, id=f"branch.pick_{n}", tooltip=f"Выбрать ответ № {n}")
        for n in range(1, 10)
    ]

    def __init__(self, step_title: str, branches: list[tuple[str, str]]) -> None:
        super().__init__()
        self.step_title = step_title
        self.branches = branches

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(f"Ответ собеседника: {self.step_title}", classes="dialog-title")
            yield OptionList(
                *[Option(f"{n}. {label}", id=bid) for n, (bid, label) in enumerate(self.branches, start=1)],
                id="branch-list",
            )

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_pick(self, index: int) -> None:
        if 0 <= index < len(self.branches):
            self.dismiss(self.branches[index][0])

    def action_cancel(self) -> None:
        self.dismiss(None)


def _date_time_row(prefix: str, label: str, value: dt.datetime | None) -> ComposeResult:
    with Horizontal(classes="dt-row"):
        yield LabeledInput(
            f"{label}: дата",
            id=f"{prefix}-date",
            input_id=f"{prefix}-date-input",
            value=clock.fmt_date(value.date()) if value else "",
            placeholder="ДД.ММ.ГГГГ",
            validator=clock.parse_date,
            required=True,
        )
        yield LabeledInput(
            "время",
            id=f"{prefix}-time",
            input_id=f"{prefix}-time-input",
            value=f"{value:%H:%M}" if value else "",
            placeholder="ЧЧ:ММ",
            validator=clock.parse_time,
            required=True,
        )


DT_CSS = """
.dt-row { height: auto; }
.dt-row LabeledInput { width: 1fr; }
"""


class _MomentMixin:
    """Read a date+time pair of LabeledInputs, checking the moment; the message shows at the date field."""

    window: tuple[dt.time, dt.time] | None = None

    def read_moment(self, prefix: str, what: str, working: bool = True) -> dt.datetime | None:
        date_field = self.query_one(f"#{prefix}-date", LabeledInput)
        time_field = self.query_one(f"#{prefix}-time", LabeledInput)
        ok_d, day = date_field.check()
        ok_t, moment_time = time_field.check()
        if not (ok_d and ok_t):
            return None
        moment = dt.datetime.combine(day, moment_time)
        try:
            if working:
                check_future_working_time(moment, what, self.window)
            elif moment <= clock.now():
                raise CallError(f"Это время уже прошло: сейчас {clock.fmt_datetime(clock.now())}.")
        except CallError as exc:
            date_field.show_error(str(exc))
            return None
        return moment


class CallbackScreen(_MomentMixin, CompactWhenShort, ModalScreen[dt.datetime | None]):
    """When to call back (not convenient now / no answer): a working-time moment in the future."""

    DEFAULT_CSS = _css("CallbackScreen") + DT_CSS
    BINDINGS = [Binding("escape", "cancel", "Отмена", id="callback.cancel", tooltip="Не назначать повторный звонок")]

    def __init__(self, title: str, window: tuple[dt.time, dt.time], value: dt.datetime | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.window = window
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            yield from _date_time_row("cb", "Перезвонить", self.value)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Записать", id="ok", variant="primary")
                yield Button("Отмена", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#cb-date-input", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        moment = self.read_moment("cb", "Перезвонить")
        if moment is not None:
            self.dismiss(moment)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class VisitAnswer:
    at: dt.datetime
    documents: list[str]
    place: str = "home"  # home: a visit in the field-visit schedule; institution: a meeting at the centre
    minutes: int = 40  # the work with the family (home)
    allow_conflicts: bool = False  # the planner's conflicts were shown and accepted
    late_reason: str = ""

    @property
    def place_text(self) -> str:
        return "у Вас дома" if self.place == "home" else "у нас в учреждении"


class VisitScreen(_MomentMixin, CompactWhenShort, ModalScreen[VisitAnswer | None]):
    """SOP 03 «мне нужно прийти к Вам, или Вам в учреждение»: where and when to meet, which documents.

    A home visit is checked as the planner checks it (`checker`, run in a worker): overlaps, working hours and
    the referral's deadline are shown here; conflicts need a second, explicit «Назначить» to accept.
    """

    DEFAULT_CSS = (
        _css("VisitScreen")
        + DT_CSS
        + """
    VisitScreen SelectionList { height: auto; max-height: 8; }
    VisitScreen RadioSet { width: 100%; height: auto; layout: horizontal; }
    VisitScreen #visit-check { height: auto; }
    """
    )
    BINDINGS = [Binding("escape", "cancel", "Отмена", id="call_visit.cancel", tooltip="Не назначать встречу")]

    def __init__(
        self,
        window: tuple[dt.time, dt.time],
        suggested: list[str],
        value: dt.datetime | None = None,
        chosen: list[str] | None = None,
        checker: Callable[[dt.datetime, int, str], object] | None = None,
        previous: VisitAnswer | None = None,
    ) -> None:
        super().__init__()
        self.window = window
        self.suggested = suggested
        self.value = previous.at if previous else value
        self.chosen = previous.documents if previous else (chosen if chosen is not None else list(suggested[:3]))
        self.checker = checker
        self.previous = previous
        self.accepted_conflicts: tuple[str, ...] | None = None

    def compose(self) -> ComposeResult:
        prev = self.previous
        with VerticalScroll(classes="dialog"):
            yield Static("Встреча: на дому (в график выходов) или в учреждении", classes="dialog-title")
            with RadioSet(id="visit-place"):
                yield RadioButton("на дому", name="home", id="place-home", value=not prev or prev.place == "home")
                yield RadioButton(
                    "в учреждении",
                    name="institution",
                    id="place-institution",
                    value=bool(prev) and prev.place == "institution",
                )
            yield from _date_time_row("visit", "Встреча", self.value)
            yield LabeledInput(
                "Работа с семьёй, мин (СОП 04: до 40)",
                id="visit-minutes",
                input_id="visit-minutes-input",
                value=str(prev.minutes if prev else 40),
                validator=_minutes,
            )
            yield Static("", id="visit-check")
            yield LabeledInput(
                "Причина: визит позже срока по обращению",
                id="visit-late",
                input_id="visit-late-input",
                value=prev.late_reason if prev else "",
            )
            yield Label("Попросите подготовить документы (пробел — отметить):")
            yield SelectionList[str](*[(d, d, d in self.chosen) for d in self.suggested], id="visit-docs")
            extra = [d for d in self.chosen if d not in self.suggested]
            yield LabeledInput("Другие документы (через точку с запятой)", id="visit-other", value="; ".join(extra))
            with Horizontal(classes="dialog-buttons"):
                yield Button("Назначить", id="ok", variant="primary")
                yield Button("Отмена", id="cancel")

    def on_mount(self) -> None:
        self._place_changed()
        self.query_one("#visit-date-input", Input).focus()

    def place(self) -> str:
        pressed = self.query_one("#visit-place", RadioSet).pressed_button
        return pressed.name if pressed and pressed.name else "home"

    @on(RadioSet.Changed, "#visit-place")
    def _place_changed(self) -> None:
        home = self.place() == "home"
        self.query_one("#visit-minutes").display = home
        self.query_one("#visit-late").display = home and bool(self.previous and self.previous.late_reason)
        self.accepted_conflicts = None
        self.query_one("#visit-check", Static).update("")
        self.query_one("#ok", Button).label = "Назначить"

    def _documents(self) -> list[str]:
        docs = list(self.query_one("#visit-docs", SelectionList).selected)
        docs += [d.strip() for d in self.query_one("#visit-other", LabeledInput).value.split(";") if d.strip()]
        return docs

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        place = self.place()
        moment = self.read_moment("visit", "Встреча в учреждении" if place == "institution" else "Визит")
        if moment is None:
            return
        if place == "institution" or self.checker is None:
            self.dismiss(VisitAnswer(moment, self._documents(), place))
            return
        ok, minutes = self.query_one("#visit-minutes", LabeledInput).check()
        if not ok:
            return
        late = self.query_one("#visit-late", LabeledInput).value.strip()
        self.query_one("#visit-check", Static).update(Text("Проверяю график выходов…", style="dim"))
        self._check(moment, minutes or 40, late)

    @db_work(exclusive=True, group="visit-check", action="проверить график выходов")
    def _check(self, moment: dt.datetime, minutes: int, late: str) -> None:
        result = self.checker(moment, minutes, late)
        self.app.call_from_thread(self._checked, moment, minutes, late, result)

    def _checked(self, moment: dt.datetime, minutes: int, late: str, check) -> None:
        box = self.query_one("#visit-check", Static)
        lines = Text()
        errors = dict(check.errors)
        late_error = errors.pop("late_reason", None)
        for message in errors.values():
            lines.append(f"✗ {message}\n", style="bold red")
        if not late_error:
            self.query_one("#visit-late", LabeledInput).show_error(None)
        if late_error:
            self.query_one("#visit-late").display = True
            self.query_one("#visit-late", LabeledInput).show_error(late_error)
            self.query_one("#visit-late-input", Input).focus()
        for message in check.conflicts:
            lines.append(f"! {message}\n", style="bold yellow")
        if check.deadline is not None:
            lines.append(check.deadline.text + "\n", style="red" if check.deadline.late else "green")
        if not errors and not late_error and not check.conflicts:
            lines.append("✓ Пересечений в графике выходов нет, время рабочее.", style="green")
        box.update(lines)
        if errors or late_error:
            return
        conflicts = tuple(check.conflicts)
        if conflicts and self.accepted_conflicts != conflicts:
            self.accepted_conflicts = conflicts
            self.query_one("#ok", Button).label = "Назначить, несмотря на пересечения"
            lines.append("\nИзмените время — или Enter ещё раз: назначить, несмотря на пересечения.", style="bold")
            box.update(lines)
            return
        self.dismiss(VisitAnswer(moment, self._documents(), "home", minutes, bool(conflicts), late))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


def _minutes(text: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise ValueError("Число минут, например 40.") from None
    if not 10 <= value <= 240:
        raise ValueError("От 10 до 240 минут.")
    return value


@dataclass(frozen=True)
class SessionsAnswer:
    start: dt.datetime
    every_days: int
    until: dt.date | None
    channel: str


FREQUENCIES = [
    ("7", "раз в неделю"),
    ("14", "раз в две недели"),
    ("3", "каждые 3 дня"),
    ("1", "каждый день"),
    ("30", "раз в месяц"),
    ("0", "однократно"),
]


class SessionsScreen(_MomentMixin, CompactWhenShort, ModalScreen[SessionsAnswer | None]):
    """SOP 02: date, time, frequency and channel of the messenger sessions agreed with the relatives."""

    DEFAULT_CSS = (
        _css("SessionsScreen")
        + DT_CSS
        + """
    SessionsScreen RadioSet { width: 100%; height: auto; layout: horizontal; }
    SessionsScreen #sess-freq { layout: vertical; }
    """
    )
    BINDINGS = [Binding("escape", "cancel", "Отмена", id="sessions.cancel", tooltip="Не записывать на занятия")]

    def __init__(
        self, channels: list[str], value: SessionsAnswer | None = None, title: str = "Сеансы связи с родственниками"
    ) -> None:
        super().__init__()
        self.channels = channels or ["whatsapp"]
        self.value = value
        self.title_text = title

    def compose(self) -> ComposeResult:
        v = self.value
        with VerticalScroll(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            yield Static("Сеансы — только в рабочие дни: выходной переносится на следующий рабочий.", classes="muted")
            yield from _date_time_row("sess", "Первый сеанс", v.start if v else None)
            yield Label("Периодичность:")
            with RadioSet(id="sess-freq"):
                for code, label in FREQUENCIES:
                    yield RadioButton(label, name=code, value=(str(v.every_days) == code) if v else code == "7")
            default_until = v.until if v and v.until else clock.today() + dt.timedelta(days=90)
            yield LabeledInput(
                "До (дата)",
                id="sess-until",
                value=clock.fmt_date(default_until),
                placeholder="ДД.ММ.ГГГГ",
                validator=clock.parse_date,
            )
            yield Label("Приложение:")
            with RadioSet(id="sess-channel"):
                for i, code in enumerate(self.channels):
                    yield RadioButton(CHANNELS.get(code, code), name=code, value=(v.channel == code) if v else i == 0)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Записать", id="ok", variant="primary")
                yield Button("Отмена", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#sess-date-input", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        moment = self.read_moment("sess", "Сеанс связи", working=False)
        until_field = self.query_one("#sess-until", LabeledInput)
        ok, until = until_field.check()
        if moment is None or not ok:
            return
        if until is not None and until < moment.date():
            until_field.show_error("Дата окончания раньше первого сеанса.")
            return
        freq = self.query_one("#sess-freq", RadioSet).pressed_button
        channel = self.query_one("#sess-channel", RadioSet).pressed_button
        self.dismiss(
            SessionsAnswer(moment, int(freq.name) if freq else 7, until, channel.name if channel else self.channels[0])
        )

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class NoticeAnswer:
    state: str  # sent / read / answered
    call_at: dt.datetime | None


class NoticeScreen(CompactWhenShort, ModalScreen[NoticeAnswer | None]):
    """SOP 03 «Ответ»: what happened to the pre-notification message."""

    DEFAULT_CSS = (
        _css("NoticeScreen")
        + """
    NoticeScreen RadioSet { width: 100%; height: auto; }
    """
    )
    BINDINGS = [Binding("escape", "cancel", "Отмена", id="notice.cancel", tooltip="Закрыть, ничего не записывая")]

    def __init__(self, sent_at: dt.datetime | None) -> None:
        super().__init__()
        self.sent_at = sent_at

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(
                "Ответ на сообщение" + (f" от {self.sent_at:%H:%M}" if self.sent_at else ""), classes="dialog-title"
            )
            with RadioSet(id="notice-state"):
                yield RadioButton("Ответил(а): позвонить в указанное время", name="answered", value=True)
                yield RadioButton("Прочитано, ответа нет — позвонить через некоторое время", name="read")
                yield RadioButton("Не прочитано — позвонить через некоторое время", name="sent")
            yield LabeledInput(
                "Позвонить в (ЧЧ:ММ, сегодня)",
                id="notice-time",
                input_id="notice-time-input",
                placeholder="ЧЧ:ММ",
                validator=clock.parse_time,
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Записать", id="ok", variant="primary")
                yield Button("Отмена", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#notice-time-input", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        pressed = self.query_one("#notice-state", RadioSet).pressed_button
        state = pressed.name if pressed else "answered"
        field = self.query_one("#notice-time", LabeledInput)
        if state != "answered":
            self.dismiss(NoticeAnswer(state, None))
            return
        ok, moment_time = field.check()
        if not ok:
            return
        if moment_time is None:
            field.show_error("Укажите время, в которое просили позвонить.")
            return
        self.dismiss(NoticeAnswer("answered", dt.datetime.combine(clock.today(), moment_time)))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass
class OutcomeAnswer:
    outcome: str
    summary: str
    agreements: str
    refusal_reason: str = ""
    control_points: list[dt.datetime] | None = None
    contact_frequency: str = ""
    visit: VisitAnswer | None = None
    callback_at: dt.datetime | None = None
    sessions: SessionsAnswer | None = None


class OutcomeScreen(_MomentMixin, CompactWhenShort, ModalScreen[OutcomeAnswer | None]):
    """Record the result of the call: outcome, summary, agreements and what the outcome needs."""

    DEFAULT_CSS = (
        _css("OutcomeScreen")
        + """
    OutcomeScreen RadioSet { width: 100%; height: auto; }
    OutcomeScreen .detail { height: auto; }
    OutcomeScreen .detail-line { height: auto; color: $accent; }
    OutcomeScreen .detail Button { margin: 0; }
    """
    )
    BINDINGS = [
        Binding(
            "escape", "cancel", "Вернуться к звонку", id="outcome.cancel", tooltip="Вернуться к звонку, не завершая его"
        )
    ]

    def __init__(
        self,
        sop: str,
        outcomes: dict[str, str],
        selected: str,
        summary: str,
        agreements: str,
        window: tuple[dt.time, dt.time],
        suggested_documents: list[str],
        channels: list[str],
        visit: VisitAnswer | None = None,
        callback_at: dt.datetime | None = None,
        sessions: SessionsAnswer | None = None,
        checker: Callable[[dt.datetime, int, str], object] | None = None,
    ) -> None:
        super().__init__()
        self.checker = checker
        self.sop = sop
        self.outcomes = outcomes
        self.selected = selected if selected in outcomes else next(iter(outcomes))
        self.summary = summary
        self.agreements = agreements
        self.window = window
        self.suggested = suggested_documents
        self.channels = channels
        self.visit = visit
        self.callback_at = callback_at
        self.sessions = sessions

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Static(f"Результат звонка (СОП {self.sop})", classes="dialog-title")
            with RadioSet(id="outcome-set"):
                for code, label in self.outcomes.items():
                    yield RadioButton(label, name=code, value=code == self.selected)
            yield LabeledInput(
                "Краткое содержание разговора", id="out-summary", input_id="out-summary-input", value=self.summary
            )
            yield LabeledInput(
                "Договорённости", id="out-agreements", input_id="out-agreements-input", value=self.agreements
            )
            with Vertical(classes="detail", id="detail-visit"):
                yield Static("", classes="detail-line", id="visit-line")
                yield Button("Где и когда встреча, документы…", id="edit-visit")
            with Vertical(classes="detail", id="detail-callback"):
                yield Static("", classes="detail-line", id="callback-line")
                yield Button("Когда перезвонить…", id="edit-callback")
            with Vertical(classes="detail", id="detail-sessions"):
                yield Static("", classes="detail-line", id="sessions-line")
                yield Button("Сеансы связи…", id="edit-sessions")
            with Vertical(classes="detail", id="detail-refuses"):
                yield LabeledInput("Причина отказа (со слов собеседника)", id="out-refusal")
            with Vertical(classes="detail", id="detail-done"):
                yield LabeledInput(
                    "Контрольные точки (когда позвонит)",
                    id="out-control",
                    input_id="out-control-input",
                    placeholder="ДД.ММ.ГГГГ ЧЧ:ММ; например 02.12.2026 15:00; 09.12.2026 15:00",
                )
                yield LabeledInput(
                    "Периодичность контактов", id="out-frequency", placeholder="например: раз в неделю по средам"
                )
            yield Static("", classes="form-error", id="outcome-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Записать и завершить", id="ok", variant="primary")
                yield Button("Вернуться к звонку", id="cancel")

    def on_mount(self) -> None:
        self._show_details()
        self.query_one("#out-summary-input", Input).focus()

    def _current(self) -> str:
        pressed = self.query_one("#outcome-set", RadioSet).pressed_button
        return pressed.name if pressed and pressed.name else self.selected

    def _show_details(self) -> None:
        outcome = self._current()
        for name, shown in (
            ("visit", outcome in ("agrees", "meeting")),
            ("callback", outcome in ("callback", "no_answer")),
            ("sessions", outcome in ("agreed", "self")),
            ("refuses", outcome == "refuses"),
            ("done", outcome == "done"),
        ):
            self.query_one(f"#detail-{name}").display = shown
        v = self.visit
        self.query_one("#visit-line", Static).update(
            f"Встреча {'на дому' if v.place == 'home' else 'в учреждении'}: {clock.fmt_datetime(v.at)}. "
            f"Документы: {'; '.join(v.documents) or '—'}"
            if v
            else "Встреча не назначена."
        )
        self.query_one("#callback-line", Static).update(
            f"Перезвонить: {clock.fmt_datetime(self.callback_at)}"
            if self.callback_at
            else "Время перезвона не указано."
        )
        s = self.sessions
        line = "Сеансы связи не назначены."
        if s:
            from soptui.domain.calls.rules import every_text, session_times

            first = session_times(s.start, s.every_days, s.until)[0]
            line = (
                f"Первый сеанс: {clock.fmt_datetime(first.at)}"
                + (f" ({first.note})" if first.note else "")
                + f", {every_text(s.every_days)}"
                + (f" до {clock.fmt_date(s.until)}" if s.until else "")
                + f", {CHANNELS.get(s.channel, s.channel)}"
            )
        self.query_one("#sessions-line", Static).update(line)

    @on(RadioSet.Changed, "#outcome-set")
    def _changed(self) -> None:
        self._show_details()

    @on(Button.Pressed, "#edit-visit")
    def _edit_visit(self) -> None:
        def done(answer: VisitAnswer | None) -> None:
            if answer is not None:
                self.visit = answer
                self._show_details()

        self.app.push_screen(
            VisitScreen(self.window, self.suggested, checker=self.checker, previous=self.visit),
            done,
        )

    @on(Button.Pressed, "#edit-callback")
    def _edit_callback(self) -> None:
        def done(answer: dt.datetime | None) -> None:
            if answer is not None:
                self.callback_at = answer
                self._show_details()

        self.app.push_screen(CallbackScreen("Когда перезвонить", self.window, self.callback_at), done)

    @on(Button.Pressed, "#edit-sessions")
    def _edit_sessions(self) -> None:
        def done(answer: SessionsAnswer | None) -> None:
            if answer is not None:
                self.sessions = answer
                self._show_details()

        self.app.push_screen(SessionsScreen(self.channels, self.sessions), done)

    def _control_points(self) -> list[dt.datetime] | None:
        field = self.query_one("#out-control", LabeledInput)
        points = []
        for part in [p.strip() for p in field.value.replace(",", ";").split(";") if p.strip()]:
            bits = part.split()
            try:
                if len(bits) != 2:
                    raise ValueError(f"«{part}»: нужны дата и время, например 02.12.2026 15:00.")
                moment = parse_moment(bits[0], bits[1])
                check_future_working_time(moment, "Контрольная точка", self.window)
            except (ValueError, CallError) as exc:
                field.show_error(str(exc))
                return None
            points.append(moment)
        field.show_error(None)
        return points

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        outcome = self._current()
        error = self.query_one("#outcome-error", Static)
        answer = OutcomeAnswer(
            outcome,
            self.query_one("#out-summary", LabeledInput).value.strip(),
            self.query_one("#out-agreements", LabeledInput).value.strip(),
        )
        if outcome in ("agrees", "meeting"):
            if self.visit is None:
                error.update("Назначьте дату и время встречи.")
                self._edit_visit()
                return
            if self.visit.at <= clock.now():
                error.update("Время встречи уже прошло — назначьте другое.")
                return
            answer.visit = self.visit
        elif outcome in ("callback", "no_answer"):
            if self.callback_at is None:
                error.update("Укажите, когда перезвонить.")
                self._edit_callback()
                return
            try:
                check_future_working_time(self.callback_at, "Перезвонить", self.window)
            except CallError as exc:
                error.update(str(exc))
                return
            answer.callback_at = self.callback_at
        elif outcome in ("agreed", "self"):
            if self.sessions is None:
                error.update("Назначьте сеансы связи.")
                self._edit_sessions()
                return
            answer.sessions = self.sessions
        elif outcome == "refuses":
            answer.refusal_reason = self.query_one("#out-refusal", LabeledInput).value.strip()
        elif outcome == "done":
            points = self._control_points()
            if points is None:
                return
            answer.control_points = points
            answer.contact_frequency = self.query_one("#out-frequency", LabeledInput).value.strip()
        error.update("")
        self.dismiss(answer)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class NoticeResult:
    sent: bool  # True: the user confirms the message was sent; False: not sent, `reason` says why
    reason: str = ""  # why not sent, or why sent outside working time


class NoticeSendScreen(CompactWhenShort, ModalScreen[NoticeResult | None]):
    """SOP 03 §5: the pre-notification for a mobile number — sent (confirmed by the user) or not sent, with why.

    The text is shown in full for copying by hand (a terminal without OSC 52 does not get the clipboard);
    «Скопировать» only copies; «Отправлено» records the time. Outside working time sending needs a reason.
    """

    DEFAULT_CSS = (
        _css("NoticeSendScreen")
        + """
    NoticeSendScreen #notice-text { height: auto; max-height: 10; }
    NoticeSendScreen .dialog-buttons Button { min-width: 12; }
    """
    )
    BINDINGS = [Binding("escape", "cancel", "Отмена", id="notice_send.cancel", tooltip="Закрыть, ничего не отмечая")]

    def __init__(self, text: str, number: str, mobile: bool, off_hours: str | None, sent_at: dt.datetime | None):
        super().__init__()
        self.text = text
        self.number = number
        self.mobile = mobile
        self.off_hours = off_hours
        self.sent_at = sent_at

    def compose(self) -> ComposeResult:
        from textual.widgets import TextArea

        with VerticalScroll(classes="dialog"):
            kind = "сотовый" if self.mobile else "не сотовый"
            yield Static(f"Уведомление о звонке на {self.number} ({kind}), СОП 03 п. 5", classes="dialog-title")
            yield Static(
                "SMS и/или мессенджер. Не скопировалось (терминал без OSC 52) — выделите текст и скопируйте вручную.",
                classes="muted",
            )
            yield TextArea(self.text, read_only=True, id="notice-text", soft_wrap=True, show_line_numbers=False)
            if self.sent_at:
                yield Static(f"Отправка уже отмечена в {self.sent_at:%H:%M}.", classes="muted")
            if self.off_hours:
                yield Static(self.off_hours, classes="form-error")
                yield LabeledInput(
                    "Почему отправляете сейчас (будет записано)",
                    id="notice-offhours",
                    input_id="notice-offhours-input",
                )
            yield LabeledInput(
                "Не отправлено — почему (будет записано)",
                id="notice-skip",
                input_id="notice-skip-input",
                placeholder="например: номер стационарный; клиент просил не писать",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Скопировать", id="copy")
                yield Button("Отправлено", id="sent", variant="primary")
                yield Button("Не отправлено", id="skip", variant="warning")
                yield Button("Отмена", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#copy", Button).focus()

    @on(Button.Pressed, "#copy")
    def _copy(self) -> None:
        self.app.copy_to_clipboard(self.text)
        self.notify(
            "Текст передан в буфер обмена (если терминал это умеет). Когда отправите — «Отправлено».", timeout=5
        )

    @on(Button.Pressed, "#sent")
    def _sent(self) -> None:
        reason = ""
        if self.off_hours:
            field = self.query_one("#notice-offhours", LabeledInput)
            reason = field.value.strip()
            if not reason:
                field.show_error("Вне рабочего времени: укажите причину.")
                return
        self.dismiss(NoticeResult(True, reason))

    @on(Input.Submitted, "#notice-skip-input")
    @on(Button.Pressed, "#skip")
    def _skip(self) -> None:
        field = self.query_one("#notice-skip", LabeledInput)
        reason = field.value.strip()
        if not reason:
            field.show_error("Укажите, почему уведомление не отправлено.")
            field.query_one(Input).focus()
            return
        self.dismiss(NoticeResult(False, reason))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class DetailsAnswer:
    ground: str
    ground_note: str
    channel: str


class DetailsScreen(CompactWhenShort, ModalScreen[DetailsAnswer | None]):
    """SOP 01 §5: the ground of the call and the way it is made (phone or a video call)."""

    DEFAULT_CSS = (
        _css("DetailsScreen")
        + """
    DetailsScreen RadioSet { width: 100%; height: auto; }
    DetailsScreen Select { width: 100%; }
    """
    )
    BINDINGS = [Binding("escape", "cancel", "Отмена", id="details.cancel", tooltip="Вернуться к шагу")]

    def __init__(self, grounds: dict[str, str], channels: dict[str, str], value: DetailsAnswer | None) -> None:
        super().__init__()
        self.grounds = grounds
        self.channels = channels
        self.value = value

    def compose(self) -> ComposeResult:
        from textual.widgets import Select

        v = self.value
        with VerticalScroll(classes="dialog"):
            yield Static("Основание и способ связи (СОП 01, п. 5)", classes="dialog-title")
            with RadioSet(id="details-ground"):
                for code, label in self.grounds.items():
                    yield RadioButton(label, name=code, value=bool(v) and v.ground == code)
            yield LabeledInput(
                "Пояснение (отъезд до…, другое)",
                id="details-note",
                input_id="details-note-input",
                value=v.ground_note if v else "",
            )
            yield Label("Способ связи:")
            yield Select(
                [(label, code) for code, label in self.channels.items()],
                value=v.channel if v and v.channel in self.channels else "phone",
                allow_blank=False,
                id="details-channel",
            )
            yield Static("", classes="form-error", id="details-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Записать", id="ok", variant="primary")
                yield Button("Отмена", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#details-ground", RadioSet).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        from textual.widgets import Select

        from soptui.domain.calls.rules import CALL_GROUNDS, ground_problem

        pressed = self.query_one("#details-ground", RadioSet).pressed_button
        ground = pressed.name if pressed and pressed.name else ""
        note = self.query_one("#details-note", LabeledInput).value.strip()
        problem = ground_problem(ground, note)
        note_field = self.query_one("#details-note", LabeledInput)
        if problem and ground in CALL_GROUNDS:  # the ground needs its explanation: said there, typed there next
            self.query_one("#details-error", Static).update("")
            note_field.show_error(problem)
            note_field.input.focus()
            return
        note_field.show_error(None)
        if problem:
            self.query_one("#details-error", Static).update(problem)
            self.query_one("#details-ground", RadioSet).focus()
            return
        channel = self.query_one("#details-channel", Select).value
        self.dismiss(DetailsAnswer(ground, note, str(channel)))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class CallConflictScreen(CompactWhenShort, ModalScreen[str | None]):
    """The call was saved at another workstation since this one read it: what they saved, what is typed here.

    Returns "mine" (continue here: their notes are kept beside mine, then saved over their version) or
    "leave" (their version stays; my notes are added to it when the call is still open). Nothing typed is lost.
    """

    DEFAULT_CSS = (
        _css("CallConflictScreen")
        + """
    CallConflictScreen #conflict-text { height: auto; max-height: 14; }
    """
    )
    BINDINGS = [Binding("escape", "leave", "Выйти", id="call_conflict.leave", tooltip="Выйти из звонка")]

    def __init__(self, theirs: str, mine: str, open_elsewhere: bool) -> None:
        super().__init__()
        self.theirs = theirs
        self.mine = mine
        self.open_elsewhere = open_elsewhere

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Static("Звонок изменён на другом рабочем месте", classes="dialog-title")
            text = Text()
            text.append("Там сохранено:\n", style="bold")
            text.append(self.theirs + "\n\n")
            text.append("Здесь (не потеряно):\n", style="bold")
            text.append(self.mine)
            yield Static(text, id="conflict-text")
            with Horizontal(classes="dialog-buttons"):
                if self.open_elsewhere:
                    yield Button("Продолжить здесь", id="mine", variant="warning")
                yield Button("Скопировать мои заметки", id="copy")
                yield Button("Выйти", id="leave", variant="primary")

    @on(Button.Pressed, "#mine")
    def _mine(self) -> None:
        self.dismiss("mine")

    @on(Button.Pressed, "#copy")
    def _copy(self) -> None:
        self.app.copy_to_clipboard(self.mine)
        self.notify("Ваши заметки переданы в буфер обмена.", timeout=3)

    @on(Button.Pressed, "#leave")
    def action_leave(self) -> None:
        self.dismiss("leave")
