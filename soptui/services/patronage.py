"""Patronage visits (SOP 04): planning, the week planner, doing the visit, acts, Today.

Only this module queries the visit tables; it returns plain dataclasses.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import peewee as pw

from soptui.core import clock, session
from soptui.core.text import full_name, short_name
from soptui.db import models as m
from soptui.db import store
from soptui.db.connection import write_transaction
from soptui.domain import patronage, workdays
from soptui.domain.agenda import TodayItem
from soptui.domain.labels import (
    ACT_KINDS,
    DIAGNOSTIC_METHODS,
    GROUNDS,
    POSITIONS,
    PROBLEM_AREAS,
    RECOMMENDATION_STATUSES,
    VISIT_KINDS,
    VISIT_STATUSES,
    WEEKDAYS,
)
from soptui.services import access, drafts, institution

SERVICE_KIND = "Социальный патронаж"
ACT_LETTERS = {"housing": "Ж", "patronage": "П", "report": "О"}


class VisitError(Exception):
    """Bad input for a visit: `errors` maps a form field to a Russian message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


# --- dataclasses handed to the screens -----------------------------------------------------


@dataclass(frozen=True)
class StaffOption:
    id: int
    short_name: str
    full_name: str
    position: str
    position_label: str
    department_id: int | None


@dataclass(frozen=True)
class VisitCard:
    """A visit as the planner, Today and the schedule show it."""

    id: int
    version: int
    client_id: int
    client_name: str  # Фамилия И. О.
    client_full_name: str
    kind: str
    status: str
    start: dt.datetime
    prep_minutes: int
    work_minutes: int
    completion_minutes: int
    address: str
    transport_needed: bool
    staff_ids: tuple[int, ...]
    staff_names: tuple[str, ...]
    ground: str
    purpose: str
    drafted_by_call: bool
    documents_to_prepare: str
    has_completed_act: bool
    conflicts: tuple[str, ...] = ()

    @property
    def occupancy(self) -> patronage.Occupancy:
        return patronage.Occupancy(
            self.id,
            frozenset(self.staff_ids),
            self.start,
            self.prep_minutes,
            self.work_minutes,
            self.completion_minutes,
            self.client_name,
        )

    @property
    def busy_from(self) -> dt.datetime:
        return self.occupancy.busy_from

    @property
    def busy_to(self) -> dt.datetime:
        return self.occupancy.busy_to


@dataclass(frozen=True)
class DayInfo:
    day: dt.date
    working: bool
    short: bool
    hours: tuple[dt.time, dt.time] | None


@dataclass(frozen=True)
class PlannerWeek:
    monday: dt.date
    days: tuple[DayInfo, ...]
    staff: tuple[StaffOption, ...]
    visits: tuple[VisitCard, ...]
    drafts: tuple[VisitCard, ...]  # call-drafted visits with nobody assigned yet

    def cell(self, staff_id: int, day: dt.date) -> list[VisitCard]:
        return [v for v in self.visits if staff_id in v.staff_ids and v.start.date() == day]


@dataclass(frozen=True)
class ClientPrefill:
    """What the plan form takes from the client card and the open referral."""

    client_id: int
    client_name: str
    address: str
    remote_territory: bool
    referral_id: int | None
    ground: str
    patronage_due: dt.date | None
    referral_summary: str
    kind: str  # primary if no visit was made yet, else planned
    assigned_staff_id: int | None
    open_recommendations: int


@dataclass(frozen=True)
class RecommendationRow:
    id: int
    visit_id: int
    visit_date: dt.date
    text: str
    for_whom: str
    due_date: dt.date | None
    status: str
    comment: str


@dataclass(frozen=True)
class ActState:
    act_id: int | None
    kind: str
    data: dict[str, Any]
    is_draft: bool
    completed_at: dt.datetime | None


@dataclass(frozen=True)
class VisitDetail:
    card: VisitCard
    ground_label: str
    referral_id: int | None
    patronage_due: dt.date | None
    late_reason: str
    status_reason: str
    methods: tuple[str, ...]
    problem_areas: tuple[str, ...]
    findings: str
    rights_explained: str
    effectiveness: str
    actual_prep_seconds: int
    actual_work_seconds: int
    actual_completion_seconds: int
    completed_at: dt.datetime | None
    recommendations: tuple[RecommendationRow, ...]  # written at this visit
    earlier: tuple[RecommendationRow, ...]  # open ones of earlier visits (or checked at this one)
    acts: dict[str, ActState]
    representatives: tuple[str, ...]


@dataclass
class VisitPlan:
    """The plan form's content, already parsed."""

    client_id: int
    staff_ids: list[int]
    day: dt.date | None
    start: dt.time | None
    end: dt.time | None  # end of the work with the family
    kind: str = "primary"
    ground: str = "personal_application"
    referral_id: int | None = None
    purpose: str = ""
    prep_minutes: int = patronage.PREP_NORM_MIN
    completion_minutes: int = patronage.COMPLETION_NORM_MIN
    address: str = ""
    transport_needed: bool = False
    documents_to_prepare: str = ""
    late_reason: str = ""


@dataclass(frozen=True)
class PlanCheck:
    errors: dict[str, str]
    conflicts: tuple[str, ...]
    deadline: patronage.DeadlineCheck | None


@dataclass
class NewRecommendation:
    text: str
    for_whom: str = ""
    due_date: dt.date | None = None


@dataclass
class VisitOutcome:
    """What the specialist recorded while doing the visit."""

    methods: list[str] = field(default_factory=list)
    problem_areas: list[str] = field(default_factory=list)
    findings: str = ""
    rights_explained: str = ""
    effectiveness: str = ""
    recommendations: list[NewRecommendation] = field(default_factory=list)
    checks: dict[int, tuple[str, str]] = field(default_factory=dict)  # rec id -> (status, comment)
    prep_seconds: int = 0
    work_seconds: int = 0
    completion_seconds: int = 0


# --- reading ---------------------------------------------------------------------------


def _staff_option(s: m.Staff) -> StaffOption:
    return StaffOption(
        s.id,
        short_name(s.last_name, s.first_name, s.patronymic),
        full_name(s.last_name, s.first_name, s.patronymic),
        s.position,
        POSITIONS.get(s.position, s.position),
        s.department_id,
    )


def staff_options(department_id: int | None = None, include: list[int] | None = None) -> list[StaffOption]:
    """Active staff who visit families (SOP 04 roles), of one department or all."""
    query = m.Staff.select().where(
        (m.Staff.active == True)  # noqa: E712
        & m.Staff.position.in_(patronage.VISIT_POSITIONS)
    )
    if department_id is not None:
        query = query.where(m.Staff.department == department_id)
    rows = list(query.order_by(m.Staff.last_name, m.Staff.first_name))
    if include:
        have = {s.id for s in rows}
        missing = [i for i in include if i not in have]
        if missing:
            rows += list(m.Staff.select().where(m.Staff.id.in_(missing)))
    return [_staff_option(s) for s in rows]


def departments() -> list[tuple[int, str]]:
    return [(d.id, d.short_name or d.name) for d in m.Department.select().order_by(m.Department.id)]


