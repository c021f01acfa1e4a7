"""Keys applied in the order they arrive, whatever the widget, dialog or screen (Textual issue #6605).

Textual hands a key to the focused widget's message queue and moves on to the next key at once. A key
the widget does not take itself (Tab, Enter on a button, Space in a list, a screen's letter key) bubbles
up through the widget's ancestors to the app, where the binding runs; by then the keys that followed
it may already sit in the old widget's queue. Over SSH several keys arrive in one packet, so
«Петухова⇥Анна» typed fast put «Анна» into the surname, a key after F4 reached the old section, and a
key after a key that opens a dialog went to the screen under it.

`KeyGate` (mixed into the App) holds each key and paste from the terminal until the one before it has
been handled all the way: it is dispatched to the focused widget, then a probe hops through that
widget and each of its ancestors up to the app, each hop queued behind whatever that node still has
to do for the key (the key itself bubbling up, the binding it ran). Only when the probe has reached
the app is the next key let go; it then goes to whatever has the focus now. A screen that is still
being built (pushed but not mounted, or declaring `keys_ready = False` while it loads) gets its keys
once it is ready, at most KEY_HOLD_LIMIT seconds later: keys are never dropped.

The widgets' own fixes (TextInput, TextBox running their editing keys inline) stay: they make each
key cheaper, not the ordering.
"""

from __future__ import annotations

import time
from collections import deque

from textual import events


class KeyGate:
    """App mixin: call `init_key_gate()` in `__init__` and `gate_input(event)` first in `on_event`."""

    # Seconds a key may wait for a screen that is still loading, after which it goes wherever the focus is (a
    # screen that never gets ready must not swallow keys). 5 s was too short for a busy machine: a draft
    # resumed from Today took longer to load and the comma typed after Enter went to no field.
    KEY_HOLD_LIMIT = 15.0
    KEY_POLL = 0.02

    def init_key_gate(self) -> None:
        self._held: deque[events.Event] = deque()
        self._in_flight = False
        self._gate_screen = None
        self._held_since: float | None = None
        self._gate_timer = None
        self._paused = 0
        self._after_keys: deque = deque()

    def pause_keys_until(self, awaitable) -> None:
        """Hold keys until `awaitable` (a mode switch, a screen being pushed) is done."""
        self._paused += 1

        async def wait() -> None:
            try:
                await awaitable
            finally:
                self._paused -= 1
                self._release_soon(0)

        self.run_worker(wait(), group="keygate", exit_on_error=False)

    def after_keys(self, callback, *args) -> None:
        """Run `callback(*args)` once every key received so far has been applied (at once when none waits).

        For a dialog that work in the background opens (a colleague's save found while a draft was written):
        the keys typed into the form before it appeared belong to the form, not to the dialog. On a busy
        machine the draft of «на» found the conflict while «йм» still waited, and the review took them.
        """
        self._after_keys.append((callback, args))
        if not self._held and not self._in_flight:
            self._gate_idle()

    def _gate_idle(self) -> None:
        """Every key received is applied: run what waited for that (a callback's own keys come after it)."""
        while self._after_keys and not self._held and not self._in_flight:
            callback, args = self._after_keys.popleft()
            callback(*args)

    @property
    def keys_waiting(self) -> int:
        """Keys (and pastes) received and not yet applied."""
        return len(self._held) + (1 if self._in_flight else 0)

    def gate_input(self, event: events.Event) -> bool:
        """Take a key or paste from the terminal into the queue; True when taken (the caller stops)."""
        if not isinstance(event, (events.Key, events.Paste)) or event.is_forwarded:
            return False
        if getattr(event, "_soptui_released", False):
            return False  # the gate let it go: Textual's own dispatch follows
        if isinstance(event, events.Key) and event.key == "ctrl+j":
            # Keys typed before the terminal went raw (while the app starts, the demo store is built) pass the
            # tty's line discipline, which turns Enter's \r into \n, and \n reads as Ctrl+J: the typed-ahead
            # «login ⇥ password ⏎» signed nobody in. soptui binds nothing to Ctrl+J, so it is Enter.
            event = events.Key("enter", "\r")
        if isinstance(event, events.Key) and _esc_then_key(event):
            # Esc and a key typed within the terminal's escape delay (100 ms) arrive as «\x1b a», which reads as
            # Alt+A: the dialog stayed open and the letter was lost. soptui binds nothing to Alt: it is both keys.
            self._held.append(events.Key("escape", "\x1b"))
            event = events.Key(event.key[len("alt+") :], event.character)
        self._held.append(event)
        if self._held_since is None:
            self._held_since = time.monotonic()
        self.call_later(self._release_keys)
        return True

    # --- letting keys go -------------------------------------------------------------

    def _ready_for_keys(self) -> bool:
        if self._paused:
            return self._held_too_long()
        screen = self.screen
        if not screen.is_mounted:
            return False
        if screen is not self._gate_screen:
            # a new screen on top: let its mount and focus settle first (one hop through it)
            self._gate_screen = screen
            self._in_flight = True
            if not screen.call_later(self._screen_settled):
                self._in_flight = False
                return True
            return False
        if getattr(screen, "keys_ready", True):
            return True
        return self._held_too_long()

    def _held_too_long(self) -> bool:
        return self._held_since is not None and time.monotonic() - self._held_since > self.KEY_HOLD_LIMIT

    def _screen_settled(self) -> None:
        self._in_flight = False
        self._release_soon(0)

    def _release_soon(self, delay: float) -> None:
        if delay <= 0:
            self.call_later(self._release_keys)
            return
        if self._gate_timer is None:
            self._gate_timer = self.set_timer(delay, self._timer_fired)

    def _timer_fired(self) -> None:
        self._gate_timer = None
        self.call_later(self._release_keys)

    async def _release_keys(self) -> None:
        if not self._held and not self._in_flight:
            self._gate_idle()  # nothing left to let go (a screen settled, a pause ended)
        while self._held and not self._in_flight:
            if not self._ready_for_keys():
                if not self._in_flight:
                    self._release_soon(self.KEY_POLL)
                return
            event = self._held.popleft()
            self._held_since = time.monotonic() if self._held else None
            event._soptui_released = True
            target = self.focused or self.screen
            self._in_flight = True
            try:
                await self.on_event(event)  # Textual's dispatch: priority bindings, or to the focused widget
            finally:
                self._probe([target, *target.ancestors], target, 0)

    def _probe(self, chain: list, target, rounds: int) -> None:
        """Hop up the chain, each hop behind what the node still has queued. At the end, if the key's
        binding left messages on the way (a row selected, an «open» request bubbling up), go round again
        until nothing is pending; then the key is done."""
        while chain:
            node = chain.pop(0)
            if node.is_running and node.call_later(self._probe, chain, target, rounds):
                return
        nodes = [target, *target.ancestors]
        focused = self.focused
        if focused is not None and focused is not target:
            nodes += [focused, *focused.ancestors]
        if rounds < 8 and any(node.is_running and node.message_queue_size for node in nodes):
            self._probe(nodes, target, rounds + 1)
            return
        self._in_flight = False
        if self._held:
            self.call_later(self._release_keys)
        else:
            self._gate_idle()


