"""SOP 04 patronage, plain Python: the norms, how long a visit occupies a person, conflicts.

No Textual and no database: the services hand plain values in, the screens and
the PDF forms read the constants (norms, act sections) from here.

A visit's `planned_start` is the time agreed with the family (arrival).  The
person is busy before it with preparation and the way there and after it with
the work and filling in the act:

    occupied = [start - prep, start + work + completion]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from soptui.domain import workdays

# SOP 04 §7: preparation and the way to the address up to 60 min, work with
# the family up to 40 min, filling in the act or report up to 10 min.
PREP_NORM_MIN = 60
WORK_NORM_MIN = 40
COMPLETION_NORM_MIN = 10

# The stages of a visit, with their SOP 04 norms, in order (for the stage timers).
STAGES: tuple[tuple[str, str, int], ...] = (
    ("prep", "Подготовка и дорога", PREP_NORM_MIN),
    ("work", "Работа с семьёй", WORK_NORM_MIN),
    ("completion", "Завершение (акт)", COMPLETION_NORM_MIN),
)

# SOP 04, planned (repeat) visit: «оценивание насколько эффективна проводимая профилактическая работа»
EFFECTIVENESS = {
    "effective": "эффективна",
    "partly": "частично эффективна",
    "not_effective": "неэффективна",
}


def effectiveness_text(level: str | None, comment: str) -> str:
    """«Профилактическая работа эффективна. <comment>» (empty when nothing was assessed)."""
    if not level and not comment.strip():
        return ""
    head = f"Профилактическая работа {EFFECTIVENESS[level]}." if level in EFFECTIVENESS else ""
    return f"{head} {comment.strip()}".strip()


# SOP 04 §4: who visits.
VISIT_POSITIONS = ("social_work_specialist", "district_social_worker", "psychologist", "nurse", "social_pedagogue")

DEFAULT_WORK_START = dt.time(9, 0)
DEFAULT_WORK_END = dt.time(18, 0)
SLOT_STEP_MIN = 30  # free slots are offered on the half hour


@dataclass(frozen=True)
class Occupancy:
    """One visit as it occupies its staff: from leaving (prep) to the finished act."""

    visit_id: int | None
    staff_ids: frozenset[int]
    start: dt.datetime  # arrival, the time agreed with the family
    prep_minutes: int = PREP_NORM_MIN
    work_minutes: int = WORK_NORM_MIN
    completion_minutes: int = COMPLETION_NORM_MIN
    label: str = ""  # client's short name, for messages

    @property
    def busy_from(self) -> dt.datetime:
        return self.start - dt.timedelta(minutes=self.prep_minutes)

    @property
    def work_end(self) -> dt.datetime:
        return self.start + dt.timedelta(minutes=self.work_minutes)

    @property
    def busy_to(self) -> dt.datetime:
        return self.work_end + dt.timedelta(minutes=self.completion_minutes)

    def overlaps(self, other: Occupancy) -> bool:
        return self.busy_from < other.busy_to and other.busy_from < self.busy_to


@dataclass(frozen=True)
class Conflict:
    """A problem of a planned visit: kind overlap / off_hours / non_working_day."""

    kind: str
    message: str
    other_visit_id: int | None = None
    staff_id: int | None = None


def hhmm(moment: dt.datetime | dt.time) -> str:
    return f"{moment.hour:02d}:{moment.minute:02d}"


def day_hours(
    day: dt.date, work_start: dt.time = DEFAULT_WORK_START, work_end: dt.time = DEFAULT_WORK_END
) -> tuple[dt.time, dt.time] | None:
    """Working time of the day by the production calendar (None on a day off)."""
    return workdays.working_hours(day, work_start, work_end)


def find_conflicts(
    candidate: Occupancy,
    others: Iterable[Occupancy],
    staff_names: dict[int, str] | None = None,
    work_start: dt.time = DEFAULT_WORK_START,
    work_end: dt.time = DEFAULT_WORK_END,
) -> list[Conflict]:
    """Every conflict of `candidate` with the calendar, the working day and the other visits.

    `others` may include the candidate itself (same visit_id): it is skipped.
    """
    names = staff_names or {}
    result: list[Conflict] = []
    day = candidate.start.date()
    hours = day_hours(day, work_start, work_end)
    if hours is None:
        result.append(Conflict("non_working_day", f"{day:%d.%m.%Y} — нерабочий день по производственному календарю."))
    else:
        start, end = hours
        day_start = dt.datetime.combine(day, start)
        day_end = dt.datetime.combine(day, end)
        if candidate.busy_from < day_start:
            result.append(
                Conflict(
                    "off_hours",
                    f"Подготовка и дорога начинаются в {hhmm(candidate.busy_from)}, а рабочий день — в {hhmm(start)}.",
                )
            )
        if candidate.busy_to > day_end:
            short = " (предпраздничный день)" if workdays.is_short_day(day) else ""
            result.append(
                Conflict(
                    "off_hours",
                    f"Визит с оформлением акта заканчивается в {hhmm(candidate.busy_to)}, "
                    f"а рабочий день — в {hhmm(end)}{short}.",
                )
            )
    for other in others:
        if candidate.visit_id is not None and other.visit_id == candidate.visit_id:
            continue
        common = candidate.staff_ids & other.staff_ids
        if not common or not candidate.overlaps(other):
            continue
        for staff_id in sorted(common):
            who = names.get(staff_id, "Сотрудник")
            result.append(
                Conflict(
                    "overlap",
                    f"{who} занят(а) {hhmm(other.busy_from)}–{hhmm(other.busy_to)}"
                    f"{' (' + other.label + ')' if other.label else ''}: визиты пересекаются.",
                    other.visit_id,
                    staff_id,
                )
            )
    return result


def conflicts_by_visit(
    visits: Sequence[Occupancy], work_start: dt.time = DEFAULT_WORK_START, work_end: dt.time = DEFAULT_WORK_END
) -> dict[int, list[Conflict]]:
    """Conflicts of every visit of a set against the others (for the planner grid).

    Sorted sweep per staff member, so a week of 300 visits costs O(n log n).
    """
    result: dict[int, list[Conflict]] = {}
    hours_cache: dict[dt.date, tuple | None] = {}
    for v in visits:
        if v.visit_id is None:
            continue
        day = v.start.date()
        if day not in hours_cache:
            hours_cache[day] = day_hours(day, work_start, work_end)
        hours = hours_cache[day]
        if hours is not None:
            day_start = dt.datetime.combine(day, hours[0])
            day_end = dt.datetime.combine(day, hours[1])
            if day_start <= v.busy_from and v.busy_to <= day_end:
                continue  # the usual case: nothing to report, skip the message building
        found = find_conflicts(v, (), None, work_start, work_end)
        if found:
            result.setdefault(v.visit_id, []).extend(found)
    by_staff: dict[int, list[Occupancy]] = {}
    for v in visits:
        for s in v.staff_ids:
            by_staff.setdefault(s, []).append(v)
    for staff_id, items in by_staff.items():
        items.sort(key=lambda o: o.busy_from)
        active: list[Occupancy] = []
        for v in items:
            active = [a for a in active if a.busy_to > v.busy_from]
            for a in active:
                for x, y in ((a, v), (v, a)):
                    if x.visit_id is None:
                        continue
                    result.setdefault(x.visit_id, []).append(
                        Conflict(
                            "overlap",
                            f"Пересекается с визитом {hhmm(y.busy_from)}–{hhmm(y.busy_to)}"
                            f"{' (' + y.label + ')' if y.label else ''}.",
                            y.visit_id,
                            staff_id,
                        )
                    )
            active.append(v)
    return result


def first_free_start(
    day: dt.date,
    busy: Iterable[Occupancy],
    staff_id: int,
    prep: int = PREP_NORM_MIN,
    work: int = WORK_NORM_MIN,
    completion: int = COMPLETION_NORM_MIN,
    not_before: dt.datetime | None = None,
    work_start: dt.time = DEFAULT_WORK_START,
    work_end: dt.time = DEFAULT_WORK_END,
) -> dt.datetime | None:
    """The earliest arrival time on `day` (on the half hour) when staff_id is free for a whole visit."""
    hours = day_hours(day, work_start, work_end)
    if hours is None:
        return None
    start, end = hours
    mine = [b for b in busy if staff_id in b.staff_ids]
    t = dt.datetime.combine(day, start) + dt.timedelta(minutes=prep)
    last = dt.datetime.combine(day, end) - dt.timedelta(minutes=work + completion)
    while t <= last:
        if not_before is None or t - dt.timedelta(minutes=prep) >= not_before:
            cand = Occupancy(None, frozenset([staff_id]), t, prep, work, completion)
            if not any(cand.overlaps(b) for b in mine):
                return t
        t += dt.timedelta(minutes=SLOT_STEP_MIN)
    return None


def week_start(day: dt.date) -> dt.date:
    """Monday of the week of `day`."""
    return day - dt.timedelta(days=day.weekday())


def week_days(monday: dt.date) -> list[dt.date]:
    return [monday + dt.timedelta(days=i) for i in range(7)]


# --- deadlines -------------------------------------------------------------------


@dataclass(frozen=True)
class DeadlineCheck:
    """How a planned date stands against a referral's patronage deadline (SOP 04: 1-4 days)."""

    due: dt.date | None
    late: bool  # the planned date is after the deadline: a reason is required
    text: str  # Russian, for the form


