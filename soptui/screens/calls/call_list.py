"""Звонки: the call list (with SOP 03 notice states) and the «Телефонные переговоры» log.

Also the openers other sections use: "new_call" (client id), "call" (call id),
"reminder" (a callback / control point / messenger session from Today).
"""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Input, Static, TabbedContent, TabPane

from soptui.core import clock
from soptui.core.text import short_of_full
from soptui.domain.labels import REMINDER_KINDS
from soptui.screens.base import SectionScreen
from soptui.screens.calls.dialogs import (
    NewCallChoice,
    NewCallScreen,
    NoticeAnswer,
    NoticeScreen,
    OffHoursScreen,
)
from soptui.screens.navigation import NewCall, OpenCall, OpenReminder
from soptui.widgets.dialogs import ConfirmDialog, MessageScreen
from soptui.widgets.fields import LabeledInput
from soptui.widgets.paged_table import RowTable
from soptui.widgets.workers import db_work

PAGE = 200
HINT = "n — новый звонок · Enter — продолжить/открыть · o — ответ на SMS · p — бланк PDF · x — отменить"
NOTICE_STYLE = {"позвонить": "bold yellow", "прочитано": "cyan", "уведомление": "magenta"}


CALL_COLUMNS = ("Когда", "Клиент", "Состояние", "SMS / итог", "Кому", "Телефон", "СОП", "№")


def _short_callee(callee: str) -> str:
    """«Козлова П.Н. (мать)» from «Козлова Полина Николаевна (мать)»; anything else as it is."""
    name, bracket, rest = callee.partition(" (")
    return short_of_full(name) + (bracket + rest if bracket else "")