def _cards(query: pw.ModelSelect, with_conflicts: bool = False) -> list[VisitCard]:
    """Visit cards from a PatronageVisit ⋈ Client query, read as tuples (the planner reads hundreds)."""
    V, C = m.PatronageVisit, m.Client
    rows = list(
        query.select(
            V.id,
            V.version,
            V.client,
            C.last_name,
            C.first_name,
            C.patronymic,
            V.kind,
            V.status,
            V.planned_start,
            V.prep_minutes,
            V.work_minutes,
            V.completion_minutes,
            V.address,
            V.transport_needed,
            V.ground,
            V.purpose,
            V.drafted_by_call,
            V.documents_to_prepare,
        ).tuples()
    )
    if not rows:
        return []
    # a sub-select rather than hundreds of bound ids: far cheaper to build and run
    ids = [r[0] for r in rows] if len(rows) <= 20 else query.select(V.id)
    links: dict[int, list[tuple[int, str]]] = {}
    for visit_id, sid, last, first, patr in (
        m.VisitStaff.select(m.VisitStaff.visit, m.Staff.id, m.Staff.last_name, m.Staff.first_name, m.Staff.patronymic)
        .join(m.Staff)
        .where(m.VisitStaff.visit.in_(ids))
        .order_by(m.VisitStaff.id)
        .tuples()
    ):
        links.setdefault(visit_id, []).append((sid, short_name(last, first, patr)))
    acted = {
        a
        for (a,) in m.VisitAct.select(m.VisitAct.visit)
        .where(m.VisitAct.visit.in_(ids) & (m.VisitAct.is_draft == False))
        .tuples()
    }  # noqa: E712
    cards = [_card_from_row(r, links, acted) for r in rows]
    if with_conflicts:
        cards = _with_conflicts(cards)
    return cards


_CARD_COLUMNS = (
    "v.id, v.version, v.client_id, c.last_name, c.first_name, c.patronymic, v.kind, v.status, "
    "v.planned_start, v.prep_minutes, v.work_minutes, v.completion_minutes, v.address, "
    "v.transport_needed, v.ground, v.purpose, v.drafted_by_call_id, v.documents_to_prepare"
)


def _as_datetime(value: Any) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))


def _week_cards(lo: dt.datetime, hi: dt.datetime, staff_ids: list[int]) -> list[VisitCard]:
    """The planner's hot path: a week of visits of the given staff in three plain SQL statements.

    Built by hand because peewee spends more time composing the nested queries
    (and converting 300 rows) than SQLite spends running them.
    """
    if not staff_ids:
        return []
    database = m.PatronageVisit._meta.database
    p = database.param
    marks = ", ".join([p] * len(staff_ids))
    scope = (
        f"FROM patronage_visit v JOIN client c ON c.id = v.client_id "
        f"WHERE v.planned_start >= {p} AND v.planned_start < {p} "
        f"AND v.id IN (SELECT visit_id FROM visit_staff WHERE staff_id IN ({marks}))"
    )
    params = [lo, hi, *staff_ids]
    rows = database.execute_sql(f"SELECT {_CARD_COLUMNS} {scope} ORDER BY v.planned_start, v.id", params).fetchall()
    if not rows:
        return []
    links: dict[int, list[tuple[int, str]]] = {}
    for visit_id, sid, last, first, patr in database.execute_sql(
        "SELECT vs.visit_id, s.id, s.last_name, s.first_name, s.patronymic FROM visit_staff vs "
        f"JOIN staff s ON s.id = vs.staff_id WHERE vs.visit_id IN (SELECT v.id {scope}) ORDER BY vs.id",
        params,
    ).fetchall():
        links.setdefault(visit_id, []).append((sid, short_name(last, first, patr)))
    acted = {
        a
        for (a,) in database.execute_sql(
            f"SELECT DISTINCT visit_id FROM visit_act WHERE is_draft = {p} AND visit_id IN (SELECT v.id {scope})",
            [False, *params],
        ).fetchall()
    }
    return [_card_from_row(r, links, acted) for r in rows]


def _card_from_row(row: tuple, links: dict[int, list[tuple[int, str]]], acted: set[int]) -> VisitCard:
    (
        vid,
        version,
        client_id,
        last,
        first,
        patr,
        kind,
        status,
        start,
        prep,
        work,
        completion,
        address,
        transport,
        ground,
        purpose,
        call_id,
        documents,
    ) = row
    staff = links.get(vid, [])
    return VisitCard(
        id=vid,
        version=version,
        client_id=client_id,
        client_name=short_name(last, first, patr),
        client_full_name=full_name(last, first, patr),
        kind=kind,
        status=status,
        start=_as_datetime(start),
        prep_minutes=prep,
        work_minutes=work,
        completion_minutes=completion,
        address=address,
        transport_needed=bool(transport),
        staff_ids=tuple(s for s, _ in staff),
        staff_names=tuple(n for _, n in staff),
        ground=ground,
        purpose=purpose,
        drafted_by_call=call_id is not None,
        documents_to_prepare=documents,
        has_completed_act=vid in acted,
    )


def _work_hours() -> tuple[dt.time, dt.time]:
    info = institution.get()
    try:
        return clock.parse_time(info.work_start), clock.parse_time(info.work_end)
    except ValueError:
        return patronage.DEFAULT_WORK_START, patronage.DEFAULT_WORK_END


def _with_conflicts(cards: list[VisitCard]) -> list[VisitCard]:
    start, end = _work_hours()
    live = [c.occupancy for c in cards if c.status in ("planned", "draft", "done")]
    found = patronage.conflicts_by_visit(live, start, end)
    result = []
    for c in cards:
        msgs = tuple(dict.fromkeys(x.message for x in found.get(c.id, [])))
        result.append(c if not msgs else _replace(c, conflicts=msgs))
    return result


def _replace(card: VisitCard, **changes: Any) -> VisitCard:
    import dataclasses

    return dataclasses.replace(card, **changes)


def _visit_query() -> pw.ModelSelect:
    return m.PatronageVisit.select(m.PatronageVisit, m.Client).join(m.Client)


def planner_week(monday: dt.date, department_id: int | None = None, staff_id: int | None = None) -> PlannerWeek:
    """The week view: days with their working hours, staff rows, visits with conflicts."""
    access.require_department(None, department_id)  # access: department
    monday = patronage.week_start(monday)
    days = patronage.week_days(monday)
    start, end = _work_hours()
    infos = tuple(
        DayInfo(d, workdays.is_working_day(d), workdays.is_short_day(d), workdays.working_hours(d, start, end))
        for d in days
    )
    staff = staff_options(department_id)
    if staff_id is not None:
        staff = [s for s in staff if s.id == staff_id] or staff_options(None, [staff_id])
        staff = [s for s in staff if s.id == staff_id]
    staff_ids = [s.id for s in staff]
    lo = dt.datetime.combine(monday, dt.time())
    hi = lo + dt.timedelta(days=7)
    visits = _with_conflicts(_week_cards(lo, hi, staff_ids))
    # call-drafted visits nobody is assigned to yet: shown for confirmation
    unassigned = ~fn_exists_staff()
    dq = _visit_query().where((m.PatronageVisit.status == "draft") & unassigned)
    if department_id is not None:
        dq = dq.where((m.Client.department == department_id) | m.Client.department.is_null())
    pending = _cards(dq.order_by(m.PatronageVisit.planned_start).limit(50))
    return PlannerWeek(monday, infos, tuple(staff), tuple(visits), tuple(pending))


