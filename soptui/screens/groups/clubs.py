"""Группы (SOP 05): the clubs list, a club's card (members, sessions, programme), small dialogs,
and the openers Today and the client card use ("session", "add_to_group")."""

from __future__ import annotations

import datetime as dt
import re

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, OptionList, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option

from soptui.core import clock
from soptui.domain.groups import WEEKDAY_SHORT
from soptui.screens.base import SectionScreen
from soptui.services import access
from soptui.services import groups as service
from soptui.widgets.dialogs import ConfirmDialog
from soptui.widgets.fields_dialog import FieldsDialog, FieldSpec
from soptui.widgets.paged_table import RowTable
from soptui.widgets.workers import db_work

STATUS_STYLE = {"planned": "", "held": "green", "cancelled": "dim strike"}


def parse_month(text: str) -> tuple[int, int]:
    """ "11.2026" -> (2026, 11); Russian ValueError."""
    try:
        d = dt.datetime.strptime(text.strip(), "%m.%Y")
    except ValueError:
        raise ValueError("Месяц в виде ММ.ГГГГ, например 11.2026.") from None
    return d.year, d.month


def parse_optional_date(text: str) -> dt.date:
    return clock.parse_date(text)


# --- small dialogs ---------------------------------------------------------------------------------


class ChooseClubDialog(ModalScreen[int | None]):
    """Pick one of the clubs (for "add to group" from a client card)."""

    DEFAULT_CSS = """
    ChooseClubDialog { align: center middle; }
    ChooseClubDialog > #cc-box { width: 90; max-width: 100%; height: auto; max-height: 90%; }
    ChooseClubDialog OptionList { height: auto; max-height: 16; }
    """
    BINDINGS = [Binding("escape", "cancel", "Отмена", id="choose_club.cancel", tooltip="Закрыть без выбора")]

    def __init__(self, clubs: list[service.ClubRow], title: str) -> None:
        super().__init__()
        self.clubs = clubs
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(id="cc-box", classes="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            yield OptionList(
                *[
                    Option(f"{c.name} — {c.schedule}; мест занято {c.members} из {c.capacity}", id=str(c.id))
                    for c in self.clubs
                    if c.active
                ]
            )
            yield Static("Enter — выбрать · Esc — отмена", classes="muted")

    def on_mount(self) -> None:
        self.query_one("#cc-box").styles.width = 96

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id))

    def action_cancel(self) -> None:
        self.dismiss(None)


def _today_text() -> str:
    return clock.fmt_date(clock.today())


def open_member_dialog(app, club_id: int, client_id: int, done) -> None:
    """The joining dates; for a client «снят с обслуживания», with «отказ» or without personal-data consent
    the warning first and a required reason, recorded with the membership (issue 13, point 14)."""
    from soptui.services.errors import AccessDenied

    def load() -> None:
        try:
            warnings = service.membership_warnings(club_id, client_id)
        except (service.GroupError, AccessDenied) as exc:
            app.call_from_thread(app.notify, str(exc), severity="error")
            return
        app.call_from_thread(show, warnings)

    def show(warnings: list[str]) -> None:
        fields = member_dialog_fields()
        text = ""
        if warnings:
            text = (
                f"⚠ Внимание: {'; '.join(warnings)}. Включить в группу можно, указав причину — "
                f"она будет записана вместе с тем, кто включил."
            )
            fields.append(
                FieldSpec(
                    "reason", "Причина включения", "", None, True, "например, по заявлению законного представителя"
                )
            )

        def submit(values: dict):
            return service.add_member(
                club_id, client_id, values["joined_on"], values["informed_on"], values.get("reason") or ""
            )

        app.push_screen(FieldsDialog("Включение в группу", fields, submit, text=text, ok_label="Добавить"), done)

    app.screen.run_worker(load, thread=True, group="member-check", exit_on_error=False)


def member_dialog_fields(joined: str | None = None) -> list[FieldSpec]:
    return [
        FieldSpec("joined_on", "Дата включения в группу", joined or _today_text(), clock.parse_date, True),
        FieldSpec(
            "informed_on",
            "Ознакомлен(а) с графиком и темами, дата",
            _today_text(),
            clock.parse_date,
            placeholder="пусто — ещё не ознакомлен(а)",
        ),
    ]