class CallsScreen(SectionScreen):
    """The Звонки section."""

    SECTION_TITLE = "Звонки"
    DEFAULT_CSS = """
    CallsScreen #log-period { height: auto; }
    CallsScreen #log-period LabeledInput { width: 20; }
    CallsScreen #log-period Button { margin: 1 1 0 1; }
    CallsScreen #log-summary { height: 1; padding: 0 1; color: $text-muted; }
    CallsScreen #calls-hint { height: auto; max-height: 2; padding: 0 1; color: $text-muted; }
    CallsScreen TabPane { padding: 0; }
    """
    BINDINGS = [
        Binding("n", "new_call", "Новый звонок", id="calls.new", tooltip="Выбрать клиента и начать звонок"),
        Binding(
            "enter",
            "open_call",
            "Открыть",
            id="calls.open",
            show=False,
            tooltip="Открыть звонок: продолжить незавершённый или посмотреть",
        ),
        Binding("o", "notice", "Ответ на SMS", id="calls.notice", tooltip="Отметить ответ на SMS-уведомление"),
        Binding("p", "pdf", "PDF", id="calls.pdf", tooltip="Бланк звонка или журнал за период в PDF"),
        Binding("x", "abandon", "Отменить", id="calls.abandon", tooltip="Отменить незавершённый звонок"),
        Binding("r", "reload", "Обновить", id="calls.reload", show=False, tooltip="Перечитать список звонков"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list = []
        self._cut: set[int] = set()  # calls whose row is shown shortened (said whole in the line above)
        self.log_rows: list = []
        self._pending: list[NewCall | OpenCall | OpenReminder] = []
        self._offered_resume = False
        self._mounted = False
        self.last_pdf = None

    def compose_body(self) -> ComposeResult:
        with TabbedContent(id="calls-tabs"):
            with TabPane("Звонки", id="tab-calls"):
                yield Static(HINT, id="calls-hint")
                yield RowTable(id="calls-table", cursor_type="row", zebra_stripes=True)
            with TabPane("Телефонные переговоры", id="tab-log"):
                with Horizontal(id="log-period"):
                    first = clock.today().replace(day=1)
                    yield LabeledInput(
                        "С",
                        id="log-from",
                        value=clock.fmt_date(first),
                        validator=clock.parse_date,
                        input_id="log-from-input",
                    )
                    yield LabeledInput(
                        "По",
                        id="log-to",
                        value=clock.fmt_date(clock.today()),
                        validator=clock.parse_date,
                        input_id="log-to-input",
                    )
                    yield Button("Показать", id="log-show")
                    yield Button("PDF", id="log-pdf")
                yield Static("", id="log-summary")
                yield RowTable(id="log-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#calls-table", DataTable).add_columns(*CALL_COLUMNS)
        self.query_one("#log-table", DataTable).add_columns(
            "Дата", "Время", "Кто звонил", "Кому", "Номер", "Содержание", "Длит."
        )
        self._mounted = True
        self.query_one("#calls-table", DataTable).focus()
        self.action_reload()
        self._load_log()
        pending, self._pending = self._pending, []
        for target in pending:
            self.run_action_for(target)

    def on_screen_resume(self) -> None:
        if self._mounted:
            self.action_reload()

    def palette_commands(self):
        from textual.app import SystemCommand

        yield SystemCommand("Звонки: новый звонок", "Выбрать клиента, СОП и собеседника (n)", self.action_new_call)
        yield SystemCommand("Звонки: бланк или журнал в PDF", "«Телефонные переговоры» (p)", self.action_pdf)
        yield SystemCommand("Звонки: ответ на SMS-уведомление", "Для звонка по СОП 03 (o)", self.action_notice)

    # --- loading -------------------------------------------------------------------

    def action_reload(self) -> None:
        self._load_calls()

    @db_work(exclusive=True, group="calls-list")
    def _load_calls(self) -> None:
        from soptui.services import calls

        rows = calls.list_calls(self.app.actor, limit=PAGE)
        resume = None
        if not self._offered_resume and self.app.actor is not None:
            resume = calls.in_progress_call(self.app.actor.id)
        self.app.call_from_thread(self._show_calls, rows, resume)

    def _show_calls(self, rows, resume) -> None:
        self.rows = rows
        table = self.query_one("#calls-table", RowTable)
        row = table.cursor_row
        table.start_over(*CALL_COLUMNS)
        # below 110 columns: «04.12 09:30» and «Козлов Е.П.», the state before «SMS / итог», and that column cut
        # to what is left (ending in «…»); the columns after it are reached by scrolling, and the line above says
        # the highlighted row whole. From 110 every column is on screen: «SMS / итог» gets what the others leave
        # (the names shortened first if that is under 30), and a row cut so is said whole above as well.
        width = self.app.size.width
        narrow = width < 110
        whens = [(f"{r.when:%d.%m %H:%M}" if narrow else clock.fmt_datetime(r.when)) if r.when else "" for r in rows]
        short = narrow
        names = [short_of_full(r.client_name) if short else r.client_name for r in rows]
        callees = [r.callee for r in rows]
        extra_width = None
        if rows:

            def widest(title: str, values) -> int:
                return max(len(title), *map(len, values))

            def front() -> int:
                states = (r.state_label for r in rows)
                return widest("Когда", whens) + widest("Клиент", names) + widest("Состояние", states)

            if narrow:
                extra_width = max(len("SMS / итог"), width - front() - 2 * 4 - 1)  # cell padding, scrollbar
            else:
                tail = (
                    widest("Кому", [r.callee for r in rows])
                    + widest("Телефон", [r.phone for r in rows])
                    + widest("СОП", [r.sop for r in rows])
                    + widest("№", [str(r.id) for r in rows])
                )
                rest = width - front() - tail - 2 * len(CALL_COLUMNS) - 1
                if rest < 30:
                    short = True
                    names = [short_of_full(r.client_name) for r in rows]
                    callees = [_short_callee(r.callee) for r in rows]
                    tail += widest("Кому", callees) - widest("Кому", [r.callee for r in rows])
                    rest = width - front() - tail - 2 * len(CALL_COLUMNS) - 1
                extra_width = max(len("SMS / итог"), rest)
        self._cut = set()
        for r, when, name, callee in zip(rows, whens, names, callees, strict=True):
            extra = r.notice or r.outcome_label
            if extra_width is not None and len(extra) > extra_width:
                extra = extra[: extra_width - 1] + "…"
                self._cut.add(r.id)
            if short:
                self._cut.add(r.id)
            style = next((s for k, s in NOTICE_STYLE.items() if r.notice.startswith(k)), "") if r.notice else ""
            table.add_row(
                when,
                name,
                Text(r.state_label, style="bold" if r.state == "in_progress" else "dim"),
                Text(extra, style=style),
                callee,
                r.phone,
                r.sop,
                str(r.id),
                key=str(r.id),
            )
        if row is not None and 0 < row < len(rows):
            table.move_cursor(row=row)
        self._show_hint()
        if resume is not None and not self._offered_resume and self.app.screen is self:
            self._offered_resume = True
            self.offer_resume(resume)

    def on_resize(self) -> None:
        if self._mounted and self.rows:
            self._show_calls(self.rows, None)  # the columns follow the width (see _show_calls)

    @on(DataTable.RowHighlighted, "#calls-table")
    def _show_hint(self) -> None:
        """The highlighted call in full where its row is shown shortened (always below 110 columns), else the keys."""
        hint = self.query_one("#calls-hint", Static)
        row = self._selected_call()
        if row is None or (self.app.size.width >= 110 and row.id not in self._cut):
            hint.update(HINT)
            return
        parts = [row.client_name, row.notice or row.outcome_label, row.callee, row.phone, f"СОП {row.sop}"]
        hint.update(Text(" · ".join(p for p in parts if p)))

    def offer_resume(self, record) -> None:
        step = record.teleprompter.get("step") or record.step_id
        try:
            from soptui.domain.calls.scripts import load_sop

            title = load_sop(record.sop).step(step).title if step else "начало"
        except Exception:
            title = step or "начало"
        message = (
            f"Незавершённый звонок по СОП {record.sop}: {record.callee_name}, клиент {record.client_name}.\n"
            f"Остановились на шаге «{title}». Заметок: {len(record.teleprompter.get('notes', []))}."
        )

        def answer(yes: bool | None) -> None:
            if yes:
                self.open_call(record.id)

        self.app.push_screen(ConfirmDialog(message, "Продолжить", "Позже", title="Продолжить звонок?"), answer)

    def _period(self) -> tuple[dt.date, dt.date] | None:
        ok_from, start = self.query_one("#log-from", LabeledInput).check()
        ok_to, end = self.query_one("#log-to", LabeledInput).check()
        if not (ok_from and ok_to) or start is None or end is None:
            return None
        if end < start:
            self.query_one("#log-to", LabeledInput).show_error("Конец периода раньше начала.")
            return None
        return start, end

    @on(Button.Pressed, "#log-show")
    @on(Input.Submitted, "#log-from-input, #log-to-input")
    def _show_log_pressed(self) -> None:
        self._load_log()

    def _load_log(self) -> None:
        period = self._period()
        if period is not None:
            self._load_log_worker(*period)

    @db_work(exclusive=True, group="calls-log")
    def _load_log_worker(self, start: dt.date, end: dt.date) -> None:
        from soptui.services import calls

        entries = calls.phone_log(start, end, self.app.actor)
        self.app.call_from_thread(self._show_log, entries, start, end)

    def _show_log(self, entries, start: dt.date, end: dt.date) -> None:
        self.log_rows = entries
        table = self.query_one("#log-table", DataTable)
        table.clear()
        for e in entries:
            content = " / ".join(p for p in (e.summary, e.agreements.replace("\n", " ")) if p)
            table.add_row(
                clock.fmt_date(e.date),
                e.time,
                e.caller.split(",")[0],
                e.callee,
                e.number,
                content[:80],
                e.duration,
                key=str(e.call_id),
            )
        self.query_one("#log-summary", Static).update(
            f"С {clock.fmt_date(start)} по {clock.fmt_date(end)}: звонков {len(entries)} · p — журнал в PDF"
        )

    # --- actions ------------------------------------------------------------------

    def _selected_call(self):
        table = self.query_one("#calls-table", DataTable)
        if not self.rows or table.cursor_row is None or table.cursor_row >= len(self.rows):
            return None
        return self.rows[table.cursor_row]

    def _log_tab(self) -> bool:
        return self.query_one(TabbedContent).active == "tab-log"

    @on(DataTable.RowSelected, "#calls-table")
    def _row_selected(self) -> None:
        self.action_open_call()

    def action_open_call(self) -> None:
        if self._log_tab():
            return
        row = self._selected_call()
        if row is not None:
            self.open_call(row.id)

    def action_new_call(self) -> None:
        from soptui.screens.clients.picker import ClientPickerScreen

        def picked(client_id: int | None) -> None:
            if client_id:
                # the keys typed after the pick belong to the dialog the call's context opens, not to this list
                # (widgets/keyorder.py holds them while this screen is not keys_ready)
                self.keys_ready = False
                self.start_new_call(client_id)

        self.app.push_screen(ClientPickerScreen(), picked)

    def action_notice(self) -> None:
        row = self._selected_call()
        if row is None or row.state != "in_progress" or row.sop != "03":
            self.notify("Выберите незавершённый звонок по СОП 03 (с SMS-уведомлением).", severity="warning")
            return

        def answered(answer: NoticeAnswer | None) -> None:
            if answer is not None:
                self._set_notice(row.id, answer)

        self.app.push_screen(NoticeScreen(None), answered)

    @db_work(group="calls-notice")
    def _set_notice(self, call_id: int, answer: NoticeAnswer) -> None:
        from soptui.services import calls

        calls.set_notice_state(call_id, answer.state, answer.call_at)
        self.app.call_from_thread(self.action_reload)

    def action_abandon(self) -> None:
        row = self._selected_call()
        if row is None or row.state != "in_progress":
            self.notify("Отменить можно только незавершённый звонок.", severity="warning")
            return

        def answer(yes: bool | None) -> None:
            if yes:
                self._abandon(row.id)

        self.app.push_screen(
            ConfirmDialog(
                f"{row.client_name}: {row.callee}. Звонок останется в списке как отменённый.", title="Отменить звонок?"
            ),
            answer,
        )

    @db_work(group="calls-abandon")
    def _abandon(self, call_id: int) -> None:
        from soptui.services import calls

        calls.abandon_call(call_id, "Отменён специалистом.")
        self.app.call_from_thread(self.action_reload)

    def action_pdf(self) -> None:
        if self._log_tab():
            period = self._period()
            if period is not None:
                self._log_pdf(*period)
            return
        row = self._selected_call()
        if row is None or row.state != "finished":
            self.notify("Бланк «Телефонные переговоры» печатается для завершённого звонка.", severity="warning")
            return
        self._call_pdf(row.id)

    @on(Button.Pressed, "#log-pdf")
    def _log_pdf_pressed(self) -> None:
        period = self._period()
        if period is not None:
            self._log_pdf(*period)

    @db_work(exclusive=True, group="calls-pdf")
    def _call_pdf(self, call_id: int) -> None:
        from soptui.services import calls

        self.app.call_from_thread(self.notify, "Готовлю бланк PDF…", timeout=2)
        path = calls.print_call_form(call_id)
        self.last_pdf = path
        self.app.call_from_thread(self.notify, f"Бланк сохранён: {path}", timeout=10)

    @db_work(exclusive=True, group="calls-pdf")
    def _log_pdf(self, start: dt.date, end: dt.date) -> None:
        from soptui.services import calls

        path = calls.print_phone_log(start, end, self.app.actor)
        self.last_pdf = path
        self.app.call_from_thread(self.notify, f"Журнал сохранён: {path}", timeout=10)

    def call_finished(self, call_id: int) -> None:
        """Back from a finished call: refresh and print its form."""
        self.action_reload()
        self._load_log()
        self._call_pdf(call_id)

    # --- starting and opening calls ----------------------------------------------------

    def run_action_for(self, target: NewCall | OpenCall | OpenReminder) -> None:
        # the user came here for a particular call: never interrupt it with "resume the unfinished call?"
        self._offered_resume = True
        if not self._mounted:
            self._pending.append(target)
            return
        match target:
            case NewCall(client_id):
                self.start_new_call(client_id)
            case OpenCall(call_id):
                self.open_call(call_id)
            case OpenReminder(reminder_id):
                self.open_reminder(reminder_id)

    def start_new_call(self, client_id: int, reminder_id: int | None = None, sop: str | None = None) -> None:
        self._new_call_context(client_id, reminder_id, sop)

    @db_work(exclusive=True, group="calls-start")
    def _new_call_context(self, client_id: int, reminder_id: int | None, sop: str | None) -> None:
        try:
            self._new_call_context_body(client_id, reminder_id, sop)
        finally:  # after the dialog it opens (queued first), or its refusal: keys go on
            self.app.call_from_thread(setattr, self, "keys_ready", True)

    def _new_call_context_body(self, client_id: int, reminder_id: int | None, sop: str | None) -> None:
        from soptui.domain.calls import scripts as callscripts
        from soptui.services import calls

        try:
            callscripts.load_all()  # a broken script stops here, before the call
        except callscripts.ScriptError as exc:
            self.app.call_from_thread(self.app.push_screen, MessageScreen("Сценарий звонка повреждён", str(exc)))
            return
        try:
            ctx = calls.call_context(client_id)
        except calls.CallError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        window = calls.work_window()
        self.app.call_from_thread(self._choose_person, ctx, reminder_id, sop, window)

    def _choose_person(self, ctx, reminder_id, sop, window) -> None:
        from soptui.services.calls import NO_PHONE_MESSAGE, call_hours_problem

        if not ctx.has_phone:
            self.app.push_screen(MessageScreen(f"Звонок: {ctx.client_name}", NO_PHONE_MESSAGE))
            return

        def chosen(choice: NewCallChoice | None) -> None:
            if choice is None:
                return
            # SOP 03 names the rule; the centre's working time binds every call the same way
            problem = call_hours_problem(clock.now(), window)
            if problem:

                def confirmed(reason: str | None) -> None:
                    if reason:
                        self._start(ctx.client_id, choice, reason, reminder_id)

                self.app.push_screen(OffHoursScreen(problem), confirmed)
            else:
                self._start(ctx.client_id, choice, "", reminder_id)

        self.app.push_screen(NewCallScreen(ctx, sop), chosen)

    @db_work(exclusive=True, group="calls-start")
    def _start(self, client_id: int, choice: NewCallChoice, reason: str, reminder_id: int | None) -> None:
        from soptui.services import calls

        try:
            call_id = calls.start_call(
                choice.sop,
                client_id,
                choice.person.kind,
                choice.person.id,
                choice.phone,
                purpose=choice.purpose,
                off_hours_reason=reason,
                reminder_id=reminder_id,
            )
        except calls.CallError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", timeout=8)
            return
        self._open_worker_body(call_id)

    def open_call(self, call_id: int) -> None:
        self._open_worker(call_id)

    @db_work(exclusive=True, group="calls-open")
    def _open_worker(self, call_id: int) -> None:
        self._open_worker_body(call_id)

    def _open_worker_body(self, call_id: int) -> None:
        """(In a worker) load the call and its script; push the teleprompter or the finished call's card."""
        from soptui.domain.calls import scripts as callscripts
        from soptui.services import calls

        try:
            record = calls.get_call(call_id)
        except calls.CallError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        if record.state != "in_progress":
            try:
                entry = calls.log_entry(call_id) if record.state == "finished" else None
            except calls.CallError:
                entry = None
            self.app.call_from_thread(self.app.push_screen, CallCardScreen(record, entry))
            return
        try:
            script = callscripts.load_sop(record.sop)
        except callscripts.ScriptError as exc:
            self.app.call_from_thread(self.app.push_screen, MessageScreen("Сценарий звонка повреждён", str(exc)))
            return
        window = calls.work_window()
        ctx = calls.call_context(record.client_id)
        person = next((p for p in ctx.persons if p.kind == record.person_kind and p.id == record.person_id), None)
        channels = _channel_codes(person)
        self.app.call_from_thread(self._push_teleprompter, record, script, window, channels)

    def _push_teleprompter(self, record, script, window, channels) -> None:
        from soptui.screens.calls.teleprompter import TeleprompterScreen

        self._offered_resume = True  # this call is being opened; a late list load must not offer it again
        self.app.push_screen(TeleprompterScreen(record, script, window, channels))

    # --- reminders from Today -------------------------------------------------------------

    def open_reminder(self, reminder_id: int) -> None:
        self._reminder_worker(reminder_id)

    @db_work(exclusive=True, group="calls-reminder")
    def _reminder_worker(self, reminder_id: int) -> None:
        from soptui.services import calls

        try:
            info = calls.get_reminder(reminder_id)
        except calls.CallError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self._show_reminder, info)

    def _show_reminder(self, info) -> None:
        def answer(choice: str | None) -> None:
            if choice == "call":
                self.start_new_call(info.client_id, info.id, info.sop or None)
            elif choice == "done":
                self._complete_reminder(info.id)
            elif choice == "not_held":
                self._ask_not_held(info)

        self.app.push_screen(ReminderScreen(info), answer)

    def _ask_not_held(self, info) -> None:
        from soptui.widgets.fields_dialog import FieldsDialog, FieldSpec

        def submit(values: dict) -> None:
            from soptui.services import calls

            calls.complete_reminder(info.id, held=False, reason=values["reason"] or "")

        self.app.push_screen(
            FieldsDialog(
                "Сеанс связи не состоялся",
                [FieldSpec("reason", "Почему (не ответили, перенесли по просьбе семьи…)", required=True)],
                submit,
                ok_label="Записать",
            ),
            lambda done: self.notify("Сеанс связи отмечен как не состоявшийся.", timeout=3) if done else None,
        )

    @db_work(group="calls-reminder-done")
    def _complete_reminder(self, reminder_id: int) -> None:
        from soptui.services import calls

        calls.complete_reminder(reminder_id)
        self.app.call_from_thread(self.notify, "Отмечено как выполненное.", timeout=3)


def _channel_codes(person) -> list[str]:
    from soptui.domain.labels import CHANNELS

    if person is None:
        return ["whatsapp"]
    by_label = {label: code for code, label in CHANNELS.items()}
    codes = [by_label.get(label, "other") for label, _ in person.messengers]
    return list(dict.fromkeys(codes + ["phone"])) if codes else ["whatsapp", "viber", "telegram", "phone"]


class ReminderScreen(ModalScreen[str | None]):
    """A callback / control point / messenger session from Today: call now, mark done, or close."""

    DEFAULT_CSS = """
    ReminderScreen { align: center middle; }
    ReminderScreen > .dialog { width: 72; max-width: 100%; }
    ReminderScreen .dialog-buttons { height: auto; margin: 1 0 0 0; }
    ReminderScreen .dialog-buttons Button { margin: 0 1 0 0; }
    """
    BINDINGS = [Binding("escape", "close", "Закрыть", id="reminder.close", tooltip="Закрыть, ничего не меняя")]

    def __init__(self, info) -> None:
        super().__init__()
        self.info = info

    def compose(self) -> ComposeResult:
        i = self.info
        with Vertical(classes="dialog"):
            yield Static(
                f"{REMINDER_KINDS.get(i.kind, i.kind).capitalize()}: {clock.fmt_datetime(i.due_at)}",
                classes="dialog-title",
            )
            yield Static(
                f"Клиент: {i.client_name}\n{i.text}"
                + (f"\nВыполнено {clock.fmt_datetime(i.done_at)}" if i.done_at else "")
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Позвонить", id="call", variant="primary")
                yield Button("Состоялся" if i.kind == "messenger_session" else "Выполнено", id="done")
                if i.kind == "messenger_session":
                    yield Button("Не состоялся", id="not_held")
                yield Button("Закрыть", id="close")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None if event.button.id == "close" else event.button.id)

    def action_close(self) -> None:
        self.dismiss(None)


class CallCardScreen(ModalScreen[None]):
    """A finished (or cancelled) call: its «Телефонные переговоры» entry; p prints the form."""

    DEFAULT_CSS = """
    CallCardScreen { align: center middle; }
    CallCardScreen > .dialog { width: 90; max-width: 100%; max-height: 100%; overflow-y: auto; }
    CallCardScreen .dialog-buttons { height: auto; margin: 1 0 0 0; }
    CallCardScreen .dialog-buttons Button { margin: 0 1 0 0; }
    """
    BINDINGS = [
        Binding("escape", "close", "Закрыть", id="call_card.close", tooltip="Вернуться к списку звонков"),
        Binding("p", "pdf", "PDF", id="call_card.pdf", tooltip="Сохранить бланк звонка в PDF"),
        Binding("o", "feedback", "Отзыв", id="call_card.feedback", tooltip="Записать отзыв клиента о разговоре"),
    ]

    def __init__(self, record, entry) -> None:
        super().__init__()
        self.record = record
        self.entry = entry
        self.last_pdf = None

    def compose(self) -> ComposeResult:
        r, e = self.record, self.entry
        with Vertical(classes="dialog"):
            yield Static(f"Звонок №{r.id} · СОП {r.sop} · {r.client_name}", classes="dialog-title")
            if e is None:
                yield Static(f"Звонок отменён. {r.notes}")
            else:
                whom = ", ".join(part for part in (e.callee, e.number) if part)  # no empty «, » when a part is unknown
                yield Static(
                    f"{clock.fmt_date(e.date)} {e.time} · {e.direction}\nКто звонил: {e.caller}\nКому: {whom}\n"
                    f"Цель: {e.purpose}\nИтог: {e.outcome}\nСодержание: {e.summary or '—'}\n"
                    f"Договорённости: {e.agreements or '—'}\nРазговор {e.duration}, подготовка {e.prep}, "
                    f"документирование {e.doc}"
                    + (f"\nВне рабочего времени: {e.off_hours_reason}" if e.off_hours_reason else "")
                )
            with Horizontal(classes="dialog-buttons"):
                if e is not None:
                    yield Button("Бланк PDF (p)", id="pdf", variant="primary")
                    yield Button("Отзыв клиента (o)", id="feedback")
                yield Button("Закрыть", id="close")

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#pdf")
    def action_pdf(self) -> None:
        if self.entry is not None:
            self._pdf()

    @on(Button.Pressed, "#feedback")
    def action_feedback(self) -> None:
        if self.entry is not None:
            from soptui.screens.calls.feedback import CallFeedbackDialog

            self.app.push_screen(CallFeedbackDialog(self.record.id, self.record.client_name))

    @db_work(exclusive=True, group="card-pdf")
    def _pdf(self) -> None:
        from soptui.services import calls

        path = calls.print_call_form(self.record.id)
        self.last_pdf = path
        self.app.call_from_thread(self.notify, f"Бланк сохранён: {path}", timeout=10)


# --- opened from Today and the client card (SoptuiApp.open) ----------------------------------------


def open_in_calls(app, target: NewCall | OpenCall | OpenReminder) -> None:
    """Switch to the calls section and start a new call (NewCall), resume or show a call (OpenCall),
    or take up a callback, control point or messenger session (OpenReminder)."""
    app.switch_mode("calls")
    stack = app.screen_stack
    if stack and isinstance(stack[0], CallsScreen):
        stack[0].run_action_for(target)
