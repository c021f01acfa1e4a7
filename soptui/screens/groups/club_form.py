"""Create or edit a club (SOP 05 stage 1): name, kind, goal, leaders, room, capacity, dates,
the weekly schedule, the analysis of surveys and personal files the programme rests on, and the programme. Saving generates the sessions from the schedule,
skipping non-working days. Typed text is kept as a draft until saved (screens.form_base.EditFlow)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Label, Select, SelectionList, Static, TextArea

from soptui.core import clock
from soptui.domain.groups import WEEKDAY_NAMES, Slot, parse_time_range, schedule_calendar_warning
from soptui.domain.labels import CLUB_KINDS
from soptui.screens.form_base import EditFlow
from soptui.services import drafts
from soptui.services import groups as service
from soptui.widgets.fields import FieldError, LabeledInput
from soptui.widgets.footer import KeysFooter
from soptui.widgets.header import AppHeader
from soptui.widgets.textbox import TextBox, boxes_ok
from soptui.widgets.workers import db_work

PROGRAMME_HELP = "Одна строка — одно занятие: «Тема — цель». Порядок строк — номера занятий."


def parse_programme(text: str) -> list[tuple[str, str]]:
    items = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        for sep in (" — ", " – ", " - ", "|"):
            if sep in line:
                topic, goal = line.split(sep, 1)
                break
        else:
            topic, goal = line, ""
        items.append((topic.strip().lstrip("0123456789. ").strip() or topic.strip(), goal.strip()))
    return items


def programme_text(items) -> str:
    return "\n".join(f"{p.topic} — {p.goal}" if p.goal else p.topic for p in items)


def _capacity(text: str) -> int:
    try:
        n = int(text.strip())
    except ValueError:
        raise ValueError("Вместимость — целое число участников, например 12.") from None
    if n < 1:
        raise ValueError("Вместимость не меньше 1.")
    return n


class ClubFormScreen(EditFlow, Screen[int | None]):
    """The club form; dismisses with the club id when saved, None when closed."""

    DEFAULT_CSS = """
    ClubFormScreen #cf-scroll { height: 1fr; padding: 0 1; }
    ClubFormScreen .cf-label { color: $text-muted; padding: 0 1; margin: 1 0 0 0; }
    ClubFormScreen .cf-row { height: auto; }
    ClubFormScreen .cf-row > * { width: 1fr; }
    ClubFormScreen #cf-kind-box { width: 1fr; height: auto; }
    ClubFormScreen .cf-kind-label { color: $text-muted; padding: 0 1; }
    ClubFormScreen #cf-slots { grid-size: 4; grid-gutter: 0 1; height: auto; }
    ClubFormScreen #cf-leaders { height: auto; max-height: 8; }
    ClubFormScreen #cf-programme { height: 10; }
    ClubFormScreen #cf-analysis { height: 6; }
    ClubFormScreen #cf-calendar { height: auto; padding: 0 1; color: $warning; }
    ClubFormScreen #cf-calendar.-empty { display: none; }
    ClubFormScreen #cf-buttons { height: auto; margin: 1 0; }
    ClubFormScreen #cf-buttons Button { margin: 0 1 0 0; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", "Сохранить", id="club_form.save", tooltip="Сохранить клуб"),
        Binding("escape", "leave", "Закрыть", id="club_form.close", tooltip="Закрыть форму"),
    ]
    AUTO_RESUME = True
    LEAVE_QUESTION = "Изменения клуба не сохранены."
    CONFLICT_TITLE = "Клуб изменил другой сотрудник, пока форма была открыта"
    FIELD_LABELS = {
        "name": "Название",
        "kind": "Вид",
        "room": "Помещение",
        "capacity": "Вместимость",
        "goal": "Цель",
        "start": "Работает с",
        "end": "по",
        "leaders": "Ведущие",
        "slots": "Расписание",
        "programme": "Программа",
        "analysis": "Анализ анкет и личных дел",
    }

    def __init__(self, club_id: int | None) -> None:
        super().__init__()
        self.club_id = club_id
        self.card: service.ClubCard | None = None
        self.version: int | None = None
        self.calendar_warning: str | None = None
        self.init_edit_flow(f"club:{club_id or 'new'}")

    def compose(self) -> ComposeResult:
        yield AppHeader()
        with VerticalScroll(id="cf-scroll"):
            yield Static("Новый клуб или группа" if self.club_id is None else "Изменение клуба", classes="dialog-title")
            yield LabeledInput("Название", id="cf-name", required=True, placeholder="например, Клуб общения «Родничок»")
            with Horizontal(classes="cf-row"):
                with Vertical(id="cf-kind-box"):
                    yield Label("Вид", classes="cf-kind-label")
                    yield Select([(v, k) for k, v in CLUB_KINDS.items()], id="cf-kind", value="club", allow_blank=False)
                yield LabeledInput("Помещение", id="cf-room", placeholder="каб. 104")
                yield LabeledInput(
                    "Вместимость, чел.", id="cf-capacity", value="12", validator=_capacity, required=True
                )
            yield LabeledInput("Цель", id="cf-goal", placeholder="развитие коммуникативных навыков…")
            with Horizontal(classes="cf-row"):
                yield LabeledInput(
                    "Работает с", id="cf-start", validator=clock.parse_date, required=True, placeholder="ДД.ММ.ГГГГ"
                )
                yield LabeledInput(
                    "по", id="cf-end", validator=clock.parse_date, required=True, placeholder="ДД.ММ.ГГГГ"
                )
            yield Static("", id="cf-calendar", classes="-empty")
            yield Label(
                "Ведущие (СОП 05: социальный педагог, специалист по социальной работе, психолог, "
                "заведующий…) — пробел отмечает",
                classes="cf-label",
            )
            yield SelectionList(id="cf-leaders")
            yield FieldError(id="cf-leaders-error", classes="-empty")
            yield Label(
                "Расписание: время занятия по дням недели, например 15:00-16:00 "
                "(пусто — в этот день нет). Нерабочие дни пропускаются.",
                classes="cf-label",
            )
            with Grid(id="cf-slots"):
                for wd, name in enumerate(WEEKDAY_NAMES):
                    yield LabeledInput(name, id=f"cf-slot-{wd}", placeholder="ЧЧ:ММ-ЧЧ:ММ")
            yield FieldError(id="cf-schedule-error", classes="-empty")
            yield Label(
                "Анализ анкет и личных дел (СОП 05, этап 1): на чём основана программа — сколько анкет, "
                "что показали опрос и личные дела",
                classes="cf-label",
            )
            yield TextBox(id="cf-analysis")
            yield Label(f"Программа занятий. {PROGRAMME_HELP}", classes="cf-label")
            yield TextBox(id="cf-programme")
            yield FieldError(id="cf-programme-error", classes="-empty")
            yield FieldError(id="cf-error", classes="-empty")
            with Horizontal(id="cf-buttons"):
                yield Button("Сохранить (Ctrl+S)", id="cf-save", variant="primary")
                yield Button("Закрыть (Esc)", id="cf-close")
        yield KeysFooter()

    def on_mount(self) -> None:
        header = self.query_one(AppHeader)
        header.section = "Группы"
        header.institution = getattr(self.app, "institution_short", "")
        actor = getattr(self.app, "actor", None)
        header.person = f"{actor.short_name} ({actor.position_label})" if actor else ""
        self._load()

    @db_work(exclusive=True, group="club-form")
    def _load(self) -> None:
        options = service.leader_options()
        card = service.get_club(self.club_id) if self.club_id else None
        draft = drafts.load_draft(self.draft_key)
        self.app.call_from_thread(self._show, options, card, draft)

    def _show(self, options, card, draft) -> None:
        self.card = card
        self.version = card.version if card else None
        leaders = self.query_one("#cf-leaders", SelectionList)
        mine = set(card.leader_ids) if card else set()
        actor = getattr(self.app, "actor", None)
        if card is None and actor is not None and any(o.id == actor.id for o in options):
            mine = {actor.id}
        leaders.add_options([(f"{o.full_name} — {o.position_label}", o.id, o.id in mine) for o in options])
        if card is not None:
            self.fill(self._values_of(card))
        else:
            today = clock.today()
            self.query_one("#cf-start", LabeledInput).value = clock.fmt_date(today)
            self.query_one("#cf-end", LabeledInput).value = clock.fmt_date(today.replace(month=12, day=25))
        stored = self.raw_values()
        if draft and "values" not in draft:  # a draft written before drafts kept {"values": ...}
            draft = {"values": draft}
        self.offer_draft(draft, "", lambda d: self.fill(d["values"]))
        self.query_one("#cf-name", LabeledInput).input.focus()
        self.call_after_refresh(self.mark_loaded, stored)
        if card is not None and not card.editable:
            self.query_one("#cf-save", Button).disabled = True
            self.query_one("#cf-error", FieldError).show(
                "Клуб другого отделения: изменить его может только это отделение. Вы ведёте его занятия."
            )

    def _values_of(self, card: service.ClubCard) -> dict:
        slots = {s.weekday: f"{s.start_time}-{s.end_time}" for s in card.slots}
        return {
            "name": card.name,
            "kind": card.kind,
            "room": card.room,
            "capacity": str(card.capacity),
            "goal": card.goal,
            "start": clock.fmt_date(card.start_date),
            "end": clock.fmt_date(card.end_date),
            "leaders": sorted(card.leader_ids),
            "slots": [slots.get(i, "") for i in range(7)],
            "programme": programme_text(card.programme),
            "analysis": card.analysis_note,
        }

    def fill(self, v: dict) -> None:
        for key in ("name", "room", "capacity", "goal", "start", "end"):
            if key in v:
                self.query_one(f"#cf-{key}", LabeledInput).value = v[key] or ""
        if v.get("kind") in CLUB_KINDS:
            self.query_one("#cf-kind", Select).value = v["kind"]
        if "leaders" in v:
            sl = self.query_one("#cf-leaders", SelectionList)
            sl.deselect_all()
            for i in v["leaders"]:
                try:
                    sl.select(i)
                except Exception:  # a leader no longer on staff
                    pass
        for i, text in enumerate(v.get("slots", [])[:7]):
            self.query_one(f"#cf-slot-{i}", LabeledInput).value = text or ""
        if "programme" in v:
            self.query_one("#cf-programme", TextArea).text = v["programme"] or ""
        if "analysis" in v:
            self.query_one("#cf-analysis", TextArea).text = v["analysis"] or ""

    def raw_values(self) -> dict:
        return {
            "name": self.query_one("#cf-name", LabeledInput).value,
            "kind": self.query_one("#cf-kind", Select).value,
            "room": self.query_one("#cf-room", LabeledInput).value,
            "capacity": self.query_one("#cf-capacity", LabeledInput).value,
            "goal": self.query_one("#cf-goal", LabeledInput).value,
            "start": self.query_one("#cf-start", LabeledInput).value,
            "end": self.query_one("#cf-end", LabeledInput).value,
            "leaders": sorted(self.query_one("#cf-leaders", SelectionList).selected),
            "slots": [self.query_one(f"#cf-slot-{i}", LabeledInput).value for i in range(7)],
            "programme": self.query_one("#cf-programme", TextArea).text,
            "analysis": self.query_one("#cf-analysis", TextArea).text,
        }

    # --- draft as you type ---

    def on_input_changed(self) -> None:
        self._calendar_warning()
        self.note_change()

    def _calendar_warning(self) -> None:
        """The «не подтверждён» warning of the deadlines, while the dates run into such a year."""
        try:
            start = clock.parse_date(self.query_one("#cf-start", LabeledInput).value)
            end = clock.parse_date(self.query_one("#cf-end", LabeledInput).value)
        except ValueError:
            start = end = None
        warning = schedule_calendar_warning(start, end) if start and end and start <= end else None
        self.calendar_warning = warning
        box = self.query_one("#cf-calendar", Static)
        box.update(f"⚠ {warning}" if warning else "")
        box.set_class(not warning, "-empty")

    def on_text_area_changed(self) -> None:
        self.note_change()

    def on_selection_list_selected_changed(self) -> None:
        self.note_change()

    def on_select_changed(self) -> None:
        self.note_change()

    def load_stored(self):
        if self.club_id is None:
            return None
        try:
            card = service.get_club(self.club_id)
        except service.GroupError:
            return None
        return self._values_of(card), card.version

    # --- save ---

    def _clear_errors(self) -> None:
        for f in self.query(FieldError):
            f.show(None)

    @on(Button.Pressed, "#cf-save")
    def action_save(self) -> None:
        if self.card is not None and not self.card.editable:
            return  # said under the form when it opened
        if not boxes_ok(self):
            return
        self._clear_errors()
        ok = True
        cleaned = {}
        for key in ("name", "room", "capacity", "goal", "start", "end"):
            good, value = self.query_one(f"#cf-{key}", LabeledInput).check()
            ok = ok and good
            cleaned[key] = value
        slots = []
        for wd in range(7):
            field = self.query_one(f"#cf-slot-{wd}", LabeledInput)
            text = field.value.strip()
            field.show_error(None)
            if not text:
                continue
            try:
                start, end = parse_time_range(text)
            except ValueError as exc:
                field.show_error(str(exc))
                ok = False
                continue
            slots.append(Slot(wd, start, end))
        if not ok:
            self.query_one("#cf-error", FieldError).show("Исправьте поля, отмеченные красным.")
            return
        data = service.ClubData(
            name=cleaned["name"] or "",
            kind=str(self.query_one("#cf-kind", Select).value),
            goal=cleaned["goal"] or "",
            room=cleaned["room"] or "",
            capacity=cleaned["capacity"],
            start_date=cleaned["start"],
            end_date=cleaned["end"],
            leader_ids=list(self.query_one("#cf-leaders", SelectionList).selected),
            programme=parse_programme(self.query_one("#cf-programme", TextArea).text),
            slots=slots,
            department_id=(
                self.card.department_id
                if self.card
                else getattr(getattr(self.app, "actor", None), "department_id", None)
            ),
            analysis_note=self.query_one("#cf-analysis", TextArea).text,
        )
        self.query_one("#cf-error", FieldError).show("Сохранение…")
        self._save(data)

    @db_work(exclusive=True, group="club-save")
    def _save(self, data: service.ClubData) -> None:
        try:
            saved, club_id = self.guarded_save(
                lambda: service.save_club(data, self.club_id, self.version), "Клуб удалён другим сотрудником."
            )
        except service.GroupError as exc:
            self.app.call_from_thread(self._failed, str(exc), exc.field)
            return
        if saved:
            self.app.call_from_thread(self._saved, club_id)

    def _failed(self, message: str, field: str) -> None:
        self.query_one("#cf-error", FieldError).show(None)
        inputs = {"name": "#cf-name", "capacity": "#cf-capacity", "start_date": "#cf-start", "end_date": "#cf-end"}
        errors = {"leaders": "#cf-leaders-error", "schedule": "#cf-schedule-error", "programme": "#cf-programme-error"}
        if field in inputs:
            self.query_one(inputs[field], LabeledInput).show_error(message)
        elif field in errors:
            self.query_one(errors[field], FieldError).show(message)
        else:
            self.query_one("#cf-error", FieldError).show(message)
        self.notify(message, severity="error", timeout=8)

    def _saved(self, club_id: int) -> None:
        self.mark_saved()
        self.notify("Клуб сохранён, занятия по расписанию созданы.")
        if self.calendar_warning:
            self.notify(self.calendar_warning, severity="warning", timeout=10)
        self.dismiss(club_id)

    @on(Button.Pressed, "#cf-close")
    def _close_pressed(self) -> None:
        self.action_leave()
