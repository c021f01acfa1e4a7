"""Create and edit a client: validation at the field, drafts as you type, duplicates, conflicts.

Also the dialog for a representative, relative or friend (phones and messengers).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from soptui.core import clock
from soptui.domain.labels import CATEGORIES, CHANNELS
from soptui.screens.base import SectionScreen
from soptui.screens.form_base import EditFlow
from soptui.services import clients as svc
from soptui.widgets.compact import CompactWhenShort
from soptui.widgets.conflict import ConflictDialog
from soptui.widgets.fields import LabeledInput
from soptui.widgets.workers import db_work

CATEGORY_OPTIONS = [(label, code) for code, label in CATEGORIES.items()]
PLACEHOLDERS = {
    "f-birth": "ДД.ММ.ГГГГ",
    "f-ipra-start": "ДД.ММ.ГГГГ",
    "f-ipra-end": "ДД.ММ.ГГГГ",
    "f-consent": "ДД.ММ.ГГГГ",
    "f-phones": "+7 912 345-67-89, через запятую",
}
# short enough for a field of a five-in-a-row at 80 columns; the validator's message at the field says more
MESSENGER_HINTS = {
    "whatsapp": "телефон",
    "telegram": "@имя/номер",
    "viber": "телефон",
    "vk": "vk.com/имя",
    "skype": "логин",
}

# text fields of the client form: id -> (label, form key, validator, required)
TEXT_FIELDS = {
    "f-last": ("Фамилия", "last_name", svc.validate_name_part, True),
    "f-first": ("Имя", "first_name", svc.validate_name_part, True),
    "f-patr": ("Отчество", "patronymic", svc.validate_name_part, False),
    "f-birth": ("Дата рождения", "birth_date", svc.validate_birth_date, False),
    "f-address": ("Адрес", "address", None, False),
    "f-phones": ("Телефоны", "phones", svc.parse_phones, False),
    "f-ipra-num": ("Номер ИПРА", "ipra_number", None, False),
    "f-ipra-start": ("ИПРА с", "ipra_start", svc.validate_any_date, False),
    "f-ipra-end": ("ИПРА по", "ipra_end", svc.validate_any_date, False),
    "f-consent": ("Согласие на ПДн, дата", "consent_date", svc.validate_past_date, False),
    "f-notes": ("Примечание", "notes", None, False),
}


def messenger_fields(prefix: str, values: list | None = None) -> ComposeResult:
    """One field per messenger channel; the handle is checked by channel."""
    current: dict[str, str] = {}
    for ch, handle in values or []:
        current.setdefault(ch, handle)
    for ch in svc.MESSENGER_CHANNELS:
        yield LabeledInput(
            CHANNELS[ch],
            value=current.get(ch, ""),
            placeholder=MESSENGER_HINTS[ch],
            validator=partial(svc.validate_messenger, ch),
            id=f"{prefix}-{ch}",
        )


def check_messengers(screen, prefix: str) -> tuple[bool, list[tuple[str, str]]]:
    ok, result = True, []
    for ch in svc.MESSENGER_CHANNELS:
        good, value = screen.query_one(f"#{prefix}-{ch}", LabeledInput).check()
        ok &= good
        if good and value:
            result.append((ch, value))
    return ok, result


def _opt(value):
    return None if value is Select.BLANK or value == Select.NULL else value


class ClientFormScreen(EditFlow, SectionScreen):
    """New client (client_id None) or edit. Dismisses with the saved client id, or None."""

    SECTION_TITLE = "Клиент"
    DEFAULT_CSS = """
    ClientFormScreen #form-scroll { height: 1fr; padding: 0 1; }
    ClientFormScreen .row { height: auto; }
    ClientFormScreen .row > * { width: 1fr; }
    ClientFormScreen .row > Checkbox { width: auto; margin: 1 0 0 1; }
    ClientFormScreen .sel { height: auto; }
    ClientFormScreen .sel > Label { padding: 0 1; color: $text-muted; }
    ClientFormScreen #form-status { height: auto; padding: 0 1; }
    ClientFormScreen .section { text-style: bold; color: $accent; padding: 1 1 0 1; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", "Сохранить", tooltip="Проверить и сохранить", priority=True, id="client_form.save"),
        Binding(
            "escape", "leave", "Закрыть", tooltip="Закрыть форму (спросит о несохранённом)", id="client_form.leave"
        ),
    ]

    def __init__(self, client_id: int | None = None) -> None:
        super().__init__()
        self.client_id = client_id
        self.version: int | None = None
        self.original: dict[str, Any] = {}
        self.init_edit_flow(f"client:{client_id}" if client_id else "client:new")

    def leave(self, result: int | None = None) -> None:
        self.dismiss(result)

    def compose_body(self) -> ComposeResult:
        yield Static("", id="form-status")
        with VerticalScroll(id="form-scroll"):
            yield Static("Личные данные", classes="section")
            with Horizontal(classes="row"):
                for fid in ("f-last", "f-first", "f-patr"):
                    yield self._field(fid)
            with Horizontal(classes="row"):
                yield self._field("f-birth")
                with Vertical(classes="sel"):
                    yield Label("Категория")
                    yield Select(CATEGORY_OPTIONS, value="child", allow_blank=False, id="f-category")
                yield self._field("f-phones")
            with Horizontal(classes="row"):
                yield self._field("f-address")
                yield Checkbox("Отдалённая территория", id="f-remote")
            yield Static("Обслуживание", classes="section")
            with Horizontal(classes="row"):
                with Vertical(classes="sel"):
                    yield Label("Отделение")
                    yield Select([], prompt="не указано", id="f-department")
                with Vertical(classes="sel"):
                    yield Label("Ответственный")  # «…специалист» filled the column at 80x24, touching the next label
                    yield Select([], prompt="не назначен", id="f-staff")
                yield self._field("f-consent")
            with Horizontal(classes="row"):
                for fid in ("f-ipra-num", "f-ipra-start", "f-ipra-end"):
                    yield self._field(fid)
            yield Static("Мессенджеры клиента", classes="section")
            with Horizontal(classes="row"):
                yield from messenger_fields("fm")
            yield self._field("f-notes")
            if self.client_id is None:
                yield Static(
                    "Представителей и родственников добавьте в карточке после сохранения (клавиша p).", classes="muted"
                )

    def _field(self, fid: str) -> LabeledInput:
        label, _key, validator, required = TEXT_FIELDS[fid]
        return LabeledInput(
            label,
            validator=validator,
            required=required,
            id=fid,
            input_id=f"{fid}-input",
            placeholder=PLACEHOLDERS.get(fid, ""),
        )

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#f-last", LabeledInput).input.focus()
        self._status(
            "Загрузка…" if self.client_id else "Новый клиент: поля со звёздочкой обязательны. Ctrl+S — сохранить."
        )
        self._load()

    def _status(self, text, style: str = "") -> None:
        self.query_one("#form-status", Static).update(Text(text, style=style) if isinstance(text, str) else text)

    # --- loading and drafts -------------------------------------------------------------

    @db_work(group="form-load")
    def _load(self) -> None:
        from soptui.services import drafts

        deps = svc.departments()
        staff = svc.staff_choices()
        card, error = None, None
        if self.client_id:
            try:
                card = svc.get_client_card(self.client_id, audit_view=False)
            except svc.ClientGone:
                error = "Этого клиента больше нет в реестре: его удалил другой пользователь."
            except svc.AccessDenied:
                error = "Этот клиент относится к другому отделению."
        draft = drafts.load_draft(self.draft_key)
        info = next((d for d in drafts.list_drafts(self.draft_key) if d.key == self.draft_key), None)
        self.app.call_from_thread(self._loaded, deps, staff, card, error, draft, info)

    def _loaded(self, deps, staff, card, error, draft, info) -> None:
        self.query_one("#f-department", Select).set_options([(d.label, d.id) for d in deps])
        self.query_one("#f-staff", Select).set_options([(s.label, s.id) for s in staff])
        if error:
            self._status(error, "bold red")
            self.notify(error, severity="error")
            self.leave(None)
            return
        actor = self.app.actor
        if card is not None:
            self.version = card.summary.version
            self.original = dict(card.form)
            self.fill(card.form)
            self._status(
                Text.assemble(("Изменение: ", "bold"), card.summary.full_name, " · Ctrl+S — сохранить, Esc — закрыть")
            )
        else:
            self.fill(
                {
                    "department_id": actor.department_id if actor else None,
                    "assigned_staff_id": actor.id if actor and not actor.is_head else None,
                    "category": "child",
                }
            )
        self.call_after_refresh(self._loaded_done, draft, info)

    def _loaded_done(self, draft, info) -> None:
        self.mark_loaded()
        when = clock.fmt_datetime(info.updated_at) if info else ""
        self.offer_draft(draft, f"Есть несохранённый черновик этой формы ({when}). Восстановить его?", self._resume)

    def _resume(self, draft: dict) -> None:
        self.fill(draft["values"])
        if self.client_id and draft.get("version") and draft.get("original"):
            # keep the version the editing started from, so a save after a reconnect still
            # detects changes made by others meanwhile
            self.version = draft["version"]
            self.original = draft["original"]
        self._status("Черновик восстановлен. Проверьте и сохраните (Ctrl+S).", "green")

    def fill(self, values: dict[str, Any]) -> None:
        """Put form values (as the service's form dicts hold them) into the fields."""
        for fid, (_label, key, _v, _r) in TEXT_FIELDS.items():
            if key in values:
                value = values[key]
                if key == "phones" and isinstance(value, list):
                    value = ", ".join(value)
                self.query_one(f"#{fid}", LabeledInput).value = value or ""
        if "category" in values and values["category"] in CATEGORIES:
            self.query_one("#f-category", Select).value = values["category"]
        for sid, key in (("#f-department", "department_id"), ("#f-staff", "assigned_staff_id")):
            if key in values:
                select = self.query_one(sid, Select)
                try:
                    select.value = values[key] if values[key] is not None else Select.BLANK
                except Exception:  # an option that no longer exists (staff left)
                    select.clear()
        if "remote_territory" in values:
            self.query_one("#f-remote", Checkbox).value = bool(values["remote_territory"])
        if "messengers" in values:
            current = {ch: h for ch, h in (values["messengers"] or [])}
            for ch in svc.MESSENGER_CHANNELS:
                self.query_one(f"#fm-{ch}", LabeledInput).value = current.get(ch, "")

    def raw_values(self) -> dict[str, Any]:
        """What is typed, unvalidated: the draft payload."""
        values: dict[str, Any] = {}
        for fid, (_label, key, _v, _r) in TEXT_FIELDS.items():
            values[key] = self.query_one(f"#{fid}", LabeledInput).value
        values["category"] = _opt(self.query_one("#f-category", Select).value)
        values["department_id"] = _opt(self.query_one("#f-department", Select).value)
        values["assigned_staff_id"] = _opt(self.query_one("#f-staff", Select).value)
        values["remote_territory"] = self.query_one("#f-remote", Checkbox).value
        values["messengers"] = [
            [ch, self.query_one(f"#fm-{ch}", LabeledInput).value]
            for ch in svc.MESSENGER_CHANNELS
            if self.query_one(f"#fm-{ch}", LabeledInput).value.strip()
        ]
        return values

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _changed(self, event) -> None:
        self.note_change()

    def draft_payload(self) -> dict[str, Any]:
        return {"values": self.raw_values(), "version": self.version, "original": self.original}

    # --- saving ----------------------------------------------------------------------------

    def validate(self) -> svc.ClientData | None:
        cleaned: dict[str, Any] = {}
        ok = True
        first_bad = None
        for fid, (_label, key, _v, _r) in TEXT_FIELDS.items():
            field = self.query_one(f"#{fid}", LabeledInput)
            good, value = field.check()
            if not good:
                ok = False
                first_bad = first_bad or field
            cleaned[key] = value
        good, messengers = check_messengers(self, "fm")
        ok &= good
        if ok and cleaned["ipra_start"] and cleaned["ipra_end"] and cleaned["ipra_end"] < cleaned["ipra_start"]:
            field = self.query_one("#f-ipra-end", LabeledInput)
            field.show_error("Окончание ИПРА раньше её начала.")
            ok, first_bad = False, field
        if not ok:
            if first_bad is not None:
                first_bad.input.focus()
                self.query_one("#form-scroll").scroll_to_widget(first_bad)
            self._status("Исправьте поля, отмеченные красным: введённое сохранено.", "bold red")
            return None
        return svc.ClientData(
            last_name=cleaned["last_name"],
            first_name=cleaned["first_name"],
            patronymic=cleaned["patronymic"] or "",
            birth_date=cleaned["birth_date"],
            category=_opt(self.query_one("#f-category", Select).value) or "child",
            department_id=_opt(self.query_one("#f-department", Select).value),
            assigned_staff_id=_opt(self.query_one("#f-staff", Select).value),
            address=cleaned["address"] or "",
            remote_territory=self.query_one("#f-remote", Checkbox).value,
            ipra_number=cleaned["ipra_number"] or "",
            ipra_start=cleaned["ipra_start"],
            ipra_end=cleaned["ipra_end"],
            consent_date=cleaned["consent_date"],
            notes=cleaned["notes"] or "",
            phones=cleaned["phones"] or [],
            messengers=messengers,
        )

    def action_save(self) -> None:
        if not self.loaded:
            return
        data = self.validate()
        if data is None:
            return
        self._status("Сохранение…")
        if self.client_id is None:
            self._check_duplicates(data)
        else:
            self._update(data, self.version, self.original)

    @db_work(exclusive=True, group="form-save")
    def _check_duplicates(self, data: svc.ClientData) -> None:
        dups = svc.find_duplicates(data.last_name, data.first_name, data.patronymic, data.birth_date, data.phones)
        if dups:
            self.app.call_from_thread(self._ask_duplicates, data, dups)
        else:
            self._create(data)

    def _ask_duplicates(self, data, dups) -> None:
        self._status("Похоже, этот человек уже есть в реестре.", "bold yellow")
        self.app.push_screen(DuplicateDialog(dups), partial(self._duplicate_answer, data))

    def _duplicate_answer(self, data, answer) -> None:
        if answer == "create":
            self._create_worker(data)
        elif isinstance(answer, int):
            self.mark_saved()
            self.delete_draft_beyond_close()
            self.leave(answer)  # the caller opens that card
        else:
            self._status("Создание отменено: проверьте данные.", "yellow")

    @db_work(exclusive=True, group="form-save")
    def _create_worker(self, data) -> None:
        self._create(data)

    def _create(self, data: svc.ClientData) -> None:
        client_id = svc.create_client(data)
        self.drop_draft()
        self.app.call_from_thread(self._saved, client_id, "Клиент добавлен в реестр.")

    @db_work(exclusive=True, group="form-save")
    def _update(self, data: svc.ClientData, version: int | None, original: dict) -> None:
        try:
            svc.update_client(self.client_id, version or 0, data, original)
        except svc.ClientConflict as conflict:
            self.app.call_from_thread(self._conflict, data, conflict)
            return
        except svc.ClientGone:
            self.app.call_from_thread(
                self._status,
                "Сохранить нельзя: клиента удалил другой пользователь. Введённое осталось в форме и в черновике.",
                "bold red",
            )
            return
        except svc.AccessDenied:
            self.app.call_from_thread(self._status, "Клиент теперь относится к другому отделению.", "bold red")
            return
        self.drop_draft()
        self.app.call_from_thread(self._saved, self.client_id, "Изменения сохранены.")

    def _saved(self, client_id: int, message: str) -> None:
        self.mark_saved()
        self.notify(message)
        self.leave(client_id)

    def _conflict(self, data, conflict: svc.ClientConflict) -> None:
        self._status("Пока вы редактировали, карточку сохранил другой пользователь.", "bold yellow")
        self.app.push_screen(ConflictDialog(conflict.changes), partial(self._conflict_answer, data, conflict))

    def _conflict_answer(self, data, conflict: svc.ClientConflict, answer: str | None) -> None:
        if answer == "overwrite":
            self._update(data, conflict.version, conflict.theirs)
        elif answer == "reload":
            self.version = conflict.version
            self.original = dict(conflict.theirs)
            self.fill(conflict.theirs)
            self.mark_loaded()
            self.dirty = False
            self.write_draft(None)
            self._status("Загружена версия другого пользователя. Внесите свои правки заново.", "yellow")
        else:
            self._status("Ничего не сохранено. Ваши правки остались в форме.", "yellow")


