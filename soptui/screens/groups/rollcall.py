"""Roll-call in the room (SOP 05 stage 3): arrows and Space over the members, A = all present,
R = reason for absence, Ctrl+S saves. Twenty people take seconds.

A third session in a calendar week (SOP 05: up to twice a week) is refused with the
other two sessions named; the head of department may allow it with a reason.
"""

from __future__ import annotations

import time

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from soptui.core import clock
from soptui.domain.groups import WEEKDAY_SHORT, WEEKLY_LIMIT
from soptui.screens.base import SectionScreen
from soptui.screens.form_base import EditFlow
from soptui.services import groups as service
from soptui.widgets.fields import TextInput
from soptui.widgets.paged_table import RowTable
from soptui.widgets.workers import db_work

PRESENT = Text("✔ был", style="bold green")
ABSENT = Text("— нет", style="red")
REASONS = {"1": "болеет", "2": "уважительная причина", "3": "без уважительной причины"}


class RollCallTable(RowTable):
    """The member list; Space toggles the row under the cursor."""

    BINDINGS = [Binding("space", "toggle", "Отметить", id="rollcall.toggle", tooltip="Был / не был")]

    def action_toggle(self) -> None:
        self.screen.toggle_row(self.cursor_row)


class AbsenceReasonDialog(ModalScreen[str | None]):
    """The reason for one absence: 1-3 for the usual ones, or type."""

    DEFAULT_CSS = """
    AbsenceReasonDialog { align: center middle; }
    AbsenceReasonDialog > #ar-box { width: 64; height: auto; }
    """
    BINDINGS = [Binding("escape", "cancel", "Отмена", id="absence.cancel", tooltip="Закрыть, не указывая причину")]

    def __init__(self, name: str, reason: str) -> None:
        super().__init__()
        self.person = name
        self.reason = reason

    def compose(self) -> ComposeResult:
        with Vertical(id="ar-box", classes="dialog"):
            yield Static(f"Причина отсутствия: {self.person}", classes="dialog-title")
            # one reason a line: at 64 columns the three on one line broke «без уважительной / причины»
            yield Static("\n".join(f"{k} — {v}" for k, v in REASONS.items()), classes="muted")
            yield TextInput(value=self.reason, id="ar-reason", placeholder="цифра или своя причина")
            yield Static("Enter — сохранить · Esc — отмена", classes="muted")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _done(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        self.dismiss(REASONS.get(text, text))

    def action_cancel(self) -> None:
        self.dismiss(None)


class OverrideDialog(ModalScreen[tuple[str, dict[int, str], int | None] | None]):
    """The weekly limit was hit: mark them absent, or the head allows with a reason.

    Dismisses with ("absent", {}, None), ("override", {client: reason}, head id) or None.
    """

    DEFAULT_CSS = """
    OverrideDialog { align: center middle; }
    OverrideDialog > #ov-box { width: 100; max-width: 100%; height: auto; max-height: 100%; }
    OverrideDialog .dialog-title { padding: 0; }
    OverrideDialog #ov-rule { height: auto; color: $text-muted; }
    OverrideDialog #ov-list { height: auto; max-height: 10; margin: 1 0; }
    OverrideDialog #ov-text { height: auto; }
    OverrideDialog #ov-buttons { height: auto; margin: 1 0 0 0; }
    OverrideDialog #ov-buttons Button { margin: 0 1 0 0; }
    OverrideDialog #ov-error { height: auto; }
    OverrideDialog .ov-cred { height: auto; }
    OverrideDialog .ov-cred Input { width: 1fr; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Назад к перекличке", id="override.cancel", tooltip="Вернуться к перекличке")
    ]

    def __init__(self, violations, actor, session_id: int) -> None:
        super().__init__()
        self.violations = violations
        self.actor = actor
        self.session_id = session_id

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="ov-box", classes="dialog"):
            yield Static("Не больше двух занятий в неделю (СОП 05)", classes="dialog-title")
            yield Static(
                f"Уже были на {WEEKLY_LIMIT} занятиях этой недели ({len(self.violations)} чел.). Третье — только "
                "с разрешения заведующего отделением с указанием причины.",
                id="ov-rule",
            )
            # one line per person: who, and which sessions of the week (the rule is said once, above)
            with VerticalScroll(id="ov-list"):
                yield Static(
                    "\n".join(
                        f"• {v.client_name}: {'; '.join(o.describe() for o in v.others)}" for v in self.violations
                    ),
                    id="ov-text",
                )
            yield Label("Причина разрешения:")
            yield TextInput(id="ov-reason", placeholder="например, подготовка к празднику по плану учреждения")
            if not self.actor.is_head:
                yield Label("Логин и пароль заведующего отделением:")
                with Horizontal(classes="ov-cred"):
                    yield TextInput(id="ov-login", placeholder="логин")
                    yield TextInput(id="ov-password", password=True, placeholder="пароль")
            yield Static("", id="ov-error", classes="error")
            with Horizontal(id="ov-buttons"):
                yield Button("Отметить отсутствующим(и)", id="ov-absent", variant="primary")
                yield Button("Разрешить", id="ov-allow", variant="warning")
                yield Button("Назад", id="ov-back")

    def on_mount(self) -> None:
        self.query_one("#ov-box").styles.width = 100  # wider than the global .dialog
        self._fit_list()
        self.query_one("#ov-reason", Input).focus()

    def on_resize(self) -> None:
        self._fit_list()

    def _fit_list(self) -> None:
        """The list of people gets the rows the rest of the dialog leaves (at 80x24 the title, the reason and
        the buttons stay in view; the list scrolls)."""
        rest = 17 if self.actor.is_head else 21  # border, title, rule, margins, reason, credentials, buttons
        self.query_one("#ov-list").styles.max_height = max(3, min(10, self.app.size.height - rest))

    @on(Button.Pressed, "#ov-absent")
    def _absent(self) -> None:
        self.dismiss(("absent", {}, None))

    @on(Button.Pressed, "#ov-back")
    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        """Enter moves reason → login → password, and allows from the last field."""
        if not self.actor.is_head and event.input.id in ("ov-reason", "ov-login"):
            nxt = "#ov-login" if event.input.id == "ov-reason" else "#ov-password"
            if event.input.id == "ov-reason" and not event.value.strip():
                self._allow()
                return
            self.query_one(nxt, Input).focus()
            return
        self._allow()

    @on(Button.Pressed, "#ov-allow")
    def _allow(self) -> None:
        reason = self.query_one("#ov-reason", Input).value.strip()
        if not reason:
            self.query_one("#ov-error", Static).update("Укажите причину разрешения третьего занятия.")
            self.query_one("#ov-reason", Input).focus()
            return
        if self.actor.is_head:
            self.dismiss(("override", {v.client_id: reason for v in self.violations}, self.actor.id))
            return
        login = self.query_one("#ov-login", Input).value
        password = self.query_one("#ov-password", Input).value
        if not login.strip() or not password:
            self.query_one("#ov-error", Static).update("Нужны логин и пароль заведующего отделением.")
            return
        self.query_one("#ov-error", Static).update("Проверка…")
        self._check_head(login, password, reason)

    @db_work(exclusive=True, group="override")
    def _check_head(self, login: str, password: str, reason: str) -> None:
        from soptui.services import groups

        # checked here to answer at the dialog, and again by the service when the roll-call is saved (a head of
        # the club's own department, or of the centre); failures slow this dialog down, never the head's sign-in
        problem = groups.override_approval_problem(self.session_id, login, password)
        if problem:
            self.app.call_from_thread(self._failed, problem)
            return
        approval = (login, password)
        self.app.call_from_thread(self.dismiss, ("override", {v.client_id: reason for v in self.violations}, approval))

    def _failed(self, message: str) -> None:
        self.query_one("#ov-error", Static).update(message)
        self.query_one("#ov-password", Input).value = ""


class RollCallScreen(EditFlow, SectionScreen):
    """Who came to a session; saving writes one service log entry per present client."""

    SECTION_TITLE = "Перекличка"
    DEFAULT_CSS = """
    RollCallScreen #rc-head { height: auto; padding: 0 1; }
    RollCallScreen #rc-status { height: 1; padding: 0 1; }
    RollCallScreen #rc-hint { height: auto; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("a", "all_present", "Все пришли", id="rollcall.all", tooltip="Отметить всех присутствующими"),
        Binding("z", "none_present", "Снять всех", id="rollcall.none", tooltip="Снять все отметки"),
        Binding("r", "reason", "Причина", id="rollcall.reason", tooltip="Причина отсутствия"),
        Binding("ctrl+s", "save", "Сохранить", id="rollcall.save", tooltip="Сохранить перекличку"),
        Binding("o", "report", "Отчёт", id="rollcall.report", tooltip="Тема, итоги и отзывы занятия"),
        Binding("escape", "leave", "Назад", id="rollcall.back", tooltip="Закрыть перекличку"),
    ]
    AUTO_RESUME = True
    LEAVE_QUESTION = "Перекличка не сохранена."
    RESUMED_MESSAGE = "Восстановлены несохранённые отметки переклички."

    def __init__(self, session_id: int) -> None:
        super().__init__()
        self.session_id = session_id
        self.call: service.RollCall | None = None
        self.present: dict[int, bool] = {}
        self.reasons: dict[int, str] = {}
        self.overrides: dict[int, str] = {}
        self.notes: dict[int, str] = {}
        self.override_by: int | tuple[str, str] | None = None
        self.init_edit_flow(f"rollcall:{session_id}")
        self.opened_at = time.monotonic()
        self.saved_after: float | None = None  # seconds from opening to the first save

    def compose_body(self) -> ComposeResult:
        yield Static("Загрузка…", id="rc-head")
        yield Static("", id="rc-status")
        yield RollCallTable(id="rc-table", cursor_type="row", zebra_stripes=True)
        yield Static(
            "↑↓ — выбор · Пробел — был/не был · A — все пришли · R — причина · Ctrl+S — сохранить", id="rc-hint"
        )

    def on_mount(self) -> None:
        super().on_mount()
        table = self.query_one(RollCallTable)
        table.add_column("Отметка", key="mark", width=8)
        table.add_column("ФИО участника", key="name")
        table.add_column("Причина отсутствия / примечание", key="note")
        self._load()

    @db_work(exclusive=True, group="rollcall")
    def _load(self) -> None:
        from soptui.services import drafts

        try:
            call = service.roll_call(self.session_id)
        except service.GroupError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        draft = None if self.loaded else drafts.load_draft(self.draft_key)
        self.app.call_from_thread(self._show, call, draft)

    def _show(self, call: service.RollCall, draft: dict | None = None) -> None:
        self.call = call
        self.present = {r.client_id: r.present for r in call.rows}
        self.reasons = {r.client_id: r.absence_reason for r in call.rows}
        self.notes = {
            r.client_id: (
                f"3-е занятие в неделю разрешено: {r.override_by} — {r.override_reason}" if r.override_reason else ""
            )
            for r in call.rows
        }
        head = Text()
        head.append(call.club_name, style="bold")
        head.append(
            f"  {clock.fmt_date(call.date)} ({WEEKDAY_SHORT[call.date.weekday()]}) {call.start_time}–{call.end_time}\n"
        )
        head.append(f"Тема: {call.topic or 'не указана'}", style="")
        if call.goal:
            head.append(f" · Цель: {call.goal}", style="italic")
        if call.status == "cancelled":
            head.append("\nЗанятие отменено: отметки не сохраняются.", style="bold red")
        elif call.date > clock.today():
            head.append("\nЗанятие ещё не наступило: перекличку сохраняют в день занятия.", style="bold yellow")
        self.query_one("#rc-head", Static).update(head)
        table = self.query_one(RollCallTable)
        keep = table.cursor_row if table.row_count else 0
        table.clear()
        for r in call.rows:
            table.add_row(self._mark(r.client_id), r.name, self._note(r.client_id), key=str(r.client_id))
        if call.rows:
            table.move_cursor(row=min(keep or 0, len(call.rows) - 1))
        table.focus()
        self.mark_loaded()
        self.offer_draft(draft, "", lambda saved: self.fill(saved["values"]))
        self._status()

    # --- the marks as a form: what the draft keeps ---

    def raw_values(self) -> dict:
        """One mark and one reason per participant: «p:<client id>», «r:<client id>»."""
        values: dict = {}
        for cid in sorted(self.present):
            values[f"p:{cid}"] = bool(self.present.get(cid))
            values[f"r:{cid}"] = self.reasons.get(cid, "") or ""
        return values

    def fill(self, values: dict) -> None:
        for cid in self.present:
            if f"p:{cid}" in values:
                self.present[cid] = bool(values[f"p:{cid}"])
            if f"r:{cid}" in values:
                self.reasons[cid] = values[f"r:{cid}"] or ""
            self._refresh_row(cid)
        self._status()

    # --- the conflict review: a colleague saved marks of this session meanwhile

    CONFLICT_TITLE = "Перекличку этого занятия сохранил другой сотрудник"

    @property
    def FIELD_LABELS(self) -> dict[str, str]:  # noqa: N802 - EditFlow's class attribute, by participants here
        labels: dict[str, str] = {}
        for r in self.call.rows if self.call else ():
            labels[f"p:{r.client_id}"] = f"{r.name}: был(а)"
            labels[f"r:{r.client_id}"] = f"{r.name}: причина отсутствия"
        return labels

    def load_stored(self):
        try:
            call = service.roll_call(self.session_id)
        except service.GroupError:
            return None
        values: dict = {}
        for r in call.rows:
            values[f"p:{r.client_id}"] = r.present
            values[f"r:{r.client_id}"] = r.absence_reason
        return values, 0

    def set_version(self, version: int) -> None:
        pass  # the marks themselves are the version: the next save expects self.baseline

    def _expected(self) -> dict[int, tuple[bool, str]]:
        base = self.baseline
        return {cid: (bool(base.get(f"p:{cid}")), base.get(f"r:{cid}", "") or "") for cid in self.present}

    def leave(self, result=None) -> None:
        self.app.pop_screen()

    def _mark(self, client_id: int) -> Text:
        return PRESENT if self.present.get(client_id) else ABSENT

    def _note(self, client_id: int) -> str:
        if self.present.get(client_id):
            return self.notes.get(client_id, "")
        return self.reasons.get(client_id, "")

    def _status(self) -> None:
        if self.call is None:
            return
        n = len(self.call.rows)
        p = sum(1 for v in self.present.values() if v)
        text = Text(f"Присутствуют: {p} из {n}")
        if not n:
            text = Text("В группе на эту дату нет участников: добавьте их в карточке клуба (A).", style="yellow")
        elif self.dirty:
            text.append(" · не сохранено (Ctrl+S)", style="bold yellow")
        elif self.call.status == "held" or self.saved_after is not None:
            text.append(" · сохранено", style="green")
        self.query_one("#rc-status", Static).update(text)

    def _refresh_row(self, client_id: int) -> None:
        table = self.query_one(RollCallTable)
        table.update_cell(str(client_id), "mark", self._mark(client_id))
        table.update_cell(str(client_id), "note", self._note(client_id))

    def _client_at(self, row: int | None) -> int | None:
        if self.call is None or row is None or not 0 <= row < len(self.call.rows):
            return None
        return self.call.rows[row].client_id

    # --- marking ---

    def toggle_row(self, row: int | None) -> None:
        client_id = self._client_at(row)
        if client_id is None:
            return
        self.present[client_id] = not self.present.get(client_id)
        self.note_change()
        self._refresh_row(client_id)
        self._status()

    def action_all_present(self) -> None:
        if self.call is None:
            return
        for r in self.call.rows:
            self.present[r.client_id] = True
            self._refresh_row(r.client_id)
        self.note_change()
        self._status()

    def action_none_present(self) -> None:
        if self.call is None:
            return
        for r in self.call.rows:
            self.present[r.client_id] = False
            self._refresh_row(r.client_id)
        self.note_change()
        self._status()

    def action_reason(self) -> None:
        table = self.query_one(RollCallTable)
        client_id = self._client_at(table.cursor_row)
        if client_id is None:
            return
        if self.present.get(client_id):
            self.notify("Причина нужна только отсутствующим: снимите отметку пробелом.", severity="warning")
            return
        name = self.call.rows[table.cursor_row].name

        def done(reason: str | None) -> None:
            if reason is None:
                return
            self.reasons[client_id] = reason
            self.note_change()
            self._refresh_row(client_id)
            self._status()

        self.app.push_screen(AbsenceReasonDialog(name, self.reasons.get(client_id, "")), done)

    # --- saving ---

    def action_save(self) -> None:
        if self.call is None:
            return
        marks = {cid: (bool(self.present.get(cid)), self.reasons.get(cid, "")) for cid in self.present}
        self.query_one("#rc-status", Static).update("Сохранение…")
        self._save(marks, dict(self.overrides), self.override_by, self._expected())

    @db_work(exclusive=True, group="rollcall-save")
    def _save(self, marks, overrides, override_by, expected) -> None:
        from soptui.services.errors import ConflictError

        try:
            result = service.save_roll_call(
                self.session_id,
                marks,
                overrides,
                override_by,
                staff_id=self.app.actor.id if self.app.actor else None,
                expected=expected,
            )
        except ConflictError:
            self.conflict_found()
            return
        except service.WeeklyLimitError as exc:
            self.app.call_from_thread(self._limit, exc.violations)
            return
        except service.GroupError as exc:
            self.app.call_from_thread(self._save_failed, str(exc))
            return
        self.drop_draft()
        self.app.call_from_thread(self._saved, result)

    def _save_failed(self, message: str) -> None:
        self.notify(message, severity="error", timeout=10)
        self._status()

    def _limit(self, violations) -> None:
        self._status()

        def decided(choice) -> None:
            if choice is None:
                return
            kind, overrides, head_id = choice
            if kind == "absent":
                for v in violations:
                    self.present[v.client_id] = False
                    if not self.reasons.get(v.client_id):
                        self.reasons[v.client_id] = "уже 2 занятия на этой неделе (СОП 05)"
                    self._refresh_row(v.client_id)
            else:
                self.overrides.update(overrides)
                self.override_by = head_id
            self.action_save()

        self.app.push_screen(OverrideDialog(violations, self.app.actor, self.session_id), decided)

    def _saved(self, result: service.SaveResult) -> None:
        if self.saved_after is None:
            self.saved_after = time.monotonic() - self.opened_at
        self.mark_saved()
        self.overrides.clear()
        change = ""
        if result.entries_created or result.entries_removed:
            change = f"; журнал услуг: +{result.entries_created} −{result.entries_removed}"
        self.notify(
            f"Перекличка сохранена за {self.saved_after:.0f} с: присутствовали {result.present}, "
            f"отсутствовали {result.absent}{change}."
        )
        if self.leave_after_save:
            self.leave()
            return
        self._load()

    # --- leaving ---

    def action_report(self) -> None:
        from soptui.screens.groups.session_form import SessionFormScreen

        self.app.push_screen(SessionFormScreen(self.session_id))
