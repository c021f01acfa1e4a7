"""argparse in Russian: `soptui --help`, usage lines and command-line errors speak the UI's language.

argparse takes its own words («usage:», «options:», its error messages) through `gettext`, looked up at
the moment they are needed as the module globals `argparse._` and `argparse.ngettext`. `RussianParser`
swaps those two for the Russian table below only while one of its own methods runs, and puts the
originals back afterwards, so other argparse users in the same process (pytest, say) are untouched.
"""

from __future__ import annotations

import argparse
import contextlib
import threading
from collections.abc import Iterator

RUSSIAN = {
    "usage: ": "использование: ",
    "options": "параметры",
    "positional arguments": "аргументы",
    "show this help message and exit": "показать эту справку и выйти",
    "%(prog)s: error: %(message)s\n": "%(prog)s: ошибка: %(message)s\n",
    "argument %(argument_name)s: %(message)s": "аргумент %(argument_name)s: %(message)s",
    "the following arguments are required: %s": "не указаны обязательные аргументы: %s",
    "unrecognized arguments: %s": "неизвестные аргументы: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "недопустимое значение %(value)r (можно: %(choices)s)",
    "invalid %(type)s value: %(value)r": "недопустимое значение: %(value)r",
    "expected one argument": "нужно одно значение",
    "expected at most one argument": "нужно не больше одного значения",
    "expected at least one argument": "нужно хотя бы одно значение",
    "ambiguous option: %(option)s could match %(matches)s": "неоднозначный параметр %(option)s: подходят %(matches)s",
    "not allowed with argument %s": "нельзя вместе с аргументом %s",
    "one of the arguments %s is required": "нужен один из аргументов %s",
    "ignored explicit argument %r": "лишнее значение %r",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "неизвестная команда %(parser_name)r (есть: %(choices)s)",
    "can't open '%(filename)s': %(error)s": "не удаётся открыть «%(filename)s»: %(error)s",
    "unexpected option string: %s": "неожиданный параметр: %s",
}
RUSSIAN_PLURAL = {
    "expected %s argument": ("нужно значений: %s", "нужно значений: %s"),
}


def _translate(message: str) -> str:
    return RUSSIAN.get(message, message)


def _ntranslate(singular: str, plural: str, n: int) -> str:
    if singular in RUSSIAN_PLURAL:
        one, many = RUSSIAN_PLURAL[singular]
        return one if n == 1 else many
    return singular if n == 1 else plural


_lock = threading.RLock()


@contextlib.contextmanager
def russian() -> Iterator[None]:
    """argparse speaks Russian inside this block (re-entrant: a parser's method may call another's)."""
    with _lock:
        saved = argparse._, argparse.ngettext
        argparse._, argparse.ngettext = _translate, _ntranslate
        try:
            yield
        finally:
            argparse._, argparse.ngettext = saved


class RussianParser(argparse.ArgumentParser):
    """ArgumentParser whose help, usage and errors are in Russian; its subcommands are RussianParsers too."""

    def __init__(self, *args, **kwargs) -> None:
        with russian():
            super().__init__(*args, **kwargs)

    def add_subparsers(self, **kwargs):
        with russian():
            return super().add_subparsers(**kwargs)

    def parse_args(self, args=None, namespace=None):
        with russian():
            return super().parse_args(args, namespace)

    def parse_known_args(self, args=None, namespace=None):
        with russian():
            return super().parse_known_args(args, namespace)

    def format_usage(self) -> str:
        with russian():
            return super().format_usage()

    def format_help(self) -> str:
        with russian():
            return super().format_help()

    def error(self, message: str):
        with russian():
            return super().error(message)


def describe_commands(parser: argparse.ArgumentParser) -> None:
    """Each command's `--help` opens with the line its parent lists it with (unless it has a description)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for listed in action._choices_actions:
                child = action.choices[listed.dest]
                child.description = child.description or listed.help
                describe_commands(child)
