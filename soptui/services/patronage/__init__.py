"""Patronage visits (SOP 04), split by task:

- `reading`: the dataclasses handed to the screens, the planner week, a visit's detail, the plan form's prefill,
  open recommendations and the staff who visit families;
- `planning`: checking and saving a plan, rescheduling, cancelling, free slots;
- `doing`: what is typed during the visit (progress drafts), checking the outcome, completing the visit;
- `acts`: the three acts (prefill, draft, completion) and their printed data and PDF;
- `schedule`: the field-visit schedule («график выходов») and its PDF;
- `agenda`: the Today provider;
- `_common`: the area's error, the visit card and the queries every module shares.

Only this package queries the visit tables; it returns plain dataclasses.
`from soptui.services import patronage as visits; visits.save_plan(...)` works for every name in `__all__`.
"""

from __future__ import annotations

from soptui.services.patronage._common import SERVICE_KIND, VisitCard, VisitError, service_kind_of
from soptui.services.patronage.acts import (
    ACT_LETTERS,
    ActDocument,
    act_document,
    act_prefill,
    complete_act,
    load_act,
    print_act,
    save_act_draft,
    save_act_draft_checked,
)
from soptui.services.patronage.agenda import today_items
from soptui.services.patronage.doing import (
    Recording,
    complete_visit,
    load_progress,
    progress_key,
    recording_needed,
    save_progress,
    validate_outcome,
)
from soptui.services.patronage.planning import (
    check_plan,
    first_free_slot,
    free_start,
    plan_of,
    reschedule,
    save_plan,
    set_status,
)
from soptui.services.patronage.reading import (
    ActState,
    ClientPrefill,
    DayInfo,
    NewRecommendation,
    PlanCheck,
    PlannerWeek,
    RecommendationRow,
    VisitDetail,
    VisitOutcome,
    VisitPlan,
    client_prefill,
    get_visit,
    open_recommendations,
    planner_week,
    referral_patronage_due,
    visiting_staff,
)
from soptui.services.patronage.schedule import ScheduleDocument, print_schedule, schedule

__all__ = [
    # common
    "SERVICE_KIND",
    "service_kind_of",
    "VisitCard",
    "VisitError",
    # reading
    "ActState",
    "ClientPrefill",
    "DayInfo",
    "NewRecommendation",
    "PlanCheck",
    "PlannerWeek",
    "RecommendationRow",
    "VisitDetail",
    "VisitOutcome",
    "VisitPlan",
    "client_prefill",
    "get_visit",
    "open_recommendations",
    "planner_week",
    "referral_patronage_due",
    "visiting_staff",
    # planning
    "check_plan",
    "first_free_slot",
    "free_start",
    "plan_of",
    "reschedule",
    "save_plan",
    "set_status",
    # doing the visit
    "complete_visit",
    "Recording",
    "recording_needed",
    "load_progress",
    "progress_key",
    "save_progress",
    "validate_outcome",
    # acts
    "ACT_LETTERS",
    "ActDocument",
    "act_document",
    "act_prefill",
    "complete_act",
    "load_act",
    "print_act",
    "save_act_draft",
    "save_act_draft_checked",
    # the field-visit schedule
    "ScheduleDocument",
    "print_schedule",
    "schedule",
    # Today
    "today_items",
]
