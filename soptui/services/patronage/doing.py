"""Doing the visit (SOP 04): what was typed on the way (progress drafts), checking the outcome, completing it."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from typing import Any

from soptui.core import clock, session
from soptui.core.text import short_name
from soptui.db import models as m
from soptui.db import store
from soptui.db.connection import write_transaction
from soptui.domain import patronage
from soptui.domain.labels import DIAGNOSTIC_METHODS, PROBLEM_AREAS, RECOMMENDATION_STATUSES, VISIT_STATUSES
from soptui.domain.service_time import VISIT_STAGES, StageTimes, check_recording, typed_minutes_problem
from soptui.services import access, drafts
from soptui.services.patronage._common import VisitError, service_kind_of
from soptui.services.patronage.reading import VisitOutcome


def progress_key(visit_id: int) -> str:
    """The draft key under which a visit in progress is kept."""
    return f"visit:{visit_id}"


def save_progress(visit_id: int, payload: dict[str, Any]) -> None:
    """What the specialist typed while doing the visit, kept until the visit is completed."""
    access.require_visit(None, visit_id)  # access: client
    drafts.save_draft(progress_key(visit_id), payload)


def load_progress(visit_id: int) -> dict[str, Any] | None:
    """What was typed during the visit and not yet completed, if anything."""
    access.require_visit(None, visit_id)  # access: client
    return drafts.load_draft(progress_key(visit_id))


def validate_outcome(kind: str, outcome: VisitOutcome, visit_day: dt.date | None = None) -> dict[str, str]:
    """Field errors of a visit's outcome (empty when it can be completed). `visit_day`: the day of the visit,
    before which no recommendation can be due."""
    errors: dict[str, str] = {}
    for i, rec in enumerate(outcome.recommendations):
        if not rec.text.strip():
            errors[f"rec:{i}"] = f"Рекомендация № {i + 1}: нет текста рекомендации."
        elif visit_day is not None and rec.due_date is not None and rec.due_date < visit_day:
            errors[f"rec:{i}"] = (
                f"Рекомендация № {i + 1}: срок {rec.due_date:%d.%m.%Y} раньше дня визита ({visit_day:%d.%m.%Y})."
            )
    bad = [x for x in outcome.methods if x not in DIAGNOSTIC_METHODS]
    if bad:
        errors["methods"] = "Неизвестный метод: " + ", ".join(bad)
    bad = [x for x in outcome.problem_areas if x not in PROBLEM_AREAS]
    if bad:
        errors["problem_areas"] = "Неизвестная область: " + ", ".join(bad)
    for rid, (status, _comment) in outcome.checks.items():
        if status not in RECOMMENDATION_STATUSES:
            errors[f"check:{rid}"] = "Неизвестная отметка о выполнении."
    # a visit is completed only when it took place: the work with the family timed, how, and what was found
    if outcome.work_seconds < 60:
        errors["work"] = (
            "Этап «Работа с семьёй» не проводился (меньше минуты по таймеру): визит, которого не было, "
            "не завершают. Запустите этапы (Ctrl+T) во время визита или отметьте «не впустили» (F8)."
        )
    if not outcome.methods:
        errors["methods"] = "Отметьте хотя бы один метод диагностики, которым пользовались в семье."
    if not outcome.findings.strip():
        errors["findings"] = "Запишите, что выяснено во время визита."
    if (
        kind == "planned"
        and outcome.checks
        and any(s != "open" for s, _ in outcome.checks.values())
        and not outcome.effectiveness.strip()
    ):
        errors["effectiveness"] = "Плановый патронаж: оцените, насколько эффективна профилактическая работа (СОП 04)."
    return errors


@dataclass(frozen=True)
class Recording:
    """Who did the visit and when, when it is not the signed-in person today."""

    performer_id: int | None = None  # None: the signed-in person
    done_on: dt.date | None = None  # None: today
    late_reason: str = ""  # needed when done_on is before today («внесено позже»)
    # a day before today only: the stages' minutes (preparation, work, completion) from the paper act, where
    # the visit was not timed in the app (typed_minutes_problem); None: the stage timers' measured seconds
    minutes: tuple[int, int, int] | None = None


def recording_needed(visit_id: int) -> tuple[bool, dict[int, str], dt.date]:
    """Whether completing needs the performer/date dialog: the signed-in person did not do the visit, or
    its day has passed. Returns (needed, the visit's staff id -> name, the planned day)."""
    access.require_visit(None, visit_id)  # access: client
    v = m.PatronageVisit.get_by_id(visit_id)
    performers = _visit_staff(visit_id)
    me = session.actor_id()
    return (me not in performers or v.planned_start.date() < clock.today()), performers, v.planned_start.date()


def _visit_staff(visit_id: int) -> dict[int, str]:
    rows = (
        m.Staff.select(m.Staff.id, m.Staff.last_name, m.Staff.first_name, m.Staff.patronymic)
        .join(m.VisitStaff, on=(m.VisitStaff.staff == m.Staff.id))
        .where(m.VisitStaff.visit == visit_id)
        .order_by(m.VisitStaff.id)
    )
    return {s.id: short_name(s.last_name, s.first_name, s.patronymic) for s in rows}


def complete_visit(visit_id: int, outcome: VisitOutcome, recording: Recording | None = None) -> int:
    """Mark the visit done: needs a completed act; writes exactly one service-log entry.

    The entry names who did the visit (the signed-in person, or a colleague a head chose explicitly, with
    the head kept as the one who recorded it) and the day it happened (a day before today needs a reason
    and is marked «внесено позже»). Returns the ServiceEntry id. Unchecked earlier recommendations stay open.
    """
    access.require_visit(None, visit_id)  # access: client
    v = m.PatronageVisit.get_or_none(m.PatronageVisit.id == visit_id)
    if v is None:
        raise store.RecordGone()
    recording = recording or Recording()
    now = clock.now()
    actor = session.current()
    me = actor.id if actor else None
    performers = _visit_staff(visit_id)
    done_on = recording.done_on or now.date()
    typed = ""
    if recording.minutes is not None:
        typed = typed_minutes_problem(recording.minutes, done_on, now.date())
        if not typed:  # the minutes the act states replace the timers', which measured nothing of the visit
            prep, work, completion = (60 * x for x in recording.minutes)
            outcome = replace(outcome, prep_seconds=prep, work_seconds=work, completion_seconds=completion)
    errors = validate_outcome(v.kind, outcome, done_on)
    if typed:
        errors["work"] = typed
    errors.update(
        check_recording(
            actor_id=me,
            actor_is_head=bool(actor and actor.is_head),
            performers=performers,
            performer_id=recording.performer_id,
            done_on=done_on,
            today=now.date(),
            late_reason=recording.late_reason,
        )
    )
    if errors:
        raise VisitError(errors)
    performer = recording.performer_id if recording.performer_id is not None else me
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
        times = StageTimes.measured(
            outcome.prep_seconds,
            outcome.work_seconds,
            outcome.completion_seconds,
            # the SOP 04 norms (60/40/10), never the plan: a 90-minute plan does not make 46 minutes of work normal
            (patronage.PREP_NORM_MIN, patronage.WORK_NORM_MIN, patronage.COMPLETION_NORM_MIN),
        )
        existing = m.ServiceEntry.get_or_none(
            (m.ServiceEntry.source_type == "visit") & (m.ServiceEntry.source_id == visit_id)
        )
        if existing is not None:  # never two log entries for one visit
            entry_id = existing.id
        else:
            entry_id = store.create(
                m.ServiceEntry,
                date=done_on,  # the day it happened, not the planned one
                client=v.client_id,
                staff=performer,
                recorded_by=me,
                recorded_at=now,
                late_reason=recording.late_reason.strip() if done_on < now.date() else "",
                sop="04",
                service_kind=service_kind_of(v.kind),
                units=1,
                **times.entry_fields(),
                source_type="visit",
                source_id=visit_id,
                note=f"{v.purpose[:200]}. {times.describe(VISIT_STAGES)}"
                + ("; минуты вписаны по акту." if recording.minutes is not None else "."),
            ).id
    drafts.delete_draft(progress_key(visit_id))
    return entry_id