def fn_exists_staff() -> pw.Expression:
    """SQL: the visit has at least one member of staff."""
    return pw.fn.EXISTS(m.VisitStaff.select(m.VisitStaff.id).where(m.VisitStaff.visit == m.PatronageVisit.id))


def client_prefill(client_id: int) -> ClientPrefill:
    access.require_client_id(None, client_id)  # access: client
    c = m.Client.get_by_id(client_id)
    ref = (
        m.Referral.select()
        .where((m.Referral.client == client_id) & (m.Referral.closed == False))  # noqa: E712
        .order_by(m.Referral.received_at.desc())
        .first()
    )
    had_visit = (
        m.PatronageVisit.select()
        .where((m.PatronageVisit.client == client_id) & (m.PatronageVisit.status == "done"))
        .exists()
    )
    open_recs = (
        m.Recommendation.select()
        .where((m.Recommendation.client == client_id) & (m.Recommendation.status == "open"))
        .count()
    )
    ground = ref.ground if ref else ("ipra" if c.ipra_number else "personal_application")
    return ClientPrefill(
        client_id=c.id,
        client_name=full_name(c.last_name, c.first_name, c.patronymic),
        address=c.address,
        remote_territory=c.remote_territory,
        referral_id=ref.id if ref else None,
        ground=ground,
        patronage_due=ref.patronage_due if ref else None,
        referral_summary=ref.summary if ref else "",
        kind="planned" if had_visit else "primary",
        assigned_staff_id=c.assigned_staff_id,
        open_recommendations=open_recs,
    )


def referral_patronage_due(referral_id: int) -> dt.date | None:
    ref = m.Referral.get_or_none(m.Referral.id == referral_id)
    return ref.patronage_due if ref else None


def _rec_row(r: m.Recommendation) -> RecommendationRow:
    return RecommendationRow(
        r.id, r.visit_id, r.visit.planned_start.date(), r.text, r.for_whom, r.due_date, r.status, r.comment
    )


def open_recommendations(client_id: int, before_visit: int | None = None) -> list[RecommendationRow]:
    """Recommendations of earlier visits not yet checked (SOP 04: checked at the planned visit)."""
    access.require_client_id(None, client_id)  # access: client
    given_at = m.Recommendation.visit == m.PatronageVisit.id
    query = (
        m.Recommendation.select(m.Recommendation, m.PatronageVisit)
        .join(m.PatronageVisit, on=given_at)
        .where((m.Recommendation.client == client_id) & (m.Recommendation.status == "open"))
    )
    if before_visit is not None:
        query = query.where(m.Recommendation.visit != before_visit)
    return [_rec_row(r) for r in query.order_by(m.PatronageVisit.planned_start, m.Recommendation.id)]


def _load_list(text: str) -> tuple[str, ...]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return ()
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def get_visit(visit_id: int) -> VisitDetail:
    """Everything the visit screen needs; raises store.RecordGone if it was deleted."""
    access.require_visit(None, visit_id)  # access: client
    v = m.PatronageVisit.get_or_none(m.PatronageVisit.id == visit_id)
    if v is None:
        raise store.RecordGone()
    card = _cards(_visit_query().where(m.PatronageVisit.id == visit_id))[0]
    own = [
        _rec_row(r)
        for r in m.Recommendation.select().where(m.Recommendation.visit == visit_id).order_by(m.Recommendation.id)
    ]
    if v.status == "done":
        earlier = [
            _rec_row(r)
            for r in m.Recommendation.select()
            .where(m.Recommendation.checked_visit == visit_id)
            .order_by(m.Recommendation.id)
        ]
    else:
        earlier = open_recommendations(v.client_id, before_visit=visit_id)
    acts = {
        a.kind: ActState(a.id, a.kind, _load_data(a.data), a.is_draft, a.completed_at)
        for a in m.VisitAct.select().where(m.VisitAct.visit == visit_id)
    }
    reps = tuple(
        f"{r.relation}: {full_name(r.last_name, r.first_name, r.patronymic)}"
        for r in m.Representative.select().where(m.Representative.client == v.client_id)
    )
    ref = v.referral
    return VisitDetail(
        card=card,
        ground_label=GROUNDS.get(v.ground, v.ground),
        referral_id=v.referral_id,
        patronage_due=ref.patronage_due if ref else None,
        late_reason=v.late_reason,
        status_reason=v.status_reason,
        methods=_load_list(v.methods),
        problem_areas=_load_list(v.problem_areas),
        findings=v.findings,
        rights_explained=v.rights_explained,
        effectiveness=v.effectiveness,
        actual_prep_seconds=v.actual_prep_seconds,
        actual_work_seconds=v.actual_work_seconds,
        actual_completion_seconds=v.actual_completion_seconds,
        completed_at=v.completed_at,
        recommendations=tuple(own),
        earlier=tuple(earlier),
        acts=acts,
        representatives=reps,
    )


