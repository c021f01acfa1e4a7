"""Staff: the paged list (search by name or login), the staff form (EditFlow: drafts, leave question,
conflict review), the password dialog (typed twice, or a temporary one shown once) and allowing or stopping
a person's sign-in. Passwords never reach a draft, the log or the audit."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Checkbox, DataTable, Input, Label, Select, Static

from soptui.domain.labels import POSITIONS, ROLES
from soptui.screens.form_base import EditFlow
from soptui.services import staff as service
from soptui.widgets.dialogs import ConfirmDialog
from soptui.widgets.fields import FieldError, LabeledInput
from soptui.widgets.footer import KeysFooter
from soptui.widgets.header import AppHeader
from soptui.widgets.paged_table import PagedTable
from soptui.widgets.workers import db_work

ROLE_SHORT = {"specialist": "специалист", "head": "заведующий", "admin": "администратор"}
NO_DEPARTMENT = "весь центр (без отделения)"


class StaffPane(Vertical):
    """The staff list: a page at a time from the database, the detail of the row under the cursor."""

    DEFAULT_CSS = """
    StaffPane { height: 1fr; }
    StaffPane #staff-search { height: 1; margin: 0 1; }
    StaffPane #staff-search > Label { width: auto; padding: 0 1 0 0; color: $text-muted; }
    StaffPane #staff-query { width: 1fr; }
    StaffPane #staff-count { height: 1; padding: 0 1; }
    StaffPane PagedTable { height: 1fr; }
    StaffPane #staff-detail { height: 2; padding: 0 1; background: $boost; }
    """
    BINDINGS = [
        Binding("ctrl+n", "new", "Новый", id="admin.staff.new", tooltip="Новый сотрудник (учётная запись)"),
        Binding("p", "password", "Пароль", id="admin.staff.password", tooltip="Сбросить пароль сотрудника"),
        Binding("d", "toggle_active", "Вход", id="admin.staff.active", tooltip="Разрешить или запретить вход"),
        Binding("pagedown", "page(1)", "Стр.→", show=False, id="admin.staff.next", tooltip="Следующая страница"),
        Binding("pageup", "page(-1)", "←Стр.", show=False, id="admin.staff.prev", tooltip="Предыдущая страница"),
        Binding("slash", "search", "Поиск", show=False, id="admin.staff.search", tooltip="К строке поиска"),
    ]
    PAGE = service.PAGE_SIZE

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.page: service.StaffPage | None = None
        self.page_offset = 0
        self._layout: str | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="staff-search"):
            yield Label("Поиск:")
            yield Input(placeholder="фамилия, имя или логин", id="staff-query", compact=True, max_length=60)
        yield Static("Загрузка…", id="staff-count")
        yield PagedTable(id="staff-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="staff-detail")

    def on_mount(self) -> None:
        self._columns()
        self.reload()

    def focus_main(self) -> None:
        self.query_one("#staff-table", PagedTable).focus()

    # (key, title, width; 0 = what is left): at 80 columns the name, login, role, department and state;
    # the position joins them from 100 columns, and always shows in the detail line below
    LAYOUTS = {
        "wide": [
            ("name", "ФИО", 0),
            ("login", "Логин", 14),
            ("role", "Роль", 13),
            ("position", "Должность", 31),
            ("department", "Отдел.", 6),
            ("active", "Вход", 9),
        ],
        "narrow": [
            ("name", "ФИО", 0),
            ("login", "Логин", 12),
            ("role", "Роль", 13),
            ("department", "Отдел.", 6),
            ("active", "Вход", 9),
        ],
    }

    def _columns(self) -> None:
        width = self.size.width or self.app.size.width
        layout = "wide" if width >= 100 else "narrow"
        if layout == self._layout:
            return
        self._layout = layout
        table = self.query_one("#staff-table", PagedTable)
        table.clear(columns=True)
        columns = self.LAYOUTS[layout]
        fixed = sum(w for _k, _t, w in columns) + 2 * len(columns) + 2
        for key, title, w in columns:
            table.add_column(title, width=w or max(width - fixed, 16), key=key)
        if self.page is not None:
            self._show(self.page)

    def on_resize(self) -> None:
        self._columns()

    def reload(self) -> None:
        self._load(self.query_one("#staff-query", Input).value, self.page_offset)

    @db_work(exclusive=True, group="admin-staff")
    def _load(self, query: str, offset: int) -> None:
        page = service.staff_page(query, offset, self.PAGE, self.app.actor)
        self.app.call_from_thread(self._show, page)

    def _show(self, page: service.StaffPage) -> None:
        self.page = page
        self.page_offset = page.offset
        table = self.query_one("#staff-table", PagedTable)
        keep = table.cursor_row
        table.clear()
        name_width = table.columns["name"].width if "name" in table.columns else 20
        for r in page.rows:
            style = "" if r.active else "dim"
            cells = {
                "name": Text(r.full_name if len(r.full_name) <= name_width else r.short_name, style=style),
                "login": Text(r.login, style=style),
                "role": Text(ROLE_SHORT.get(r.role, r.role_label), style=style),
                "position": Text(r.position_label, style=style),
                "department": Text(r.department or "—", style=style),
                "active": Text("да", style="green") if r.active else Text("отключён", style="bold red"),
            }
            table.add_row(*(cells[k] for k, _t, _w in self.LAYOUTS[self._layout]), key=str(r.id))
        if page.rows and keep is not None:
            table.move_cursor(row=min(keep, len(page.rows) - 1))
        pages = max(1, -(-page.total // page.limit)) if page.limit else 1
        number = page.offset // page.limit + 1 if page.limit else 1
        paging = f" · страница {number} из {pages} (PgDn/PgUp)" if pages > 1 else ""
        stopped = f", вход запрещён: {page.total - page.active}" if page.total > page.active else ""
        self.query_one("#staff-count", Static).update(f"Сотрудников: {page.total}{stopped}{paging}")
        self._detail()

    def current(self) -> service.StaffListRow | None:
        table = self.query_one("#staff-table", PagedTable)
        if not self.page or not self.page.rows or table.cursor_row is None:
            return None
        if table.cursor_row >= len(self.page.rows):
            return None
        return self.page.rows[table.cursor_row]

    @on(DataTable.RowHighlighted, "#staff-table")
    def _detail(self) -> None:
        row = self.current()
        detail = self.query_one("#staff-detail", Static)
        if row is None:
            detail.update("Никого не найдено." if self.page else "")
            return
        text = Text()
        text.append(row.full_name, style="bold")
        text.append(f" — {row.position_label}; {row.role_label}")
        text.append(f"; {row.department}" if row.department else "; весь центр")
        text.append("\n")
        text.append("вход разрешён" if row.active else "вход запрещён (учётная запись отключена)")
        text.append(" · Enter — изменить, P — пароль, D — вход", style="dim")
        detail.update(text)

    @on(Input.Changed, "#staff-query")
    def _query_changed(self) -> None:
        self.page_offset = 0
        self.reload()

    @on(Input.Submitted, "#staff-query")
    def _to_table(self) -> None:
        self.focus_main()

    @on(PagedTable.PageRequest)
    def _page_request(self, event: PagedTable.PageRequest) -> None:
        event.stop()
        self.action_page(event.step)

    def action_page(self, step: int) -> None:
        page = self.page
        if page is None or not page.limit:
            return
        offset = page.offset + step * page.limit
        if 0 <= offset < page.total:
            self._load(self.query_one("#staff-query", Input).value, offset)

    def action_search(self) -> None:
        self.query_one("#staff-query", Input).focus()

    # --- actions ------------------------------------------------------------------------------------

    @on(DataTable.RowSelected, "#staff-table")
    def action_open(self) -> None:
        row = self.current()
        if row is not None:
            self.app.push_screen(StaffFormScreen(row.id), self._saved)

    def action_new(self) -> None:
        self.app.push_screen(StaffFormScreen(None), self._saved)

    def _saved(self, result) -> None:
        self.reload()

    def action_password(self) -> None:
        row = self.current()
        if row is not None:
            self.app.push_screen(PasswordDialog(row.id, row.full_name, row.login), lambda _ok: self.reload())

    def action_toggle_active(self) -> None:
        row = self.current()
        if row is None:
            return
        question = (
            f"Запретить вход сотруднику {row.full_name} (логин {row.login})? Записи остаются за ним; "
            "вход можно снова разрешить."
            if row.active
            else f"Разрешить вход сотруднику {row.full_name} (логин {row.login})?"
        )
        yes = "Запретить вход" if row.active else "Разрешить вход"
        self.app.push_screen(
            ConfirmDialog(question, yes, "Отмена", danger=row.active),
            lambda ok: self._set_active(row.id, not row.active) if ok else None,
        )

    @db_work(exclusive=True, group="admin-staff-active", action="изменить доступ сотрудника")
    def _set_active(self, staff_id: int, active: bool) -> None:
        try:
            card = service.set_staff_active(staff_id, active, actor=self.app.actor)
        except service.StaffError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", timeout=10)
            return
        except service_errors().RecordGone:
            self.app.call_from_thread(self.notify, "Сотрудника удалили.", severity="error")
            return
        said = "разрешён" if card.data.active else "запрещён"
        self.app.call_from_thread(self.notify, f"Вход для логина {card.data.login} {said}.")
        self.app.call_from_thread(self.reload)


def service_errors():
    from soptui.services import errors

    return errors


# --- the staff form -----------------------------------------------------------------------------------


def _select_value(select: Select):
    v = select.value
    return None if v is Select.BLANK or v == Select.NULL else v


class StaffFormScreen(EditFlow, Screen[int | None]):
    """Add or change a member of staff: name, login, role, position, department, sign-in allowed.

    A new account gets the password typed twice here, or a temporary one shown once after saving.
    """

    DEFAULT_CSS = """
    StaffFormScreen #sf-scroll { height: 1fr; padding: 0 1; }
    StaffFormScreen .sf-row { height: auto; }
    StaffFormScreen .sf-row > * { width: 1fr; }
    StaffFormScreen Select { margin: 0 1; }
    StaffFormScreen SelectCurrent #label { text-wrap: nowrap; text-overflow: ellipsis; }
    StaffFormScreen .sf-select { height: auto; width: 1fr; }
    StaffFormScreen .sf-select > Label { color: $text; padding: 0 1; }
    StaffFormScreen .sf-hint { color: $text-muted; padding: 0 1; height: auto; }
    StaffFormScreen #sf-active { margin: 1 1 0 1; }
    StaffFormScreen #sf-buttons { height: auto; margin: 1 0; }
    StaffFormScreen #sf-buttons Button { margin: 0 1 0 0; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", "Сохранить", id="staff_form.save", tooltip="Сохранить сотрудника"),
        Binding("escape", "leave", "Закрыть", id="staff_form.close", tooltip="Закрыть форму"),
    ]
    AUTO_RESUME = False
    LEAVE_QUESTION = "Изменения сотрудника не сохранены."
    CONFLICT_TITLE = "Сотрудника изменил другой администратор, пока форма была открыта"
    FIELD_LABELS = {
        "last_name": "Фамилия",
        "first_name": "Имя",
        "patronymic": "Отчество",
        "login": "Логин",
        "role": "Роль",
        "position": "Должность",
        "department": "Отделение",
        "new_department": "Новое отделение",
        "active": "Вход разрешён",
    }
    INPUTS = ("last_name", "first_name", "patronymic", "login", "new_department")

    def __init__(self, staff_id: int | None) -> None:
        super().__init__()
        self.staff_id = staff_id
        self.version: int | None = None
        self.card: service.StaffCard | None = None
        self._department_ids: set[int] = set()
        self.init_edit_flow(f"staff:{staff_id or 'new'}")

    def compose(self) -> ComposeResult:
        yield AppHeader()
        new = self.staff_id is None
        with VerticalScroll(id="sf-scroll"):
            yield Static("Новый сотрудник" if new else "Сотрудник", classes="dialog-title", id="sf-title")
            with Horizontal(classes="sf-row"):
                yield LabeledInput("Фамилия", id="sf-last_name", required=True, compact=True, max_length=100)
                yield LabeledInput("Имя", id="sf-first_name", required=True, compact=True, max_length=100)
                yield LabeledInput("Отчество", id="sf-patronymic", compact=True, max_length=100)
            with Horizontal(classes="sf-row"):
                yield LabeledInput(
                    "Логин",
                    id="sf-login",
                    required=True,
                    compact=True,
                    max_length=40,
                    placeholder="латиницей, например petrova",
                )
                with Vertical(classes="sf-select"):
                    yield Label("Роль *")
                    yield Select(
                        [(v, k) for k, v in ROLES.items()],
                        id="sf-role",
                        value="specialist",
                        allow_blank=False,
                        compact=True,
                    )
            with Horizontal(classes="sf-row"):
                with Vertical(classes="sf-select"):
                    yield Label("Должность *")
                    yield Select(
                        [(v, k) for k, v in POSITIONS.items()],
                        id="sf-position",
                        value="social_work_specialist",
                        allow_blank=False,
                        compact=True,
                    )
                with Vertical(classes="sf-select"):
                    yield Label("Отделение")
                    yield Select([], prompt=NO_DEPARTMENT, id="sf-department", compact=True)
            yield LabeledInput(
                "Новое отделение (если его нет в списке)",
                id="sf-new_department",
                compact=True,
                max_length=200,
                placeholder="",
            )
            yield Static(
                "Роль: специалист видит дела своего отделения, заведующий — и отчёты отделения "
                "(без отделения — всего центра), администратор — этот раздел.",
                classes="sf-hint",
            )
            if new:
                with Horizontal(classes="sf-row"):
                    yield LabeledInput("Пароль", id="sf-password", password=True, compact=True, max_length=200)
                    yield LabeledInput("Пароль ещё раз", id="sf-password2", password=True, compact=True, max_length=200)
                yield Static(
                    "Пусто — программа создаст временный пароль и покажет его один раз после сохранения.",
                    classes="sf-hint",
                )
            else:
                yield Checkbox(
                    "Вход разрешён (снимите, чтобы отключить учётную запись)", True, id="sf-active", compact=True
                )
            yield FieldError(id="sf-error", classes="-empty")
            with Horizontal(id="sf-buttons"):
                yield Button("Сохранить (Ctrl+S)", id="sf-save", variant="primary")
                if not new:
                    yield Button("Сбросить пароль", id="sf-password-reset")
                yield Button("Закрыть (Esc)", id="sf-close")
        yield KeysFooter()

    def on_mount(self) -> None:
        header = self.query_one(AppHeader)
        header.section = "Администрирование"
        header.institution = getattr(self.app, "institution_short", "")
        actor = getattr(self.app, "actor", None)
        header.person = f"{actor.short_name} ({actor.position_label})" if actor else ""
        self._load()

    @db_work(exclusive=True, group="staff-form")
    def _load(self) -> None:
        from soptui.services import drafts
        from soptui.services.errors import RecordGone

        actor = self.app.actor
        departments = service.department_choices(actor)
        try:
            card = service.staff_card(self.staff_id, actor) if self.staff_id else None
        except RecordGone:
            self.app.call_from_thread(self.notify, "Сотрудника удалили.", severity="error")
            self.app.call_from_thread(self.dismiss, None)
            return
        draft = drafts.load_draft(self.draft_key)
        self.app.call_from_thread(self._show, departments, card, draft)

    def _show(self, departments, card: service.StaffCard | None, draft) -> None:
        self.card = card
        self.version = card.version if card else None
        self._department_ids = {d.id for d in departments}
        self.query_one("#sf-department", Select).set_options([(d.label, d.id) for d in departments])
        if card is not None:
            self.query_one("#sf-title", Static).update(f"Сотрудник: логин {card.data.login}")
            self.fill(self._values_of(card))
        stored = self.raw_values()
        self.offer_draft(
            draft, "Есть несохранённый черновик этой формы. Восстановить?", lambda d: self.fill(d["values"])
        )
        self.query_one("#sf-last_name", LabeledInput).input.focus()
        self.call_after_refresh(self.mark_loaded, stored)

    @staticmethod
    def _values_of(card: service.StaffCard) -> dict:
        d = card.data
        return {
            "last_name": d.last_name,
            "first_name": d.first_name,
            "patronymic": d.patronymic,
            "login": d.login,
            "role": d.role,
            "position": d.position,
            "department": d.department_id,
            "new_department": "",
            "active": d.active,
        }

    def fill(self, v: dict) -> None:
        for key in self.INPUTS:
            if key in v:
                self.query_one(f"#sf-{key}", LabeledInput).value = v[key] or ""
        if v.get("role") in ROLES:
            self.query_one("#sf-role", Select).value = v["role"]
        if v.get("position") in POSITIONS:
            self.query_one("#sf-position", Select).value = v["position"]
        if "department" in v:
            select = self.query_one("#sf-department", Select)
            if v["department"] in self._department_ids:
                select.value = v["department"]
            else:
                select.clear()
        if "active" in v and self.query("#sf-active"):
            self.query_one("#sf-active", Checkbox).value = bool(v["active"])

    def raw_values(self) -> dict:
        """What the draft keeps and the conflict review compares: never the passwords."""
        values = {key: self.query_one(f"#sf-{key}", LabeledInput).value for key in self.INPUTS}
        values["role"] = _select_value(self.query_one("#sf-role", Select))
        values["position"] = _select_value(self.query_one("#sf-position", Select))
        values["department"] = _select_value(self.query_one("#sf-department", Select))
        values["active"] = self.query_one("#sf-active", Checkbox).value if self.query("#sf-active") else True
        return values

    def load_stored(self):
        from soptui.services.errors import RecordGone

        if self.staff_id is None:
            return None
        try:
            card = service.staff_card(self.staff_id, self.app.actor)
        except RecordGone:
            return None
        return self._values_of(card), card.version

    def on_input_changed(self, event: Input.Changed) -> None:
        if "password" not in (event.input.parent.id or ""):  # passwords are neither drafted nor compared
            self.note_change()

    def on_select_changed(self) -> None:
        self.note_change()

    def on_checkbox_changed(self) -> None:
        self.note_change()

    # --- save ---

    @on(Button.Pressed, "#sf-save")
    def action_save(self) -> None:
        for field in self.query(LabeledInput):
            field.show_error(None)
        error = self.query_one("#sf-error", FieldError)
        ok = True
        for key in ("last_name", "first_name", "login"):
            good, _ = self.query_one(f"#sf-{key}", LabeledInput).check()
            ok = ok and good
        password = None
        if self.staff_id is None:
            first = self.query_one("#sf-password", LabeledInput)
            second = self.query_one("#sf-password2", LabeledInput)
            if first.value or second.value:
                if first.value != second.value:
                    second.show_error("Пароли не совпадают: введите один и тот же пароль дважды.")
                    ok = False
                else:
                    password = first.value
        if not ok:
            error.show("Исправьте поля, отмеченные красным.")
            self.leave_after_save = False
            return
        v = self.raw_values()
        data = service.StaffData(
            v["last_name"],
            v["first_name"],
            v["patronymic"],
            v["login"],
            v["position"] or "",
            v["role"] or "",
            v["department"],
            v["new_department"],
            bool(v["active"]),
        )
        error.show("Сохранение…")
        self._save(data, password)

    @db_work(exclusive=True, group="staff-save", action="сохранить сотрудника")
    def _save(self, data: service.StaffData, password: str | None) -> None:
        try:
            saved, result = self.guarded_save(
                lambda: service.save_staff(data, self.staff_id, self.version, password, self.app.actor),
                "Сотрудника удалил другой администратор.",
            )
        except service.StaffError as exc:
            self.app.call_from_thread(self._failed, str(exc), exc.field)
            return
        if saved:
            self.app.call_from_thread(self._saved, *result)
        else:
            self.app.call_from_thread(self.query_one("#sf-error", FieldError).show, None)

    def _failed(self, message: str, field: str) -> None:
        self.leave_after_save = False
        self.query_one("#sf-error", FieldError).show(None)
        target = f"#sf-{'password' if field == 'password' else field}"
        if field and self.query(target) and isinstance(self.query_one(target), LabeledInput):
            self.query_one(target, LabeledInput).show_error(message)
            self.query_one(target, LabeledInput).input.focus()
        else:
            self.query_one("#sf-error", FieldError).show(message)
        self.notify(message, severity="error", timeout=8)

    def _saved(self, staff_id: int, temporary: str) -> None:
        self.mark_saved()
        login = self.query_one("#sf-login", LabeledInput).value.strip().lower()
        if temporary:
            self.app.push_screen(TemporaryPasswordScreen(login, temporary), lambda _r: self.dismiss(staff_id))
            return
        self.notify("Сотрудник добавлен." if self.staff_id is None else "Изменения сохранены.")
        self.dismiss(staff_id)

    @on(Button.Pressed, "#sf-close")
    def _close_pressed(self) -> None:
        self.action_leave()

    @on(Button.Pressed, "#sf-password-reset")
    def _reset_pressed(self) -> None:
        if self.card is not None:
            d = self.card.data
            name = " ".join(p for p in (d.last_name, d.first_name, d.patronymic) if p)
            self.app.push_screen(PasswordDialog(self.card.id, name, d.login))


