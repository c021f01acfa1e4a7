"""Клиенты: the registry — search as you type, filters, one page at a time with the total."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Checkbox, Input, Select, Static

from soptui.screens.base import SectionScreen
from soptui.screens.clients.picker import ClientSearchMixin
from soptui.widgets.client_table import ClientTable
from soptui.widgets.fields import TextInput
from soptui.widgets.workers import db_work

STATUS_OPTIONS = [
    ("потенциальный", "potential"),
    ("обслуживается", "served"),
    ("отказ", "refused"),
    ("снят с обслуживания", "closed"),
]
CATEGORY_OPTIONS = [
    ("ребёнок", "child"),
    ("пожилой гражданин", "elderly"),
    ("взрослый с инвалидностью", "disabled_adult"),
]


def _value(select: Select):
    v = select.value
    return None if v is Select.BLANK or v == Select.NULL else v


class ClientsScreen(ClientSearchMixin, SectionScreen):
    """The client registry."""

    SECTION_TITLE = "Клиенты"
    DEFAULT_CSS = """
    ClientsScreen #reg-query { margin: 0 0; }
    ClientsScreen #reg-filters { height: 3; }
    ClientsScreen #reg-filters Select { width: 1fr; }
    ClientsScreen #reg-filters Checkbox { width: auto; }
    ClientsScreen #reg-count { height: auto; max-height: 2; padding: 0 1; }
    """
    BINDINGS = [
        Binding("enter", "open_card", "Открыть", id="clients.open", tooltip="Открыть карточку", show=True),
        Binding("ctrl+n", "new_client", "Новый", id="clients.new", tooltip="Новый клиент"),
        Binding(
            "ctrl+r",
            "new_referral",
            "Обращение",
            id="clients.referral",
            tooltip="Принять информацию о семье (обращение)",
        ),
        Binding(
            "ctrl+o",
            "intake_register",
            "Журналы",
            id="clients.intake_register",
            tooltip="Журнал приёма граждан и журнал регистрации телефонных звонков (СОП 04)",
        ),
        # priority: the search box and the list have Ctrl+PgDn/PgUp of their own (scrolling sideways), which
        # took the key once the search had been used, and the next page was out of reach
        # (not in the keys line, where a priority key comes first and pushed «Разделы» out: the list's count
        # line says them)
        Binding(
            "ctrl+pagedown",
            "page(1)",
            "Стр.→",
            id="clients.next",
            tooltip="Следующая страница",
            priority=True,
            show=False,
        ),
        Binding(
            "ctrl+pageup",
            "page(-1)",
            "←Стр.",
            id="clients.prev",
            tooltip="Предыдущая страница",
            priority=True,
            show=False,
        ),
        Binding("escape", "clear", "Очистить", id="clients.clear", tooltip="Очистить поиск", show=False),
        Binding("down", "to_table", "К списку", show=False, id="clients.to_table", tooltip="Перейти к списку клиентов"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.page_offset = 0
        self.total = 0
        self.result = None

    def compose_body(self) -> ComposeResult:
        yield TextInput(
            id="reg-query", placeholder="Поиск: фамилия имя (начало), телефон или 4 последние цифры, ДД.ММ.ГГГГ"
        )
        with Horizontal(id="reg-filters"):
            yield Select([], prompt="Отделение", id="f-dep", tooltip="Фильтр по отделению")
            yield Select(STATUS_OPTIONS, prompt="Статус", id="f-status", tooltip="Фильтр по статусу")
            yield Select([], prompt="Ведёт", id="f-staff", tooltip="Фильтр по ответственному специалисту")
            yield Select(CATEGORY_OPTIONS, prompt="Категория", id="f-cat", tooltip="Фильтр по категории")
            yield Checkbox("Мои", id="f-mine", tooltip="Только клиенты, за которыми я закреплён(а)")
        yield Static("", id="reg-count", classes="search-count")
        yield ClientTable(id="reg-table")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#reg-query", Input).focus()
        self._load_choices()
        self.request_search()

    def on_screen_resume(self) -> None:
        if self.result is not None:
            self.request_search()

    def on_section_key(self) -> None:
        """F3: the search box takes what is typed next."""
        self.query_one("#reg-query", Input).focus()

    @db_work(group="choices")
    def _load_choices(self) -> None:
        from soptui.services import clients

        deps = clients.departments()
        staff = clients.staff_choices()
        self.app.call_from_thread(self._set_choices, deps, staff)

    def _set_choices(self, deps, staff) -> None:
        actor = self.app.actor
        dep_select = self.query_one("#f-dep", Select)
        if actor is not None and not actor.sees_all_departments:
            deps = [d for d in deps if d.id == actor.department_id]
            staff = [s for s in staff if s.department_id in (actor.department_id, None)]
        dep_select.set_options([(d.label, d.id) for d in deps])
        self.query_one("#f-staff", Select).set_options([(s.label, s.id) for s in staff])

    # --- searching ---------------------------------------------------------------

    def _filters(self):
        from soptui.services.clients import SearchFilters

        return SearchFilters(
            department_id=_value(self.query_one("#f-dep", Select)),
            status=_value(self.query_one("#f-status", Select)),
            assigned_staff_id=_value(self.query_one("#f-staff", Select)),
            category=_value(self.query_one("#f-cat", Select)),
            only_mine=self.query_one("#f-mine", Checkbox).value,
        )

    def _search_args(self):
        return self.query_one("#reg-query", Input).value, self._filters(), self.page_offset

    def _show_total(self, result) -> None:
        self.result = result
        self.total = result.total
        self._show_count(result)

    def _show_result(self, result) -> None:
        self.result = result
        self.total = result.total
        self.query_one(ClientTable).show(result.rows)
        self._show_count(result)

    def _show_count(self, result) -> None:
        query = self.query_one("#reg-query", Input).value.strip()
        if not result.total:
            text = (
                "Никого не нашлось. Проверьте написание или ищите по началу фамилии и телефону."
                if query
                else "В реестре пока нет клиентов (Ctrl+N — добавить)."
            )
        else:
            first, last = self.page_offset + 1, self.page_offset + len(result.rows)
            head = (
                "Найдено"
                if query
                else (
                    "Мои клиенты"
                    if self.app.actor and all(r.assigned == self.app.actor.short_name for r in result.rows)
                    else "Последние добавленные"
                )
            )
            if result.corrected:
                head = f"Точно «{query}» нет; похожие на «{result.corrected}»"
            text = f"{head}: {result.total_text} · показаны {first}–{last}"
            if not result.total_known:
                text = f"{head}: {first}–{last} из … (считаю)"
            elif result.total_capped or last < result.total:
                text += " · Ctrl+PgDn — дальше"
            if first > 1:
                text += " · Ctrl+PgUp — назад"
            if any(getattr(r, "no_consent", False) for r in result.rows):
                text += " · ⚠ нет согласия на обработку ПДн"
        self.query_one("#reg-count", Static).update(text)

    @on(Input.Changed, "#reg-query")
    def _query_changed(self, event: Input.Changed) -> None:
        self.page_offset = 0
        self.request_search()

    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _filter_changed(self, event) -> None:
        self.page_offset = 0
        self.request_search()

    def action_page(self, step: int) -> None:
        if self.result is None:
            return
        new = self.page_offset + step * self.PAGE
        more = self.result.total_capped or new < self.total
        if new < 0 or (step > 0 and not more) or (step > 0 and len(self.result.rows) < self.PAGE):
            self.app.bell()
            return
        self.page_offset = new
        self.request_search()

    def action_clear(self) -> None:
        field = self.query_one("#reg-query", Input)
        field.value = ""
        field.focus()

    def action_to_table(self) -> None:
        table = self.query_one(ClientTable)
        if table.row_count:
            table.focus()

    # --- opening ------------------------------------------------------------------

    @on(Input.Submitted, "#reg-query")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_open_card()

    @on(ClientTable.RowSelected)
    def _row_selected(self, event: ClientTable.RowSelected) -> None:
        event.stop()
        self.action_open_card()

    def action_open_card(self) -> None:
        client_id = self.query_one(ClientTable).selected_id
        if client_id is not None:
            open_client(self.app, client_id)

    def action_new_client(self) -> None:
        from soptui.screens.clients.client_form import ClientFormScreen

        self.app.push_screen(ClientFormScreen(), self._after_form)

    def action_intake_register(self) -> None:
        from soptui.screens.clients.intake_register import IntakeRegisterScreen

        self.app.push_screen(IntakeRegisterScreen())

    def action_new_referral(self) -> None:
        from soptui.screens.clients.referral_form import ReferralFormScreen

        self.app.push_screen(ReferralFormScreen(), self._after_form)

    def _after_form(self, client_id: int | None) -> None:
        if client_id:
            open_client(self.app, client_id)

    def palette_commands(self):
        from textual.app import SystemCommand

        yield SystemCommand("Новый клиент", "Карточка нового клиента (Ctrl+N)", self.action_new_client)
        yield SystemCommand("Принять обращение", "Информация о семье: сроки по СОП (Ctrl+R)", self.action_new_referral)


def open_client(app, client_id: int) -> None:
    """OpenClient: show a client's card over the current screen."""
    from soptui.screens.clients.card import ClientCardScreen

    app.push_screen(ClientCardScreen(client_id))


def open_referral_form(app, client_id: int | None) -> None:
    """NewReferral: intake form for a new referral of an existing client (None or 0: a new client)."""
    from soptui.screens.clients.referral_form import ReferralFormScreen

    app.push_screen(ReferralFormScreen(client_id or None))