def _load_data(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


# --- planning ---------------------------------------------------------------------------


def _planned_start(plan: VisitPlan) -> dt.datetime | None:
    if plan.day is None or plan.start is None:
        return None
    return dt.datetime.combine(plan.day, plan.start)


def _busy_of(staff_ids: list[int], day: dt.date, exclude: int | None) -> list[patronage.Occupancy]:
    lo = dt.datetime.combine(day, dt.time())
    hi = lo + dt.timedelta(days=1)
    linked = m.VisitStaff.select(m.VisitStaff.visit).where(m.VisitStaff.staff.in_(staff_ids or [0]))
    query = _visit_query().where(
        (m.PatronageVisit.planned_start >= lo)
        & (m.PatronageVisit.planned_start < hi)
        & m.PatronageVisit.status.in_(["planned", "draft", "done"])
        & m.PatronageVisit.id.in_(linked)
    )
    if exclude is not None:
        query = query.where(m.PatronageVisit.id != exclude)
    return [c.occupancy for c in _cards(query)]


def check_plan(plan: VisitPlan, visit_id: int | None = None, today: dt.date | None = None) -> PlanCheck:
    """Field errors (which block saving), conflicts (warnings) and the deadline check."""
    access.require_client_id(None, plan.client_id)  # access: client
    today = today or clock.today()
    errors: dict[str, str] = {}
    if not plan.staff_ids:
        errors["staff"] = "Выберите хотя бы одного сотрудника, который пойдёт в семью."
    if plan.day is None:
        errors.setdefault("day", "Укажите дату визита.")
    if plan.start is None:
        errors.setdefault("start", "Укажите время начала.")
    if plan.end is None:
        errors.setdefault("end", "Укажите время окончания работы с семьёй.")
    if plan.start and plan.end and plan.end <= plan.start:
        errors["end"] = "Окончание раньше начала (или совпадает с ним): проверьте время."
    if plan.ground not in GROUNDS:
        errors["ground"] = "Выберите основание патронажа (СОП 04, п. 5)."
    if plan.kind not in VISIT_KINDS:
        errors["kind"] = "Выберите вид патронажа."
    if not 0 <= plan.prep_minutes <= 240:
        errors["prep"] = "Подготовка и дорога: от 0 до 240 минут (норма до 60)."
    if not 0 <= plan.completion_minutes <= 120:
        errors["completion"] = "Завершение: от 0 до 120 минут (норма до 10)."
    if not plan.address.strip():
        errors["address"] = "Укажите адрес семьи."
    deadline = None
    conflicts: list[str] = []
    if plan.day is not None:
        if not workdays.is_working_day(plan.day):
            errors["day"] = (
                f"{plan.day:%d.%m.%Y} — нерабочий (выходной или праздничный) день "
                "по производственному календарю: выберите рабочий день."
            )
        due = None
        if plan.referral_id:
            ref = m.Referral.get_or_none(m.Referral.id == plan.referral_id)
            due = ref.patronage_due if ref else None
            deadline = patronage.check_deadline(due, plan.day, today)
            if deadline.late and not plan.late_reason.strip():
                errors["late_reason"] = "Визит позже срока патронажа по обращению: укажите причину переноса срока."
    start = _planned_start(plan)
    if start is not None and plan.end and plan.start and plan.end > plan.start and plan.staff_ids:
        work = (dt.datetime.combine(plan.day, plan.end) - start).seconds // 60
        cand = patronage.Occupancy(
            visit_id, frozenset(plan.staff_ids), start, plan.prep_minutes, work, plan.completion_minutes
        )
        names = {s.id: s.short_name for s in staff_options(None, plan.staff_ids)}
        ws, we = _work_hours()
        for c in patronage.find_conflicts(cand, _busy_of(plan.staff_ids, plan.day, visit_id), names, ws, we):
            if c.kind != "non_working_day":
                conflicts.append(c.message)
    return PlanCheck(errors, tuple(conflicts), deadline)


def save_plan(
    plan: VisitPlan,
    visit_id: int | None = None,
    expected_version: int | None = None,
    allow_conflicts: bool = False,
    confirm_draft: bool = False,
) -> int:
    """Create or change a planned visit; raises VisitError with the fields to fix.

    Conflicts (overlaps, outside working hours) are refused unless
    `allow_conflicts`: the form asks first. Confirming a call-drafted visit
    (`confirm_draft`) turns it into a planned one.
    """
    access.require_client_id(access.require_visit(None, visit_id), plan.client_id)  # access: client
    check = check_plan(plan, visit_id)
    if check.errors:
        raise VisitError(check.errors)
    if check.conflicts and not allow_conflicts:
        raise VisitError({"conflicts": " ".join(check.conflicts)})
    start = _planned_start(plan)
    work = (dt.datetime.combine(plan.day, plan.end) - start).seconds // 60
    values = dict(
        client=plan.client_id,
        kind=plan.kind,
        ground=plan.ground,
        referral=plan.referral_id,
        purpose=plan.purpose.strip(),
        planned_start=start,
        prep_minutes=plan.prep_minutes,
        work_minutes=work,
        completion_minutes=plan.completion_minutes,
        address=plan.address.strip(),
        transport_needed=plan.transport_needed,
        documents_to_prepare=plan.documents_to_prepare.strip(),
        late_reason=plan.late_reason.strip() if check.deadline and check.deadline.late else "",
    )
    with write_transaction():
        if visit_id is None:
            visit = store.create(m.PatronageVisit, status="planned", **values)
            visit_id = visit.id
        else:
            current = m.PatronageVisit.get_or_none(m.PatronageVisit.id == visit_id)
            if current is None:
                raise store.RecordGone()
            if current.status not in ("planned", "draft"):
                raise VisitError({"status": "Визит уже проведён или отменён: его нельзя перепланировать."})
            if confirm_draft or current.status == "draft":
                values["status"] = "planned"
            store.update_versioned(
                m.PatronageVisit,
                visit_id,
                expected_version if expected_version is not None else current.version,
                values,
            )
        _set_staff(visit_id, plan.staff_ids)
    return visit_id


def _set_staff(visit_id: int, staff_ids: list[int]) -> None:
    have = {l.staff_id: l.id for l in m.VisitStaff.select().where(m.VisitStaff.visit == visit_id)}
    for sid, link_id in have.items():
        if sid not in staff_ids:
            store.delete(m.VisitStaff, link_id)
    for sid in dict.fromkeys(staff_ids):
        if sid not in have:
            store.create(m.VisitStaff, visit=visit_id, staff=sid)


def plan_of(visit_id: int) -> tuple[VisitPlan, int, str, str]:
    """A visit as a plan (for editing/rescheduling): (plan, version, status, client name)."""
    access.require_visit(None, visit_id)  # access: client
    v = m.PatronageVisit.get_by_id(visit_id)
    end = (v.planned_start + dt.timedelta(minutes=v.work_minutes)).time()
    staff = [l.staff_id for l in m.VisitStaff.select().where(m.VisitStaff.visit == visit_id).order_by(m.VisitStaff.id)]
    plan = VisitPlan(
        client_id=v.client_id,
        staff_ids=staff,
        day=v.planned_start.date(),
        start=v.planned_start.time(),
        end=end,
        kind=v.kind,
        ground=v.ground,
        referral_id=v.referral_id,
        purpose=v.purpose,
        prep_minutes=v.prep_minutes,
        completion_minutes=v.completion_minutes,
        address=v.address,
        transport_needed=v.transport_needed,
        documents_to_prepare=v.documents_to_prepare,
        late_reason=v.late_reason,
    )
    c = v.client
    return plan, v.version, v.status, full_name(c.last_name, c.first_name, c.patronymic)


def reschedule(visit_id: int, new_start: dt.datetime, late_reason: str = "", allow_conflicts: bool = False) -> None:
    """Move a planned visit to another date/time, keeping its length, staff and everything else."""
    access.require_visit(None, visit_id)  # access: client
    plan, version, _status, _ = plan_of(visit_id)
    length = dt.datetime.combine(plan.day, plan.end) - dt.datetime.combine(plan.day, plan.start)
    plan.day = new_start.date()
    plan.start = new_start.time()
    plan.end = (new_start + length).time()
    if late_reason:
        plan.late_reason = late_reason
    save_plan(plan, visit_id, version, allow_conflicts=allow_conflicts)


def set_status(visit_id: int, status: str, reason: str) -> None:
    """Cancel a visit or record that the family did not let the staff in; a reason is required."""
    access.require_visit(None, visit_id)  # access: client
    if status not in ("cancelled", "not_let_in"):
        raise ValueError(status)
    if not reason.strip():
        raise VisitError({"reason": "Укажите причину."})
    with write_transaction():
        v = m.PatronageVisit.get_or_none(m.PatronageVisit.id == visit_id)
        if v is None:
            raise store.RecordGone()
        if v.status not in ("planned", "draft"):
            raise VisitError({"reason": f"Визит уже {VISIT_STATUSES.get(v.status, v.status).lower()}."})
        store.update_versioned(
            m.PatronageVisit, visit_id, v.version, {"status": status, "status_reason": reason.strip()}
        )


def free_start(staff_id: int, day: dt.date) -> dt.datetime | None:
    """The first free arrival time of staff_id on day (for «n» in the planner)."""
    ws, we = _work_hours()
    not_before = clock.now() if day == clock.today() else None
    return patronage.first_free_start(
        day, _busy_of([staff_id], day, None), staff_id, not_before=not_before, work_start=ws, work_end=we
    )


def first_free_slot(staff_id: int, start: dt.date, working_days: int = 10) -> dt.datetime | None:
    """The first free arrival time of staff_id on a working day from `start` on."""
    day = start if workdays.is_working_day(start) else workdays.next_working_day(start)
    for _ in range(working_days):
        found = free_start(staff_id, day)
        if found:
            return found
        day = workdays.next_working_day(day)
    return None


# --- doing the visit ------------------------------------------------------------------------


def progress_key(visit_id: int) -> str:
    return f"visit:{visit_id}"


def save_progress(visit_id: int, payload: dict[str, Any]) -> None:
    """What the specialist typed while doing the visit, kept until the visit is completed."""
    access.require_visit(None, visit_id)  # access: client
    drafts.save_draft(progress_key(visit_id), payload)


def load_progress(visit_id: int) -> dict[str, Any] | None:
    access.require_visit(None, visit_id)  # access: client
    return drafts.load_draft(progress_key(visit_id))


def validate_outcome(kind: str, outcome: VisitOutcome) -> dict[str, str]:
    errors: dict[str, str] = {}
    for i, rec in enumerate(outcome.recommendations):
        if not rec.text.strip():
            errors[f"rec:{i}"] = f"Рекомендация № {i + 1}: нет текста рекомендации."
    bad = [x for x in outcome.methods if x not in DIAGNOSTIC_METHODS]
    if bad:
        errors["methods"] = "Неизвестный метод: " + ", ".join(bad)
    bad = [x for x in outcome.problem_areas if x not in PROBLEM_AREAS]
    if bad:
        errors["problem_areas"] = "Неизвестная область: " + ", ".join(bad)
    for rid, (status, _comment) in outcome.checks.items():
        if status not in RECOMMENDATION_STATUSES:
            errors[f"check:{rid}"] = "Неизвестная отметка о выполнении."
    if (
        kind == "planned"
        and outcome.checks
        and any(s != "open" for s, _ in outcome.checks.values())
        and not outcome.effectiveness.strip()
    ):
        errors["effectiveness"] = "Плановый патронаж: оцените, насколько эффективна профилактическая работа (СОП 04)."
    return errors


def complete_visit(visit_id: int, outcome: VisitOutcome) -> int:
    """Mark the visit done: needs a completed act; writes exactly one service-log entry.

    Returns the ServiceEntry id. Unchecked earlier recommendations stay open.
    """
    access.require_visit(None, visit_id)  # access: client
    v = m.PatronageVisit.get_or_none(m.PatronageVisit.id == visit_id)
    if v is None:
        raise store.RecordGone()
    errors = validate_outcome(v.kind, outcome)
    if errors:
        raise VisitError(errors)
    now = clock.now()
    with write_transaction():
        v = m.PatronageVisit.get_by_id(visit_id)
        if v.status != "planned":
            raise VisitError(
                {
                    "status": "Завершить можно только запланированный визит "
                    f"(сейчас: {VISIT_STATUSES.get(v.status, v.status)})."
                }
            )
        acts = m.VisitAct.select().where((m.VisitAct.visit == visit_id) & (m.VisitAct.is_draft == False)).count()  # noqa: E712
        if not acts:
            raise VisitError(
                {
                    "act": "Заполните и завершите один из документов: акт обследования ЖБУ, "
                    "акт социального патронажа или отчёт о патронаже (СОП 04)."
                }
            )
        store.update_versioned(
            m.PatronageVisit,
            visit_id,
            v.version,
            {
                "status": "done",
                "completed_at": now,
                "methods": json.dumps(outcome.methods, ensure_ascii=False),
                "problem_areas": json.dumps(outcome.problem_areas, ensure_ascii=False),
                "findings": outcome.findings.strip(),
                "rights_explained": outcome.rights_explained.strip(),
                "effectiveness": outcome.effectiveness.strip(),
                "actual_prep_seconds": outcome.prep_seconds,
                "actual_work_seconds": outcome.work_seconds,
                "actual_completion_seconds": outcome.completion_seconds,
            },
        )
        for rec in outcome.recommendations:
            store.create(
                m.Recommendation,
                visit=visit_id,
                client=v.client_id,
                text=rec.text.strip(),
                for_whom=rec.for_whom.strip(),
                due_date=rec.due_date,
            )
        for rid, (status, comment) in outcome.checks.items():
            r = m.Recommendation.get_or_none(m.Recommendation.id == rid)
            if r is None or r.client_id != v.client_id or status == "open":
                continue  # unchecked recommendations stay open
            store.update_versioned(
                m.Recommendation,
                rid,
                r.version,
                {"status": status, "comment": comment.strip(), "checked_visit": visit_id},
            )
        staff_ids = [
            l.staff_id for l in m.VisitStaff.select().where(m.VisitStaff.visit == visit_id).order_by(m.VisitStaff.id)
        ]
        me = session.actor_id()
        staff = me if me in staff_ids else (staff_ids[0] if staff_ids else me)
        minutes = patronage.service_minutes(
            outcome.prep_seconds,
            outcome.work_seconds,
            outcome.completion_seconds,
            v.prep_minutes,
            v.work_minutes,
            v.completion_minutes,
        )
        existing = m.ServiceEntry.get_or_none(
            (m.ServiceEntry.source_type == "visit") & (m.ServiceEntry.source_id == visit_id)
        )
        if existing is not None:  # never two log entries for one visit
            entry_id = existing.id
        else:
            entry_id = store.create(
                m.ServiceEntry,
                date=v.planned_start.date(),
                client=v.client_id,
                staff=staff,
                sop="04",
                service_kind=f"{SERVICE_KIND} ({VISIT_KINDS.get(v.kind, v.kind)})",
                units=1,
                minutes=minutes,
                source_type="visit",
                source_id=visit_id,
                note=v.purpose[:200],
            ).id
    drafts.delete_draft(progress_key(visit_id))
    return entry_id


# --- acts ---------------------------------------------------------------------------------------


def act_prefill(visit_id: int, kind: str) -> dict[str, str]:
    """Fields an act can take from the visit and the client card."""
    access.require_visit(None, visit_id)  # access: client
    v = m.PatronageVisit.get_by_id(visit_id)
    c = v.client
    family = [
        f"{full_name(c.last_name, c.first_name, c.patronymic)}"
        f"{', ' + format(c.birth_date, '%Y') + ' г. р.' if c.birth_date else ''}"
    ]
    family += [
        f"{r.relation}: {full_name(r.last_name, r.first_name, r.patronymic)}"
        for r in m.Representative.select().where(m.Representative.client == c.id)
    ]
    data: dict[str, str] = {}
    if kind == "housing":
        data = {"address": v.address or c.address, "family": "\n".join(family)}
    elif kind == "patronage":
        data = {"family": "\n".join(family)}
    elif kind == "report":
        data = {"goal": v.purpose, "effectiveness": v.effectiveness}
    return data


def load_act(visit_id: int, kind: str) -> ActState:
    access.require_visit(None, visit_id)  # access: client
    if kind not in ACT_KINDS:
        raise ValueError(kind)
    a = m.VisitAct.get_or_none((m.VisitAct.visit == visit_id) & (m.VisitAct.kind == kind))
    if a is None:
        return ActState(None, kind, act_prefill(visit_id, kind), True, None)
    return ActState(a.id, kind, _load_data(a.data), a.is_draft, a.completed_at)


def save_act_draft(visit_id: int, kind: str, data: dict[str, Any]) -> int:
    """Keep the act as typed (a draft); called as the user types, so not audited field by field."""
    access.require_visit(None, visit_id)  # access: client
    text = json.dumps(data, ensure_ascii=False)
    with write_transaction():
        a = m.VisitAct.get_or_none((m.VisitAct.visit == visit_id) & (m.VisitAct.kind == kind))
        if a is None:
            return store.create(m.VisitAct, visit=visit_id, kind=kind, data=text, is_draft=True).id
        (
            m.VisitAct.update(data=text, updated_at=clock.now(), version=m.VisitAct.version + 1)
            .where(m.VisitAct.id == a.id)
            .execute()
        )
        return a.id


def complete_act(visit_id: int, kind: str, data: dict[str, Any]) -> int:
    """Finish the act: every required field filled, else VisitError naming the fields."""
    access.require_visit(None, visit_id)  # access: client
    missing = patronage.act_missing(kind, data)
    if missing:
        raise VisitError({f.key: f"Заполните поле «{f.label}»." for f in missing})
    text = json.dumps(data, ensure_ascii=False)
    with write_transaction():
        a = m.VisitAct.get_or_none((m.VisitAct.visit == visit_id) & (m.VisitAct.kind == kind))
        if a is None:
            a = store.create(m.VisitAct, visit=visit_id, kind=kind, data=text, is_draft=False, completed_at=clock.now())
        else:
            store.update_versioned(
                m.VisitAct, a.id, a.version, {"data": text, "is_draft": False, "completed_at": clock.now()}
            )
    return a.id


@dataclass(frozen=True)
class ActDocument:
    """Everything an act's PDF prints (built here so the form module never queries)."""

    kind: str
    title: str
    institution: str
    number: str
    visit_lines: tuple[tuple[str, str], ...]
    sections: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]
    methods: tuple[str, ...]
    problem_areas: tuple[str, ...]
    findings: str
    rights_explained: str
    effectiveness: str
    recommendations: tuple[tuple[str, str, str], ...]  # text, for whom, due
    earlier: tuple[tuple[str, str, str, str], ...]  # given on, text, status, comment
    signers: tuple[tuple[str, str], ...]
    is_draft: bool