# --- passwords ------------------------------------------------------------------------------------------


class PasswordDialog(ModalScreen[bool | None]):
    """A new password for a member of staff: typed twice, or a temporary one made and shown once."""

    DEFAULT_CSS = """
    PasswordDialog { align: center middle; }
    PasswordDialog > #pw-box { width: 72; max-width: 100%; height: auto; max-height: 100%; }
    PasswordDialog #pw-text { height: auto; padding: 0 0 1 0; }
    PasswordDialog #pw-buttons { height: auto; margin: 1 0 0 0; }
    PasswordDialog #pw-buttons Button { margin: 0 1 0 0; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Отмена", id="password.cancel", tooltip="Закрыть, пароль не менять"),
        Binding("ctrl+s", "save", "Сохранить", id="password.save", tooltip="Сохранить введённый пароль"),
        Binding("ctrl+t", "temporary", "Временный", id="password.temporary", tooltip="Создать временный пароль"),
    ]

    def __init__(self, staff_id: int, name: str, login: str) -> None:
        super().__init__()
        self.staff_id, self.person, self.login = staff_id, name, login

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="pw-box", classes="dialog"):
            yield Static("Сброс пароля", classes="dialog-title")
            yield Static(
                f"{self.person} (логин {self.login}). Введите новый пароль дважды — или создайте временный: "
                "программа покажет его один раз.",
                id="pw-text",
            )
            yield LabeledInput("Новый пароль", id="pw-1", password=True, compact=True, max_length=200)
            yield LabeledInput("Пароль ещё раз", id="pw-2", password=True, compact=True, max_length=200)
            yield FieldError(id="pw-error", classes="-empty")
            with Horizontal(id="pw-buttons"):
                yield Button("Сохранить", id="pw-save", variant="primary")
                yield Button("Временный пароль", id="pw-temp")
                yield Button("Отмена", id="pw-cancel")

    def on_mount(self) -> None:
        self.query_one("#pw-1", LabeledInput).input.focus()

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        if event.input is self.query_one("#pw-1", LabeledInput).input:
            self.query_one("#pw-2", LabeledInput).input.focus()
        else:
            self.action_save()

    @on(Button.Pressed, "#pw-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#pw-save")
    def action_save(self) -> None:
        first, second = self.query_one("#pw-1", LabeledInput), self.query_one("#pw-2", LabeledInput)
        first.show_error(None)
        second.show_error(None)
        if not first.value:
            first.show_error("Введите новый пароль (или нажмите «Временный пароль»).")
            return
        if first.value != second.value:
            second.show_error("Пароли не совпадают: введите один и тот же пароль дважды.")
            return
        self.query_one("#pw-error", FieldError).show("Сохранение…")
        self._reset(first.value)

    @on(Button.Pressed, "#pw-temp")
    def action_temporary(self) -> None:
        self.query_one("#pw-error", FieldError).show("Сохранение…")
        self._reset(None)

    @db_work(exclusive=True, group="password", action="сменить пароль")
    def _reset(self, password: str | None) -> None:
        from soptui.services.errors import RecordGone

        try:
            temporary = service.reset_password(self.staff_id, password, self.app.actor)
        except service.StaffError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        except RecordGone:
            self.app.call_from_thread(self._failed, "Сотрудника удалили.")
            return
        self.app.call_from_thread(self._done, temporary)

    def _failed(self, message: str) -> None:
        self.query_one("#pw-error", FieldError).show(None)
        self.query_one("#pw-1", LabeledInput).show_error(message)

    def _done(self, temporary: str) -> None:
        if temporary:
            self.app.switch_screen(TemporaryPasswordScreen(self.login, temporary))
            return
        self.notify(f"Пароль для логина {self.login} изменён.")
        self.dismiss(True)


class TemporaryPasswordScreen(ModalScreen[None]):
    """The temporary password, shown this once: it is stored only as a hash and written nowhere."""

    DEFAULT_CSS = """
    TemporaryPasswordScreen { align: center middle; }
    TemporaryPasswordScreen > #tp-box { width: 64; max-width: 100%; height: auto; }
    TemporaryPasswordScreen #temp-password { text-style: bold; color: $warning; padding: 1 0; width: auto; }
    TemporaryPasswordScreen #tp-buttons { height: auto; margin: 1 0 0 0; }
    """
    BINDINGS = [Binding("escape,enter", "close", "Готово", id="temp_password.close", tooltip="Закрыть")]

    def __init__(self, login: str, password: str) -> None:
        super().__init__()
        self.login = login
        self.password = password

    def compose(self) -> ComposeResult:
        with Vertical(id="tp-box", classes="dialog"):
            yield Static("Временный пароль", classes="dialog-title")
            yield Static(f"Логин: {self.login}")
            yield Static(self.password, id="temp-password")
            yield Static(
                "Передайте пароль сотруднику лично. Он показан один раз: программа хранит только его "
                "свёртку и не пишет его ни в журнал, ни в файлы. Сотрудник может попросить администратора "
                "задать другой пароль."
            )
            with Horizontal(id="tp-buttons"):
                yield Button("Готово", id="tp-ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#tp-ok", Button).focus()

    @on(Button.Pressed, "#tp-ok")
    def action_close(self) -> None:
        self.password = ""
        self.dismiss(None)
