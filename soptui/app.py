"""The thin App: sign-in, sections as modes, command palette, idle lock."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable

from rich.text import Text
from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen
from textual.worker import NoActiveWorker, get_current_worker

from soptui.core import session
from soptui.core.session import Actor
from soptui.screens.navigation import (
    AddToGroup,
    NewCall,
    NewReferral,
    NewVisit,
    Open,
    OpenCall,
    OpenClient,
    OpenReminder,
    OpenSession,
    OpenVisit,
    ResumeDraft,
    Target,
)
from soptui.widgets import keyorder, plain, russian, styling
from soptui.widgets.keyorder import KeyGate
from soptui.widgets.workers import db_work

plain.install()  # stored or typed text is data, never markup: before any widget is built
keyorder.install()  # Esc and a digit or sign typed at once are two keys, not «™» or a lone sign
russian.install()  # Textual's own words on screen in Russian
styling.install()  # CSS parsed once per process; a scroll area's focus restyles it alone (same look, less work)


def _section(module: str, cls: str) -> Callable[[], Screen]:
    """A mode factory that imports its screen only when the section is first opened."""

    def build() -> Screen:
        import importlib

        return getattr(importlib.import_module(module), cls)()

    return build


# mode, title, key, screen factory
SECTIONS: list[tuple[str, str, str, Callable[[], Screen]]] = [
    ("today", "Сегодня", "f2", _section("soptui.screens.today", "TodayScreen")),
    ("clients", "Клиенты", "f3", _section("soptui.screens.clients.registry", "ClientsScreen")),
    ("calls", "Звонки", "f4", _section("soptui.screens.calls.call_list", "CallsScreen")),
    ("patronage", "Патронаж", "f5", _section("soptui.screens.patronage.planner", "PatronageScreen")),
    ("groups", "Группы", "f6", _section("soptui.screens.groups.clubs", "GroupsScreen")),
    ("journal", "Журнал", "f7", _section("soptui.screens.journal.journal", "JournalScreen")),
]


SECTION_KEYS = Binding.Group("Разделы", compact=True)
DEMO_BUILDING = "Создаю демонстрационную базу… Вход — через несколько секунд."

# --- «Администрирование» (issue 15 point 4): a section for administrators only; for anyone else its key is
# hidden, its mode never added and its palette entry absent (and the services refuse them anyway) ---------
ADMIN_SECTION = ("admin", "Администрирование", "f8", _section("soptui.screens.admin.section", "AdminScreen"))


# the sections of case files: an administrator without a staff position opens none of them (services/access.py
# refuses them anyway; here they are not offered, where each once opened on «нет доступа» errors)
CASE_SECTIONS = ("clients", "calls", "patronage", "groups")
CASE_ACTIONS = ("new_referral", "new_client", "new_call")  # the global keys that open a case file


def sections_for(actor: Actor | None) -> list[tuple[str, str, str, Callable[[], Screen]]]:
    """The sections this person may open: the six of everyone who works with clients; for an administrator
    without a staff position, Today and the Journal (its audit log) only; administration for administrators."""
    if actor is None:
        return SECTIONS
    sections = SECTIONS if actor.works_with_clients else [s for s in SECTIONS if s[0] not in CASE_SECTIONS]
    return sections + ([ADMIN_SECTION] if actor.role == "admin" else [])


class SoptuiApp(KeyGate, App[int]):
    """soptui: the centre's SOPs in a terminal."""

    CSS_PATH = "app.tcss"
    TITLE = "soptui"
    # The start mode holds the sign-in screen; sections are added as modes after sign-in.
    MODES = {"start": Screen}
    DEFAULT_MODE = "start"
    COMMAND_PALETTE_DISPLAY = "ctrl+p"
    BINDINGS = [
        *[
            Binding(
                key,
                f"section('{mode}')",
                title,
                id=f"section.{mode}",
                tooltip=f"Раздел «{title}»",
                group=SECTION_KEYS,  # one footer item for all six keys
            )
            for mode, title, key, _ in [*SECTIONS, ADMIN_SECTION]
        ],
        Binding("ctrl+l", "lock", "Блок", id="lock", tooltip="Заблокировать экран"),
        # global actions: from any section (a screen's own key of the same name wins where it has one)
        Binding(
            "ctrl+r",
            "new_referral",
            "Обращение",
            id="global.referral",
            tooltip="Принять обращение (информацию о семье)",
            show=False,
        ),
        Binding("ctrl+n", "new_client", "Новый клиент", id="global.client", tooltip="Новый клиент", show=False),
        Binding(
            "ctrl+g", "new_call", "Звонок", id="global.call", tooltip="Новый звонок: выбрать клиента и СОП", show=False
        ),
        Binding("f1", "help", "Справка", id="help", tooltip="Клавиши этого экрана"),
        Binding(
            "ctrl+p", "command_palette", "Команды", id="palette", tooltip="Палитра команд", priority=True, show=False
        ),
        Binding("ctrl+q", "quit", "Выход", id="quit", tooltip="Закрыть программу", show=False),
    ]

    # Tests set this: an unexpected error still fails the test that met it (never shown to a user either way).
    strict_errors = False

    def report_error(self, error: BaseException, where: str = "", action: str = "выполнить действие") -> None:
        """An error in a soptui handler or worker: logged privately without values, said in Russian.

        The app keeps running (the failed handler is abandoned, the screens stay as they were); an error
        repeating more than five times in ten seconds ends the app cleanly, still without a traceback.
        """
        from soptui.core.errorlog import log_exception, user_message

        log_exception(error, where)
        if self.strict_errors and self._exception is None and isinstance(error, Exception):
            self._exception = error
            self._exception_event.set()
        now = time.monotonic()
        self._error_times = [t for t in getattr(self, "_error_times", []) if now - t < 10.0] + [now]
        if len(self._error_times) > 5:
            self._stop_after_error()
            return
        try:
            self.notify(user_message(error, action), title="Ошибка", severity="error", timeout=10, markup=False)
        except Exception:  # noqa: BLE001 - the app may be closing
            pass

    def _stop_after_error(self) -> None:
        from soptui.core.errorlog import log_path

        try:
            self.save_drafts_before_exit()
        except Exception:  # noqa: BLE001 - stopping must not fail in turn
            pass
        self._return_code = 1
        self.exit(
            1,
            message=Text(
                "soptui остановлена из-за внутренней ошибки; введённое сохранено в черновиках. "
                f"Подробности (без личных данных) — в журнале ошибок: {log_path()}"
            ),
        )

    def _handle_exception(self, error: Exception) -> None:
        """Textual's last resort, for errors outside soptui's own handlers: no traceback with local variables
        (a typed password, a client's name) on a shared screen; log privately and stop cleanly."""
        from soptui.core.errorlog import log_exception

        log_exception(error, "textual")
        if self.strict_errors and self._exception is None:
            self._exception = error
            self._exception_event.set()
        self._stop_after_error()

    def __init__(
        self,
        institution: str = "",
        institution_short: str = "",
        store_label: str = "",
        sign_in_hint: str = "",
        store_target: str | None = None,
        build_demo: bool = False,
    ) -> None:
        super().__init__()
        plain.plain_console(self.console)
        self.sign_in_hint = sign_in_hint
        self.institution = institution
        self.institution_short = institution_short
        self.store_label = store_label
        self.store_target = store_target
        self.build_demo = build_demo  # the first --demo run: the demo store is filled behind the sign-in screen
        self.store_error: str | None = None
        # Set once the store is open; sign-in waits on it (it opens behind the first screen).
        self.store_ready = threading.Event()
        self.actor: Actor | None = None
        self.last_input = time.monotonic()
        self._locked = False
        # A real terminal (set by the `soptui` command, never in tests): watch that it is still there, and make
        # sure the process ends once it is gone (see _watch_terminal).
        self.own_terminal = False
        self._hung_up = False
        self.init_key_gate()

    # --- start-up and sign-in -------------------------------------------------

    def call_from_thread(self, callback, *args, **kwargs):
        """As App.call_from_thread, but a cancelled worker's call is dropped.

        Textual cannot stop a thread, so a worker replaced by a newer one (exclusive=True: the list
        reloaded, the search retyped) or belonging to a closed screen would still deliver its now stale
        result, possibly after the fresh one. Dropping it here guards every worker in one place.
        """
        try:
            worker = get_current_worker()
        except NoActiveWorker:
            worker = None
        if worker is not None and worker.is_cancelled:
            return None
        owner = getattr(callback, "__self__", None)
        if isinstance(owner, DOMNode) and owner is not self:
            shown = callback

            def callback(*a, **k):
                # the app quitting while a screen's worker ran: its widgets are being taken down and the result
                # has nowhere to go; it raised «No nodes match DataTable» (Today, Ctrl+Q mid-load). The work
                # itself (a save) is done in the thread before this; only its showing is dropped.
                if self._exit:
                    return None
                return shown(*a, **k)

        return super().call_from_thread(callback, *args, **kwargs)

    def on_mount(self) -> None:
        self._catch_hangup()
        self._watch_terminal()
        self.set_interval(5, self._check_idle)
        from soptui.core.storecheck import BUSY_HOOKS

        BUSY_HOOKS.append(self._database_busy)
        self.set_interval(5, self._say_backup_result)
        self.show_sign_in()
        connection = sys.modules.get("soptui.db.connection")
        if connection is not None and connection.db.obj is not None:
            self._open_store()  # already bound (tests, demo build): just read what Today needs
        else:
            # Soon after the first paint: importing the ORM in a thread holds the GIL meanwhile,
            # which would delay the sign-in screen; nobody types a login in 150 ms.
            self.set_timer(0.15, self._open_store)

    def on_unmount(self) -> None:
        from soptui.core.storecheck import BUSY_HOOKS

        if self._database_busy in BUSY_HOOKS:
            BUSY_HOOKS.remove(self._database_busy)

    def _database_busy(self, attempt: int) -> None:
        """A write found the database locked by another program and waits to retry (any worker thread)."""
        from soptui.core.storecheck import BUSY_NOTICE

        if threading.current_thread() is threading.main_thread():
            self.notify(BUSY_NOTICE, severity="warning", timeout=8)
        else:
            self.call_from_thread(self.notify, BUSY_NOTICE, severity="warning", timeout=8)

    def _say_backup_result(self) -> None:
        """What the day's automatic backup did, once it has finished (it runs beside the app)."""
        from soptui.services.store import DAILY_BACKUP_REPORT

        while DAILY_BACKUP_REPORT:
            message = DAILY_BACKUP_REPORT.pop(0)
            failed = "не сделана" in message
            self.notify(message, title="Резервная копия", severity="error" if failed else "information", markup=False)

    @db_work(exclusive=True, group="store")
    def _open_store(self) -> None:
        """Open (or check) the store behind the sign-in screen: peewee is not imported before it."""
        from soptui.core.storecheck import StoreError
        from soptui.services import auth, institution
        from soptui.services.store import is_open, open_store

        try:
            if not is_open():
                # the first --demo run: no day's backup of the store before the demo is in it
                open_store(self.store_target, daily_backup=not self.build_demo)
            has_users = auth.has_users()
            if self.build_demo and not has_users:
                self._fill_demo_store()
                has_users = auth.has_users()
            info = institution.get()
        except StoreError as exc:
            self.call_from_thread(self._store_failed, str(exc))
            return
        from soptui.core import clock
        from soptui.services import printing

        printing.on_printed(self._printed)
        printing.on_progress(self._print_progress)
        printing.on_saved(self._file_saved)
        clock.set_timezone(info.timezone)
        self.store_ready.set()
        self.call_from_thread(
            self._store_opened, info.full_name or self.institution, info.short_name or self.institution_short, has_users
        )

    def _fill_demo_store(self) -> None:
        """The first --demo run (in the store's worker): the sign-in screen is up and says what is going on,
        where before the demo was built before any screen (a blank terminal for several seconds)."""
        from soptui.demo import fill_demo_store

        self.call_from_thread(self._say_on_sign_in, DEMO_BUILDING)
        fill_demo_store()
        self.call_from_thread(self._say_on_sign_in, "")

    def _say_on_sign_in(self, message: str) -> None:
        from soptui.screens.signin import SignInScreen

        for screen in self.screen_stack:
            if isinstance(screen, SignInScreen):
                screen.say(message)

    def _print_progress(self, stage: str, file_name: str) -> None:
        """From the print worker: show the progress bar while the PDF renders, remove it when written."""
        try:
            self.call_from_thread(self._show_print_progress, stage == "start", file_name)
        except RuntimeError:  # this app is no longer running
            pass

    def _show_print_progress(self, show: bool, file_name: str) -> None:
        from soptui.widgets.print_progress import PrintProgress

        bar = getattr(self, "_print_bar", None)
        if bar is not None and bar.is_attached:
            bar.remove()
        self._print_bar = None
        if show:
            self._print_bar = PrintProgress(file_name)
            self.screen.mount(self._print_bar)

    def _file_saved(self, path) -> None:
        """From the worker that wrote a PDF or an export: under `soptui serve` the browser downloads it too.

        The file stays in the output folder on the server as in the terminal; the browser gets a copy
        through Textual's single-use download link.
        """
        if not self.is_web:
            return
        try:
            self.call_from_thread(self._send_to_browser, path)
        except RuntimeError:  # this app is no longer running
            pass

    def _send_to_browser(self, path) -> None:
        mime = "application/pdf" if path.suffix.lower() == ".pdf" else None
        self.deliver_binary(path, save_filename=path.name, open_method="download", mime_type=mime)
        # what happened first, the file's name after it: a long name wrapped the news across the toast's lines
        self.notify(f"Передан браузеру для скачивания: «{path.name}».", title="Скачивание", markup=False)

    def _printed(self, result) -> None:
        """A PDF was sent to the print command (or the command failed): said with the command's message."""
        try:
            self.call_from_thread(
                self.notify,
                result.message,
                title="Печать" if result.sent else "Печать не удалась",
                severity="information" if result.sent else "error",
                timeout=15,
                markup=False,
            )
        except RuntimeError:  # this app is no longer running (its worker outlived it)
            pass

    def _store_failed(self, message: str) -> None:
        self.store_error = message
        self.exit(2)

    def _store_opened(self, full_name: str, short_name: str, has_users: bool) -> None:
        self.institution, self.institution_short = full_name, short_name
        from soptui.screens.signin import FirstRunScreen, SignInScreen

        for screen in self.screen_stack:
            if isinstance(screen, SignInScreen):
                screen.set_institution(full_name)
        if not has_users:
            self.push_screen(FirstRunScreen())
        from soptui.core.storecheck import TIGHTENED

        while TIGHTENED:  # said once, at start: the store's files were readable by others
            message = TIGHTENED.pop(0)
            self.notify(message, title="Права доступа", severity="warning", timeout=15, markup=False)

    def show_sign_in(self, notice: str = "") -> None:
        from soptui.screens.signin import SignInScreen

        self.push_screen(SignInScreen(self.institution, notice, self.sign_in_hint), self._signed_in)

    def _signed_in(self, actor: Actor | None) -> None:
        if actor is None:
            return
        self.actor = actor
        session.set_actor(actor)
        self.last_input = time.monotonic()
        for mode, _title, _key, factory in sections_for(actor):
            if mode not in self._modes:
                self.add_mode(mode, factory)
        self.pause_keys_until(self.switch_mode("today"))  # keys typed ahead go to Today, not the sign-in
        self.refresh_bindings()

    async def sign_out(self) -> None:
        """Close every section and return to the sign-in screen."""
        self.actor = None
        session.set_actor(None)
        await self.switch_mode("start")
        for mode, *_ in [*SECTIONS, ADMIN_SECTION]:
            if mode in self._modes:
                await self.remove_mode(mode)
        self.show_sign_in("Вы вышли из учётной записи.")

    # --- sections -------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Section and lock keys exist only for a signed-in, unlocked person."""
        if action in ("section", "lock") and (self.actor is None or self._locked):
            return False
        if action == "section" and parameters[:1] == (ADMIN_SECTION[0],) and self.actor.role != "admin":
            return False
        if action == "section" and parameters[:1] and parameters[0] in CASE_SECTIONS:
            return self.actor.works_with_clients
        if action in CASE_ACTIONS:  # an administrator without a staff position opens no case file
            return self.actor is not None and self.actor.works_with_clients
        return True

    def action_section(self, mode: str) -> None:
        if self.actor is None or self._locked or mode not in self._modes:
            return
        self.pause_keys_until(self._to_section(mode))  # keys after F4 go to the section F4 opens

    async def _to_section(self, mode: str) -> None:
        """Show the section; a client card left open is closed, so the F-key always lands on the section's
        own list (a search typed after F3 goes into the search, not into the card's keys). Forms and calls
        in progress stay where they are."""
        await self.switch_mode(mode)
        while len(self.screen_stack) > 1 and getattr(self.screen, "POP_ON_SECTION_KEY", False):
            await self.pop_screen()
        arrived = getattr(self.screen, "on_section_key", None)
        if arrived is not None:
            arrived()

    def on_open(self, message: Open) -> None:
        """A screen asked to open a target (posted by Today, the client card...)."""
        message.stop()
        self.open(message.target)

    def open(self, target: Target) -> None:
        """Open what a Today row, a card tab or a card key points at: switch section, push its screen."""
        match target:
            case OpenClient(client_id):
                from soptui.screens.clients.registry import open_client

                open_client(self, client_id)
            case NewReferral(client_id):
                from soptui.screens.clients.registry import open_referral_form

                open_referral_form(self, client_id)
            case NewCall() | OpenCall() | OpenReminder():
                from soptui.screens.calls.call_list import open_in_calls

                open_in_calls(self, target)
            case OpenVisit(visit_id):
                from soptui.screens.patronage.planner import open_visit

                open_visit(self, visit_id)
            case NewVisit(client_id):
                from soptui.screens.patronage.planner import open_new_visit

                open_new_visit(self, client_id)
            case OpenSession(session_id):
                from soptui.screens.groups.clubs import open_session

                open_session(self, session_id)
            case AddToGroup(client_id):
                from soptui.screens.groups.clubs import open_add_to_group

                open_add_to_group(self, client_id)
            case ResumeDraft(draft_id):
                from soptui.screens.resume import resume_draft

                resume_draft(self, draft_id)
            case _:
                raise TypeError(f"not a navigation target: {target!r}")

    # --- drafts when the connection drops ----------------------------------------------

    def open_forms(self) -> list:
        """Every edit form open in any section, under dialogs too."""
        from soptui.screens.form_base import EditFlow

        return [s for stack in self._screen_stacks.values() for s in stack if isinstance(s, EditFlow)]

    def _catch_hangup(self) -> None:
        """SIGHUP (the SSH connection dropped) and SIGTERM: write every unsaved form's draft, then end."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGHUP, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, self._hang_up)
            except (NotImplementedError, RuntimeError, ValueError):  # not the main thread (tests), or no signals
                return

    def _watch_terminal(self) -> None:
        """A terminal that vanished without a SIGHUP (its master side closed) is seen within a second.

        Textual does not notice it: its input thread reads nothing, forever, at a full core, and nothing that
        was typed is saved. Checked on the app's own terminal only (the `soptui` command), not under the Pilot.
        """
        if not self.own_terminal:
            return
        try:
            fd = sys.__stdin__.fileno()
        except (AttributeError, OSError, ValueError):
            return
        if not os.isatty(fd):
            return

        def check() -> None:
            if not os.isatty(fd):  # a hung-up terminal stops being one
                self._hang_up()

        self.set_interval(1.0, check)

    def _hang_up(self) -> None:
        """The terminal is gone (SIGHUP, a closed terminal) or SIGTERM: write the drafts, then end for sure."""
        if self._hung_up:
            return
        self._hung_up = True
        self.save_drafts_before_exit()
        if self.own_terminal:
            # Textual's shutdown writes to the terminal; with the terminal gone its writer thread dies on the
            # first write and the next writes wait for it forever (seen after tmux's SIGHUP + SIGCONT). The
            # drafts are on disk and a transaction cut short is rolled back by the database: end the process.
            threading.Thread(target=_end_process_after, args=(HANG_UP_GRACE_S,), daemon=True).start()
        self.exit(1)

    def save_drafts_before_exit(self, timeout_s: float = 5.0) -> int:
        """Write the drafts of all open forms now (in a thread, waited for); the number written."""
        jobs = [(form, form.draft_for_exit()) for form in self.open_forms()]
        jobs = [(form, payload) for form, payload in jobs if payload is not None]
        if not jobs:
            return 0
        written = []

        def write() -> None:
            for form, payload in jobs:
                try:
                    form.store_draft_for_exit(payload)
                    written.append(form)
                except Exception as error:  # noqa: BLE001 - one form's failure must not cost the others theirs
                    from soptui.core.errorlog import log_exception

                    log_exception(error, "exit draft")

        thread = threading.Thread(target=write, name="soptui-exit-drafts")
        thread.start()
        thread.join(timeout_s)
        return len(written)

    # --- idle lock for shared workstations -----------------------------------------

    async def on_event(self, event: events.Event) -> None:
        if isinstance(
            event, (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp, events.Paste)
        ):
            self.last_input = time.monotonic()
        if self.gate_input(event):
            return  # applied in arrival order once the key before it is done (widgets/keyorder.py)
        await super().on_event(event)

    def _check_idle(self) -> None:
        if self.actor is None or self._locked:
            return
        if time.monotonic() - self.last_input >= self.actor.idle_lock_minutes * 60:
            self.action_lock()

    def action_lock(self) -> None:
        if self.actor is None or self._locked:
            return
        from soptui.screens.signin import LockScreen

        for form in self.open_forms():
            form.flush_draft()  # a locked screen may be left for good: what is typed is on disk now
        self._locked = True
        self.refresh_bindings()
        self.push_screen(LockScreen(self.actor), self._unlocked)

    def _unlocked(self, still_me: bool | None) -> None:
        self._locked = False
        self.refresh_bindings()
        self.last_input = time.monotonic()
        if not still_me:
            self.run_worker(self.sign_out(), exclusive=True, group="signout")

    # --- actions that work in every section ----------------------------------------

    def _at_work(self) -> bool:
        """Signed in as someone who works with clients, not locked, no dialog in front (a dialog's own keys come
        first)."""
        from textual.screen import ModalScreen

        return (
            self.actor is not None
            and self.actor.works_with_clients
            and not self._locked
            and not isinstance(self.screen, ModalScreen)
        )

    def action_new_referral(self) -> None:
        if self._at_work():
            self.open(NewReferral(None))

    def action_new_client(self) -> None:
        if not self._at_work():
            return
        from soptui.screens.clients.client_form import ClientFormScreen

        def saved(client_id: int | None) -> None:
            if client_id:
                self.open(OpenClient(client_id))

        self.push_screen(ClientFormScreen(), saved)

    def action_new_call(self) -> None:
        if self._at_work():
            self._in_section("calls", "action_new_call")

    def _in_section(self, mode: str, action: str) -> None:
        """Open a section and run one of its screen's actions (keys typed meanwhile wait for it)."""
        self.pause_keys_until(self._section_then(mode, action))

    async def _section_then(self, mode: str, action: str) -> None:
        await self._to_section(mode)
        run = getattr(self.screen, action, None)
        if run is not None:
            run()

    def action_help(self) -> None:
        from soptui.screens.help import HelpScreen, keys_of

        if isinstance(self.screen, HelpScreen):
            return
        own, everywhere = keys_of(self.screen, self)
        title = getattr(self.screen, "SECTION_TITLE", "") or "этот экран"
        self.push_screen(HelpScreen(title, own, everywhere))

    # --- command palette ------------------------------------------------------------

    def action_command_palette(self) -> None:
        from textual.command import CommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(russian.RussianCommandPalette(id="--command-palette", placeholder="Найти команду…"))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        if self.actor is not None and not self._locked:
            for mode, title, key, _ in sections_for(self.actor):
                yield SystemCommand(
                    f"Раздел: {title}",
                    f"Открыть раздел «{title}» ({key.upper()})",
                    lambda m=mode: self.action_section(m),
                )
            yield from getattr(screen, "palette_commands", lambda: [])()
            yield from self._global_commands()
            yield SystemCommand("Заблокировать экран", "Экран попросит пароль (Ctrl+L)", self.action_lock)
            yield SystemCommand(
                "Выйти из учётной записи",
                "Вернуться к экрану входа",
                lambda: self.run_worker(self.sign_out(), group="signout"),
            )
        yield SystemCommand("Закрыть программу", "Выход из soptui (Ctrl+Q)", self.exit)

    def _global_commands(self) -> Iterable[SystemCommand]:
        """What a user looks for by a word of it: «обращение», «звонок», «визит», «занятие», «журнал», «отчёт»;
        case files only for those who work with clients (not an administrator without a staff position)."""
        if not self.actor.works_with_clients:
            yield SystemCommand("Справка: клавиши этого экрана", "F1", self.action_help)
            return
        yield SystemCommand(
            "Новое обращение: принять информацию о семье", "Сроки по СОП 03 и 04 (Ctrl+R)", self.action_new_referral
        )
        yield SystemCommand(
            "Новый клиент: карточка", "Законные представители, телефоны (Ctrl+N)", self.action_new_client
        )
        yield SystemCommand(
            "Новый звонок: суфлёр СОП 01–03", "Выбрать клиента, СОП и собеседника (Ctrl+G)", self.action_new_call
        )
        yield SystemCommand(
            "Найти клиента", "Поиск по ФИО, телефону, дате рождения (F3)", lambda: self.action_section("clients")
        )
        yield SystemCommand(
            "Запланировать визит (патронаж)",
            "Выбрать клиента и время",
            lambda: self._in_section("patronage", "action_new_visit"),
        )
        yield SystemCommand(
            "Занятия сегодня: группы и клубы",
            "Перекличка и отчёт о занятии (F6)",
            lambda: self.action_section("groups"),
        )
        yield SystemCommand("Журнал учёта услуг", "Услуги за период (F7)", lambda: self.action_section("journal"))
        yield SystemCommand(
            "Отчёт для заведующего: проверка по СОП",
            "Замечания и доли по специалистам (F7)",
            lambda: self._in_section("journal", "show_report"),
        )
        yield SystemCommand("Справка: клавиши этого экрана", "F1", self.action_help)


