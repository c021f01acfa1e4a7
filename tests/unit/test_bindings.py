"""Every key binding in the app, screens and widgets is a Binding with a stable id and a Russian tooltip.

The id lets a keymap rebind a key without touching code; the tooltip is what the footer shows on hover.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

from textual.binding import Binding

import soptui.screens
import soptui.widgets

ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
CYRILLIC = re.compile(r"[А-Яа-яЁё]")


def _modules():
    names = ["soptui.app"]
    for package in (soptui.screens, soptui.widgets):
        names += [info.name for info in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
    return [importlib.import_module(name) for name in names]


def _classes_with_bindings():
    seen = set()
    for module in _modules():
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if not cls.__module__.startswith("soptui.") or cls in seen:
                continue
            seen.add(cls)
            if "BINDINGS" in vars(cls):
                yield cls


def binding_problems(cls) -> list[str]:
    """What is wrong with a class's key bindings: own ones and those of its soptui base classes."""
    where = f"{cls.__module__}.{cls.__qualname__}"
    problems = []
    ids: set[str] = set()  # unique per screen, inherited ones included
    for klass in cls.__mro__:
        if klass is not cls and not klass.__module__.startswith("soptui."):
            continue
        for binding in vars(klass).get("BINDINGS", []):
            if not isinstance(binding, Binding):
                problems.append(f"{where}: {binding!r} is not a Binding")
                continue
            if not binding.id or not ID.match(binding.id):
                problems.append(f"{where}: {binding.key!r} has no snake-case id ({binding.id!r})")
            elif binding.id in ids:
                problems.append(f"{where}: id {binding.id!r} used twice")
            else:
                ids.add(binding.id)
            if not binding.tooltip or not CYRILLIC.search(binding.tooltip):
                problems.append(f"{where}: {binding.key!r} has no Russian tooltip ({binding.tooltip!r})")
    return problems


def test_every_binding_has_an_id_and_a_russian_tooltip():
    classes = list(_classes_with_bindings())
    assert len(classes) > 20  # the walk really reached the screens and widgets
    problems = [problem for cls in classes for problem in binding_problems(cls)]
    assert not problems, "\n".join(problems)


def test_the_check_reports_tuples_missing_ids_english_tooltips_and_repeats():
    from textual.screen import Screen

    class Bare(Screen):
        BINDINGS = [
            ("x", "quit", "Выход"),
            Binding("y", "quit", "Выход"),
            Binding("z", "quit", "Выход", id="quit", tooltip="Quit"),
            Binding("w", "quit", "Выход", id="quit", tooltip="Выход"),
        ]

    problems = binding_problems(Bare)
    assert len(problems) == 5, problems
    assert "is not a Binding" in problems[0]
    assert "no snake-case id" in problems[1] and "no Russian tooltip" in problems[2]
    assert "no Russian tooltip ('Quit')" in problems[3]
    assert "used twice" in problems[4]
