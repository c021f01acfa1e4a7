"""The institution: what every form header, script and screen header says about it, and the workstation
settings (time zone, working hours, idle lock, output folder, print command). The pane shows them; E opens
the form (EditFlow: drafts, leave question, conflict review)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Label, Select, Static, TextArea

from soptui.screens.form_base import EditFlow
from soptui.services import institution as service
from soptui.widgets.fields import FieldError, LabeledInput
from soptui.widgets.footer import KeysFooter
from soptui.widgets.header import AppHeader
from soptui.widgets.textbox import TextBox, boxes_ok
from soptui.widgets.workers import db_work


def _minutes(text: str) -> int:
    try:
        n = int(text.strip())
    except ValueError:
        raise ValueError("Целое число минут, например 10.") from None
    if not 1 <= n <= 240:
        raise ValueError("От 1 до 240 минут.")
    return n


def _wait_days(text: str) -> int:
    try:
        n = int(text.strip())
    except ValueError:
        raise ValueError("Целое число рабочих дней, от 1 до 4.") from None
    if not 1 <= n <= 4:
        raise ValueError("По СОП 04 — от 1 до 4 рабочих дней.")
    return n


def _time(text: str) -> str:
    from soptui.core import clock

    return f"{clock.parse_time(text):%H:%M}"


class InstitutionPane(VerticalScroll, can_focus=True):
    """The settings as stored, in words; E (or Enter) opens the form."""

    DEFAULT_CSS = """
    InstitutionPane { height: 1fr; padding: 0 1; }
    InstitutionPane:focus { background-tint: $foreground 3%; }
    InstitutionPane #inst-view { height: auto; }
    InstitutionPane #inst-hint { color: $text-muted; height: auto; margin: 1 0 0 0; }
    """
    BINDINGS = [
        Binding("e,enter", "edit", "Изменить", id="admin.institution.edit", tooltip="Изменить сведения и настройки"),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.info: service.InstitutionInfo | None = None

    def compose(self) -> ComposeResult:
        yield Static("Загрузка…", id="inst-view")
        yield Static(
            "Полное наименование — в шапке каждой печатной формы и в сценариях звонков; краткое — в заголовке "
            "экрана. E — изменить.",
            id="inst-hint",
        )

    def on_mount(self) -> None:
        self.reload()

    def focus_main(self) -> None:
        self.focus()

    def reload(self) -> None:
        self._load()

    @db_work(exclusive=True, group="admin-institution")
    def _load(self) -> None:
        from soptui.services import output

        info = service.get()
        folder = info.output_dir or f"{output.default_output_dir()} (по умолчанию)"
        self.app.call_from_thread(self._show, info, folder)

    def _show(self, info: service.InstitutionInfo, folder: str) -> None:
        import os

        self.info = info
        table = Table.grid(padding=(0, 1), expand=True)
        table.add_column(style="dim", no_wrap=True, width=16)
        table.add_column(ratio=1)
        zone = service.TIMEZONES.get(info.timezone, info.timezone)
        env = os.environ.get("SOPTUI_OUTPUT")
        rows = [
            ("Полное", info.full_name),
            ("Краткое", info.short_name),
            ("Адрес", info.address or "—"),
            ("Телефон", info.phone or "—"),
            ("Рабочее время", f"{info.work_start}–{info.work_end}, {zone}"),
            ("Блокировка", f"через {info.idle_lock_minutes} мин бездействия"),
            ("СОП 04", f"первая услуга — не позже {info.service_wait_days} раб. дн. после регистрации"),
            ("Папка для PDF", folder + (f" (на этом рабочем месте: {env})" if env else "")),
            ("Команда печати", info.print_command or "нет: PDF только сохраняются в папку"),
        ]
        for label, value in rows:
            table.add_row(label, Text(value))
        self.query_one("#inst-view", Static).update(table)

    def action_edit(self) -> None:
        self.app.push_screen(InstitutionFormScreen(), self._saved)

    def _saved(self, info: service.InstitutionInfo | None) -> None:
        if info is not None:
            from soptui.core import clock

            clock.set_timezone(info.timezone)  # this workstation at once; the others at their next start
            self.app.institution = info.full_name
            self.app.institution_short = info.short_name
            for header in self.screen.query(AppHeader):
                header.institution = info.short_name
        self.reload()


class InstitutionFormScreen(EditFlow, Screen[service.InstitutionInfo | None]):
    """The institution's details and settings; saved in one versioned change."""

    DEFAULT_CSS = """
    InstitutionFormScreen #if-scroll { height: 1fr; padding: 0 1; }
    InstitutionFormScreen .if-row { height: auto; }
    InstitutionFormScreen .if-row > * { width: 1fr; }
    InstitutionFormScreen Select { margin: 0 1; }
    InstitutionFormScreen SelectCurrent #label { text-wrap: nowrap; text-overflow: ellipsis; }
    InstitutionFormScreen .if-row > .if-select { width: 2fr; }
    InstitutionFormScreen #if-full_name { margin: 0 1; }
    InstitutionFormScreen .if-label { padding: 0 1; }
    InstitutionFormScreen .if-hint { color: $text-muted; padding: 0 1; height: auto; }
    InstitutionFormScreen #if-full_name { height: 5; }
    InstitutionFormScreen .if-select { height: auto; width: 1fr; }
    InstitutionFormScreen #if-buttons { height: auto; margin: 1 0; }
    InstitutionFormScreen #if-buttons Button { margin: 0 1 0 0; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", "Сохранить", id="institution_form.save", tooltip="Сохранить сведения"),
        Binding("escape", "leave", "Закрыть", id="institution_form.close", tooltip="Закрыть форму"),
    ]
    LEAVE_QUESTION = "Изменения сведений об учреждении не сохранены."
    CONFLICT_TITLE = "Сведения об учреждении изменил другой администратор, пока форма была открыта"
    FIELD_LABELS = {
        "full_name": "Полное наименование",
        "short_name": "Краткое наименование",
        "address": "Адрес",
        "phone": "Телефон",
        "timezone": "Часовой пояс",
        "work_start": "Начало рабочего дня",
        "work_end": "Конец рабочего дня",
        "idle_lock_minutes": "Блокировка экрана, мин",
        "service_wait_days": "Срок первой услуги (СОП 04)",
        "output_dir": "Папка для PDF",
        "print_command": "Команда печати",
    }
    INPUTS = (
        "short_name",
        "phone",
        "address",
        "work_start",
        "work_end",
        "idle_lock_minutes",
        "service_wait_days",
        "output_dir",
        "print_command",
    )

    def __init__(self) -> None:
        super().__init__()
        self.version: int | None = None
        self.init_edit_flow("institution")

    def compose(self) -> ComposeResult:
        yield AppHeader()
        with VerticalScroll(id="if-scroll"):
            yield Static("Сведения об учреждении", classes="dialog-title")
            yield Label("Полное наименование с формой собственности *", classes="if-label")
            yield TextBox(id="if-full_name", soft_wrap=True)
            yield FieldError(id="if-full_name-error", classes="-empty")
            with Horizontal(classes="if-row"):
                yield LabeledInput(
                    "Краткое наименование", id="if-short_name", required=True, compact=True, max_length=400
                )
                yield LabeledInput(
                    "Телефон", id="if-phone", compact=True, max_length=400, placeholder="+7 (343) 000-00-00"
                )
            yield LabeledInput("Адрес", id="if-address", compact=True, max_length=400)
            with Horizontal(classes="if-row"):
                with Vertical(classes="if-select"):
                    yield Label("Часовой пояс *", classes="if-label")
                    yield Select(
                        [(label, name) for name, label in service.TIMEZONES.items()],
                        id="if-timezone",
                        allow_blank=False,
                        compact=True,
                        value="Asia/Yekaterinburg",
                    )
                yield LabeledInput(
                    "Рабочий день с", id="if-work_start", validator=_time, required=True, compact=True, max_length=5
                )
                yield LabeledInput("до", id="if-work_end", validator=_time, required=True, compact=True, max_length=5)
            with Horizontal(classes="if-row"):
                yield LabeledInput(
                    "Блокировка экрана через, мин",
                    id="if-idle_lock_minutes",
                    validator=_minutes,
                    required=True,
                    compact=True,
                    max_length=3,
                )
                yield LabeledInput(
                    "Первая услуга (СОП 04), раб. дн.",
                    id="if-service_wait_days",
                    validator=_wait_days,
                    required=True,
                    compact=True,
                    max_length=1,
                )
            yield LabeledInput("Папка для PDF и выгрузок", id="if-output_dir", compact=True, max_length=400)
            yield Static("", id="if-output-hint", classes="if-hint")
            yield LabeledInput(
                "Команда печати",
                id="if-print_command",
                compact=True,
                max_length=400,
                placeholder="например, lp -d ПРИНТЕР",
            )
            yield Static(
                "Каждый PDF, кроме сохранения в папку, отправляется этой команде (файл — последним "
                "параметром). Пусто — только в папку. Блокировка действует со следующего входа, часовой пояс на других "
                "рабочих местах — со следующего запуска программы.",
                classes="if-hint",
            )
            yield FieldError(id="if-error", classes="-empty")
            with Horizontal(id="if-buttons"):
                yield Button("Сохранить (Ctrl+S)", id="if-save", variant="primary")
                yield Button("Закрыть (Esc)", id="if-close")
        yield KeysFooter()

    def on_mount(self) -> None:
        header = self.query_one(AppHeader)
        header.section = "Администрирование"
        header.institution = getattr(self.app, "institution_short", "")
        actor = getattr(self.app, "actor", None)
        header.person = f"{actor.short_name} ({actor.position_label})" if actor else ""
        self._load()

    @db_work(exclusive=True, group="institution-form")
    def _load(self) -> None:
        import os

        from soptui.services import drafts

        info = service.get()
        draft = drafts.load_draft(self.draft_key)
        env = os.environ.get("SOPTUI_OUTPUT")
        hint = "Полный путь; пусто — папка «Документы/soptui» в домашней папке каждого сотрудника."
        if env:
            hint += f" На этом рабочем месте папку задаёт переменная окружения: {env}."
        self.app.call_from_thread(self._show, info, draft, hint)

    def _show(self, info: service.InstitutionInfo, draft, hint: str) -> None:
        self.version = info.version
        self.query_one("#if-output-hint", Static).update(hint)
        self.fill(self._values_of(info))
        stored = self.raw_values()
        self.offer_draft(
            draft, "Есть несохранённый черновик этой формы. Восстановить?", lambda d: self.fill(d["values"])
        )
        self.query_one("#if-full_name", TextArea).focus()
        self.call_after_refresh(self.mark_loaded, stored)

    @staticmethod
    def _values_of(info: service.InstitutionInfo) -> dict:
        return {
            "full_name": info.full_name,
            "short_name": info.short_name,
            "address": info.address,
            "phone": info.phone,
            "timezone": info.timezone,
            "work_start": info.work_start,
            "work_end": info.work_end,
            "idle_lock_minutes": str(info.idle_lock_minutes),
            "service_wait_days": str(info.service_wait_days),
            "output_dir": info.output_dir,
            "print_command": info.print_command,
        }

    def fill(self, v: dict) -> None:
        if "full_name" in v:
            self.query_one("#if-full_name", TextArea).load_text(v["full_name"] or "")
        for key in self.INPUTS:
            if key in v:
                self.query_one(f"#if-{key}", LabeledInput).value = v[key] or ""
        if v.get("timezone"):
            select = self.query_one("#if-timezone", Select)
            if v["timezone"] not in service.TIMEZONES:  # stored from the command line: keep it selectable
                select.set_options(
                    [(label, name) for name, label in service.TIMEZONES.items()] + [(v["timezone"], v["timezone"])]
                )
            select.value = v["timezone"]

    def raw_values(self) -> dict:
        values = {key: self.query_one(f"#if-{key}", LabeledInput).value for key in self.INPUTS}
        values["full_name"] = self.query_one("#if-full_name", TextArea).text
        tz = self.query_one("#if-timezone", Select).value
        values["timezone"] = tz if isinstance(tz, str) else ""
        return values

    def load_stored(self):
        info = service.get()
        return self._values_of(info), info.version

    def on_input_changed(self) -> None:
        self.note_change()

    def on_text_area_changed(self) -> None:
        self.note_change()

    def on_select_changed(self) -> None:
        self.note_change()

    # --- save ---

    @on(Button.Pressed, "#if-save")
    def action_save(self) -> None:
        if not boxes_ok(self):
            return
        for field in self.query(LabeledInput):
            field.show_error(None)
        for error in self.query(FieldError):
            if error.id in ("if-error", "if-full_name-error"):
                error.show(None)
        ok = True
        cleaned = {}
        for key in self.INPUTS:
            good, value = self.query_one(f"#if-{key}", LabeledInput).check()
            ok = ok and good
            cleaned[key] = value if value is not None else ""
        full = " ".join(self.query_one("#if-full_name", TextArea).text.split())
        if not full:
            self.query_one("#if-full_name-error", FieldError).show("Обязательное поле.")
            ok = False
        if not ok:
            self.query_one("#if-error", FieldError).show("Исправьте поля, отмеченные красным.")
            self.leave_after_save = False
            return
        cleaned["full_name"] = full
        cleaned["timezone"] = self.raw_values()["timezone"]
        self.query_one("#if-error", FieldError).show("Сохранение…")
        self._save(cleaned)

    @db_work(exclusive=True, group="institution-save", action="сохранить сведения об учреждении")
    def _save(self, values: dict) -> None:
        try:
            saved, info = self.guarded_save(
                lambda: service.update(actor=self.app.actor, version=self.version, **values),
                "Сведения об учреждении удалены.",
            )
        except service.SettingsError as exc:
            self.app.call_from_thread(self._failed, str(exc), exc.field)
            return
        if saved:
            self.app.call_from_thread(self._saved, info)
        else:
            self.app.call_from_thread(self.query_one("#if-error", FieldError).show, None)

    def _failed(self, message: str, field: str) -> None:
        self.leave_after_save = False
        self.query_one("#if-error", FieldError).show(None)
        if field == "full_name":
            self.query_one("#if-full_name-error", FieldError).show(message)
        elif field in self.INPUTS:
            self.query_one(f"#if-{field}", LabeledInput).show_error(message)
            self.query_one(f"#if-{field}", LabeledInput).input.focus()
        else:
            self.query_one("#if-error", FieldError).show(message)
        self.notify(message, severity="error", timeout=8)

    def _saved(self, info: service.InstitutionInfo) -> None:
        self.mark_saved()
        self.notify("Сведения об учреждении сохранены.")
        self.dismiss(info)

    @on(Button.Pressed, "#if-close")
    def _close_pressed(self) -> None:
        self.action_leave()