HANG_UP_GRACE_S = 5.0  # after a hang-up: time for Textual's own shutdown before the process is ended


def _end_process_after(seconds: float) -> None:
    time.sleep(seconds)
    os._exit(1)


def make_app(
    institution: str = "",
    institution_short: str = "",
    store_label: str = "",
    sign_in_hint: str = "",
    store_target: str | None = None,
    build_demo: bool = False,
) -> SoptuiApp:
    """The one factory used by the CLI and the tests (tests bind the store before)."""
    return SoptuiApp(institution, institution_short, store_label, sign_in_hint, store_target, build_demo)


def _guard_soptui_handlers() -> None:
    """Errors raised by soptui's own message handlers and actions are reported, not fatal.

    Textual stops a widget's message loop at the first error and then ends the app with a traceback.
    For handlers defined in soptui (screens, widgets, the app) the error is logged and shown in Russian
    and the loop goes on; mounting and composing are left to Textual (a half-built screen is not safe).
    """
    from asyncio import CancelledError

    from textual import events
    from textual.message_pump import MessagePump

    if getattr(MessagePump, "_soptui_guarded", False):
        return
    original = MessagePump._dispatch_message

    async def dispatch(self, message):
        try:
            return await original(self, message)
        except CancelledError:
            raise
        except Exception as error:
            if not type(self).__module__.startswith("soptui") or isinstance(message, (events.Compose, events.Mount)):
                raise
            app = self.app
            if not isinstance(app, SoptuiApp):
                raise
            app.report_error(error, f"{type(self).__name__}.{type(message).__name__}")
            return None

    MessagePump._dispatch_message = dispatch
    MessagePump._soptui_guarded = True


_guard_soptui_handlers()
