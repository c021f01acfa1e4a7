"""Group sessions (SOP 05) as plain Python: schedules, generated dates, the weekly cap.

No database and no Textual here: the service feeds these functions loaded
values and stores what they return.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from soptui.domain import workdays

# SOP 05: «предоставляется до двух раз в неделю»; one session for one client is one service
WEEKLY_LIMIT = 2
SERVICE_NAME = "Проведение занятий в группах взаимоподдержки, клубах общения"
SERVICE_UNITS = 1

WEEKDAY_NAMES = ["понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье"]
WEEKDAY_SHORT = ["пн", "вт", "ср", "чт", "пт", "сб", "вс"]


class ScheduleError(ValueError):
    """A schedule that cannot produce sessions; the message is Russian, for the user."""


@dataclass(frozen=True)
class Slot:
    """A weekly meeting time: weekday 0 = Monday, times as "ЧЧ:ММ"."""

    weekday: int
    start_time: str
    end_time: str


@dataclass(frozen=True)
class PlannedDate:
    """One session date generated from the schedule."""

    date: dt.date
    start_time: str
    end_time: str
    short_day: bool  # a pre-holiday day: the institution closes an hour early


@dataclass(frozen=True)
class SessionRef:
    """An attended session of a client, for the weekly cap."""

    session_id: int
    club_name: str
    date: dt.date
    start_time: str
    end_time: str

    def describe(self) -> str:
        """«Клуб "Родничок"», 24.11.2026 (вт) 15:00–16:00."""
        name = self.club_name if "«" in self.club_name else f"«{self.club_name}»"
        return f"{name}, {self.date:%d.%m.%Y} ({WEEKDAY_SHORT[self.date.weekday()]}) {self.start_time}–{self.end_time}"


def parse_time_range(text: str) -> tuple[str, str]:
    """ "15:00-16:00" (or with – or a space) -> ("15:00", "16:00"); ValueError in Russian."""
    cleaned = text.strip().replace("–", "-").replace("—", "-").replace(" ", "-")
    parts = [p for p in cleaned.split("-") if p]
    if len(parts) != 2:
        raise ValueError("Время занятия — в виде ЧЧ:ММ-ЧЧ:ММ, например 15:00-16:00.")
    try:
        start = dt.datetime.strptime(parts[0], "%H:%M").time()
        end = dt.datetime.strptime(parts[1], "%H:%M").time()
    except ValueError:
        raise ValueError("Время занятия — в виде ЧЧ:ММ-ЧЧ:ММ, например 15:00-16:00.") from None
    if end <= start:
        raise ValueError("Занятие должно заканчиваться позже, чем начинается.")
    return f"{start:%H:%M}", f"{end:%H:%M}"


def minutes_between(start_time: str, end_time: str) -> int:
    a = dt.datetime.strptime(start_time, "%H:%M")
    b = dt.datetime.strptime(end_time, "%H:%M")
    return max(0, int((b - a).total_seconds() // 60))


def share_minutes(total: int, parts: int) -> list[int]:
    """`total` whole minutes shared among `parts` entries so that they add up: 7 among 3 -> [3, 2, 2]."""
    if parts <= 0:
        return []
    base, extra = divmod(max(total, 0), parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def validate_schedule(slots: Sequence[Slot], start: dt.date, end: dt.date) -> None:
    """Raise ScheduleError for a schedule no session can come from."""
    if not slots:
        raise ScheduleError("В расписании не выбран ни один день недели: укажите хотя бы один день и время.")
    if end < start:
        raise ScheduleError("Дата окончания работы клуба раньше даты начала.")
    seen = set()
    for slot in slots:
        if not 0 <= slot.weekday <= 6:
            raise ScheduleError("Неизвестный день недели в расписании.")
        if slot.weekday in seen:
            raise ScheduleError(f"День «{WEEKDAY_NAMES[slot.weekday]}» указан в расписании дважды.")
        seen.add(slot.weekday)
        parse_time_range(f"{slot.start_time}-{slot.end_time}")


def generate_dates(slots: Sequence[Slot], start: dt.date, end: dt.date) -> list[PlannedDate]:
    """Session dates from weekly slots between start and end inclusive, on working days only.

    Holidays and days off of the production calendar (including weekday
    holidays such as 1, 9-11 May 2026) are skipped; a short pre-holiday day is
    kept but flagged.
    """
    validate_schedule(slots, start, end)
    by_weekday = {s.weekday: s for s in slots}
    result: list[PlannedDate] = []
    day = start
    while day <= end:
        slot = by_weekday.get(day.weekday())
        if slot is not None and workdays.is_working_day(day):
            result.append(PlannedDate(day, slot.start_time, slot.end_time, workdays.is_short_day(day)))
        day += dt.timedelta(days=1)
    return result


def week_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of the calendar (ISO) week of day."""
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def same_week(a: dt.date, b: dt.date) -> bool:
    return a.isocalendar()[:2] == b.isocalendar()[:2]