def act_document(visit_id: int, kind: str) -> ActDocument:
    access.require_visit(None, visit_id)  # access: client
    detail = get_visit(visit_id)
    act = load_act(visit_id, kind)
    card = detail.card
    inst = institution.get()
    staff = list(m.Staff.select().where(m.Staff.id.in_(list(card.staff_ids) or [0])))
    staff.sort(key=lambda s: card.staff_ids.index(s.id))
    visit_lines = (
        ("Получатель социальных услуг", card.client_full_name),
        ("Дата и время посещения", clock.fmt_datetime(card.start)),
        ("Адрес", card.address),
        ("Вид патронажа", VISIT_KINDS.get(card.kind, card.kind)),
        ("Основание", detail.ground_label),
        ("Цель посещения", card.purpose),
        (
            "Посещение провели",
            "; ".join(
                f"{full_name(s.last_name, s.first_name, s.patronymic)}, {POSITIONS.get(s.position, s.position)}"
                for s in staff
            ),
        ),
    )
    sections = tuple(
        (section.title, tuple((f.label, str(act.data.get(f.key, "") or "")) for f in section.fields))
        for section in patronage.ACT_SECTIONS[kind]
    )
    signers = [
        (POSITIONS.get(s.position, s.position).capitalize(), short_name(s.last_name, s.first_name, s.patronymic))
        for s in staff
    ]
    signers.append(("Получатель социальных услуг (законный представитель)", ""))
    return ActDocument(
        kind=kind,
        title=ACT_KINDS[kind],
        institution=inst.full_name,
        number=f"№ {visit_id}-{ACT_LETTERS[kind]}",
        visit_lines=visit_lines,
        sections=sections,
        methods=tuple(DIAGNOSTIC_METHODS.get(x, x) for x in detail.methods),
        problem_areas=tuple(PROBLEM_AREAS.get(x, x) for x in detail.problem_areas),
        findings=detail.findings,
        rights_explained=detail.rights_explained,
        effectiveness=detail.effectiveness,
        recommendations=tuple((r.text, r.for_whom, clock.fmt_date(r.due_date)) for r in detail.recommendations),
        earlier=tuple(
            (clock.fmt_date(r.visit_date), r.text, RECOMMENDATION_STATUSES.get(r.status, r.status), r.comment)
            for r in detail.earlier
            if detail.card.status == "done"
        ),
        signers=tuple(signers),
        is_draft=act.is_draft,
    )


