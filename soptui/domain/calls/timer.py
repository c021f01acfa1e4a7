"""Pausable stopwatches for the call phases and steps (monotonic, never a drifting counter).

As the Textual stopwatch tutorial: time is `monotonic() - start` plus what was
accumulated before the last pause; the screen only reads it on a timer tick.
Plain Python, so the services and the tests use it without Textual.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

WARN_SHARE = 0.8  # colour changes at 80 % of the norm


def level(elapsed: float, norm: float) -> str:
    """ "ok" below 80 % of the norm, "warn" from 80 %, "over" past the norm."""
    if norm <= 0:
        return "ok"
    if elapsed > norm:
        return "over"
    if elapsed >= norm * WARN_SHARE:
        return "warn"
    return "ok"


def fmt_seconds(seconds: float) -> str:
    """12:05 or 1:02:05."""
    seconds = int(max(0, seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def minutes_rounded(seconds: float) -> int:
    """Minutes for the service log: at least 1 for any time spent, rounded half up."""
    if seconds <= 0:
        return 0
    return max(1, int((seconds + 30) // 60))


@dataclass
class Stopwatch:
    """Accumulated seconds plus the running stretch since `started` (a monotonic reading)."""

    accumulated: float = 0.0
    started: float | None = None
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)

    @property
    def running(self) -> bool:
        return self.started is not None

    def start(self) -> None:
        if self.started is None:
            self.started = self.clock()

    def pause(self) -> None:
        if self.started is not None:
            self.accumulated += self.clock() - self.started
            self.started = None

    def reset(self, seconds: float = 0.0) -> None:
        running = self.running
        self.accumulated = seconds
        self.started = self.clock() if running else None

    def elapsed(self) -> float:
        extra = self.clock() - self.started if self.started is not None else 0.0
        return self.accumulated + extra


class CallTimers:
    """The three phase stopwatches (preparation, call, documentation) and the step stopwatch.

    Only the current phase runs; `pause()` stops everything until `resume()`.
    The per-step times are kept so the log can show where the time went.
    """

    PHASES = ("prep", "call", "doc")

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.phases = {p: Stopwatch(clock=clock) for p in self.PHASES}
        self.step = Stopwatch(clock=clock)
        self.step_totals: dict[str, float] = {}
        self.current_phase = "prep"
        self.current_step = ""
        self.paused = True

    def begin(self, phase: str, step_id: str) -> None:
        """Start timing at `step_id` of `phase` (the first step, or the resumed one)."""
        self.current_phase = phase
        self.current_step = step_id
        self.step.reset(self.step_totals.get(step_id, 0.0))
        self.resume()

    def enter_step(self, phase: str, step_id: str) -> None:
        """Move to another step: the step watch restarts from that step's own total."""
        if self.current_step:
            self.step_totals[self.current_step] = self.step.elapsed()
        was_paused = self.paused
        self.phases[self.current_phase].pause()
        self.step.pause()
        self.current_phase = phase
        self.current_step = step_id
        self.step.reset(self.step_totals.get(step_id, 0.0))
        if not was_paused:
            self.phases[phase].start()
            self.step.start()

    def pause(self) -> None:
        self.phases[self.current_phase].pause()
        self.step.pause()
        self.paused = True

    def resume(self) -> None:
        self.phases[self.current_phase].start()
        self.step.start()
        self.paused = False

    def toggle(self) -> bool:
        """Pause or resume; returns True when now paused."""
        if self.paused:
            self.resume()
        else:
            self.pause()
        return self.paused

    def seconds(self, phase: str) -> float:
        return self.phases[phase].elapsed()

    def step_seconds(self) -> float:
        return self.step.elapsed()

    def total(self) -> float:
        return sum(w.elapsed() for w in self.phases.values())

    # --- persistence (PhoneCall.state_json) ---------------------------------------------

    def snapshot(self) -> dict:
        totals = dict(self.step_totals)
        if self.current_step:
            totals[self.current_step] = self.step.elapsed()
        return {
            "phases": {p: round(w.elapsed(), 1) for p, w in self.phases.items()},
            "steps": {k: round(v, 1) for k, v in totals.items()},
            "phase": self.current_phase,
            "step": self.current_step,
            "paused": self.paused,
        }

    @classmethod
    def restore(cls, data: dict, clock: Callable[[], float] = time.monotonic) -> CallTimers:
        """Timers as saved; they stay paused until `begin()`/`resume()`."""
        timers = cls(clock)
        for phase, seconds in (data.get("phases") or {}).items():
            if phase in timers.phases:
                timers.phases[phase].accumulated = float(seconds)
        timers.step_totals = {k: float(v) for k, v in (data.get("steps") or {}).items()}
        timers.current_phase = data.get("phase") or "prep"
        timers.current_step = data.get("step") or ""
        timers.step.accumulated = timers.step_totals.get(timers.current_step, 0.0)
        return timers
