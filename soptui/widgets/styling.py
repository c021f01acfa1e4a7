"""Less restyling work in Textual 8.2, with the same look: parsed CSS shared by the process, and a scroll
container's focus restyling the container alone. Installed once, before the app starts (app.py).

Parsed CSS kept for the whole process, so that Textual parses each stylesheet source once.

Textual 8.2 keeps parsed rules per Stylesheet in an LRU of 64 entries, and soptui's app has far more
sources than that (every widget class's DEFAULT_CSS, every screen's CSS, app.tcss). Walking the sources in
order through a smaller LRU never hits: every `Stylesheet.parse()` (one each time a widget class is first
mounted) parsed every source again, and `App.refresh_css()` (each section's first opening) parses into a
fresh Stylesheet with an empty cache. Under the profiler that was an eighth of a screen test's time.

Here the parsed rules are shared by every Stylesheet of the process, keyed by what Textual's own cache
key holds plus the CSS variables the rules were parsed with (the theme's colours are substituted while
parsing). Rule sets are only read once parsed: Textual itself hands the same list out again from its cache.

A scroll container (VerticalScroll: forms, dialogs, the teleprompter's script) is focusable, and Textual
restyles a widget's whole subtree when its focus changes, in case a rule styles descendants by their
ancestor's focus (`RadioSet:focus > RadioButton`). Focus landing on or leaving a form's scroll area cost 40 ms
on this machine. Where no rule of the app styles a container's descendants by its focus (a plain
VerticalScroll: tests/unit/test_styling.py), only the container itself and its scrollbars are restyled.
"""

from __future__ import annotations

from textual.containers import ScrollableContainer
from textual.css.model import CombinatorType, SelectorType
from textual.css.stylesheet import Stylesheet

MAX_ENTRIES = 4096  # sources x themes; a few hundred in practice

_parsed: dict[tuple, list] = {}
_follows_focus: dict[tuple, tuple[list, bool]] = {}
FOCUS = {"focus", "focus-within"}
_original_parse_rules = Stylesheet._parse_rules
_INSTALLED = False


def _variables_key(stylesheet: Stylesheet) -> tuple:
    variables = stylesheet._variables
    cached = stylesheet.__dict__.get("_soptui_variables")
    if cached is not None and cached[0] is variables:
        return cached[1]
    key = tuple(sorted(variables.items()))
    stylesheet.__dict__["_soptui_variables"] = (variables, key)
    return key


def _parse_rules(
    self: Stylesheet,
    css: str,
    read_from,
    is_default_rules: bool = False,
    tie_breaker: int = 0,
    scope: str = "",
) -> list:
    key = (css, read_from, is_default_rules, tie_breaker, scope, _variables_key(self))
    rules = _parsed.get(key)
    if rules is None:
        rules = _original_parse_rules(self, css, read_from, is_default_rules, tie_breaker, scope)
        if len(_parsed) >= MAX_ENTRIES:
            _parsed.clear()
        _parsed[key] = rules
    return rules


def descendants_follow_focus(rules: list, widget_type: type) -> bool:
    """Whether one of `rules` styles something under a `widget_type` by its :focus or :focus-within (Textual's
    `RadioSet:focus > RadioButton`). Rules for the type's own component classes (`DataTable:focus >
    .datatable--cursor`) do not count: they are applied with the widget itself. A :focus on an id, a class or
    `*` counts, as it might name such a widget."""
    names = set(widget_type._css_type_names)
    components = widget_type.COMPONENT_CLASSES
    for rule in rules:
        for selector_set in rule.selector_set:
            compounds: list[list] = []  # `ToggleButton.-textual-compact:focus` is one node: TYPE, then CLASS "SAME"
            for selector in selector_set.selectors:
                if compounds and selector.combinator == CombinatorType.SAME:
                    compounds[-1].append(selector)
                else:
                    compounds.append([selector])
            for position, compound in enumerate(compounds[:-1]):
                if not any(selector.pseudo_classes & FOCUS for selector in compound):
                    continue
                types = [selector.name for selector in compound if selector.type == SelectorType.TYPE]
                if types and not set(types) <= names:
                    continue  # a focus of some other widget type
                rest = compounds[position + 1 :]
                own = len(rest) == 1 and len(rest[0]) == 1 and rest[0][0].type == SelectorType.CLASS
                if not (own and rest[0][0].name in components):
                    return True
    return False


def _follows(node) -> bool:
    """descendants_follow_focus for node's type and the app's rules, decided once per type and set of rules."""
    rules = node.app.stylesheet.rules
    key = (type(node), id(rules))
    known = _follows_focus.get(key)
    if known is None or known[0] is not rules:
        if len(_follows_focus) > 256:
            _follows_focus.clear()
        known = _follows_focus[key] = (rules, descendants_follow_focus(rules, type(node)))
    return known[1]


def _container_focus_changed(self: ScrollableContainer, _has_focus: bool) -> None:
    """Restyle the container for its :focus; its subtree too only where a rule styles it by that focus."""
    if not self.is_attached:
        return
    if _follows(self):
        self.update_node_styles()
    else:
        self.app.stylesheet.update_nodes([self], animate=True)


def install() -> None:
    """Share parsed CSS between the stylesheets of this process; restyle a scroll container alone when its focus
    changes (once; before the app starts)."""
    global _INSTALLED
    if _INSTALLED:
        return
    _INSTALLED = True
    Stylesheet._parse_rules = _parse_rules
    ScrollableContainer.watch_has_focus = _container_focus_changed
