"""Stored or typed text is data, never markup: the one rendering rule, applied in one place.

Textual reads every string given to a widget as content markup: an address «ул. Ленина [/] д. 1» raised
MarkupError for everyone who opened that client, and «[@click=app.quit]…[/]» in a note became a live
link. soptui never builds markup from strings (styles come from CSS and Rich `Text` objects), so the
patch below turns markup off by default for every widget, label, option list, table cell and
notification; code that really wants markup passes a `Content`/`Text` object or `markup=True`.
"""

from __future__ import annotations

import functools

_INSTALLED = False


def _markup_off_by_default(cls, method: str = "__init__") -> None:
    original = getattr(cls, method)

    @functools.wraps(original)
    def wrapper(self, *args, **kwargs):
        kwargs.setdefault("markup", False)
        return original(self, *args, **kwargs)

    setattr(cls, method, wrapper)


def _literal_cell(obj: object, wrap: bool = True, height: int = 0):
    """A table cell: a string is shown as it is (the upstream formatter parses it as markup)."""
    from rich.text import Text

    if isinstance(obj, str):
        content = obj
        if height:
            lines = content.split("\n")
            content = "\n".join(lines[:height])
        # a cut value ends in «…»: cut bare, «Захарова Виктория Ивановн» or «Алексеева В.Е» read as whole
        text = Text(content, end="", overflow="ellipsis")
        text.no_wrap = not wrap
        return text
    return _upstream_cell(obj, wrap, height)


_upstream_cell = None

# Control characters in stored text would reach the terminal as they are («\x1b[2J» clears the screen of
# whoever opens the file): they are shown as their visible pictures (␛, ␀) instead. Tab and newline stay.
VISIBLE_CONTROLS = {c: chr(0x2400 + c) for c in range(32) if c not in (9, 10)} | {127: "␡"}
VISIBLE_CONTROLS |= {c: "\ufffd" for c in range(0x80, 0xA0)}


def _show_controls() -> None:
    """Rich and Textual strip a few control codes with a translate table each: make it cover them all."""
    import rich.control
    import textual.content

    for table in (rich.control._CONTROL_STRIP_TRANSLATE, textual.content._CONTROL_STRIP_TRANSLATE):
        table.update(VISIBLE_CONTROLS)


def visible(text: str) -> str:
    """The same replacement for text that leaves the screen (file names, printed forms, the log)."""
    return text.translate(VISIBLE_CONTROLS)


def install() -> None:
    """Apply the rule (idempotent); called when soptui.app is imported, before any widget exists."""
    global _INSTALLED, _upstream_cell
    if _INSTALLED:
        return
    from textual.app import App
    from textual.widget import Widget
    from textual.widgets import Label, OptionList, Static, _data_table

    for cls in (Widget, Static, Label, OptionList):
        _markup_off_by_default(cls)
    for cls in (App, Widget):  # notifications name people and files
        _markup_off_by_default(cls, "notify")
    _show_controls()
    _upstream_cell = _data_table.default_cell_formatter
    _data_table.default_cell_formatter = _literal_cell
    _INSTALLED = True


def plain_console(console) -> None:
    """Rich renderables (tables, panels) built from strings render them as text on this console."""
    console._markup = False
    console._emoji = False  # «:smile:»-like text in a note stays as typed


def plain(text: object) -> str:
    """Text for a place that must stay markup-aware: the value with markup's brackets escaped."""
    from rich.markup import escape

    return escape(str(text))
