"""The time a service really took, held against the SOP norm (issue 12).

A norm is a limit, never a value to record: the service log keeps the measured minutes of each stage
(preparation, the work itself, documentation) and the norm beside them, and says where the norm was
exceeded. Plain Python: the call and visit services compute their entries with it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


def whole_minutes(seconds: float) -> int:
    """Minutes, rounded half up; any work that ran at all counts at least one minute."""
    if seconds <= 0:
        return 0
    return max(1, int((seconds + 30) // 60))


@dataclass(frozen=True)
class StageTimes:
    """Measured minutes per stage and the SOP norm of each (minutes)."""

    prep: int
    work: int
    doc: int
    norm_prep: int
    norm_work: int
    norm_doc: int

    @classmethod
    def measured(cls, prep_s: float, work_s: float, doc_s: float, norms: tuple[int, int, int]) -> StageTimes:
        """The measured time, rounded once as a whole, shared out over the stages by their seconds (largest
        remainder), so the stages add up to it. Each stage rounded on its own, with at least a minute for any
        that ran, overstated short work: a 55-second call was logged as 3 minutes."""
        seconds = [max(float(x), 0.0) for x in (prep_s, work_s, doc_s)]
        total = whole_minutes(sum(seconds))
        if total == 0:
            return cls(0, 0, 0, *norms)
        exact = [x * total / sum(seconds) for x in seconds]
        parts = [int(x) for x in exact]
        by_remainder = sorted(range(3), key=lambda i: (exact[i] - parts[i], seconds[i]), reverse=True)
        for i in by_remainder[: total - sum(parts)]:
            parts[i] += 1
        return cls(*parts, *norms)

    @property
    def total(self) -> int:
        return self.prep + self.work + self.doc

    @property
    def norm(self) -> int:
        return self.norm_prep + self.norm_work + self.norm_doc

    def entry_fields(self) -> dict[str, int]:
        """The service-log columns these times fill: the measured minutes and the norm beside them."""
        return {
            "minutes": self.total,
            "prep_minutes": self.prep,
            "work_minutes": self.work,
            "doc_minutes": self.doc,
            "norm_minutes": self.norm,
        }

    def over(self, labels: tuple[str, str, str]) -> list[str]:
        """The stages (by label) whose measured time exceeds their norm."""
        pairs = zip(labels, (self.prep, self.work, self.doc), (self.norm_prep, self.norm_work, self.norm_doc))
        return [label for label, got, norm in pairs if norm and got > norm]

    def describe(self, labels: tuple[str, str, str]) -> str:
        """«подготовка 3 мин (норма 20), разговор 2 мин (норма 60) …», and what went over the norm."""
        parts = [
            f"{label} {got} мин (норма {norm})"
            for label, got, norm in zip(
                labels, (self.prep, self.work, self.doc), (self.norm_prep, self.norm_work, self.norm_doc)
            )
        ]
        text = "фактически: " + ", ".join(parts) + f"; всего {self.total} мин из {self.norm} по норме"
        over = self.over(labels)
        return text + (f"; сверх нормы: {', '.join(over)}" if over else "")


CALL_STAGES = ("подготовка", "разговор", "документирование")
VISIT_STAGES = ("подготовка и дорога", "работа с семьёй", "завершение")

# Call outcomes in which the person was not reached: written to the phone log, not a service rendered,
# and not the SOP 03 first contact.
NOT_DELIVERED = frozenset({"no_answer", "callback"})


# --- who did it and when: entries recorded later or on a colleague's behalf ----------------------------


def recording_day_problem(done_on: dt.date, today: dt.date) -> str:
    """Why a service cannot be entered for this day ("" if it can): not later than today, not before this month."""
    if done_on > today:
        return "Дата услуги не может быть позже сегодняшней."
    if done_on < today.replace(day=1):
        return f"Задним числом вносят только за текущий месяц (с {today.replace(day=1):%d.%m.%Y})."
    return ""


def check_recording(
    *,
    actor_id: int,
    actor_is_head: bool,
    performers: dict[int, str],
    performer_id: int | None,
    done_on: object,
    today: object,
    late_reason: str,
) -> dict[str, str]:
    """Russian field errors of who did a service and when (empty: it can be recorded).

    The performer is the signed-in person unless a head records on a colleague's behalf, choosing them
    explicitly among those who did it; the day is the day it happened, not later than today and not before
    this month; a day before today needs the reason it is entered later.
    """
    errors: dict[str, str] = {}
    performer = performer_id if performer_id is not None else actor_id
    if performer not in performers:
        names = ", ".join(performers.values()) or "никто не назначен"
        errors["performer"] = f"Визит проводили: {names}. Укажите, кто из них его провёл."
    elif performer != actor_id and not actor_is_head:
        errors["performer"] = "Записать услугу за коллегу может только заведующий."
    day_problem = recording_day_problem(done_on, today)
    if day_problem:
        errors["done_on"] = day_problem
    elif done_on < today and not late_reason.strip():
        errors["late_reason"] = "Укажите, почему запись вносится позже дня услуги."
    return errors


# The longest stage a visit recorded afterwards may be given, in minutes (a whole working day).
TYPED_STAGE_MAX_MIN = 480


def typed_minutes_problem(minutes: tuple[int, int, int], done_on: dt.date, today: dt.date) -> str:
    """Why a visit's stage minutes cannot be typed in ("" if they can). A visit is timed by its stage timers
    while it is done; one entered on a later day (a field visit written up at the office) cannot have been, so
    its minutes are typed from the paper act, as whole minutes: preparation and completion 0 or more, the work
    with the family at least 1, none above TYPED_STAGE_MAX_MIN."""
    if done_on >= today:
        return "Минуты вписывают только за прошедший день: визит сегодняшнего дня измеряют таймеры этапов."
    prep, work, completion = minutes
    if work < 1:
        return "Работа с семьёй: не меньше 1 минуты (визит, которого не было, не записывают)."
    if min(prep, completion) < 0 or max(prep, work, completion) > TYPED_STAGE_MAX_MIN:
        return f"Минуты этапа: от 0 до {TYPED_STAGE_MAX_MIN} (работа с семьёй — от 1)."
    return ""


# --- time spent writing a document (the group session's report) -------------------------------------

IDLE_GAP_SECONDS = 300.0  # a pause longer than this between two edits is not writing time


class WritingClock:
    """Measures the time a document is being written: the spans between edits, leaving out pauses
    longer than IDLE_GAP_SECONDS (the form left open over lunch is not documentation time)."""

    def __init__(self, idle_gap: float = IDLE_GAP_SECONDS) -> None:
        self.idle_gap = idle_gap
        self.seconds = 0.0
        self._last: float | None = None

    def touch(self, now: float) -> None:
        """An edit at monotonic time `now`."""
        if self._last is not None:
            gap = now - self._last
            if 0 < gap <= self.idle_gap:
                self.seconds += gap
        self._last = now

    def take(self, now: float) -> float:
        """The time measured up to `now` (the save), then start again from zero."""
        self.touch(now)
        seconds, self.seconds, self._last = self.seconds, 0.0, None
        return seconds