def act_pdf(visit_id: int, kind: str) -> Path:
    """Write the act's PDF to the output folder; returns its path (call from a worker)."""
    access.require_visit(None, visit_id)  # access: client

    from soptui.forms import acts
    from soptui.services.output import output_dir

    doc = act_document(visit_id, kind)
    path = output_dir() / f"{kind}_{visit_id}_{clock.now():%Y%m%d_%H%M}.pdf"
    path.write_bytes(acts.render_act(doc, creation_date=clock.now()))
    return path


# --- the field-visit schedule («график выходов») ------------------------------------------------


@dataclass(frozen=True)
class ScheduleDocument:
    title: str
    subtitle: str
    institution: str
    rows: tuple[tuple[str, ...], ...]
    head_name: str
    compiled_by: str


def schedule(
    start: dt.date, end: dt.date, staff_id: int | None = None, department_id: int | None = None
) -> ScheduleDocument:
    """Planned and done visits between start and end (inclusive), by date and time."""
    access.require_department(None, department_id)  # access: department
    lo = dt.datetime.combine(start, dt.time())
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time())
    query = _visit_query().where(
        (m.PatronageVisit.planned_start >= lo)
        & (m.PatronageVisit.planned_start < hi)
        & m.PatronageVisit.status.in_(["planned", "done", "not_let_in"])
    )
    who = ""
    if staff_id is not None:
        query = query.where(
            m.PatronageVisit.id.in_(m.VisitStaff.select(m.VisitStaff.visit).where(m.VisitStaff.staff == staff_id))
        )
        s = m.Staff.get_by_id(staff_id)
        who = f"{full_name(s.last_name, s.first_name, s.patronymic)}, {POSITIONS.get(s.position, s.position)}"
    elif department_id is not None:
        query = query.where(
            m.PatronageVisit.id.in_(
                m.VisitStaff.select(m.VisitStaff.visit).join(m.Staff).where(m.Staff.department == department_id)
            )
        )
        d = m.Department.get_by_id(department_id)
        who = d.name
    rows = []
    for c in _cards(query.order_by(m.PatronageVisit.planned_start)):
        rows.append(
            (
                f"{c.start:%d.%m.%Y}\n{WEEKDAYS[c.start.weekday()]}",
                f"{c.busy_from:%H:%M}–{c.busy_to:%H:%M}\nв семье {c.start:%H:%M}",
                c.client_full_name,
                c.address + ("\nнужен транспорт" if c.transport_needed else ""),
                f"{VISIT_KINDS.get(c.kind, c.kind)}\n{c.purpose}".strip(),
                "\n".join(c.staff_names),
                VISIT_STATUSES.get(c.status, c.status),
            )
        )
    head_department = department_id or (m.Staff.get_by_id(staff_id).department_id if staff_id else None)
    head = (
        m.Staff.select().where((m.Staff.role == "head") & (m.Staff.department == head_department)).first()
        if head_department
        else None
    )
    me = session.current()
    return ScheduleDocument(
        title="График выходов в семьи (социальный патронаж)",
        subtitle=f"{who}\nс {start:%d.%m.%Y} по {end:%d.%m.%Y}".strip(),
        institution=institution.get().full_name,
        rows=tuple(rows),
        head_name=short_name(head.last_name, head.first_name, head.patronymic) if head else "",
        compiled_by=me.short_name if me else "",
    )