# --- the section: list of clubs ------------------------------------------------------------------------


class GroupsScreen(SectionScreen):
    """Clubs and mutual-support groups; Enter opens a club's card."""

    SECTION_TITLE = "Группы"
    BINDINGS = [
        Binding("enter", "open_club", "Открыть", id="groups.open", tooltip="Карточка клуба"),
        Binding("n", "new_club", "Новый клуб", id="groups.new", tooltip="Создать клуб или группу"),
        Binding(
            "x",
            "export",
            "Выгрузка CSV",
            id="groups.export",
            tooltip="Выгрузка занятий в ИС «Социальное обслуживание населения»",
        ),
        Binding("r", "reload", "Обновить", id="groups.reload", tooltip="Перечитать список"),
    ]

    def compose_body(self) -> ComposeResult:
        yield Static("", id="groups-summary", classes="summary")
        yield RowTable(id="clubs-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="groups-empty", classes="empty-section")

    def on_mount(self) -> None:
        super().on_mount()
        self.clubs: list[service.ClubRow] = []
        self._layout: str | None = None
        self._columns()
        self.action_reload()

    # (key, title, width; 0 = what is left) per terminal width: the number of members and the next
    # session always show; the leaders and the kind only where there is room
    LAYOUTS = {
        "wide": [
            ("name", "Клуб / группа", 0),
            ("kind", "Вид", 13),
            ("leaders", "Ведущие", 28),
            ("schedule", "Расписание", 31),
            ("members", "Участн.", 7),
            ("next", "Ближайшее", 11),
        ],
        "mid": [
            ("name", "Клуб / группа", 0),
            ("leaders", "Ведущие", 28),
            ("schedule", "Расписание", 30),
            ("members", "Участн.", 7),
            ("next", "Ближайшее", 11),
        ],
        "narrow": [
            ("name", "Клуб / группа", 26),
            ("members", "Участн.", 7),
            ("next", "Ближайшее", 11),
            ("schedule", "Расписание", 0),
        ],
    }

    def _columns(self) -> None:
        width = self.size.width or self.app.size.width
        layout = "wide" if width >= 150 else "mid" if width >= 110 else "narrow"
        if layout == self._layout:
            return
        self._layout = layout
        table = self.query_one("#clubs-table", DataTable)
        table.clear(columns=True)
        columns = self.LAYOUTS[layout]
        fixed = sum(w for _k, _t, w in columns) + 2 * len(columns) + 2  # cell padding, scrollbar
        for _key, title, w in columns:
            table.add_column(title, width=w or max(width - fixed, 20))
        if self.clubs:
            self._show(self.clubs)

    def on_resize(self) -> None:
        if getattr(self, "clubs", None) is not None:
            self._columns()

    def on_screen_resume(self) -> None:
        if getattr(self, "clubs", None) is not None:
            self.action_reload()

    def action_reload(self) -> None:
        self._load()

    @db_work(exclusive=True, group="groups")
    def _load(self) -> None:
        clubs = service.list_clubs(self.app.actor)
        self.app.call_from_thread(self._show, clubs)

    def _show(self, clubs: list[service.ClubRow]) -> None:
        self.clubs = clubs
        table = self.query_one("#clubs-table", DataTable)
        keep = table.cursor_row
        table.clear()
        for c in clubs:
            style = "" if c.active else "dim"
            cells = {
                "name": Text(c.name, style=style),
                "kind": c.kind_label,
                "leaders": c.leaders,
                "schedule": compact_schedule(c.schedule),
                "members": f"{c.members}/{c.capacity}",
                "next": re.sub(r"\b(\d\d\.\d\d)\.\d{4}\b", r"\1", c.next_session),  # «04.12 11:00»
            }
            table.add_row(*(cells[key] for key, _t, _w in self.LAYOUTS[self._layout]), key=str(c.id))
        if clubs and keep is not None:
            table.move_cursor(row=min(keep, len(clubs) - 1))
        self.query_one("#groups-summary", Static).update(
            f"Клубов и групп: {len(clubs)} · участников: {sum(c.members for c in clubs)} · "
            f"СОП 05: до 2 занятий в неделю на человека"
        )
        empty = self.query_one("#groups-empty", Static)
        empty.update("" if clubs else "Клубов пока нет. Нажмите N, чтобы создать клуб или группу.")
        empty.display = not clubs
        table.display = bool(clubs)
        if clubs:
            table.focus()

    @on(DataTable.RowSelected, "#clubs-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        self.action_open_club()

    def action_open_club(self) -> None:
        table = self.query_one("#clubs-table", DataTable)
        if not self.clubs or table.cursor_row is None or table.cursor_row >= len(self.clubs):
            return
        self.app.push_screen(ClubScreen(self.clubs[table.cursor_row].id))

    def action_new_club(self) -> None:
        from soptui.screens.groups.club_form import ClubFormScreen

        self.app.push_screen(ClubFormScreen(None), self._club_saved)

    def _club_saved(self, club_id: int | None) -> None:
        self.action_reload()
        if club_id:
            self.app.push_screen(ClubScreen(club_id))

    def action_export(self) -> None:
        actor = self.app.actor
        today = clock.today()
        first = today.replace(day=1)

        def submit(values: dict):
            return service.export_csv(values["start"], values["end"])

        def done(result) -> None:
            if result:
                self.notify(f"Выгружено строк: {result.rows}. Файл: {result.path}", timeout=12)

        self.app.push_screen(
            FieldsDialog(
                "Выгрузка в ИС «Социальное обслуживание населения»",
                [
                    FieldSpec("start", "С даты", clock.fmt_date(first), clock.parse_date, True),
                    FieldSpec("end", "По дату", clock.fmt_date(today), clock.parse_date, True),
                ],
                submit,
                text="CSV (UTF-8, разделитель «;») — одна строка на клиента и услугу: посещённые занятия за период."
                + _export_scope_sentence(actor),
                ok_label="Выгрузить",
            ),
            done,
        )

    def palette_commands(self):
        from textual.app import SystemCommand

        yield SystemCommand("Группы: новый клуб", "Создать клуб или группу взаимоподдержки", self.action_new_club)
        yield SystemCommand(
            "Группы: выгрузка CSV", "Занятия за период для ИС «Социальное обслуживание населения»", self.action_export
        )


# --- a club's card -----------------------------------------------------------------------------------


class ClubScreen(SectionScreen):
    """One club: participants, sessions (Enter = roll-call), programme; printing."""

    SECTION_TITLE = "Группы"
    DEFAULT_CSS = """
    ClubScreen #club-head { height: auto; padding: 0 1; }
    ClubScreen TabbedContent { height: 1fr; }
    ClubScreen TabPane { padding: 0; }
    ClubScreen .hint { height: auto; max-height: 2; padding: 0 1; color: $text-muted; }
    ClubScreen #members-table { height: 1fr; }
    ClubScreen .admitted { height: auto; max-height: 3; padding: 0 1; color: $warning; }
    """
    BINDINGS = [
        # the keys of the tab «Занятия» (open first) come first in the footer, those of «Участники» after them
        Binding("escape", "back", "Назад", id="club.back", tooltip="К списку клубов"),
        Binding("o", "report", "Отчёт", id="club.report", tooltip="Тема, итоги, отзывы занятия"),
        Binding(
            "u",
            "informing",
            "Информир.",
            id="club.informing",
            tooltip="Информирование участников о занятии: кто, как, когда; список для печати",
        ),
        Binding("n", "add_session", "Доп. занятие", id="club.session.add", tooltip="Добавить занятие"),
        Binding("m", "move_session", "Перенести", id="club.session.move", tooltip="Перенести занятие"),
        Binding(
            "c", "cancel_session", "Отменить", id="club.session.cancel", tooltip="Отменить или восстановить занятие"
        ),
        Binding("t", "sheet", "Табель", id="club.sheet", tooltip="Табель посещаемости за месяц (PDF)"),
        Binding("l", "plan", "План", id="club.plan", tooltip="План и график работы клуба (PDF)"),
        Binding("e", "edit", "Изменить", id="club.edit", tooltip="Название, ведущие, программа, расписание"),
        Binding("a", "add_member", "Добавить", id="club.add", tooltip="Добавить участника (поиск клиента)"),
        Binding("d", "remove_member", "Выбыл", id="club.remove", tooltip="Отметить выбытие участника"),
        Binding("i", "informed", "Ознакомлен", id="club.informed", tooltip="Дата ознакомления с графиком и тематикой"),
        Binding(
            "z",
            "toggle_active",
            "Закрыть клуб",
            id="club.active",
            show=False,
            tooltip="Закрыть клуб (история сохраняется) или открыть снова",
        ),
    ]

    def __init__(self, club_id: int) -> None:
        super().__init__()
        self.club_id = club_id
        self.card: service.ClubCard | None = None

    def compose_body(self) -> ComposeResult:
        yield Static("Загрузка…", id="club-head")
        with TabbedContent(id="club-tabs"):
            with TabPane("Занятия", id="tab-sessions"):
                yield Static(
                    # two lines whatever the width, so a wrap never parts a key from what it does («L / — план»)
                    "Enter — перекличка · O — отчёт · U — информирование · N — доп. занятие\n"
                    "M — перенести · C — отменить · T — табель · L — план",
                    classes="hint",
                )
                yield RowTable(id="sessions-table", cursor_type="row", zebra_stripes=True)
            with TabPane("Участники", id="tab-members"):
                yield Static("A — добавить (поиск) · D — выбыл · I — ознакомлен с графиком", classes="hint")
                yield RowTable(id="members-table", cursor_type="row", zebra_stripes=True)
                yield Static("", id="member-admitted", classes="admitted")
            with TabPane("Программа", id="tab-programme"):
                yield RowTable(id="programme-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        super().on_mount()
        self._sessions_layout: tuple[bool, int] | None = None
        self._members_narrow: bool | None = None
        self.query_one("#programme-table", DataTable).add_columns("№", "Тема", "Цель")
        self.reload()

    def on_screen_resume(self) -> None:
        if self.card is not None:
            self.reload()

    def reload(self) -> None:
        self._load()

    @db_work(exclusive=True, group="club")
    def _load(self) -> None:
        try:
            card = service.get_club(self.club_id)
        except service.GroupError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self._show, card)

    def _show(self, card: service.ClubCard) -> None:
        first = self.card is None
        self.card = card
        self.refresh_bindings()  # «Изменить» only for the club's own department
        leaders = ", ".join(card.leader_names) or "не назначены"
        head = Text()
        head.append(card.name, style="bold")
        head.append(f"  ({card.kind_label}{'' if card.active else ', не работает'})\n", style="")
        head.append(
            f"{clock.fmt_date(card.start_date)}–{clock.fmt_date(card.end_date)} · {card.schedule_text}"
            f" · {card.room or 'помещение не указано'}\n"
        )
        head.append(f"Ведущие: {leaders} · участников {card.active_members} из {card.capacity}")
        if card.calendar_warning:
            head.append(f"\n⚠ {card.calendar_warning}", style="yellow")
        self.query_one("#club-head", Static).update(head)

        sessions = self.query_one("#sessions-table", DataTable)
        keep = sessions.cursor_row
        sessions.clear()
        today = clock.today()
        upcoming = 0
        labels = [
            s.status_label
            + (" · сокр. день" if s.short_day else "")
            + (" · доп." if s.extra else " · вручную" if s.manual else "")
            + (" · знакомство" if s.first_meeting else "")
            for s in card.sessions
        ]
        narrow = self._session_columns(labels)
        for i, (s, label) in enumerate(zip(card.sessions, labels, strict=True)):
            style = STATUS_STYLE.get(s.status, "")
            if s.date == today and s.status != "cancelled":
                style = "bold yellow"
            weekday = WEEKDAY_SHORT[s.date.weekday()]
            when = (
                [Text(f"{s.date:%d.%m} {weekday}", style=style)]
                if narrow
                else [Text(clock.fmt_date(s.date), style=style), weekday]
            )
            sessions.add_row(
                *when,
                f"{s.start_time}–{s.end_time}",
                Text(s.topic or "—", style=style),
                Text(label, style=style),
                f"{s.present}/{s.marked}" if s.marked else "",
                key=str(s.id),
            )
            if s.date <= today:
                upcoming = i
        if card.sessions:
            row = upcoming if first or keep is None else min(keep, len(card.sessions) - 1)
            self.call_after_refresh(sessions.move_cursor, row=row, scroll=True)

        members = self.query_one("#members-table", DataTable)
        keep = members.cursor_row
        members.clear()
        narrow = self._member_columns()
        for mb in card.members:
            style = "" if mb.active else "dim"
            informed = clock.fmt_date(mb.informed_on) if mb.informed_on else Text("не ознакомлен", style="yellow")
            left = f"{clock.fmt_date(mb.left_on)} {mb.left_reason}".strip() if mb.left_on else ""
            joined = Text(clock.fmt_date(mb.joined_on))
            if mb.admit_reason:
                joined.append(" ⚠", style="yellow")
            cells = [
                Text(mb.name, style=style),
                clock.fmt_date(mb.birth_date),
                joined,
                informed,
                left,
                str(mb.attended),
            ]
            if narrow:  # no birth date; the day of leaving without its reason
                cells = [cells[0], joined, informed, clock.fmt_date(mb.left_on) if mb.left_on else "", cells[5]]
            members.add_row(*cells, key=str(mb.id))
        if card.members and keep is not None:
            members.move_cursor(row=min(keep, len(card.members) - 1))
        self._show_admitted()

        programme = self.query_one("#programme-table", DataTable)
        programme.clear()
        for p in card.programme:
            programme.add_row(str(p.number), p.topic, p.goal)
        if first:
            sessions.focus()

    def _is_narrow(self) -> bool:
        return (self.size.width or self.app.size.width) < 100

    def _session_columns(self, labels: list[str]) -> bool:
        """The sessions' columns for the width: at 80 columns the weekday joins the date (the year is in the
        head), and the topic gets what the date, time, mark and attendance leave, so the attendance shows."""
        table = self.query_one("#sessions-table", DataTable)
        narrow = self._is_narrow()
        mark = min(24, max([len(label) for label in labels] + [7])) if narrow else 0
        if (narrow, mark) == self._sessions_layout and table.columns:
            return narrow
        self._sessions_layout = (narrow, mark)
        table.clear(columns=True)
        if not narrow:
            table.add_columns("Дата", "День", "Время", "Тема", "Отметка", "Присутств.")
            return narrow
        width = self.size.width or self.app.size.width
        fixed = 8 + 11 + mark + 5 + 2 * 5 + 2  # date, time, mark, attendance, cell padding, scrollbar
        table.add_column("Дата", width=8)
        table.add_column("Время", width=11)
        table.add_column("Тема", width=max(12, width - fixed))
        table.add_column("Отметка", width=mark)
        table.add_column("Были", width=5)
        return narrow

    def _member_columns(self) -> bool:
        """The members' columns for the width: at 80 columns the birth date and the reason for leaving give
        way, so that joined, informed, left and attended all show beside the name."""
        table = self.query_one("#members-table", DataTable)
        narrow = self._is_narrow()
        if narrow == self._members_narrow and table.columns:
            return narrow
        self._members_narrow = narrow
        table.clear(columns=True)
        if not narrow:
            table.add_columns("ФИО", "Дата рожд.", "Включён", "Ознакомлен", "Выбыл", "Посещено")
            return narrow
        width = self.size.width or self.app.size.width
        fixed = 12 + 13 + 10 + 6 + 2 * 5 + 2  # joined, informed, left, attended, cell padding, scrollbar
        table.add_column("ФИО", width=max(16, width - fixed))
        table.add_column("Включён", width=12)
        table.add_column("Ознакомлен", width=13)
        table.add_column("Выбыл", width=10)
        table.add_column("Посещ.", width=6)
        return narrow

    def on_resize(self) -> None:
        if self.card is None:
            return
        if self._is_narrow() != self._members_narrow or (
            self._sessions_layout and self._is_narrow() != self._sessions_layout[0]
        ):
            self._show(self.card)

    # --- selection helpers ---

    def _selected_session(self) -> service.SessionRow | None:
        if self.card is None or not self.card.sessions:
            return None
        table = self.query_one("#sessions-table", DataTable)
        if table.cursor_row is None or table.cursor_row >= len(self.card.sessions):
            return None
        return self.card.sessions[table.cursor_row]

    def _selected_member(self) -> service.MemberRow | None:
        if self.card is None or not self.card.members:
            return None
        table = self.query_one("#members-table", DataTable)
        if table.cursor_row is None or table.cursor_row >= len(self.card.members):
            return None
        return self.card.members[table.cursor_row]

    @on(DataTable.RowHighlighted, "#members-table")
    def _show_admitted(self) -> None:
        """The selected member was added despite a warning: what it was and the reason recorded."""
        mb = self._selected_member()
        note = self.query_one("#member-admitted", Static)
        if mb is None or not mb.admit_reason:
            note.update("")
            note.display = False
            return
        note.update(f"⚠ Включён(а), несмотря на: {mb.admit_warning}. Причина: {mb.admit_reason}")
        note.display = True

    def _tab(self) -> str:
        return self.query_one("#club-tabs", TabbedContent).active

    def _on_members_tab(self) -> bool:
        if self._tab() != "tab-members":
            self.query_one("#club-tabs", TabbedContent).active = "tab-members"
            self.query_one("#members-table", DataTable).focus()
            return False
        return True

    # --- actions ---

    def action_back(self) -> None:
        self.app.pop_screen()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A leader from another department leads the sessions; the club itself is its department's to change."""
        if action == "edit":
            return self.card is not None and self.card.editable
        return super().check_action(action, parameters)

    def action_edit(self) -> None:
        if self.card is None or not self.card.editable:
            return
        from soptui.screens.groups.club_form import ClubFormScreen

        self.app.push_screen(ClubFormScreen(self.club_id), lambda _: self.reload())

    @on(DataTable.RowSelected, "#sessions-table")
    def _session_selected(self, event: DataTable.RowSelected) -> None:
        s = self._selected_session()
        if s is None:
            return
        if s.status == "cancelled":
            self.notify("Занятие отменено: C — восстановить.", severity="warning")
            return
        from soptui.screens.groups.rollcall import RollCallScreen

        self.app.push_screen(RollCallScreen(s.id))

    def action_report(self) -> None:
        s = self._selected_session()
        if s is None:
            return
        from soptui.screens.groups.session_form import SessionFormScreen

        self.app.push_screen(SessionFormScreen(s.id))

    def action_informing(self) -> None:
        s = self._selected_session()
        if s is None:
            return
        if s.status == "cancelled":
            self.notify("Занятие отменено: информировать о нём некого.", severity="warning")
            return
        from soptui.screens.groups.informing import InformingDialog

        self.app.push_screen(InformingDialog(s.id))

    def action_add_member(self) -> None:
        if self.card is None:
            return
        self.query_one("#club-tabs", TabbedContent).active = "tab-members"
        from soptui.screens.clients.picker import ClientPickerScreen

        self.app.push_screen(ClientPickerScreen(f"Добавить участника: {self.card.name}"), self._picked)

    def _picked(self, client_id: int | None) -> None:
        if not client_id:
            return
        open_member_dialog(self.app, self.club_id, client_id, self._member_added)

    def _member_added(self, result) -> None:
        if result:
            self.notify("Участник добавлен.")
            self.reload()

    def action_remove_member(self) -> None:
        if not self._on_members_tab():
            return
        mb = self._selected_member()
        if mb is None or not mb.active:
            self.notify("Выберите участника, который ещё состоит в группе.", severity="warning")
            return

        def submit(values: dict):
            service.remove_member(mb.id, values["left_on"], values["reason"] or "")

        self.app.push_screen(
            FieldsDialog(
                f"Выбытие: {mb.name}",
                [
                    FieldSpec("left_on", "Дата выбытия", _today_text(), clock.parse_date, True),
                    FieldSpec("reason", "Причина", placeholder="например, переезд"),
                ],
                submit,
                text="История посещений сохранится.",
            ),
            lambda r: r and self.reload(),
        )

    def action_informed(self) -> None:
        if not self._on_members_tab():
            return
        mb = self._selected_member()
        if mb is None:
            return

        def submit(values: dict):
            service.set_informed(mb.id, values["informed_on"])

        self.app.push_screen(
            FieldsDialog(
                f"Ознакомление с графиком и тематикой: {mb.name}",
                [
                    FieldSpec(
                        "informed_on",
                        "Дата ознакомления",
                        clock.fmt_date(mb.informed_on) or _today_text(),
                        clock.parse_date,
                        placeholder="пусто — снять отметку",
                    )
                ],
                submit,
            ),
            lambda r: r and self.reload(),
        )

    def action_add_session(self) -> None:
        if self.card is None:
            return
        club_id = self.club_id
        slot = self.card.slots[0] if self.card.slots else None
        times = f"{slot.start_time}-{slot.end_time}" if slot else "15:00-16:00"

        def submit(values: dict):
            from soptui.domain.groups import parse_time_range

            start, end = parse_time_range(values["time"])
            return service.add_session(club_id, values["date"], start, end)

        self.app.push_screen(
            FieldsDialog(
                "Дополнительное занятие",
                [
                    FieldSpec("date", "Дата", "", clock.parse_date, True, "ДД.ММ.ГГГГ"),
                    FieldSpec("time", "Время", times, None, True, "ЧЧ:ММ-ЧЧ:ММ"),
                ],
                submit,
                ok_label="Добавить",
            ),
            lambda r: r and self.reload(),
        )

    def action_move_session(self) -> None:
        s = self._selected_session()
        if s is None:
            return

        def submit(values: dict):
            from soptui.domain.groups import parse_time_range

            start, end = parse_time_range(values["time"])
            service.move_session(s.id, values["date"], start, end)

        self.app.push_screen(
            FieldsDialog(
                f"Перенос занятия {clock.fmt_date(s.date)} {s.start_time}",
                [
                    FieldSpec("date", "Новая дата", clock.fmt_date(s.date), clock.parse_date, True),
                    FieldSpec("time", "Время", f"{s.start_time}-{s.end_time}", None, True, "ЧЧ:ММ-ЧЧ:ММ"),
                ],
                submit,
                text="Отметки и записи журнала услуг переносятся вместе с занятием.",
                ok_label="Перенести",
            ),
            lambda r: r and self.reload(),
        )

    def action_cancel_session(self) -> None:
        s = self._selected_session()
        if s is None:
            return
        if s.status == "cancelled":
            self._restore(s.id)
            return

        def submit(values: dict):
            service.cancel_session(s.id, values["reason"] or "")

        self.app.push_screen(
            FieldsDialog(
                f"Отмена занятия {clock.fmt_date(s.date)} {s.start_time}",
                [FieldSpec("reason", "Причина отмены", placeholder="например, карантин")],
                submit,
                ok_label="Отменить занятие",
            ),
            lambda r: r and self.reload(),
        )

    @db_work(group="club-write")
    def _restore(self, session_id: int) -> None:
        service.restore_session(session_id)
        self.app.call_from_thread(self.notify, "Занятие восстановлено.")
        self.app.call_from_thread(self.reload)

    def action_sheet(self) -> None:
        s = self._selected_session()
        day = s.date if s else clock.today()
        club_id = self.club_id

        def submit(values: dict):
            year, month = values["month"]
            return service.print_attendance_sheet(club_id, year, month)

        self.app.push_screen(
            FieldsDialog(
                "Табель посещаемости (PDF, А4 альбомная)",
                [FieldSpec("month", "Месяц", f"{day:%m.%Y}", parse_month, True, "ММ.ГГГГ")],
                submit,
                ok_label="Печать",
            ),
            self._printed,
        )

    def action_toggle_active(self) -> None:
        if self.card is None:
            return
        card = self.card
        question = (
            f"Закрыть {service.quoted(card.name)}? Участники, занятия и посещаемость сохранятся, "
            f"клуб уйдёт в конец списка."
            if card.active
            else f"Снова открыть {service.quoted(card.name)}?"
        )

        def answer(yes: bool | None) -> None:
            if yes:
                self._set_active(not card.active)

        self.app.push_screen(ConfirmDialog(question), answer)

    @db_work(group="club-write")
    def _set_active(self, active: bool) -> None:
        service.set_club_active(self.club_id, active)
        self.app.call_from_thread(self.notify, "Клуб открыт." if active else "Клуб закрыт.")
        self.app.call_from_thread(self.reload)

    def palette_commands(self):
        from textual.app import SystemCommand

        if self.card is not None:
            yield SystemCommand(
                "Клуб: закрыть / открыть снова",
                "История участников и занятий сохраняется (Z)",
                self.action_toggle_active,
            )
            yield SystemCommand("Клуб: план и график (PDF)", "Печать плана работы клуба (L)", self.action_plan)
            yield SystemCommand("Клуб: табель посещаемости (PDF)", "Табель за месяц (T)", self.action_sheet)
            yield SystemCommand(
                "Клуб: информирование о занятии",
                "Кто, как и когда проинформировал участников; список для печати (U)",
                self.action_informing,
            )

    def action_plan(self) -> None:
        self._print_plan()

    @db_work(group="print")
    def _print_plan(self) -> None:
        try:
            path = service.print_club_plan(self.club_id)
        except (OSError, service.GroupError) as exc:
            self.app.call_from_thread(self.notify, f"Не удалось сохранить PDF: {exc}", severity="error")
            return
        self.app.call_from_thread(self._printed, path)

    def _printed(self, path) -> None:
        if path:
            self.notify(f"PDF сохранён: {path}", timeout=12)


# --- opened from Today and the client card (SoptuiApp.open) ------------------------------------------


def open_session(app, session_id: int) -> None:
    """Today → Enter on a session: the roll-call."""
    from soptui.screens.groups.rollcall import RollCallScreen

    app.push_screen(RollCallScreen(session_id))


def open_add_to_group(app, client_id: int) -> None:
    """Client card → "add to group": choose a club, then the joining dates."""
    screen = app.screen

    def load() -> None:
        clubs = service.list_clubs(app.actor, include_inactive=False)
        app.call_from_thread(show, clubs)

    def show(clubs) -> None:
        if not clubs:
            app.notify("Нет действующих клубов, в которые можно добавить клиента.", severity="warning")
            return
        app.push_screen(ChooseClubDialog(clubs, "В какой клуб или группу добавить клиента?"), chosen)

    def chosen(club_id: int | None) -> None:
        if not club_id:
            return
        open_member_dialog(app, club_id, client_id, lambda r: r and app.notify("Клиент добавлен в группу."))

    screen.run_worker(load, thread=True, group="add-to-group")


_SLOT = re.compile(r"^(\w\w) (\d\d:\d\d–\d\d:\d\d)$")


def compact_schedule(schedule: str) -> str:
    """«вт 15:00–16:00, пт 15:00–16:00» -> «вт, пт 15:00–16:00»: days with the same hours share them (the list
    at 80 columns shows the whole schedule). Anything else is left as it is."""
    parts = [p.strip() for p in schedule.split(",")]
    slots = [_SLOT.match(p) for p in parts]
    if not parts or not all(slots):
        return schedule
    by_time: dict[str, list[str]] = {}
    for slot in slots:
        by_time.setdefault(slot.group(2), []).append(slot.group(1))
    return "; ".join(f"{', '.join(days)} {time}" for time, days in by_time.items())


def _export_scope_sentence(actor) -> str:
    """What the groups export covers for this person (services/groups/export.py applies it)."""
    if actor is None or actor.sees_all_departments:
        return ""
    if access.own_clients_only(actor):
        return " Вы не закреплены за отделением: только ваши клиенты и клиенты без отделения и специалиста."
    return " Только клубы вашего отделения (в клубах без отделения — его клиенты)."
