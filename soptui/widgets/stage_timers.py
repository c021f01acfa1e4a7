"""Three stage timers (SOP 04: preparation and travel, work, completion) against their norms."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from soptui.core import clock
from soptui.domain import patronage


class StageTimers(Static):
    """Three stage timers (prep/travel, work, completion) against the SOP 04 norms.

    Like the Textual stopwatch: monotonic time, an interval refresh, never a counter.
    """

    DEFAULT_CSS = "StageTimers { height: auto; padding: 0 1; }"
    stage: reactive[int] = reactive(-1)  # -1 not started, 0..2 running/paused stage, 3 finished

    def __init__(self, norms: tuple[int, int, int], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.norms = norms
        self.accumulated = [0.0, 0.0, 0.0]
        self.running_since: float | None = None

    def on_mount(self) -> None:
        self.set_interval(1, self.refresh_text)
        self.refresh_text()

    def seconds(self, i: int) -> int:
        extra = time.monotonic() - self.running_since if (self.running_since and i == self.stage) else 0
        return int(self.accumulated[i] + extra)

    @property
    def running(self) -> bool:
        return self.running_since is not None

    def _stop(self) -> None:
        if self.running_since is not None and 0 <= self.stage < 3:
            self.accumulated[self.stage] += time.monotonic() - self.running_since
        self.running_since = None

    def next_stage(self) -> None:
        self._stop()
        if self.stage < 3:
            self.stage += 1
        if self.stage < 3:
            self.running_since = time.monotonic()
        self.refresh_text()

    def toggle_pause(self) -> None:
        if not 0 <= self.stage < 3:
            return
        if self.running:
            self._stop()
        else:
            self.running_since = time.monotonic()
        self.refresh_text()

    def state(self) -> dict[str, Any]:
        """For the draft: seconds so far and whether a stage is running (by wall clock)."""
        return {
            "stage": self.stage,
            "seconds": [self.seconds(i) for i in range(3)],
            "running_at": clock.now().isoformat() if self.running else None,
        }

    def restore(self, data: dict[str, Any]) -> None:
        seconds = list(data.get("seconds") or [0, 0, 0])[:3]
        self.accumulated = [float(x) for x in seconds] + [0.0] * (3 - len(seconds))
        self.stage = int(data.get("stage", -1))
        running_at = data.get("running_at")
        self.running_since = None
        if running_at and 0 <= self.stage < 3:
            # the visit went on while the connection was down: count that time too
            try:
                gap = (clock.now() - dt.datetime.fromisoformat(running_at)).total_seconds()
            except ValueError:
                gap = 0
            self.accumulated[self.stage] += max(0.0, gap)
            self.running_since = time.monotonic()
        self.refresh_text()

    def refresh_text(self) -> None:
        text = Text()
        for i, (_code, label, _norm) in enumerate(patronage.STAGES):
            norm = self.norms[i]
            secs = self.seconds(i)
            state = patronage.stage_state(secs, norm)
            style = {"ok": "green", "near": "bold yellow", "over": "bold red"}[state]
            if i != self.stage and secs == 0:
                style = "dim"
            marker = "▶ " if (i == self.stage and self.running) else ("‖ " if i == self.stage else "  ")
            text.append(marker + f"{label}: ", style="bold" if i == self.stage else "")
            text.append(f"{patronage.fmt_duration(secs)} / {norm:02d}:00", style=style)
            if state == "over":
                text.append(" сверх нормы", style="bold red")
            text.append("\n")
        if self.stage == -1:
            text.append("Таймеры не запущены: Ctrl+T — начать подготовку.", style="dim")
        elif self.stage == 3:
            text.append("Все этапы пройдены.", style="green")
        else:
            text.append("Ctrl+T — следующий этап, Ctrl+G — пауза.", style="dim")
        self.update(text)
