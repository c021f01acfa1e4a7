"""F1: the keys of the screen in front of the user, in Russian, and the keys that work everywhere.

Built from the bindings the screen really has at this moment (its own, its focused widget's and the
app's), so it never goes stale: a key added to a screen appears here by its tooltip.
"""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEY_NAMES = {
    "escape": "Esc",
    "enter": "Enter",
    "tab": "Tab",
    "space": "Пробел",
    "pagedown": "PgDn",
    "pageup": "PgUp",
    "home": "Home",
    "end": "End",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
    "delete": "Del",
    "backspace": "Backspace",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "plus": "+",
    "minus": "-",
}


def key_label(key: str) -> str:
    """«ctrl+s» -> «Ctrl+S», «f12,ctrl+space» -> «F12, Ctrl+Пробел»."""
    out = []
    for one in key.split(","):
        parts = one.strip().split("+")
        words = []
        for p in parts:
            if p in ("ctrl", "shift", "alt"):
                words.append(p.capitalize())
            elif p in KEY_NAMES:
                words.append(KEY_NAMES[p])
            elif len(p) > 1 and p[0] == "f" and p[1:].isdigit():
                words.append(p.upper())
            else:
                words.append(p.upper() if len(p) == 1 else p)
        out.append("+".join(words))
    return ", ".join(out)


def describe(binding: Binding) -> str:
    return binding.tooltip or binding.description or binding.action


class HelpScreen(ModalScreen[None]):
    """The keys of the current screen first, then those of the whole program."""

    BINDINGS = [
        Binding("escape,f1,q", "close", "Закрыть", id="help.close", tooltip="Закрыть справку"),
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 90; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; padding: 0 1; background: $panel; }
    """

    def __init__(self, title: str, screen_keys: list[tuple[str, str]], app_keys: list[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.screen_keys = screen_keys
        self.app_keys = app_keys

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static("", id="help-keys")

    def on_mount(self) -> None:
        self.query_one("#help-keys", Static).update(self._keys_table())

    def _keys_table(self) -> Group:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        table.add_row(Text(f"Клавиши: {self.title_text}", style="bold"), "")
        for key, what in self.screen_keys:
            table.add_row(key, what)
        table.add_row("", "")
        table.add_row(Text("Везде", style="bold"), "")
        for key, what in self.app_keys:
            table.add_row(key, what)
        table.add_row("", "")
        table.add_row("Esc", "Закрыть эту справку")
        return Group(table)

    def action_close(self) -> None:
        self.dismiss(None)


def offered(node, binding: Binding) -> bool:
    """Whether the key does anything for this person now (check_action: F8 is the administrator's, the case
    sections are not an administrator's without a staff position); F1 listed them all."""
    from textual.actions import ActionError, parse

    try:
        _target, name, params = parse(binding.action)
    except ActionError:
        return True
    return node.check_action(name, params) is not False


def keys_of(screen, app) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(the screen's keys, the app's keys) as (key, what it does): soptui's own bindings (they carry an
    id; Textual's built-ins are English) of the focused field and its containers up to the screen, then
    the app's."""
    own: list[tuple[str, str]] = []
    everywhere: list[tuple[str, str]] = []
    seen: set[str] = set()

    def collect(node, into: list[tuple[str, str]]) -> None:
        for bindings in node._merged_bindings.key_to_bindings.values():
            for b in bindings:
                label = key_label(b.key)
                if b.id and label not in seen and offered(node, b):
                    seen.add(label)
                    into.append((label, describe(b)))

    chain = []
    node = screen.focused
    while node is not None and node is not screen:
        chain.append(node)
        node = node.parent
    for node in [*chain, screen]:
        collect(node, own)
    collect(app, everywhere)
    return own, everywhere
