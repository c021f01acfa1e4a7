"""Приём обращения: incoming information about a family and the SOP deadlines it starts.

Creates the client (status «потенциальный») or links an existing one, assigns a
specialist and shows the three deadlines from the working-day calendar.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Input, Label, Select, Static, TextArea

from soptui.core import clock
from soptui.domain import workdays
from soptui.domain.labels import CATEGORIES, GROUNDS, INTAKE_LOGS
from soptui.screens.base import SectionScreen
from soptui.screens.clients.client_form import DuplicateDialog, _opt
from soptui.screens.form_base import EditFlow
from soptui.services import clients as svc
from soptui.widgets.fields import LabeledInput
from soptui.widgets.textbox import TextBox, boxes_ok
from soptui.widgets.workers import db_work

GROUND_OPTIONS = [(label, code) for code, label in GROUNDS.items()]
LOG_OPTIONS = [(label, code) for code, label in INTAKE_LOGS.items()]
CATEGORY_OPTIONS = [(label, code) for code, label in CATEGORIES.items()]
DRAFT_KEY = "referral:new"


def _received_date(text: str) -> dt.date:
    d = clock.parse_date(text)
    if d > clock.today():
        raise ValueError("Дата поступления не может быть в будущем.")
    if d.year < clock.today().year - 5:
        raise ValueError("Проверьте год.")
    return d


def deadlines_text(
    received: dt.datetime | None, ground: str | None, source_term: dt.date | None = None, wait: int | None = None
) -> Text:
    """The SOP deadlines with their working-day countdown and the calendar warning; registration is today
    (saving registers the referral), so the wait for the service (SOP 04) runs from today."""
    from soptui.services.referrals import compute_deadlines

    if received is None or not ground:
        return Text("Сроки появятся, когда будут указаны дата поступления и основание.", style="dim")
    today = clock.today()
    d = compute_deadlines(received, ground, source_term, max(today, received.date()), wait)
    out = Text()
    for label, due in (
        ("Зарегистрировать обращение" + (" (срок источника)" if source_term else ""), d.registration),
        ("Первичный звонок семье (СОП 03)", d.first_contact),
        ("Первая услуга после регистрации (СОП 04)", d.patronage),
    ):
        state = workdays.deadline_state(due, today)
        style = {"overdue": "bold red", "today": "bold yellow", "ok": "green"}[state]
        out.append(f"{label}: ", style="bold")
        out.append(f"до {clock.fmt_date(due)} ({workdays.deadline_countdown_text(due, today)})\n", style=style)
    if d.warning:
        out.append(f"⚠ {d.warning}", style="yellow")
    out.rstrip()
    return out


def registration_is_late(received: dt.datetime | None, ground: str | None, source_term: dt.date | None) -> bool:
    from soptui.services.referrals import compute_deadlines

    if received is None or not ground:
        return False
    return clock.today() > compute_deadlines(received, ground, source_term).registration


class ReferralFormScreen(EditFlow, SectionScreen):
    """Intake of a referral; dismisses with the client id or None."""

    SECTION_TITLE = "Приём обращения"
    DEFAULT_CSS = """
    ReferralFormScreen #rf-scroll { height: 1fr; padding: 0 1; }
    ReferralFormScreen .row { height: auto; }
    ReferralFormScreen .row > * { width: 1fr; }
    ReferralFormScreen .sel { height: auto; }
    ReferralFormScreen .sel > Label { padding: 0 1; color: $text-muted; }
    ReferralFormScreen .section { text-style: bold; color: $accent; padding: 1 1 0 1; }
    ReferralFormScreen #rf-client { height: auto; padding: 0 1; }
    ReferralFormScreen #rf-new-client { height: auto; }
    ReferralFormScreen #rf-deadlines { height: auto; padding: 0 1; border: round $primary; }
    ReferralFormScreen #rf-status { height: auto; padding: 0 1; }
    ReferralFormScreen #rf-late { display: none; }
    ReferralFormScreen #rf-late.-shown { display: block; }
    ReferralFormScreen TextArea { height: 5; }
    ReferralFormScreen #rf-error-top { height: auto; }
    """
    LEAVE_QUESTION = "Обращение не сохранено."
    BINDINGS = [
        Binding(
            "ctrl+s", "save", "Сохранить", priority=True, tooltip="Зарегистрировать обращение", id="referral_form.save"
        ),
        Binding(
            "ctrl+f",
            "pick",
            "Найти клиента",
            priority=True,
            tooltip="Связать с клиентом из реестра",
            id="referral_form.pick",
        ),
        Binding(
            "ctrl+u",
            "unlink",
            "Новый клиент",
            show=False,
            id="referral_form.unlink",
            tooltip="Отвязать от клиента: обращение нового клиента",
        ),
        Binding(
            "escape", "leave", "Закрыть", id="referral_form.leave", tooltip="Закрыть форму (спросит о несохранённом)"
        ),
    ]

    def __init__(self, client_id: int | None = None) -> None:
        super().__init__()
        self.client_id = client_id
        self.client_name = ""
        self.wait_days: int | None = None  # the institution's SOP 04 wait, read with the staff list
        self.init_edit_flow(f"referral:client:{client_id}" if client_id else DRAFT_KEY)

    def compose_body(self) -> ComposeResult:
        now = clock.now()
        yield Static("", id="rf-status")
        with VerticalScroll(id="rf-scroll"):
            yield Static("Клиент", classes="section")
            yield Static("", id="rf-client")
            with Vertical(id="rf-new-client"):
                with Horizontal(classes="row"):
                    yield LabeledInput("Фамилия", required=True, validator=svc.validate_name_part, id="rf-last")
                    yield LabeledInput("Имя", required=True, validator=svc.validate_name_part, id="rf-first")
                    yield LabeledInput("Отчество", validator=svc.validate_name_part, id="rf-patr")
                with Horizontal(classes="row"):
                    yield LabeledInput(
                        "Дата рождения", placeholder="ДД.ММ.ГГГГ", validator=svc.validate_birth_date, id="rf-birth"
                    )
                    with Vertical(classes="sel"):
                        yield Label("Категория")
                        yield Select(CATEGORY_OPTIONS, value="child", allow_blank=False, id="rf-category")
                    yield LabeledInput("Телефон семьи", validator=svc.parse_phones, id="rf-phone")
                yield LabeledInput("Адрес", id="rf-address")
            yield Static("Обращение", classes="section")
            with Horizontal(classes="row"):
                yield LabeledInput(
                    "Дата поступления",
                    value=clock.fmt_date(now.date()),
                    required=True,
                    validator=_received_date,
                    id="rf-date",
                )
                yield LabeledInput(
                    "Время", value=now.strftime("%H:%M"), required=True, validator=clock.parse_time, id="rf-time"
                )
                with Vertical(classes="sel"):
                    yield Label("Основание *")
                    yield Select(GROUND_OPTIONS, prompt="выберите основание", id="rf-ground")
            yield Static("", id="rf-ground-error", classes="error")
            yield Static(deadlines_text(None, None), id="rf-deadlines")
            yield LabeledInput("Причина регистрации после срока (СОП 04)", id="rf-late")
            with Horizontal(classes="row"):
                yield LabeledInput("Источник (орган, организация, лицо)", id="rf-source")
                yield LabeledInput(
                    "Срок, установленный источником",
                    placeholder="ДД.ММ.ГГГГ, если есть",
                    validator=svc.validate_any_date,
                    id="rf-source-due",
                )
            yield Label("Суть обращения")
            yield TextBox(id="rf-summary")
            with Horizontal(classes="row"):
                with Vertical(classes="sel"):
                    yield Label("Где зарегистрировано")
                    yield Select(LOG_OPTIONS, value="reception", allow_blank=False, id="rf-log")
                with Vertical(classes="sel"):
                    yield Label("Ответственный специалист")
                    yield Select([], prompt="не назначен", id="rf-staff")

    def on_mount(self) -> None:
        super().on_mount()
        self._status("Ctrl+F — найти клиента в реестре, иначе заполните данные нового. Ctrl+S — сохранить.")
        self._load()

    def _status(self, text: str, style: str = "") -> None:
        self.query_one("#rf-status", Static).update(Text(text, style=style))

    @db_work(group="rf-load")
    def _load(self) -> None:
        from soptui.services import drafts, referrals

        staff = svc.staff_choices()
        self.wait_days = referrals.wait_days()
        name, error = "", None
        if self.client_id:
            try:
                name = svc.get_client_summary(self.client_id).full_name
            except (svc.ClientGone, svc.AccessDenied):
                error = "Клиент недоступен."
        draft = drafts.load_draft(self.draft_key)
        self.app.call_from_thread(self._loaded, staff, name, error, draft)

    def _loaded(self, staff, name, error, draft) -> None:
        actor = self.app.actor
        if actor is not None and not actor.sees_all_departments:
            staff = [s for s in staff if s.department_id in (actor.department_id, None)]
        self.query_one("#rf-staff", Select).set_options([(s.label, s.id) for s in staff])
        if actor is not None and not actor.is_head:
            self.query_one("#rf-staff", Select).value = actor.id
        if error:
            self.notify(error, severity="error")
            self.client_id = None
        self._link(self.client_id, name)
        self._update_deadlines()
        self.call_after_refresh(self._ready, draft)

    def _ready(self, draft) -> None:
        self.mark_loaded()
        if self.offer_draft(draft, "Есть несохранённый черновик обращения. Восстановить его?", self._resume):
            pass
        elif not self.client_id:
            self.query_one("#rf-last", LabeledInput).input.focus()
        else:
            self.query_one("#rf-ground", Select).focus()

    def _resume(self, draft) -> None:
        self.fill(draft["values"])
        self._status("Черновик восстановлен.", "green")

    def _link(self, client_id: int | None, name: str) -> None:
        self.client_id = client_id
        self.client_name = name
        self.query_one("#rf-new-client").display = client_id is None
        self.query_one("#rf-client", Static).update(
            Text.assemble(("Существующий клиент: ", "dim"), (name, "bold"), ("  (Ctrl+U — отвязать)", "dim"))
            if client_id
            else Text("Новый клиент (будет создан со статусом «потенциальный»). Ctrl+F — найти в реестре.", style="dim")
        )

    # --- values and drafts --------------------------------------------------------------

    TEXT_IDS = (
        "rf-last",
        "rf-first",
        "rf-patr",
        "rf-birth",
        "rf-phone",
        "rf-address",
        "rf-date",
        "rf-time",
        "rf-source",
        "rf-source-due",
        "rf-late",
    )

    def raw_values(self) -> dict[str, Any]:
        values: dict[str, Any] = {fid: self.query_one(f"#{fid}", LabeledInput).value for fid in self.TEXT_IDS}
        for sid in ("rf-category", "rf-ground", "rf-log", "rf-staff"):
            values[sid] = _opt(self.query_one(f"#{sid}", Select).value)
        values["rf-summary"] = self.query_one("#rf-summary", TextArea).text
        values["client_id"] = self.client_id
        values["client_name"] = self.client_name
        return values

    def fill(self, values: dict[str, Any]) -> None:
        for fid in self.TEXT_IDS:
            if fid in values:
                self.query_one(f"#{fid}", LabeledInput).value = values[fid] or ""
        for sid in ("rf-category", "rf-ground", "rf-log", "rf-staff"):
            if values.get(sid) is not None:
                try:
                    self.query_one(f"#{sid}", Select).value = values[sid]
                except Exception:
                    pass
        self.query_one("#rf-summary", TextArea).text = values.get("rf-summary") or ""
        if values.get("client_id"):
            self._link(values["client_id"], values.get("client_name", ""))
        self._update_deadlines()

    @on(Input.Changed)
    @on(Select.Changed)
    @on(TextArea.Changed)
    def _changed(self, event) -> None:
        control = getattr(event, "control", None)
        field = control.parent if isinstance(control, Input) else control
        if isinstance(event, Select.Changed) or getattr(field, "id", "") in ("rf-date", "rf-time", "rf-source-due"):
            self._update_deadlines()
        self.note_change()

    def _received(self) -> dt.datetime | None:
        try:
            d = clock.parse_date(self.query_one("#rf-date", LabeledInput).value)
            t = clock.parse_time(self.query_one("#rf-time", LabeledInput).value)
        except ValueError:
            return None
        return dt.datetime.combine(d, t)

    def _source_term(self) -> dt.date | None:
        try:
            return clock.parse_date(self.query_one("#rf-source-due", LabeledInput).value)
        except ValueError:
            return None

    def _update_deadlines(self) -> None:
        ground = _opt(self.query_one("#rf-ground", Select).value)
        if ground:
            self.query_one("#rf-ground-error", Static).update("")
        received, term = self._received(), self._source_term()
        self.query_one("#rf-deadlines", Static).update(deadlines_text(received, ground, term, self.wait_days))
        self.query_one("#rf-late").set_class(registration_is_late(received, ground, term), "-shown")

    # --- linking an existing client -------------------------------------------------------

    def action_pick(self) -> None:
        from soptui.screens.clients.picker import ClientPickerScreen

        last = self.query_one("#rf-last", LabeledInput).value
        first = self.query_one("#rf-first", LabeledInput).value
        self.app.push_screen(
            ClientPickerScreen("Связать обращение с клиентом", f"{last} {first}".strip()), self._picked
        )

    def _picked(self, client_id: int | None) -> None:
        if client_id:
            self._pick_name(client_id)

    @db_work(group="rf-load")
    def _pick_name(self, client_id: int) -> None:
        try:
            name = svc.get_client_summary(client_id).full_name
        except (svc.ClientGone, svc.AccessDenied):
            self.app.call_from_thread(self.notify, "Клиент недоступен.", severity="error")
            return
        self.app.call_from_thread(self._link_and_mark, client_id, name)

    def _link_and_mark(self, client_id: int, name: str) -> None:
        self._link(client_id, name)
        self._changed(None)

    def action_unlink(self) -> None:
        self._link(None, "")

    # --- saving ----------------------------------------------------------------------------

    def action_save(self) -> None:
        if not self.loaded or not boxes_ok(self):
            return
        ok = True
        values: dict[str, Any] = {}
        ids = (
            list(self.TEXT_IDS)
            if self.client_id is None
            else [
                f
                for f in self.TEXT_IDS
                if f not in ("rf-last", "rf-first", "rf-patr", "rf-birth", "rf-phone", "rf-address")
            ]
        )
        for fid in ids:
            good, value = self.query_one(f"#{fid}", LabeledInput).check()
            ok &= good
            values[fid] = value
        ground = _opt(self.query_one("#rf-ground", Select).value)
        self.query_one("#rf-ground-error", Static).update("" if ground else "Выберите основание.")
        ok &= bool(ground)
        received = None
        if values.get("rf-date") and values.get("rf-time"):
            received = dt.datetime.combine(values["rf-date"], values["rf-time"])
            if received > clock.now():
                self.query_one("#rf-time", LabeledInput).show_error("Время поступления ещё не наступило.")
                ok = False
        term = values.get("rf-source-due")
        if received is not None and term is not None and term < received.date():
            self.query_one("#rf-source-due", LabeledInput).show_error(
                "Срок источника раньше дня поступления: проверьте дату."
            )
            ok = False
        if registration_is_late(received, ground, values.get("rf-source-due")) and not values.get("rf-late"):
            self.query_one("#rf-late", LabeledInput).show_error("Срок регистрации прошёл: укажите причину.")
            ok = False
        if not ok:
            self._status("Исправьте поля, отмеченные красным: введённое сохранено.", "bold red")
            return
        data = None
        if self.client_id is None:
            data = svc.ClientData(
                last_name=values["rf-last"],
                first_name=values["rf-first"],
                patronymic=values["rf-patr"] or "",
                birth_date=values["rf-birth"],
                category=self.query_one("#rf-category", Select).value,
                address=values["rf-address"] or "",
                phones=values["rf-phone"] or [],
            )
        args = dict(
            received_at=received,
            ground=ground,
            source_body=values["rf-source"] or "",
            summary=self.query_one("#rf-summary", TextArea).text.strip(),
            intake_log=self.query_one("#rf-log", Select).value,
            assigned_staff_id=_opt(self.query_one("#rf-staff", Select).value),
            source_term_due=values["rf-source-due"],
            late_reason=values.get("rf-late") or "",
        )
        self._status("Сохранение…")
        self._save(data, args)

    @db_work(exclusive=True, group="rf-save")
    def _save(self, data: svc.ClientData | None, args: dict, skip_duplicates: bool = False) -> None:
        if data is not None and not skip_duplicates:
            dups = svc.find_duplicates(data.last_name, data.first_name, data.patronymic, data.birth_date, data.phones)
            if dups:
                self.app.call_from_thread(self._ask_duplicates, data, args, dups)
                return
        self._store(None if data is None else data, args)

    def _ask_duplicates(self, data, args, dups) -> None:
        self._status("Похоже, этот человек уже есть в реестре.", "bold yellow")
        self.app.push_screen(
            DuplicateDialog(dups, open_label="Связать", create_label="Создать нового"),
            partial(self._duplicate_answer, data, args),
        )

    def _duplicate_answer(self, data, args, answer) -> None:
        if answer == "create":
            self._save(data, args, skip_duplicates=True)
        elif isinstance(answer, int):
            self._link(answer, "")
            self._save(None, args)
        else:
            self._status("Ничего не сохранено.", "yellow")

    def _store(self, data, args) -> None:
        try:
            client_id, _ref = svc.take_referral(self.client_id if data is None else None, data, **args)
        except (svc.ClientGone, svc.AccessDenied):
            self.app.call_from_thread(self._status, "Клиент недоступен (удалён или другого отделения).", "bold red")
            return
        except ValueError as exc:
            self.app.call_from_thread(self._status, str(exc), "bold red")
            return
        self.drop_draft()
        self.app.call_from_thread(self._saved, client_id)

    def _saved(self, client_id: int) -> None:
        self.mark_saved()
        self.notify("Обращение зарегистрировано, сроки поставлены.")
        self.dismiss(client_id)