def check_deadline(due: dt.date | None, planned: dt.date, today: dt.date) -> DeadlineCheck:
    if due is None:
        return DeadlineCheck(None, False, "Срок патронажа по обращению не установлен.")
    countdown = workdays.deadline_countdown_text(due, today)
    if planned > due:
        return DeadlineCheck(
            due,
            True,
            f"Срок патронажа — до {due:%d.%m.%Y} ({countdown}); визит {planned:%d.%m.%Y} позже срока: укажите причину.",
        )
    return DeadlineCheck(due, False, f"Срок патронажа — до {due:%d.%m.%Y} ({countdown}).")


# --- stage timers ------------------------------------------------------------------


def stage_state(seconds: int, norm_minutes: int) -> str:
    """ok / near (last 10 % of the norm) / over."""
    norm = norm_minutes * 60
    if seconds > norm:
        return "over"
    if seconds >= norm * 0.9:
        return "near"
    return "ok"


def fmt_duration(seconds: int) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


# --- the three acts (SOP 04 documents) ---------------------------------------------


@dataclass(frozen=True)
class ActField:
    key: str
    label: str
    multiline: bool = False
    required: bool = False
    choices: tuple[str, ...] = ()  # a choice among these words (a drop-down), not free text


@dataclass(frozen=True)
class ActSection:
    title: str
    fields: tuple[ActField, ...] = field(default_factory=tuple)


