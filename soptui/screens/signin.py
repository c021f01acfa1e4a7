"""Sign-in, first-run administrator set-up, and the idle lock for shared workstations."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Input, Static

from soptui.core.session import Actor
from soptui.widgets.fields import LabeledInput, TextInput
from soptui.widgets.footer import KeysFooter
from soptui.widgets.workers import db_work


class SignInScreen(Screen[Actor]):
    """Login and password; dismisses with the signed-in Actor."""

    BINDINGS = [Binding("ctrl+q", "app.quit", "Выход", id="quit", tooltip="Закрыть программу")]

    def __init__(self, institution: str = "", notice: str = "", hint: str = "") -> None:
        super().__init__()
        self.institution = institution
        self.notice = notice
        self.hint = hint
        self.keys_ready = True

    def compose(self) -> ComposeResult:
        # Kept light on purpose (no Footer, no Button): this is the start-up screen.
        with Vertical(id="signin-box", classes="dialog"):
            yield Static("soptui — вход", classes="dialog-title")
            yield Static(self.institution, id="signin-institution", classes="muted")
            yield Static("Логин")
            yield TextInput(id="login", placeholder="например, ivanova", enter_moves_focus=True)
            yield Static("Пароль")
            yield TextInput(id="password", password=True)
            yield Static(self.notice, id="signin-message", classes="error")
            yield Static("Enter — войти · Ctrl+Q — выход", classes="muted")
            if self.hint:
                yield Static(self.hint, id="signin-hint", classes="muted")

    def on_mount(self) -> None:
        self.query_one("#login", Input).focus()

    def set_institution(self, name: str) -> None:
        self.institution = name
        self.query_one("#signin-institution", Static).update(name)

    def say(self, message: str) -> None:
        """A line from the app under the fields (the demo store being built), not in the error colour; "" takes
        it away again unless sign-in has written its own line there since."""
        line = self.query_one("#signin-message", Static)
        if message:
            self._app_line = message
            line.set_class(False, "error")
            line.update(message)
        elif getattr(self, "_app_line", ""):
            self._app_line = ""
            line.set_class(True, "error")
            if getattr(self, "keys_ready", True):  # no sign-in under way («Проверка…» stays)
                line.update("")

    @on(Input.Submitted, "#login")
    def _to_password(self) -> None:
        self.query_one("#password", Input).focus()

    @on(Input.Submitted, "#password")
    def _submit(self) -> None:
        login = self.query_one("#login", Input).value
        password = self.query_one("#password", Input).value
        message = self.query_one("#signin-message", Static)
        if not login.strip() or not password:
            message.update("Введите логин и пароль.")
            return
        message.update("Проверка…")
        self.keys_ready = False  # keys typed ahead wait for the section that opens (widgets/keyorder.py)
        self._sign_in(login, password)

    @db_work(exclusive=True, group="signin")
    def _sign_in(self, login: str, password: str) -> None:
        if not self.app.store_ready.wait(60):
            self.app.call_from_thread(self._failed, "База данных не открылась. Попробуйте ещё раз.")
            return
        from soptui.services import auth

        def waiting(seconds: float) -> None:
            self.app.call_from_thread(
                self.query_one("#signin-message", Static).update,
                f"После нескольких неверных попыток вход замедлен: проверка через {max(1, round(seconds))} с…",
            )

        try:
            actor = auth.sign_in(login, password, on_wait=waiting)
        except auth.AuthError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self.dismiss, actor)

    def _failed(self, message: str) -> None:
        self.keys_ready = True
        self.query_one("#signin-message", Static).update(message)
        password = self.query_one("#password", Input)
        password.value = ""
        password.focus()


class FirstRunScreen(Screen[bool]):
    """An empty store: create the administrator before anyone can sign in."""

    def compose(self) -> ComposeResult:
        with Center():
            with VerticalScroll(id="firstrun-box", classes="dialog"):
                yield Static("Первый запуск: создайте администратора", classes="dialog-title")
                yield LabeledInput("Фамилия", id="f-last", required=True, compact=True, enter_moves_focus=True)
                yield LabeledInput("Имя", id="f-first", required=True, compact=True, enter_moves_focus=True)
                yield LabeledInput("Отчество", id="f-patronymic", compact=True, enter_moves_focus=True)
                yield LabeledInput(
                    "Логин", id="f-login", required=True, placeholder="латиницей", compact=True, enter_moves_focus=True
                )
                yield LabeledInput(
                    "Пароль", id="f-password", required=True, password=True, compact=True, enter_moves_focus=True
                )
                yield LabeledInput("Пароль ещё раз", id="f-password2", required=True, password=True, compact=True)
                yield Static("", id="firstrun-message", classes="error")
                yield Button("Создать и войти", id="create", variant="primary")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#f-last", LabeledInput).input.focus()

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        """Enter moves down the form; on the last field it creates the account."""
        if event.input is self.query_one("#f-password2", LabeledInput).input:
            self._create()
        else:
            self.focus_next()

    @on(Button.Pressed, "#create")
    def _create(self) -> None:
        fields = {f.id: f for f in self.query(LabeledInput)}
        ok = all([f.check()[0] for f in fields.values()])
        if not ok:
            return
        if fields["f-password"].value != fields["f-password2"].value:
            fields["f-password2"].show_error("Пароли не совпадают.")
            return
        from soptui.services import auth

        try:
            auth.add_user(
                fields["f-login"].value,
                fields["f-password"].value,
                fields["f-last"].value,
                fields["f-first"].value,
                fields["f-patronymic"].value,
                position="admin",
                role="admin",
            )
        except auth.UserError as exc:
            self.query_one("#firstrun-message", Static).update(str(exc))
            return
        self.dismiss(True)


class LockScreen(Screen[bool]):
    """Idle lock: everything underneath stays open but hidden; the same person's password unlocks.

    A full screen, not a modal: nothing below is drawn, so no row can be read, selected or copied.
    """

    BINDINGS = [Binding("ctrl+q", "app.quit", "Выход", id="quit", tooltip="Закрыть программу")]

    def __init__(self, actor: Actor) -> None:
        super().__init__()
        self.actor = actor

    def compose(self) -> ComposeResult:
        with Vertical(id="lock-box", classes="dialog"):
            yield Static("Экран заблокирован", classes="dialog-title")
            yield Static(f"{self.actor.full_name}, введите пароль, чтобы продолжить работу.")
            yield TextInput(id="unlock-password", password=True)
            yield Static("", id="lock-message", classes="error")
            yield Button("Разблокировать", id="unlock", variant="primary")
            yield Button("Выйти из учётной записи", id="signout")

    def on_mount(self) -> None:
        self.query_one("#unlock-password", Input).focus()

    @on(Input.Submitted, "#unlock-password")
    @on(Button.Pressed, "#unlock")
    def _unlock(self) -> None:
        field = self.query_one("#unlock-password", Input)
        password = field.value
        field.value = ""
        self._check(password)

    @db_work(exclusive=True, group="unlock")
    def _check(self, password: str) -> None:
        from soptui.services import auth

        if auth.check_password(self.actor.id, password):
            self.app.call_from_thread(self.dismiss, True)
        else:
            self.app.call_from_thread(self.query_one("#lock-message", Static).update, "Неверный пароль.")

    @on(Button.Pressed, "#signout")
    def _signout(self) -> None:
        self.dismiss(False)
