"""Карточка клиента: personal data, status and history, IPRA, consent, people, referrals and tabs."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Label, Select, Static, TabbedContent, TabPane

from soptui.core import clock
from soptui.core.phones import format_phone
from soptui.core.text import plural_ru
from soptui.screens.base import SectionScreen
from soptui.screens.navigation import AddToGroup, NewCall, NewVisit, Open, target_of
from soptui.widgets.dialogs import ConfirmDialog
from soptui.widgets.fields import LabeledInput
from soptui.widgets.paged_table import RowTable
from soptui.widgets.workers import db_work

STATE_STYLE = {"overdue": "bold red", "today": "bold yellow", "ok": "green", "done": "dim"}
STATUS_STYLE = {"potential": "yellow", "served": "green", "refused": "red", "closed": "dim"}


def _channel(code: str) -> str:
    from soptui.domain.labels import CHANNELS

    return CHANNELS.get(code, code)


def _handle(value: str) -> str:
    """A messenger handle; phone-number handles shown like phones."""
    return format_phone(value) if value.startswith("+") else value


def person_lines(p) -> Text:
    """One representative or relative: relation, name, phones, messengers, call time."""
    t = Text()
    t.append(f"{p.relation or '—'}: ", style="bold")
    t.append(p.full_name)
    if p.phones:
        t.append("  ☎ " + ", ".join(format_phone(x) for x in p.phones), style="cyan")
    if p.messengers:
        t.append("  " + ", ".join(f"{_channel(ch)} {_handle(h)}" for ch, h in p.messengers), style="magenta")
    if p.preferred_call_time:
        t.append(f"  звонить: {p.preferred_call_time}", style="italic")
    return t


WATCH_SECONDS = 15  # how often an open card looks for a colleague's changes


class ClientCardScreen(SectionScreen):
    """A client's file. Opening it writes a "view" entry to the audit log."""

    POP_ON_SECTION_KEY = True  # F3 closes the card and shows the registry's search (app._to_section)

    SECTION_TITLE = "Карточка клиента"
    DEFAULT_CSS = """
    ClientCardScreen #card-title { height: auto; padding: 0 1; }
    ClientCardScreen #card-warnings { height: auto; padding: 0 1; }
    ClientCardScreen TabbedContent { height: 1fr; }
    ClientCardScreen TabPane { padding: 0 1; }
    ClientCardScreen .card-text { height: auto; }
    ClientCardScreen DataTable { height: 1fr; }
    ClientCardScreen #people-detail { height: auto; color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "back", "Назад", tooltip="Вернуться", id="card.back"),
        Binding("e", "edit", "Изменить", tooltip="Изменить данные клиента", id="card.edit"),
        Binding("s", "status", "Статус", tooltip="Сменить статус (обслуживается, снят, отказ)", id="card.status"),
        Binding("c", "call", "Позвонить", tooltip="Звонок с суфлёром", id="card.call"),
        Binding("v", "visit", "Визит", tooltip="Запланировать визит", id="card.visit"),
        Binding("g", "group", "В группу", tooltip="Добавить в группу", id="card.group"),
        Binding(
            "p",
            "add_person",
            "+Человек",
            tooltip="Добавить представителя, родственника или друга",
            id="card.add_person",
        ),
        Binding("o", "referral", "Обращение", tooltip="Новое обращение по этому клиенту", id="card.referral"),
        Binding("a", "audit", "Журнал", tooltip="Кто открывал и менял карточку (для заведующих)", id="card.audit"),
        Binding("r", "reload", "Обновить", show=False, id="card.reload", tooltip="Перечитать карточку"),
        *[
            Binding(str(i + 1), f"tab({i})", pane, show=False, id=f"card.tab_{i + 1}", tooltip=f"Вкладка «{pane}»")
            for i, pane in enumerate(
                ["Основное", "Люди", "Обращения", "Звонки", "Визиты", "Группы", "Услуги", "Журнал доступа"]
            )
        ],
    ]
    TAB_IDS = [
        "tab-main",
        "tab-people",
        "tab-referrals",
        "tab-calls",
        "tab-visits",
        "tab-groups",
        "tab-services",
        "tab-audit",
    ]

    def __init__(self, client_id: int) -> None:
        super().__init__()
        self.client_id = client_id
        self.card = None
        self._audited = False

    def compose_body(self) -> ComposeResult:
        yield Static("Загрузка…", id="card-title")
        yield Static("", id="card-warnings")
        with TabbedContent(id="card-tabs"):
            with TabPane("1 Основное", id="tab-main"):
                with VerticalScroll():
                    yield Static("", id="card-main", classes="card-text")
            with TabPane("2 Люди", id="tab-people"):
                yield RowTable(id="people-table", cursor_type="row", zebra_stripes=True)
                yield Static("", id="people-detail")  # the highlighted person whole: 80 columns cut the table
                yield Static("Enter — изменить · p — добавить · Delete — удалить", classes="muted")
            with TabPane("3 Обращения", id="tab-referrals"):
                with VerticalScroll():
                    yield Static("", id="card-referrals", classes="card-text")
            with TabPane("4 Звонки", id="tab-calls"):
                yield RowTable(id="calls-table", cursor_type="row", zebra_stripes=True)
            with TabPane("5 Визиты", id="tab-visits"):
                yield RowTable(id="visits-table", cursor_type="row", zebra_stripes=True)
            with TabPane("6 Группы", id="tab-groups"):
                yield RowTable(id="groups-table", cursor_type="row", zebra_stripes=True)
            with TabPane("7 Услуги", id="tab-services"):
                yield RowTable(id="services-table", cursor_type="row", zebra_stripes=True)
            with TabPane("8 Журнал доступа", id="tab-audit"):
                yield RowTable(id="audit-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.keys_ready = False  # the card's keys (tabs, «p», «e»…) wait for the card (widgets/keyorder.py)
        super().on_mount()
        self.query_one("#calls-table", DataTable).add_columns("Когда", "Звонок", "Кто звонил", "Итог")
        self.query_one("#visits-table", DataTable).add_columns("Когда", "Визит", "Статус", "Цель")
        self.query_one("#groups-table", DataTable).add_columns("Период", "Группа", "Посещения", "Состояние")
        self.query_one("#services-table", DataTable).add_columns("Дата", "Услуга", "Специалист", "Объём")
        self.query_one("#audit-table", DataTable).add_columns("Когда", "Кто", "Действие", "Что", "Поля")
        if self.app.actor is None or not self.app.actor.is_head:
            self.query_one(TabbedContent).hide_tab("tab-audit")
        self.action_reload()
        self.set_interval(WATCH_SECONDS, self._watch)

    def _watch(self) -> None:
        """A colleague's save (a new phone, a call, a status) shows in a card left open: it was seen only after
        leaving and opening it again."""
        if self.card is not None and self.app.screen is self:
            self._load_if_changed()

    @db_work(exclusive=True, group="card-watch", action="обновить карточку")
    def _load_if_changed(self) -> None:
        self._read_card(False, self._show_if_changed)  # the view was audited on opening

    def _show_if_changed(self, card) -> None:
        if self.card is None or card == self.card or self.app.screen is not self:
            return
        self._show(card)
        self.notify("Карточка обновлена: в ней появились изменения.", timeout=5)

    def on_screen_resume(self) -> None:
        if self.card is not None:
            self.action_reload()

    # --- loading -------------------------------------------------------------------

    def action_reload(self) -> None:
        self._load(not self._audited)

    @db_work(exclusive=True, group="card")
    def _load(self, audit_view: bool) -> None:
        self._read_card(audit_view, self._show)

    def _read_card(self, audit_view: bool, then) -> None:
        """In a worker: the card to `then`, or the card gone / out of reach said."""
        from soptui.services import clients

        try:
            card = clients.get_client_card(self.client_id, audit_view=audit_view)
        except clients.ClientGone:
            self.app.call_from_thread(self._gone)
            return
        except clients.AccessDenied:
            self.app.call_from_thread(self._denied)
            return
        self.app.call_from_thread(then, card)

    def _gone(self) -> None:
        self.keys_ready = True
        self.card = None
        self.query_one("#card-title", Static).update(
            Text("Этого клиента больше нет в реестре: карточку удалил другой пользователь.", style="bold red")
        )
        self.query_one("#card-warnings", Static).update("Esc — вернуться к списку.")
        self.query_one(TabbedContent).display = False
        self.notify("Клиент удалён другим пользователем.", severity="error")

    def _denied(self) -> None:
        self.keys_ready = True
        self.notify("Этот клиент относится к другому отделению: карточка недоступна.", severity="error")
        self.dismiss_card()

    def dismiss_card(self) -> None:
        if self.app.screen is self:
            self.app.pop_screen()

    def _show(self, card) -> None:
        self.keys_ready = True
        self._audited = True
        self.card = card
        self.refresh_bindings()  # the card's keys (e, s, c…) apply now: the footer shows them at once
        s = card.summary
        title = Text()
        title.append(s.full_name, style="bold")
        if card.birth_date_text:
            title.append(f"  {card.birth_date_text}")
            if card.age is not None:
                title.append(f" ({card.age} {plural_ru(card.age, 'год', 'года', 'лет')})")
        title.append(f"  · {card.category_label} · ")
        title.append(card.status_label, style=STATUS_STYLE.get(s.status, ""))
        title.append(
            f"\n{s.department_name or 'отделение не указано'} · специалист: {s.assigned_staff_short or 'не назначен'}",
            style="dim",
        )
        self.query_one("#card-title", Static).update(title)
        warnings = Text()
        if card.consent_warning:
            warnings.append("⚠ " + card.consent_warning + "  ", style="bold red")
        if card.ipra_warning:
            warnings.append("⚠ " + card.ipra_warning + "  ", style="bold yellow")
        open_refs = sorted(
            (r for r in card.referrals if r.state in ("overdue", "today", "ok")), key=lambda r: r.first_contact_due
        )
        for r in open_refs[:2]:
            warnings.append(
                f"⏰ первичный звонок до {clock.fmt_date(r.first_contact_due)}: {r.countdown}  ",
                style=STATE_STYLE[r.state],
            )
        self.query_one("#card-warnings", Static).update(warnings)
        self.query_one("#card-main", Static).update(self._main_text(card))
        self.query_one("#card-referrals", Static).update(self._referrals_text(card))
        self.people = list(s.representatives) + list(s.contacts)
        self._fill_people()
        for table_id, rows in (
            ("#calls-table", card.calls),
            ("#visits-table", card.visits),
            ("#groups-table", card.groups),
            ("#services-table", card.services),
        ):
            table = self.query_one(table_id, DataTable)
            table.clear()
            for i, r in enumerate(rows):
                table.add_row(r.when, r.what, r.who, r.detail, key=str(i))
        tabs = self.query_one(TabbedContent)
        for pane, rows, label in (
            ("tab-calls", card.calls, "Звонки"),
            ("tab-visits", card.visits, "Визиты"),
            ("tab-groups", card.groups, "Группы"),
            ("tab-services", card.services, "Услуги"),
            ("tab-people", self.people, "Люди"),
            ("tab-referrals", card.referrals, "Обращения"),
        ):
            number = self.TAB_IDS.index(pane) + 1
            tabs.get_tab(pane).label = f"{number} {label}" + (f" ({len(rows)})" if rows else "")
        if self.app.actor is not None and self.app.actor.is_head:
            self._load_audit()

    def _main_text(self, card) -> Table:
        s = card.summary
        t = Table.grid(padding=(0, 2))
        t.add_column(style="dim", no_wrap=True)
        t.add_column()
        t.add_row("ФИО", s.full_name)
        t.add_row("Дата рождения", card.birth_date_text or "не указана")
        t.add_row("Категория", card.category_label)
        t.add_row("Адрес", (s.address or "не указан") + (" (отдалённая территория)" if s.remote_territory else ""))
        t.add_row("Телефоны", ", ".join(format_phone(p) for p in s.phones) or "нет")
        t.add_row("Мессенджеры", ", ".join(f"{_channel(ch)} {_handle(h)}" for ch, h in s.messengers) or "нет")
        t.add_row("Отделение", s.department_name or "не указано")
        t.add_row("Специалист", s.assigned_staff_name or "не назначен")
        consent = (
            Text(clock.fmt_date(card.consent_date))
            if card.consent_date
            else Text("НЕТ — получить согласие на обработку персональных данных", style="bold red")
        )
        t.add_row("Согласие на ПДн", consent)
        if card.ipra_number or card.ipra_end:
            ipra = Text(
                f"№ {card.ipra_number or '—'}, {clock.fmt_date(card.ipra_start) or '…'} – "
                f"{clock.fmt_date(card.ipra_end) or '…'}"
            )
            if card.ipra_warning:
                ipra.append(f"  ⚠ {card.ipra_warning}", style="bold yellow")
            t.add_row("ИПРА", ipra)
        else:
            t.add_row("ИПРА", "нет")
        status = Text(card.status_label, style=STATUS_STYLE.get(s.status, ""))
        if card.status_changed_at:
            status.append(
                f" с {clock.fmt_date(card.status_changed_at.date() if hasattr(card.status_changed_at, 'date') else card.status_changed_at)}"
            )
        if card.status_reason:
            status.append(f" — {card.status_reason}")
        t.add_row("Статус", status)
        if card.history:
            hist = Text()
            for i, h in enumerate(card.history):
                if i:
                    hist.append("\n")
                hist.append(f"{clock.fmt_datetime(h.at)}  {h.old + ' → ' if h.old else ''}{h.new}")
                if h.reason:
                    hist.append(f" ({h.reason})", style="italic")
                if h.staff:
                    hist.append(f" — {h.staff}", style="dim")
            t.add_row("История статуса", hist)
        if s.representatives:
            t.add_row("Представители", Text("\n").join(person_lines(p) for p in s.representatives))
        if s.contacts:
            t.add_row("Родственники, друзья", Text("\n").join(person_lines(p) for p in s.contacts))
        if card.notes:
            t.add_row("Примечание", card.notes)
        return t

    def _referrals_text(self, card):
        if not card.referrals:
            return Text("Обращений нет. o — принять новое обращение.", style="dim")
        out = Text()
        for i, r in enumerate(card.referrals):
            if i:
                out.append("\n\n")
            out.append(f"{clock.fmt_datetime(r.received_at)} · {r.ground}\n", style="bold")
            if r.source_body:
                out.append(f"Источник: {r.source_body}\n")
            if r.summary:
                out.append(f"{r.summary}\n", style="italic")
            out.append(f"Принято: {r.intake_log} · специалист: {r.assigned}\n", style="dim")
            out.append(f"Регистрация до {clock.fmt_date(r.registration_due)} · ")
            out.append(
                f"первичный звонок до {clock.fmt_date(r.first_contact_due)} ({r.countdown})",
                style=STATE_STYLE.get(r.state, ""),
            )
            if r.patronage_due:
                out.append(f" · патронаж не позднее {clock.fmt_date(r.patronage_due)}")
            if r.warning:
                out.append(f"\n⚠ {r.warning}", style="yellow")
        return out

    @db_work(exclusive=True, group="card-audit")
    def _load_audit(self) -> None:
        from soptui.services import clients

        try:
            rows = clients.client_audit(self.client_id)
        except clients.AccessDenied:
            return
        self.app.call_from_thread(self._show_audit, rows)

    def _show_audit(self, rows) -> None:
        table = self.query_one("#audit-table", DataTable)
        table.clear()
        for i, a in enumerate(rows):
            table.add_row(clock.fmt_datetime(a.at), a.staff, a.action, a.what, a.details, key=str(i))

    # --- actions ---------------------------------------------------------------------

    def check_action(self, action: str, parameters) -> bool | None:
        if action in ("edit", "status", "call", "visit", "group", "add_person", "referral") and self.card is None:
            return None
        if action == "audit" and (self.app.actor is None or not self.app.actor.is_head):
            return False
        return True

    def action_tab(self, index: int) -> None:
        if index == 7 and (self.app.actor is None or not self.app.actor.is_head):
            return
        tabs = self.query_one(TabbedContent)
        tabs.active = self.TAB_IDS[index]
        pane = tabs.get_pane(self.TAB_IDS[index])
        table = pane.query(DataTable)
        if table:
            table.first().focus()

    def action_back(self) -> None:
        self.dismiss_card()

    def action_edit(self) -> None:
        from soptui.screens.clients.client_form import ClientFormScreen

        self.app.push_screen(ClientFormScreen(self.client_id), lambda _: self.action_reload())

    def action_status(self) -> None:
        if self.card is None:
            return
        self.app.push_screen(
            StatusDialog(self.client_id, self.card.summary.status),
            lambda changed: self.action_reload() if changed else None,
        )

    def action_call(self) -> None:
        self.post_message(Open(NewCall(self.client_id)))

    def action_visit(self) -> None:
        self.post_message(Open(NewVisit(self.client_id)))

    def action_group(self) -> None:
        self.post_message(Open(AddToGroup(self.client_id)))

    def action_referral(self) -> None:
        from soptui.screens.clients.referral_form import ReferralFormScreen

        self.app.push_screen(ReferralFormScreen(self.client_id), lambda _: self.action_reload())

    def action_audit(self) -> None:
        self.query_one(TabbedContent).active = "tab-audit"

    def action_add_person(self) -> None:
        from soptui.screens.clients.client_form import PersonDialog

        self.app.push_screen(PersonDialog(self.client_id), lambda saved: self.action_reload() if saved else None)

    def _fill_people(self) -> None:
        """Representatives and relatives; under 100 columns the names are short and the phones come second, so
        that at 80 columns who and how to call are on the screen (the messengers are in the line below)."""
        from soptui.core.text import short_of_full

        people = self.query_one("#people-table", DataTable)
        narrow = self.app.size.width < 100
        self._people_narrow = narrow
        row = people.cursor_row
        people.clear(columns=True)
        if narrow:
            people.add_columns("Кто", "Телефоны", "ФИО", "Мессенджеры")
        else:
            people.add_columns("Кто", "ФИО", "Телефоны", "Мессенджеры", "Когда звонить")
        for i, p in enumerate(self.people):
            who = _person_role(p, short=narrow)
            phones = ", ".join(format_phone(x) for x in p.phones)
            messengers = ", ".join(f"{_channel(ch)} {_handle(h)}" for ch, h in p.messengers)
            if narrow:
                people.add_row(who, phones, short_of_full(p.full_name), messengers, key=str(i))
            else:
                people.add_row(who, p.full_name, phones, messengers, p.preferred_call_time, key=str(i))
        if self.people:
            people.move_cursor(row=min(row or 0, len(self.people) - 1))
        self._show_person()

    def on_resize(self) -> None:
        if self.card is not None and getattr(self, "_people_narrow", None) != (self.app.size.width < 100):
            self._fill_people()

    @on(DataTable.RowHighlighted, "#people-table")
    def _show_person(self) -> None:
        table = self.query_one("#people-table", DataTable)
        row = table.cursor_row
        detail = self.query_one("#people-detail", Static)
        if not self.people or row is None or not 0 <= row < len(self.people):
            detail.update("")
            return
        p = self.people[row]
        parts = [_person_role(p, short=False), p.full_name]
        parts += [f"☎ {format_phone(x)}" for x in p.phones]
        parts += [f"{_channel(ch)} {_handle(h)}" for ch, h in p.messengers]
        if p.preferred_call_time:
            parts.append(f"звонить: {p.preferred_call_time}")
        detail.update(Text(" · ".join(parts)))

    @on(DataTable.RowSelected, "#people-table")
    def _edit_person(self, event: DataTable.RowSelected) -> None:
        from soptui.screens.clients.client_form import PersonDialog

        row = event.cursor_row
        if 0 <= row < len(getattr(self, "people", [])):
            self.app.push_screen(
                PersonDialog(self.client_id, self.people[row]), lambda saved: self.action_reload() if saved else None
            )

    @on(DataTable.RowSelected, "#calls-table")
    def _open_call(self, event: DataTable.RowSelected) -> None:
        self._open_tab_row(self.card.calls if self.card else [], event.cursor_row)

    @on(DataTable.RowSelected, "#visits-table")
    def _open_visit(self, event: DataTable.RowSelected) -> None:
        self._open_tab_row(self.card.visits if self.card else [], event.cursor_row)

    def _open_tab_row(self, rows, index: int) -> None:
        if 0 <= index < len(rows) and rows[index].target:
            self.post_message(Open(target_of(rows[index].target)))

    def key_delete(self) -> None:
        table = self.query_one("#people-table", DataTable)
        if not table.has_focus or not getattr(self, "people", None):
            return
        row = table.cursor_row
        if not 0 <= row < len(self.people):
            return
        person = self.people[row]
        self.app.push_screen(
            ConfirmDialog(
                f"Удалить «{person.full_name}» ({person.relation}) из карточки?", "Удалить", "Отмена", danger=True
            ),
            lambda yes: self._delete_person(person) if yes else None,
        )

    @db_work(group="card-write")
    def _delete_person(self, person) -> None:
        from soptui.services import clients
        from soptui.services.errors import RecordGone

        kind = "representative" if person.kind == "representative" else "contact"
        try:
            clients.delete_person(self.client_id, kind, person.id)
        except (RecordGone, clients.ClientGone):
            self.app.call_from_thread(self.notify, "Запись уже удалена другим пользователем.", severity="warning")
        self.app.call_from_thread(self.action_reload)


class StatusDialog(ModalScreen[bool]):
    """Change the client's status: potential -> served -> closed, or refused; reopening keeps history."""

    BINDINGS = [Binding("escape", "cancel", "Отмена", id="status.cancel", tooltip="Закрыть, не меняя статус")]
    DEFAULT_CSS = """
    StatusDialog { align: center middle; }
    StatusDialog .buttons { height: auto; margin: 1 0 0 0; }
    StatusDialog .buttons Button { margin: 0 1 0 0; }
    """

    def __init__(self, client_id: int, current: str) -> None:
        super().__init__()
        self.client_id = client_id
        self.current = current

    def compose(self) -> ComposeResult:
        from soptui.domain.labels import CLIENT_STATUSES
        from soptui.services.clients import allowed_statuses

        options = [(label, code) for code, label in allowed_statuses(self.current)]
        with Vertical(classes="dialog"):
            yield Label(f"Статус: {CLIENT_STATUSES.get(self.current, self.current)}", classes="dialog-title")
            yield Select(options, prompt="Новый статус", id="st-new", allow_blank=True)
            yield Static("", id="st-new-error", classes="error")
            yield LabeledInput("Причина (обязательна для отказа и снятия)", id="st-reason")
            yield LabeledInput(
                "Дата", value=clock.fmt_date(clock.today()), validator=self._date, id="st-date", required=True
            )
            with Horizontal(classes="buttons"):
                yield Button("Сохранить", variant="primary", id="st-save")
                yield Button("Отмена", id="st-cancel")

    @staticmethod
    def _date(text: str):
        d = clock.parse_date(text)
        if d > clock.today():
            raise ValueError("Дата не может быть в будущем.")
        return d

    @on(Button.Pressed, "#st-cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)

    @on(Button.Pressed, "#st-save")
    def _save(self) -> None:
        from soptui.services.clients import NEEDS_REASON

        select = self.query_one("#st-new", Select)
        new = select.value if select.value is not Select.BLANK else None
        self.query_one("#st-new-error", Static).update("" if new else "Выберите новый статус.")
        reason_field = self.query_one("#st-reason", LabeledInput)
        ok_date, on_date = self.query_one("#st-date", LabeledInput).check()
        reason = reason_field.value.strip()
        reason_ok = not (new in NEEDS_REASON and not reason)
        reason_field.show_error(None if reason_ok else "Укажите причину.")
        if not new or not ok_date or not reason_ok:
            return
        self._write(new, reason, on_date)

    @db_work(group="status")
    def _write(self, new: str, reason: str, on_date) -> None:
        from soptui.services import clients

        try:
            clients.change_status(self.client_id, new, reason, on_date)
        except clients.ClientGone:
            self.app.call_from_thread(self.notify, "Клиент удалён другим пользователем.", severity="error")
            self.app.call_from_thread(self.dismiss, False)
            return
        except ValueError as exc:
            self.app.call_from_thread(self.query_one("#st-new-error", Static).update, str(exc))
            return
        self.app.call_from_thread(self.notify, "Статус изменён.")
        self.app.call_from_thread(self.dismiss, True)


def _person_role(p, short: bool) -> str:
    """«мать (представитель)», «мать (пред.)» where columns are few; a relative or friend by relation or kind."""
    from soptui.domain.labels import CONTACT_KINDS

    if p.kind == "representative":
        return f"{p.relation} ({'пред.' if short else 'представитель'})"
    return p.relation or CONTACT_KINDS.get(p.kind, p.kind)