class DuplicateDialog(ModalScreen[object]):
    """Possible duplicates: open an existing card (its id), create anyway ("create"), or go back (None)."""

    BINDINGS = [Binding("escape", "cancel", "Назад", id="duplicate.cancel", tooltip="Вернуться к форме")]
    DEFAULT_CSS = """
    DuplicateDialog { align: center middle; }
    DuplicateDialog .wide { width: 90; max-width: 100%; height: auto; max-height: 100%;
        border: round $warning; padding: 0 2; background: $panel; }
    DuplicateDialog .dup { height: auto; margin: 0 0 1 0; }
    DuplicateDialog .dup Button { width: auto; min-width: 10; }
    DuplicateDialog .dup Static { width: 1fr; padding: 1 1 0 1; }
    DuplicateDialog .buttons { height: auto; }
    DuplicateDialog .buttons Button { margin: 0 1 0 0; }
    """

    def __init__(self, dups, open_label: str = "Открыть", create_label: str = "Всё равно создать нового") -> None:
        super().__init__()
        self.dups = dups
        self.open_label = open_label
        self.create_label = create_label

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="wide"):
            yield Label("Похоже, этот человек уже есть в реестре", classes="dialog-title")
            for d in self.dups:
                with Horizontal(classes="dup"):
                    yield Button(self.open_label, id=f"dup-{d.id}")
                    yield Static(
                        Text.assemble(
                            (d.full_name, "bold"),
                            f"  {clock.fmt_date(d.birth_date)}  {d.department}  — ",
                            (d.reason, "yellow"),
                        )
                    )
            with Horizontal(classes="buttons"):
                yield Button("Вернуться к форме", variant="primary", id="dup-back")
                yield Button(self.create_label, variant="warning", id="dup-create")

    def on_mount(self) -> None:
        self.query_one("#dup-back", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        bid = event.button.id or ""
        if bid == "dup-create":
            self.dismiss("create")
        elif bid == "dup-back":
            self.dismiss(None)
        else:
            self.dismiss(int(bid.removeprefix("dup-")))

    def action_cancel(self) -> None:
        self.dismiss(None)


KIND_OPTIONS = [("законный представитель", "representative"), ("родственник", "relative"), ("друг", "friend")]


class PersonDialog(EditFlow, CompactWhenShort, ModalScreen[bool]):
    """Add or edit a legal representative, relative or friend with phones and messengers."""

    BINDINGS = [
        Binding("escape", "leave", "Отмена", id="person.cancel", tooltip="Закрыть (спросит о несохранённом)"),
        Binding("ctrl+s", "save", "Сохранить", priority=True, id="person.save", tooltip="Проверить и сохранить"),
    ]
    DEFAULT_CSS = """
    PersonDialog { align: center middle; }
    PersonDialog > VerticalScroll { width: 100; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; padding: 0 2; background: $panel; }
    PersonDialog .row { height: auto; }
    PersonDialog .row > * { width: 1fr; }
    PersonDialog .sel { height: auto; }
    PersonDialog .sel > Label { padding: 0 1; color: $text-muted; }
    PersonDialog .sel > Select.-textual-compact { margin: 0 1; }
    PersonDialog .buttons { height: auto; margin: 1 0 0 0; }
    PersonDialog .buttons Button { margin: 0 1 0 0; }
    """

    def __init__(self, client_id: int, person=None) -> None:
        super().__init__()
        self.client_id = client_id
        self.person = person
        self.init_edit_flow(f"person:{client_id}:{person.kind}:{person.id}" if person else f"person:{client_id}:new")
        self._namesake_asked: tuple | None = None  # the name the user confirmed is another person's

    def compose(self) -> ComposeResult:
        p = self.person
        kind = p.kind if p else "representative"
        with VerticalScroll():
            yield Label("Изменить" if p else "Добавить человека", classes="dialog-title")
            with Horizontal(classes="row"):
                with Vertical(classes="sel"):
                    yield Label("Кто это")
                    yield Select(KIND_OPTIONS, value=kind, allow_blank=False, id="p-kind")
                yield LabeledInput(
                    "Кем приходится",
                    value=p.relation if p else "",
                    placeholder="мать, дочь, соседка…",
                    required=True,
                    id="p-relation",
                )
            with Horizontal(classes="row"):
                yield LabeledInput(
                    "Фамилия", value=p.last_name if p else "", validator=svc.validate_name_part, id="p-last"
                )
                yield LabeledInput(
                    "Имя",
                    value=p.first_name if p else "",
                    validator=svc.validate_name_part,
                    required=True,
                    id="p-first",
                )
                yield LabeledInput(
                    "Отчество", value=p.patronymic if p else "", validator=svc.validate_name_part, id="p-patr"
                )
            with Horizontal(classes="row"):
                yield LabeledInput(
                    "Телефоны (через запятую)",
                    value=", ".join(_fmt(x) for x in p.phones) if p else "",
                    validator=svc.parse_phones,
                    id="p-phones",
                )
                yield LabeledInput("Когда удобно звонить", value=p.preferred_call_time if p else "", id="p-time")
            with Horizontal(classes="row"):
                yield from messenger_fields("pm", p.messengers if p else None)
            yield LabeledInput("Примечание", value=p.notes if p else "", id="p-notes")
            yield Static("", id="p-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Сохранить", variant="primary", id="p-save")
                yield Button("Отмена", id="p-cancel")

    def on_mount(self) -> None:
        self.query_one("#p-relation", LabeledInput).input.focus()
        self.mark_loaded()
        self._load_draft()

    @db_work(group="draft", action="открыть черновик")
    def _load_draft(self) -> None:
        from soptui.services import drafts

        draft = drafts.load_draft(self.draft_key)
        if draft:
            self.app.call_from_thread(
                self.offer_draft, draft, "Есть несохранённый черновик этой записи. Восстановить его?", self._resume
            )

    def _resume(self, draft: dict) -> None:
        self.fill(draft["values"])
        if self.person is not None and draft.get("version") not in (None, self.person.version):
            self.query_one("#p-error", Static).update(
                "Запись изменили после того, как был сохранён черновик: проверьте поля перед сохранением."
            )

    def raw_values(self) -> dict:
        values = {w.id: w.value for w in self.query(LabeledInput)}
        values["p-kind"] = self.query_one("#p-kind", Select).value
        return values

    def fill(self, values: dict) -> None:
        for w in self.query(LabeledInput):
            if w.id in values:
                w.value = values[w.id] or ""
        if values.get("p-kind") in {code for _label, code in KIND_OPTIONS}:
            self.query_one("#p-kind", Select).value = values["p-kind"]

    def draft_payload(self) -> dict:
        return {"values": self.raw_values(), "version": self.person.version if self.person else None}

    def on_input_changed(self) -> None:
        self.note_change()

    def on_select_changed(self) -> None:
        self.note_change()

    def leave(self, result=None) -> None:
        self.dismiss(False)

    @on(Button.Pressed, "#p-cancel")
    def _cancel_pressed(self) -> None:
        self.action_leave()

    @on(Button.Pressed, "#p-save")
    def action_save(self) -> None:
        kind = self.query_one("#p-kind", Select).value
        ok = True
        values, bad = {}, set()
        for fid in ("p-relation", "p-last", "p-first", "p-patr", "p-phones", "p-time", "p-notes"):
            good, value = self.query_one(f"#{fid}", LabeledInput).check()
            ok &= good
            values[fid] = value
            if not good:
                bad.add(fid)
        # a surname refused by its own check (too long, control characters) keeps that check's message
        if kind == "representative" and "p-last" not in bad and not values["p-last"]:
            self.query_one("#p-last", LabeledInput).show_error("Для законного представителя укажите фамилию.")
            ok = False
        good, messengers = check_messengers(self, "pm")
        ok &= good
        if not ok:
            self.query_one("#p-error", Static).update("Исправьте поля, отмеченные красным.")
            return
        data = svc.PersonData(
            kind=kind,
            relation=values["p-relation"] or "",
            last_name=values["p-last"] or "",
            first_name=values["p-first"] or "",
            patronymic=values["p-patr"] or "",
            preferred_call_time=values["p-time"] or "",
            notes=values["p-notes"] or "",
            phones=values["p-phones"] or [],
            messengers=messengers,
        )
        self._write(data)

    @db_work(exclusive=True, group="person")
    def _write(self, data) -> None:
        from soptui.services.errors import ConflictError, RecordGone

        p = self.person
        person_id, version = (p.id, p.version) if p else (None, None)
        name = (data.last_name, data.first_name, data.patronymic)
        if self._namesake_asked != name:
            twin = svc.namesake(self.client_id, data, (p.kind, p.id) if p else None)
            if twin is not None:
                self.app.call_from_thread(self._ask_namesake, twin, name)
                return
        if p and (p.kind == "representative") != (data.kind == "representative"):
            # moving between a representative and a relative: a new row of the other kind
            try:
                svc.delete_person(self.client_id, "representative" if p.kind == "representative" else "contact", p.id)
            except RecordGone:
                pass
            person_id = version = None
        try:
            svc.save_person(self.client_id, data, person_id, version)
        except svc.ClientGone:
            self.app.call_from_thread(
                self.query_one("#p-error", Static).update, "Клиента удалил другой пользователь: сохранить некуда."
            )
            return
        except RecordGone:
            self.app.call_from_thread(
                self.query_one("#p-error", Static).update,
                "Эту запись удалил другой пользователь. Закройте окно и добавьте заново.",
            )
            return
        except ConflictError:
            theirs = svc.get_person(self.client_id, p.kind, p.id)
            self.app.call_from_thread(self._conflict, theirs)
            return
        self.drop_draft()
        self.app.call_from_thread(self._saved)

    def _saved(self) -> None:
        self.mark_saved()
        self.dismiss(True)

    def _ask_namesake(self, twin, name: tuple) -> None:
        """One person recorded twice is a double click or a colleague's minute-old entry; a namesake is rare."""
        self._namesake_asked = name
        role = dict((code, label) for label, code in KIND_OPTIONS).get(twin.kind, "")
        self.query_one("#p-last", LabeledInput).show_error(f"{twin.full_name} уже есть в деле: {role}.")
        self.query_one("#p-error", Static).update(
            "Такой человек уже записан. Если это другой человек, нажмите «Сохранить» ещё раз."
        )

    # the person's fields as the dialog shows them: (attribute, field id, text shown for a value)
    _FIELD_TEXT = [
        ("relation", "p-relation", str),
        ("last_name", "p-last", str),
        ("first_name", "p-first", str),
        ("patronymic", "p-patr", str),
        ("phones", "p-phones", lambda v: ", ".join(_fmt(x) for x in v)),
        ("preferred_call_time", "p-time", str),
        ("notes", "p-notes", str),
    ]

    def _conflict(self, theirs) -> None:
        """Someone saved this person since the dialog opened: merge and show what they changed.

        Fields left untouched here take the colleague's new values; fields typed here keep what was
        typed. The dialog then holds their version, so the next «Сохранить» writes the merged values;
        «Отмена» keeps the colleague's version as it is.
        """
        error = self.query_one("#p-error", Static)
        if theirs is None:
            error.update("Эту запись удалил другой пользователь. Закройте окно и добавьте заново.")
            return
        mine = self.person
        for name, field_id, text in self._FIELD_TEXT:
            field = self.query_one(f"#{field_id}", LabeledInput)
            if field.value == text(getattr(mine, name)) and getattr(mine, name) != getattr(theirs, name):
                field.value = text(getattr(theirs, name))

        def show(value) -> str:
            if isinstance(value, list):
                value = ", ".join(
                    _fmt(v) if isinstance(v, str) else f"{CHANNELS.get(v[0], v[0])} {v[1]}" for v in value
                )
            return f"«{value}»" if value else "пусто"

        lines = [
            f"{label}: было {show(before)}, стало {show(after)}"
            for label, before, after in svc.person_changes(mine, theirs)
        ]
        self.person = theirs
        error.update(
            "Пока вы редактировали, запись изменил другой пользователь:\n"
            + "\n".join(lines or ["—"])
            + "\nПоля, которые вы не трогали, обновлены; ваши правки остались. Проверьте и нажмите "
            "«Сохранить» ещё раз, или «Отмена» — оставить версию коллеги."
        )


def _fmt(e164: str) -> str:
    from soptui.core.phones import format_phone

    return format_phone(e164)