# Printed titles: the housing act under the official form's name (its short name stays on screen).
ACT_OFFICIAL_TITLES = {"housing": "Акт обследования условий жизни несовершеннолетнего гражданина и его семьи"}

# The official form's conclusion: the child's living conditions are, or are not, adequate.
ADEQUACY_CHOICES = (
    "обеспечивают надлежащее содержание и воспитание",
    "не обеспечивают надлежащее содержание и воспитание",
)

ACT_SECTIONS: dict[str, tuple[ActSection, ...]] = {
    # The official form: «Акт обследования условий жизни несовершеннолетнего гражданина и его семьи»
    # (order of the Ministry of Education of Russia No. 4 of 10.01.2019, appendix 3). Date, time, place and
    # the members come from the visit; the keys of the first version (address, dwelling_type, ...) are kept,
    # so acts written before still read and print.
    "housing": (
        ActSection(
            "1. Несовершеннолетний",
            (
                ActField("child_name", "ФИО ребёнка"),
                ActField("child_birth", "Дата рождения"),
                ActField("child_document", "Свидетельство о рождении или паспорт (серия, номер, кем, когда)", True),
                ActField("registered_address", "Адрес регистрации (место жительства)"),
                ActField("address", "Адрес фактического проживания", required=True),
            ),
        ),
        ActSection(
            "2. Родители (законные представители) и семья",
            (
                ActField("parents", "Родители или законные представители (ФИО, документ, работа)", True),
                ActField("family", "Проживают вместе с ребёнком (ФИО, родство, год рождения)", True, required=True),
                ActField("present", "Присутствовали при обследовании", True),
                ActField("income", "Источники дохода семьи", True),
            ),
        ),
        ActSection(
            "3. Жилое помещение",
            (
                ActField("dwelling_type", "Тип жилья (квартира, дом, комната, общежитие)", required=True),
                ActField("ownership", "Форма собственности (собственность, найм, аренда)", required=True),
                ActField("rooms", "Количество комнат"),
                ActField("area", "Общая площадь, кв. м"),
                ActField("amenities", "Благоустройство (отопление, водоснабжение, канализация)", True),
                ActField("sanitary", "Санитарное состояние", True, required=True),
            ),
        ),
        ActSection(
            "4. Условия для ребёнка",
            (
                ActField("child_sleep", "Место для сна", required=True),
                ActField("child_study", "Место для занятий"),
                ActField("clothing", "Одежда и обувь по сезону и возрасту"),
                ActField("food", "Питание (продукты, регулярность)"),
                ActField("hygiene", "Средства гигиены, уход"),
                ActField("safety", "Безопасность (электроприборы, окна, лекарства)", True),
                ActField("child_play", "Игрушки, книги, место для игр"),
            ),
        ),
        ActSection(
            "5. Здоровье и обучение",
            (
                ActField("health", "Состояние здоровья, внешний вид ребёнка", True),
                ActField("schooling", "Обучение (детский сад, школа, посещаемость, успеваемость)", True),
            ),
        ),
        ActSection(
            "6. Заключение",
            (
                ActField("adequacy", "Условия жизни ребёнка", required=True, choices=ADEQUACY_CHOICES),
                ActField("conclusions", "Заключение по результатам обследования", True, required=True),
            ),
        ),
    ),
    "patronage": (
        ActSection(
            "1. Сведения о семье",
            (
                ActField("family", "Состав семьи", True, required=True),
                ActField("present", "Присутствовали при посещении", True),
            ),
        ),
        ActSection(
            "2. Ход патронажа",
            (
                ActField("situation", "Ситуация в семье на момент посещения", True, required=True),
                ActField("child_state", "Состояние ребёнка, условия воспитания и содержания", True),
                ActField("work_done", "Проведённая работа (беседы, консультации)", True, required=True),
            ),
        ),
        ActSection(
            "3. Итоги",
            (
                ActField("conclusions", "Выводы", True, required=True),
                ActField("next_steps", "Дальнейшие действия, следующее посещение", True),
            ),
        ),
    ),
    "report": (
        ActSection(
            "1. Цель и результат",
            (
                ActField("goal", "Цель посещения", True, required=True),
                ActField("result", "Результат посещения", True, required=True),
            ),
        ),
        ActSection(
            "2. Оценка",
            (
                ActField("effectiveness", "Эффективность профилактической работы", True),
                ActField("notes", "Замечания", True),
            ),
        ),
    ),
}


def act_fields(kind: str) -> list[ActField]:
    return [f for section in ACT_SECTIONS[kind] for f in section.fields]


def act_missing(kind: str, data: dict) -> list[ActField]:
    """Required fields of the act that are still empty (or hold a word outside the field's choices)."""
    missing = []
    for f in act_fields(kind):
        value = str(data.get(f.key, "") or "").strip()
        if (f.required and not value) or (value and f.choices and value not in f.choices):
            missing.append(f)
    return missing