def after_keys(app, callback, *args) -> None:
    """`KeyGate.after_keys` on an app that has the gate; elsewhere (a bare test app) `callback(*args)` at once."""
    gate = getattr(app, "after_keys", None)
    if gate is None:
        callback(*args)
    else:
        gate(callback, *args)


def _esc_then_key(event: events.Key) -> bool:
    """An Alt+<one character> key, which soptui (and Textual's widgets) never bind: Esc followed closely by the
    key. Enter and Backspace too: «ESC ⏎» (Esc on a dialog, Enter on the screen under it) lost both keys once
    the parser kept its Alt."""
    return event.key.startswith("alt+") and bool(event.character) and len(event.character) == 1


# Esc then a digit or a sign, typed within the escape delay (100 ms), as the terminal sends them: «\x1b2» is read
# by Textual as «™» (its table for WezTerm's Option+digit on macOS) and «\x1b.» as a bare «.», so the Esc was
# lost either way, and the digit too. soptui's staff use Linux and Windows SSH clients: those sequences are
# Esc and the key, and the gate applies them as two keys like Esc and a letter.
_MAC_OPTION_ROW = ("\x1b§", "\x1b1", "\x1b2", "\x1b3", "\x1b4", "\x1b5", "\x1b6", "\x1b7", "\x1b8", "\x1b9", "\x1b0")
_MAC_OPTION_SIGNS = ("\x1b-", "\x1b=")
_parser_installed = False


def install() -> None:
    """Make Textual's terminal parser report Esc + any printable character as Alt+key (idempotent)."""
    global _parser_installed
    if _parser_installed:
        return
    from textual import _xterm_parser
    from textual._ansi_sequences import ANSI_SEQUENCES_KEYS

    for sequence in _MAC_OPTION_ROW + _MAC_OPTION_SIGNS:
        ANSI_SEQUENCES_KEYS.pop(sequence, None)
    upstream = _xterm_parser.XTermParser._sequence_to_key_events

    def sequence_to_key_events(self, sequence: str, alt: bool = False):
        for key in upstream(self, sequence, alt):
            if alt and len(sequence) == 1 and key.character == sequence and not key.key.startswith("alt+"):
                # «.», «,», space after Esc: Textual drops the Alt for a key with a name («full_stop»)
                key = events.Key(f"alt+{key.key}", key.character)
            yield key

    _xterm_parser.XTermParser._sequence_to_key_events = sequence_to_key_events
    _parser_installed = True