def weekly_cap_conflict(
    day: dt.date, attended: Iterable[SessionRef], limit: int = WEEKLY_LIMIT
) -> list[SessionRef] | None:
    """The client's other attended sessions in day's calendar week if one more would exceed limit.

    `attended` are the client's sessions with a present mark, excluding the
    session being marked. Returns None when attending is within the limit.
    """
    same = sorted((s for s in attended if same_week(s.date, day)), key=lambda s: (s.date, s.start_time))
    if len(same) >= limit:
        return same
    return None


def limit_message(client_name: str, others: Sequence[SessionRef]) -> str:
    """Russian refusal naming the other sessions of the week."""
    listed = "; ".join(s.describe() for s in others)
    return (
        f"{client_name} уже посетил(а) {len(others)} занятия на этой неделе: {listed}. "
        f"По СОП 05 — не более {WEEKLY_LIMIT} занятий в неделю. Третье занятие возможно "
        f"только с разрешения заведующего отделением с указанием причины."
    )


# --- SOP 05 stages as records (issue 13, points 13-14) ------------------------------------------------

SCORE_MIN, SCORE_MAX = 1, 5  # the satisfaction score of one review
SCORE_LABELS = {
    5: "очень доволен(а)",
    4: "доволен(а)",
    3: "скорее доволен(а)",
    2: "скорее недоволен(а)",
    1: "недоволен(а)",
}
SCHEDULE_CALENDAR_CONSEQUENCE = "даты занятий могут сдвинуться"


def schedule_calendar_warning(start: dt.date, end: dt.date) -> str | None:
    """The «не подтверждён» warning of the deadlines, for a club's schedule running into such a year."""
    return workdays.deadline_warning(start, end, SCHEDULE_CALENDAR_CONSEQUENCE)


def average_score(scores: Iterable[int | None]) -> float | None:
    """The session's satisfaction: the mean of its reviews' scores (None when nobody scored it)."""
    given = [s for s in scores if s is not None]
    return round(sum(given) / len(given), 2) if given else None


def score_text(value: float | None) -> str:
    """4.5 -> «4,5», 4.0 -> «4», None -> «—» (Russian decimal comma)."""
    if value is None:
        return "—"
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


# Client statuses and consent that make joining a club a decision to be recorded (SOP 05 serves clients)
STATUSES_NEEDING_REASON = {
    "closed": "клиент снят с обслуживания",
    "refused": "клиент отказался от обслуживания (статус «отказ»)",
}
NO_CONSENT = "нет согласия на обработку персональных данных (152-ФЗ)"


def membership_warnings(status: str, consent_date: dt.date | None) -> list[str]:
    """Why adding this client to a club needs a recorded reason; [] when nothing stands in the way."""
    warnings = []
    if status in STATUSES_NEEDING_REASON:
        warnings.append(STATUSES_NEEDING_REASON[status])
    if consent_date is None:
        warnings.append(NO_CONSENT)
    return warnings
