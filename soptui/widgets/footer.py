"""The keys line at the bottom of every screen, redrawn only when the keys it shows have changed.

Textual's Footer rebuilds all its keys whenever the screen says its bindings may have changed: on every focus
move, every dialog opened or closed, every key that enables or disables an action. Each rebuild mounts a dozen
new key widgets and styles each of them twice (their compact look is set once at mount and again from the
footer), so moving through a form restyled the footer at every Tab: in a call's Pilot test that was an eighth of
the CPU, and over SSH it is work done between a key and its echo. This footer remembers what it last drew and
skips the rebuild when the active bindings are the same ones.
"""

from __future__ import annotations

from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class KeysFooter(Footer):
    """Textual's Footer that rebuilds its keys only when the active bindings differ from those it shows."""

    _drawn: tuple | None = None

    @staticmethod
    def _keys_of(screen) -> tuple:
        """Everything the footer draws from: each active binding, whether it is enabled and its tooltip."""
        return tuple(
            (key, binding, enabled, tooltip) for key, (_, binding, enabled, tooltip) in screen.active_bindings.items()
        )

    def compose(self):
        self._drawn = self._keys_of(self.screen) if self._bindings_ready else None
        grouped: list[FooterKey] = []
        for widget in super().compose():  # grouped keys too: each is yielded (inside its group's `with`)
            if isinstance(widget, FooterKey) and not widget.has_class("-command-palette"):
                # a new key starts compact and is restyled twice at mount (made compact, then made like the
                # footer): it is given the footer's look before it is mounted, so neither happens (the command
                # palette's key is not bound to the footer's look and keeps its own)
                widget.set_reactive(FooterKey.compact, self.compact)
                widget.set_class(self.compact, "-compact", update=False)
                if widget.has_class("-grouped"):
                    grouped.append(widget)
            yield widget
        # the section keys, one group: «f2–f7 Разделы» (drawn side by side they read «f2f3f4f5f6f7»); the keys
        # themselves all work as before, only the first is drawn, with the range
        if len(grouped) > 2:
            grouped[0].key_display = f"{grouped[0].key_display}–{grouped[-1].key_display}"
            for widget in grouped[1:]:
                widget.display = False

    def bindings_changed(self, screen) -> None:
        if (
            self._drawn is not None
            and self.is_attached
            and screen is self.screen
            and screen.app.app_focus
            and self._keys_of(screen) == self._drawn
        ):
            return  # the same keys are on screen already (a rebuild already asked for reads them anew)
        super().bindings_changed(screen)
