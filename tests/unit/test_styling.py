"""soptui.widgets.styling: what the speed-ups assume is kept, and they do what they say."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from textual.app import App
from textual.containers import ScrollableContainer, VerticalScroll
from textual.css.stylesheet import Stylesheet
from textual.widget import Widget

import soptui.screens
import soptui.widgets
from soptui.widgets import styling


def _all_subclasses(cls: type) -> set[type]:
    found = set()
    stack = [cls]
    while stack:
        for sub in stack.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                stack.append(sub)
    return found


def _every_rule_the_app_has() -> list:
    for package in (soptui.screens, soptui.widgets):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            importlib.import_module(module.name)
    from soptui import app as app_module

    stylesheet = Stylesheet(variables=App().get_css_variables())
    app_css = Path(app_module.__file__).with_name("app.tcss")
    stylesheet.add_source(app_css.read_text(encoding="utf-8"), read_from=(str(app_css), ""))
    for cls in _all_subclasses(Widget):
        for attribute in ("DEFAULT_CSS", "CSS"):
            css = cls.__dict__.get(attribute)
            if isinstance(css, str) and css.strip():
                stylesheet.add_source(
                    css, read_from=(cls.__module__, f"{cls.__qualname__}.{attribute}"), is_default_css=True
                )
    return stylesheet.rules


def test_which_scroll_containers_restyle_their_subtree_on_focus():
    """styling restyles a scroll container alone when its focus changes unless a rule (soptui's or Textual's)
    styles its descendants by that focus: decided from every rule the app has."""
    from textual.widgets import DataTable, RadioSet

    from soptui.screens.admin.institution import InstitutionPane
    from soptui.screens.journal.workload import WorkloadView
    from soptui.widgets.planner_grid import PlannerGrid

    rules = _every_rule_the_app_has()
    assert len(rules) > 200  # every screen's and widget's CSS was read
    for alone in (VerticalScroll, ScrollableContainer, InstitutionPane, WorkloadView, DataTable, PlannerGrid):
        assert not styling.descendants_follow_focus(rules, alone), alone.__name__
    assert styling.descendants_follow_focus(rules, RadioSet)  # `RadioSet:focus > RadioButton.-selected`
    # a rule naming the container by id or class might be about any of them: the whole subtree then
    extra = Stylesheet()
    extra.add_source("#form-scroll:focus Label { color: red; }", read_from=("test", "id"))
    assert styling.descendants_follow_focus(extra.rules, VerticalScroll)


def test_parsed_css_is_shared_between_stylesheets_and_follows_the_theme():
    styling.install()
    css = "Label { color: $primary; }"
    first = Stylesheet(variables={"primary": "#112233"})
    first.add_source(css, read_from=("test", "one"))
    second = Stylesheet(variables={"primary": "#112233"})
    second.add_source(css, read_from=("test", "one"))
    assert first.rules is second.rules or first.rules[0] is second.rules[0]  # parsed once
    other_theme = Stylesheet(variables={"primary": "#445566"})
    other_theme.add_source(css, read_from=("test", "one"))
    assert other_theme.rules[0] is not first.rules[0]
    colours = [str(s.rules[0].styles.color) for s in (first, other_theme)]
    assert colours[0] != colours[1]


async def test_focus_on_a_scroll_container_restyles_it_and_not_its_children():
    styling.install()
    from textual.widgets import Button, Label

    class Probe(App):
        CSS = "VerticalScroll:focus { background: red; } Label { color: green; }"

        def compose(self):
            yield Button("Готово")  # focused first, as a form's first field is
            with VerticalScroll(id="box"):
                for i in range(30):
                    yield Label(f"строка {i}")

    app = Probe()
    async with app.run_test() as pilot:
        box = app.query_one("#box", VerticalScroll)
        labels = list(app.query(Label))
        restyled: list = []
        original = app.stylesheet.apply

        def counting_apply(node, *args, **kwargs):
            restyled.append(node)
            return original(node, *args, **kwargs)

        app.stylesheet.apply = counting_apply
        box.focus()
        await pilot.pause()
        assert box.has_focus
        assert box in restyled
        assert box.styles.background.rgb == (255, 0, 0)  # its own :focus rule applied
        assert not any(node in labels for node in restyled)
        box.blur()
        await pilot.pause()
        assert box.styles.background.rgb != (255, 0, 0)