def schedule_pdf(start: dt.date, end: dt.date, staff_id: int | None = None, department_id: int | None = None) -> Path:
    access.require_department(None, department_id)  # access: department
    from soptui.forms import visit_schedule
    from soptui.services.output import output_dir

    doc = schedule(start, end, staff_id, department_id)
    scope = f"staff{staff_id}" if staff_id else f"dep{department_id or 'all'}"
    path = output_dir() / f"grafik_vyhodov_{scope}_{start:%Y%m%d}_{end:%Y%m%d}.pdf"
    path.write_bytes(visit_schedule.render_schedule(doc, creation_date=clock.now()))
    return path


# --- Today ------------------------------------------------------------------------------------------


def today_items(actor: session.Actor, today: dt.date) -> list:
    """Visits today, overdue acts and unconfirmed call-drafted visits of the signed-in person."""
    access.require_staff(actor)  # access: staff

    items: list = []
    mine = m.VisitStaff.select(m.VisitStaff.visit).where(m.VisitStaff.staff == actor.id)
    lo = dt.datetime.combine(today, dt.time())
    hi = lo + dt.timedelta(days=1)
    todays = _cards(
        _visit_query()
        .where(
            (m.PatronageVisit.planned_start >= lo)
            & (m.PatronageVisit.planned_start < hi)
            & m.PatronageVisit.status.in_(["planned", "done"])
            & m.PatronageVisit.id.in_(mine)
        )
        .order_by(m.PatronageVisit.planned_start)
    )
    now = clock.now()
    for c in todays:
        if c.status == "done":
            state, what = "done", "визит проведён"
        else:
            state = "overdue" if c.start + dt.timedelta(minutes=c.work_minutes) < now else "today"
            what = f"{VISIT_KINDS.get(c.kind, c.kind)} патронаж, выход в {c.busy_from:%H:%M}"
            if c.transport_needed:
                what += ", нужен транспорт"
        items.append(
            TodayItem(
                "Патронаж", f"{c.start:%H:%M}", c.client_full_name, what, state, ("visit", c.id), c.start.isoformat()
            )
        )
    # planned visits in the past that were never completed: the act is overdue
    past = _cards(
        _visit_query()
        .where(
            (m.PatronageVisit.planned_start < lo)
            & (m.PatronageVisit.status == "planned")
            & m.PatronageVisit.id.in_(mine)
        )
        .order_by(m.PatronageVisit.planned_start)
        .limit(100)
    )
    for c in past:
        items.append(
            TodayItem(
                "Патронаж",
                clock.fmt_date(c.start.date()),
                c.client_full_name,
                "визит не завершён: нет акта / отметки о проведении",
                "overdue",
                ("visit", c.id),
                c.start.isoformat(),
            )
        )
    # done visits with no completed act (e.g. the act was reopened)
    no_act = ~pw.fn.EXISTS(
        m.VisitAct.select(m.VisitAct.id).where(
            (m.VisitAct.visit == m.PatronageVisit.id) & (m.VisitAct.is_draft == False)
        )
    )  # noqa: E712
    for c in _cards(
        _visit_query().where((m.PatronageVisit.status == "done") & no_act & m.PatronageVisit.id.in_(mine)).limit(100)
    ):
        items.append(
            TodayItem(
                "Патронаж",
                clock.fmt_date(c.start.date()),
                c.client_full_name,
                "акт по проведённому визиту не оформлен",
                "overdue",
                ("visit", c.id),
                c.start.isoformat(),
            )
        )
    # visits drafted by the call teleprompter, to confirm
    dq = _visit_query().where(m.PatronageVisit.status == "draft")
    drafted = [
        c
        for c in _cards(dq.order_by(m.PatronageVisit.planned_start).limit(100))
        if actor.id in c.staff_ids or (not c.staff_ids and _drafted_for(c.id, actor))
    ]
    for c in drafted:
        items.append(
            TodayItem(
                "Патронаж",
                clock.fmt_datetime(c.start),
                c.client_full_name,
                "визит из звонка: подтвердите и назначьте сотрудников",
                "today",
                ("visit", c.id),
                c.start.isoformat(),
            )
        )
    return items


def _drafted_for(visit_id: int, actor: session.Actor) -> bool:
    """An unassigned call-drafted visit concerns the caller, and the head of the client's department."""
    v = m.PatronageVisit.get_by_id(visit_id)
    call = v.drafted_by_call
    if call is not None and call.staff_id == actor.id:
        return True
    if actor.is_head:
        return actor.department_id is None or v.client.department_id in (actor.department_id, None)
    return v.client.assigned_staff_id == actor.id


# --- demo data -----------------------------------------------------------------------------------

_DEMO_PURPOSES = {
    "primary": [
        "Знакомство с семьёй, выяснение ситуации по ходатайству",
        "Обследование жилищно-бытовых условий по сообщению",
        "Первичный патронаж: определение проблемного поля семьи",
    ],
    "planned": [
        "Контроль выполнения рекомендаций",
        "Повторный патронаж: консультация по оформлению документов",
        "Плановое посещение по ИПРА: контроль реабилитационных мероприятий",
    ],
}
_DEMO_RECS = [
    ("Оформить ребёнка в секцию или кружок по месту жительства", "мать"),
    ("Обратиться в управление социальной политики за ежемесячным пособием", "мать"),
    ("Пройти консультацию психолога центра", "законный представитель"),
    ("Погасить задолженность по оплате ЖКУ по графику реструктуризации", "семья"),
    ("Обеспечить ребёнку отдельное место для выполнения домашних заданий", "родители"),
    ("Посетить участкового педиатра, пройти диспансеризацию", "мать"),
]


