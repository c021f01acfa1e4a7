"""Reading visits for the screens: the dataclasses they are handed, the planner week, a visit's detail,
what the plan form takes from the client card, and open recommendations.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import peewee as pw

from soptui.core.text import full_name
from soptui.db import models as m
from soptui.db import store
from soptui.domain import patronage, workdays
from soptui.domain.labels import GROUNDS
from soptui.services import access
from soptui.services.patronage._common import (
    VisitCard,
    load_data,
    load_list,
    mark_conflicts,
    visit_cards,
    visit_query,
    week_cards,
    work_hours,
)
from soptui.services.staff import StaffOption, staff_options


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
    version: int | None = None  # None: no act stored yet


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


def visiting_staff(department_id: int | None = None, include: Iterable[int] = ()) -> list[StaffOption]:
    """Active staff who visit families (SOP 04 roles), of one department or all; `include` keeps those stored."""
    return staff_options(department_id, positions=patronage.VISIT_POSITIONS, include=include)


def planner_week(monday: dt.date, department_id: int | None = None, staff_id: int | None = None) -> PlannerWeek:
    """The week view: days with their working hours, staff rows, visits with conflicts."""
    department_id = access.require_department_scope(None, department_id)  # access: department, scoped
    staff_id = access.own_staff_scope(None, staff_id)  # no department: their own week only
    monday = patronage.week_start(monday)
    days = patronage.week_days(monday)
    start, end = work_hours()
    infos = tuple(
        DayInfo(d, workdays.is_working_day(d), workdays.is_short_day(d), workdays.working_hours(d, start, end))
        for d in days
    )
    staff = visiting_staff(department_id)
    if staff_id is not None:
        staff = [s for s in staff if s.id == staff_id] or visiting_staff(department_id, include=[staff_id])
        staff = [s for s in staff if s.id == staff_id]
        if department_id is not None and staff and staff[0].department_id not in (department_id, None):
            raise access.AccessDenied("Нет доступа к записям другого отделения.")
    staff_ids = [s.id for s in staff]
    lo = dt.datetime.combine(monday, dt.time())
    hi = lo + dt.timedelta(days=7)
    visits = mark_conflicts(week_cards(lo, hi, staff_ids))
    # call-drafted visits nobody is assigned to yet: shown for confirmation
    unassigned = ~_has_staff()
    dq = visit_query().where((m.PatronageVisit.status == "draft") & unassigned)
    if department_id is not None:
        dq = dq.where((m.Client.department == department_id) | m.Client.department.is_null())
    if access.own_clients_only():
        dq = dq.where(access.own_clients_condition(m.Client))
    pending = visit_cards(dq.order_by(m.PatronageVisit.planned_start).limit(50))
    return PlannerWeek(monday, infos, tuple(staff), tuple(visits), tuple(pending))


def _has_staff() -> pw.Expression:
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


def get_visit(visit_id: int) -> VisitDetail:
    """Everything the visit screen needs; raises store.RecordGone if it was deleted."""
    access.require_visit(None, visit_id)  # access: client
    v = m.PatronageVisit.get_or_none(m.PatronageVisit.id == visit_id)
    if v is None:
        raise store.RecordGone()
    card = visit_cards(visit_query().where(m.PatronageVisit.id == visit_id))[0]
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
        a.kind: ActState(a.id, a.kind, load_data(a.data), a.is_draft, a.completed_at)
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
        methods=load_list(v.methods),
        problem_areas=load_list(v.problem_areas),
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