def seed_demo(ctx) -> None:
    """A week of visits for the department staff around today (registered in demo.SEEDERS)."""
    rng = ctx.rng
    today = ctx.today
    monday = patronage.week_start(today)
    visiting = [login for login in ("ivanova", "morozova", "petrova", "sokolov", "volkova") if login in ctx.staff]
    if not visiting:
        return
    staff_rows = {login: m.Staff.get_by_id(ctx.staff[login]) for login in visiting}
    children = {}
    for c in m.Client.select().where(m.Client.category == "child").order_by(m.Client.id):
        children.setdefault(c.department_id, []).append(c)
    used: set[int] = set()

    def pick(dep_id: int) -> m.Client | None:
        pool = [c for c in children.get(dep_id, []) if c.id not in used]
        if not pool:
            return None
        c = rng.choice(pool)
        used.add(c.id)
        return c

    def visit(client, staff_ids, start, kind, status, purpose=None) -> m.PatronageVisit:
        ref = m.Referral.select().where(m.Referral.client == client.id).order_by(m.Referral.received_at.desc()).first()
        v = m.PatronageVisit.create(
            client=client,
            kind=kind,
            ground=ref.ground if ref else ("ipra" if client.ipra_number else "personal_application"),
            referral=ref,
            purpose=purpose or rng.choice(_DEMO_PURPOSES[kind]),
            planned_start=start,
            address=client.address,
            transport_needed=client.remote_territory,
            status=status,
            documents_to_prepare="бланк акта, памятка о мерах социальной поддержки",
        )
        for sid in staff_ids:
            m.VisitStaff.create(visit=v, staff=sid)
        return v

    def finish(v, client, staff_id, with_recs: int) -> None:
        methods = rng.sample(list(DIAGNOSTIC_METHODS), 3)
        areas = rng.sample(list(PROBLEM_AREAS), 2)
        v.status = "done"
        v.completed_at = v.planned_start + dt.timedelta(minutes=50)
        v.methods = json.dumps(methods)
        v.problem_areas = json.dumps(areas)
        v.findings = rng.choice(
            [
                "Квартира требует косметического ремонта, у ребёнка есть отдельное спальное место.",
                "Мать испытывает трудности с оформлением пособий, ребёнок посещает школу нерегулярно.",
                "Отмечен конфликт между матерью и сыном-подростком, мать готова к консультации психолога.",
            ]
        )
        v.rights_explained = "Разъяснено право на меры социальной поддержки и бесплатные социальные услуги."
        v.actual_prep_seconds = rng.randint(40, 60) * 60
        v.actual_work_seconds = rng.randint(30, 45) * 60
        v.actual_completion_seconds = rng.randint(8, 12) * 60
        v.save()
        for text, whom in rng.sample(_DEMO_RECS, with_recs):
            m.Recommendation.create(
                visit=v,
                client=client,
                text=text,
                for_whom=whom,
                due_date=v.planned_start.date() + dt.timedelta(days=14),
            )
        kind = "housing" if v.kind == "primary" else "patronage"
        data = act_prefill(v.id, kind)
        if kind == "housing":
            data.update(
                dwelling_type="квартира",
                ownership="социальный найм",
                rooms="2",
                area="44,5",
                amenities="центральное отопление, водоснабжение, канализация",
                sanitary="удовлетворительное",
                child_sleep="отдельная кровать в детской комнате",
                child_study="письменный стол",
                child_play="игровой уголок",
                income="заработная плата матери, детское пособие",
                conclusions="Условия для проживания и воспитания ребёнка удовлетворительные.",
            )
        else:
            data.update(
                present="мать, ребёнок",
                situation="Семья выполняет рекомендации частично.",
                child_state="Ребёнок опрятен, посещает школу.",
                work_done="Беседа с матерью, консультация по мерам социальной поддержки.",
                conclusions="Продолжить социальный патронаж.",
                next_steps="Повторное посещение через 2 недели.",
            )
        m.VisitAct.create(
            visit=v, kind=kind, data=json.dumps(data, ensure_ascii=False), is_draft=False, completed_at=v.completed_at
        )
        minutes = (v.actual_prep_seconds + v.actual_work_seconds + v.actual_completion_seconds) // 60
        m.ServiceEntry.create(
            date=v.planned_start.date(),
            client=client,
            staff=staff_id,
            sop="04",
            service_kind=f"{SERVICE_KIND} ({VISIT_KINDS[v.kind]})",
            minutes=minutes,
            source_type="visit",
            source_id=v.id,
        )

    busy: dict[int, list[patronage.Occupancy]] = {}

    def free(staff_id: int, occ: patronage.Occupancy) -> bool:
        return not any(occ.overlaps(b) for b in busy.get(staff_id, []))

    with write_transaction():
        for n, login in enumerate(visiting):
            s = staff_rows[login]
            dep = s.department_id
            for offset in range(7):
                day = monday + dt.timedelta(days=offset)
                if not workdays.is_working_day(day):
                    continue
                for hour in sorted(rng.sample([10, 14, 16], rng.randint(1, 2))):
                    start = dt.datetime.combine(day, dt.time(hour, rng.choice([0, 30])))
                    occ = patronage.Occupancy(None, frozenset([s.id]), start)
                    if not free(s.id, occ):
                        continue
                    client = pick(dep)
                    if client is None:
                        continue
                    past = day < today
                    repeat = rng.random() < 0.5
                    staff_ids = [s.id]
                    if rng.random() < 0.25:  # a joint visit with a colleague of the department, if free
                        mates = [
                            staff_rows[x].id
                            for x in visiting
                            if staff_rows[x].department_id == dep and x != login and free(staff_rows[x].id, occ)
                        ]
                        if mates:
                            staff_ids.append(rng.choice(mates))
                    for sid in staff_ids:
                        busy.setdefault(sid, []).append(occ)
                    if repeat:
                        # an earlier primary visit whose recommendations this one will check,
                        # at a time that staff member was free
                        first_start = None
                        for back in range(8, 20):
                            first_day = workdays.add_working_days(day, -back)
                            for first_hour in (10, 12, 14, 16):
                                cand = patronage.Occupancy(
                                    None, frozenset([s.id]), dt.datetime.combine(first_day, dt.time(first_hour))
                                )
                                if free(s.id, cand):
                                    first_start = cand
                                    break
                            if first_start:
                                break
                        if first_start is None:
                            repeat = False
                        else:
                            busy.setdefault(s.id, []).append(first_start)
                            first = visit(client, [s.id], first_start.start, "primary", "planned")
                            finish(first, client, s.id, rng.randint(2, 3))
                    v = visit(client, staff_ids, start, "planned" if repeat else "primary", "planned")
                    if past and not (n == 0 and offset == 0):  # one past visit left without an act
                        if repeat:
                            checks = list(
                                m.Recommendation.select().where(
                                    (m.Recommendation.client == client.id) & (m.Recommendation.status == "open")
                                )
                            )
                            for r in checks:
                                r.status = rng.choice(["done", "partly", "not_done"])
                                r.comment = {
                                    "done": "выполнено",
                                    "partly": "документы собраны не полностью",
                                    "not_done": "мать не обратилась",
                                }[r.status]
                                r.checked_visit = v
                                r.save()
                            v.effectiveness = "Профилактическая работа частично эффективна."
                        finish(v, client, s.id, rng.randint(1, 2))
        # a primary visit agreed on a first-contact call (SOP 03 «agrees»), waiting for confirmation
        potential = (
            m.Client.select()
            .where(
                (m.Client.status == "potential")
                & (m.Client.category == "child")
                & m.Client.id.not_in(list(used) or [0])
            )
            .order_by(m.Client.id)
            .first()
        )
        caller = staff_rows.get("ivanova") or next(iter(staff_rows.values()))
        if potential is not None:
            ref = (
                m.Referral.select()
                .where(m.Referral.client == potential.id)
                .order_by(m.Referral.received_at.desc())
                .first()
            )
            call_start = dt.datetime.combine(today, dt.time(9, 40))
            call = m.PhoneCall.create(
                sop="03",
                client=potential,
                staff=caller,
                referral=ref,
                callee_name="законный представитель",
                state="finished",
                started_at=call_start,
                ended_at=call_start + dt.timedelta(minutes=18),
                outcome="agrees",
                summary="Мать согласна на посещение на дому.",
            )
            when = dt.datetime.combine(workdays.next_working_day(today), dt.time(14, 0))
            m.PatronageVisit.create(
                client=potential,
                kind="primary",
                ground=ref.ground if ref else "personal_application",
                referral=ref,
                purpose="Первичный патронаж по договорённости в телефонном разговоре",
                planned_start=when,
                address=potential.address,
                transport_needed=potential.remote_territory,
                status="draft",
                drafted_by_call=call,
                documents_to_prepare="паспорт матери, свидетельство о рождении ребёнка, СНИЛС, справка о доходах",
            )
