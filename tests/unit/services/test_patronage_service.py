"""Visits service on a real SQLite file: planning, deadlines, rescheduling, completion, Today."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from soptui.core import session
from soptui.db import models as m
from soptui.db.connection import write_transaction
from soptui.domain import patronage
from soptui.services import auth
from soptui.services import patronage as visits
from soptui.services.patronage import NewRecommendation, VisitError, VisitOutcome

from conftest import PASSWORD
from patronage_helpers import FRI, THU, WED, plan

# a visit that took place: the work with the family timed, a method used, something found
WORKED = VisitOutcome(
    methods=["observation"], findings="Семья на месте, условия удовлетворительные", work_seconds=25 * 60
)


def test_prefill_from_client_and_referral(family):
    p = visits.client_prefill(family["client"])
    assert p.address == "пос. Монетный, ул. Мира, д. 3" and p.remote_territory
    assert p.referral_id == family["referral"] and p.ground == "prevention_request"
    assert p.patronage_due == THU  # SOP 04: the institution serves within 1 working day of registration
    assert p.kind == "primary"


def test_bad_input_messages(family):
    check = visits.check_plan(plan(family, staff=[]))
    assert "сотрудника" in check.errors["staff"]
    check = visits.check_plan(plan(family, start=dt.time(12, 0), end=dt.time(11, 0)))
    assert "Окончание раньше начала" in check.errors["end"]
    check = visits.check_plan(plan(family, day=dt.date(2026, 12, 31)))  # a day off in 2026
    assert "нерабочий" in check.errors["day"] and "31.12.2026" in check.errors["day"]
    with pytest.raises(VisitError) as exc:
        visits.save_plan(plan(family, staff=[], day=dt.date(2026, 11, 4)))
    assert set(exc.value.errors) >= {"staff", "day"}
    assert m.PatronageVisit.select().count() == 0


def test_planning_past_the_patronage_deadline_needs_a_reason(family):
    late_day = dt.date(2026, 12, 2)  # the wait ends 01.12
    check = visits.check_plan(plan(family, day=late_day))
    assert check.deadline.late and "late_reason" in check.errors
    assert "позже срока" in check.errors["late_reason"]
    vid = visits.save_plan(plan(family, day=late_day, late_reason="Семья в отъезде до пятницы"))
    v = m.PatronageVisit.get_by_id(vid)
    assert v.late_reason == "Семья в отъезде до пятницы"
    # in time: no reason asked and none stored
    vid2 = visits.save_plan(plan(family, day=THU, start=dt.time(15, 0), end=dt.time(15, 40), late_reason="лишнее"))
    assert m.PatronageVisit.get_by_id(vid2).late_reason == ""


def test_sop04_repeat_visit_needs_a_purpose_and_is_not_judged_by_the_referrals_deadline(family):
    """Issue 13 point 3: the referral's wait ends with the first service; a planned (repeat) visit on Friday
    27.11 after the 26.11 deadline needs no late reason, but «определяется цель посещения»."""
    check = visits.check_plan(plan(family, day=FRI, kind="planned", purpose=""))
    assert check.deadline is None and "late_reason" not in check.errors
    assert "цель посещения" in check.errors["purpose"]
    vid = visits.save_plan(plan(family, day=FRI, kind="planned", purpose="Проверить выполнение рекомендаций"))
    v = m.PatronageVisit.get_by_id(vid)
    assert v.kind == "planned" and v.late_reason == "" and v.purpose == "Проверить выполнение рекомендаций"
    # the primary visit on the same day is still late
    assert visits.check_plan(plan(family, day=FRI)).deadline.late


def test_save_plan_conflicts_and_reschedule(family):
    vid = visits.save_plan(plan(family, staff=[family["spec"], family["psy"]]))
    v = m.PatronageVisit.get_by_id(vid)
    assert v.status == "planned" and v.planned_start == dt.datetime(2026, 11, 26, 11, 0)
    assert v.work_minutes == 40 and v.transport_needed
    assert {l.staff_id for l in v.staff_links} == {family["spec"], family["psy"]}
    # the psychologist at 12:00 the same day overlaps (leaves at 11:00)
    other = plan(family, start=dt.time(12, 0), end=dt.time(12, 40), staff=[family["psy"]])
    check = visits.check_plan(other)
    assert check.conflicts and "Соколов А.П." in check.conflicts[0]
    with pytest.raises(VisitError) as exc:
        visits.save_plan(other)
    assert "conflicts" in exc.value.errors
    assert visits.save_plan(other, allow_conflicts=True)
    week = visits.planner_week(WED, m.Staff.get_by_id(family["spec"]).department_id)
    flagged = [c for c in week.visits if c.conflicts]
    assert len(flagged) == 2
    # reschedule the first to 15:00 the same day: keeps length and staff, conflicts gone
    visits.reschedule(vid, dt.datetime(2026, 11, 26, 15, 0))
    v = m.PatronageVisit.get_by_id(vid)
    assert v.planned_start == dt.datetime(2026, 11, 26, 15, 0) and v.work_minutes == 40
    assert v.version == 2
    week = visits.planner_week(WED, m.Staff.get_by_id(family["spec"]).department_id)
    assert not [c for c in week.visits if c.conflicts]
    # rescheduling onto a holiday is refused with the field message
    with pytest.raises(VisitError) as exc:
        visits.reschedule(vid, dt.datetime(2026, 12, 31, 11, 0), late_reason="отпуск")
    assert "нерабочий" in exc.value.errors["day"]


def _complete_act(vid: int, kind: str = "housing") -> None:
    data = {f.key: f.choices[0] if f.choices else "заполнено" for f in patronage.act_fields(kind)}
    visits.complete_act(vid, kind, data)


def test_completion_needs_an_act_and_writes_one_service_entry(family):
    vid = visits.save_plan(plan(family))
    outcome = VisitOutcome(
        methods=["observation", "talk"],
        problem_areas=["economic"],
        findings="Долг по ЖКУ",
        recommendations=[NewRecommendation("Обратиться в УСП", "мать", dt.date(2026, 12, 10))],
        prep_seconds=45 * 60,
        work_seconds=38 * 60,
        completion_seconds=9 * 60,
    )
    with pytest.raises(VisitError) as exc:
        visits.complete_visit(vid, outcome)
    assert "акт" in exc.value.errors["act"]
    # a draft act is not enough
    visits.save_act_draft(vid, "housing", {"address": "x"})
    with pytest.raises(VisitError):
        visits.complete_visit(vid, outcome)
    _complete_act(vid)
    entry_id = visits.complete_visit(vid, outcome)
    v = m.PatronageVisit.get_by_id(vid)
    assert v.status == "done" and v.completed_at is not None and v.findings == "Долг по ЖКУ"
    entries = list(m.ServiceEntry.select().where(m.ServiceEntry.source_type == "visit"))
    assert len(entries) == 1 and entries[0].id == entry_id
    e = entries[0]
    assert (e.sop, e.minutes, e.client_id, e.staff_id) == ("04", 92, family["client"], family["spec"])
    assert e.service_kind == "Социальный патронаж (первичный)"
    assert (e.prep_minutes, e.work_minutes, e.doc_minutes, e.norm_minutes) == (45, 38, 9, 110)
    recs = list(m.Recommendation.select())
    assert [(r.text, r.for_whom, r.status) for r in recs] == [("Обратиться в УСП", "мать", "open")]
    # completing again is refused and writes nothing
    with pytest.raises(VisitError):
        visits.complete_visit(vid, outcome)
    assert m.ServiceEntry.select().count() == 1


def test_sop04_work_stage_is_held_against_40_minutes_not_the_plan(family):
    """Issue 13 point 4: 46 minutes of work on a 90-minute plan is over the SOP's 40."""
    vid = visits.save_plan(plan(family, start=dt.time(11, 0), end=dt.time(12, 30)))
    assert m.PatronageVisit.get_by_id(vid).work_minutes == 90
    _complete_act(vid)
    outcome = dataclasses.replace(WORKED, prep_seconds=30 * 60, work_seconds=46 * 60, completion_seconds=5 * 60)
    entry = m.ServiceEntry.get_by_id(visits.complete_visit(vid, outcome))
    assert (entry.work_minutes, entry.norm_minutes) == (46, 110)  # 60 + 40 + 10, not 60 + 90 + 10
    assert "сверх нормы" in entry.note and "работа" in entry.note.split("сверх нормы")[1]


def test_a_visit_is_completed_only_if_it_took_place(family):
    """Issue 12: no work stage timed, no method and no finding: refused with a message for each, and the
    planned minutes never reach the log."""
    vid = visits.save_plan(plan(family))
    _complete_act(vid, "report")
    with pytest.raises(VisitError) as exc:
        visits.complete_visit(vid, VisitOutcome())
    assert set(exc.value.errors) == {"work", "methods", "findings"}
    assert "Работа с семьёй" in exc.value.errors["work"]
    assert m.ServiceEntry.select().count() == 0 and m.PatronageVisit.get_by_id(vid).status == "planned"
    visits.complete_visit(vid, WORKED)
    e = m.ServiceEntry.get()
    assert (e.minutes, e.norm_minutes) == (25, 110)  # measured 25 minutes of work; the norms are a limit


def test_recommendation_without_text_is_refused(family):
    vid = visits.save_plan(plan(family))
    _complete_act(vid)
    with pytest.raises(VisitError) as exc:
        visits.complete_visit(vid, dataclasses.replace(WORKED, recommendations=[NewRecommendation("  ", "мать")]))
    with pytest.raises(VisitError) as late:  # due before the day of the visit: refused by the service too
        visits.complete_visit(
            vid,
            dataclasses.replace(WORKED, recommendations=[NewRecommendation("Оформить", "мать", dt.date(2020, 1, 1))]),
        )
    assert "раньше дня визита" in late.value.errors["rec:0"]
    assert "нет текста" in exc.value.errors["rec:0"]
    assert m.PatronageVisit.get_by_id(vid).status == "planned" and m.ServiceEntry.select().count() == 0


def test_recommendations_carried_forward_to_the_planned_visit(family):
    first = visits.save_plan(plan(family))
    _complete_act(first)
    visits.complete_visit(
        first,
        VisitOutcome(
            methods=WORKED.methods,
            findings=WORKED.findings,
            work_seconds=WORKED.work_seconds,
            recommendations=[
                NewRecommendation("Оформить пособие", "мать", dt.date(2026, 12, 1)),
                NewRecommendation("Записать ребёнка в кружок", "мать"),
            ],
        ),
    )
    assert visits.client_prefill(family["client"]).kind == "planned"
    repeat = visits.save_plan(plan(family, day=dt.date(2026, 12, 2), kind="planned", late_reason="плановый"))
    detail = visits.get_visit(repeat)
    assert [r.text for r in detail.earlier] == ["Оформить пособие", "Записать ребёнка в кружок"]
    a, b = detail.earlier
    _complete_act(repeat, "patronage")
    # checking without an effectiveness assessment is refused (SOP 04)
    with pytest.raises(VisitError) as exc:
        visits.complete_visit(repeat, dataclasses.replace(WORKED, checks={a.id: ("done", "оформлено")}))
    assert "эффективна" in exc.value.errors["effectiveness"]
    repeat_entry = visits.complete_visit(
        repeat,
        dataclasses.replace(
            WORKED, checks={a.id: ("done", "оформлено"), b.id: ("open", "")}, effectiveness="Работа эффективна."
        ),
    )
    # the kind's own brackets are folded in: «(плановый (повторный))» was printed in the service log
    assert m.ServiceEntry.get_by_id(repeat_entry).service_kind == "Социальный патронаж (плановый, повторный)"
    ra, rb = m.Recommendation.get_by_id(a.id), m.Recommendation.get_by_id(b.id)
    assert (ra.status, ra.comment, ra.checked_visit_id) == ("done", "оформлено", repeat)
    assert (rb.status, rb.checked_visit_id) == ("open", None)  # unchecked stays open
    third = visits.save_plan(plan(family, day=dt.date(2026, 12, 9), kind="planned", late_reason="плановый"))
    assert [r.text for r in visits.get_visit(third).earlier] == ["Записать ребёнка в кружок"]
    # the done visit shows what it checked
    assert [r.status for r in visits.get_visit(repeat).earlier] == ["done"]


def test_act_draft_resumes_and_incomplete_act_names_fields(family):
    vid = visits.save_plan(plan(family))
    fresh = visits.load_act(vid, "housing")
    assert fresh.act_id is None and fresh.data["address"] == "пос. Монетный, ул. Мира, д. 3"
    assert "Петрова Анна Игоревна" in fresh.data["family"]
    visits.save_act_draft(vid, "housing", {"address": "адрес", "dwelling_type": "квартира"})
    again = visits.load_act(vid, "housing")
    assert again.is_draft and again.data == {"address": "адрес", "dwelling_type": "квартира"}
    with pytest.raises(VisitError) as exc:
        visits.complete_act(vid, "housing", again.data)
    assert "ownership" in exc.value.errors and "Заполните поле" in exc.value.errors["ownership"]
    assert visits.load_act(vid, "housing").is_draft


def test_cancel_and_not_let_in_need_a_reason(family):
    vid = visits.save_plan(plan(family))
    with pytest.raises(VisitError):
        visits.set_status(vid, "not_let_in", " ")
    visits.set_status(vid, "not_let_in", "Дверь не открыли")
    v = m.PatronageVisit.get_by_id(vid)
    assert (v.status, v.status_reason) == ("not_let_in", "Дверь не открыли")
    assert m.ServiceEntry.select().count() == 0


def test_today_items_visits_overdue_acts_and_call_drafts(family, actor):
    today_visit = visits.save_plan(plan(family, day=WED, start=dt.time(14, 0), end=dt.time(14, 40)))
    with write_transaction():
        past = m.PatronageVisit.create(
            client=family["client"], planned_start=dt.datetime(2026, 11, 23, 11), address="a", status="planned"
        )
        m.VisitStaff.create(visit=past, staff=family["spec"])
        call = m.PhoneCall.create(sop="03", client=family["client"], staff=family["spec"], outcome="agrees")
        draft = m.PatronageVisit.create(
            client=family["client"],
            planned_start=dt.datetime(2026, 11, 27, 14),
            address="a",
            status="draft",
            drafted_by_call=call,
            documents_to_prepare="паспорт",
        )
    items = {i.target[1]: i for i in visits.today_items(actor, WED)}
    assert items[today_visit].state == "today" and items[today_visit].when == "14:00"
    assert "транспорт" in items[today_visit].what
    assert items[past.id].state == "overdue" and "не завершён" in items[past.id].what
    assert "подтвердите" in items[draft.id].what
    week = visits.planner_week(WED, actor.department_id)
    assert [d.id for d in week.drafts] == [draft.id]
    # confirming the draft assigns staff and makes it planned
    p, version, status, _ = visits.plan_of(draft.id)
    assert status == "draft"
    p.staff_ids = [family["spec"]]
    p.end = dt.time(14, 40)
    p.ground = "prevention_request"
    p.late_reason = "семья просила пятницу"
    visits.save_plan(p, draft.id, version, confirm_draft=True)
    assert m.PatronageVisit.get_by_id(draft.id).status == "planned"
    assert not visits.planner_week(WED, actor.department_id).drafts


def test_a_heads_today_shows_her_departments_overdue_visits_with_who_was_to_do_them(family, staff, actor):
    """The head saw only her own overdue visits: a colleague's visit left without an act reached her only
    at the audit."""
    with write_transaction():
        past = m.PatronageVisit.create(
            client=family["client"], planned_start=dt.datetime(2026, 11, 23, 11), address="a", status="planned"
        )
        m.VisitStaff.create(visit=past, staff=family["spec"])
        other_dep = m.Staff.get_by_id(staff["other"]).department_id
        stranger = m.Client.create(last_name="Орлов", first_name="Пётр", name_key="орлов пётр", department=other_dep)
        theirs = m.PatronageVisit.create(
            client=stranger, planned_start=dt.datetime(2026, 11, 23, 12), address="b", status="planned"
        )
        m.VisitStaff.create(visit=theirs, staff=staff["other"])
    head = auth.sign_in("head", PASSWORD)
    session.set_actor(head)
    items = {i.target[1]: i for i in visits.today_items(head, WED)}
    assert past.id in items and items[past.id].state == "overdue"
    assert items[past.id].what == "визит не завершён (Иванова М.С.): нет акта / отметки о проведении"
    assert theirs.id not in items  # another department's
    # a specialist still sees only her own
    session.set_actor(actor)
    psy = auth.sign_in("psy", PASSWORD)
    assert past.id not in {i.target[1] for i in visits.today_items(psy, WED)}
    assert past.id in {i.target[1] for i in visits.today_items(actor, WED)}


def test_schedule_document(family):
    visits.save_plan(plan(family))
    visits.save_plan(
        plan(family, day=dt.date(2026, 12, 2), start=dt.time(14, 0), end=dt.time(14, 40), late_reason="позже")
    )
    week = visits.schedule(dt.date(2026, 11, 23), dt.date(2026, 11, 29), staff_id=family["spec"])
    assert len(week.rows) == 1 and "Петров Илья Сергеевич" in week.rows[0]
    assert "Иванова Марина Сергеевна" in week.subtitle
    month = visits.schedule(dt.date(2026, 11, 1), dt.date(2026, 12, 31), staff_id=family["spec"])
    assert len(month.rows) == 2


def test_a_head_records_a_colleagues_past_visit_with_both_names_and_a_reason(family):
    """Issue 12: the entry names who did the visit and the day it happened; the head who records it is kept
    beside; a past day needs a reason; not later than today, not before this month; a specialist may
    not record for a colleague."""
    from soptui.services.patronage import Recording

    vid = visits.save_plan(plan(family))  # 25.11.2026, done by the specialist
    _complete_act(vid, "report")
    head = auth.sign_in("head", PASSWORD)
    session.set_actor(head)
    with pytest.raises(VisitError) as exc:
        visits.complete_visit(vid, WORKED)  # the head did not do it: who did?
    assert "Укажите, кто из них его провёл" in exc.value.errors["performer"]
    day = dt.date(2026, 11, 24)
    with pytest.raises(VisitError) as exc:
        visits.complete_visit(vid, WORKED, Recording(family["spec"], day, "  "))
    assert "почему запись вносится позже" in exc.value.errors["late_reason"]
    for bad in (dt.date(2026, 11, 26), dt.date(2026, 10, 31)):
        with pytest.raises(VisitError) as exc:
            visits.complete_visit(vid, WORKED, Recording(family["spec"], bad, "забыла"))
        assert "done_on" in exc.value.errors
    visits.complete_visit(vid, WORKED, Recording(family["spec"], day, "визит был вечером, отчёт утром"))
    e = m.ServiceEntry.get()
    assert (e.date, e.staff_id, e.recorded_by_id) == (day, family["spec"], head.id)
    assert e.late_reason == "визит был вечером, отчёт утром" and e.recorded_at is not None


def test_a_visit_of_a_past_day_not_timed_here_takes_the_acts_minutes_and_today_takes_the_timers(family):
    """A field visit written up later: its stages' minutes are typed from the act (work at least 1, none above
    a working day), only for a day before today; the log records them and says so."""
    from dataclasses import replace

    from soptui.services.patronage import Recording

    vid = visits.save_plan(plan(family))  # 25.11.2026, today on the fixed clock
    _complete_act(vid, "report")
    untimed = replace(WORKED, prep_seconds=0, work_seconds=0, completion_seconds=0)
    me, day = family["spec"], dt.date(2026, 11, 24)
    for recording, words in (
        (Recording(me, dt.date(2026, 11, 25), "", (10, 30, 5)), "только за прошедший день"),
        (Recording(me, day, "вносится в офисе", (10, 0, 5)), "не меньше 1 минуты"),
        (Recording(me, day, "вносится в офисе", (10, 481, 5)), "от 0 до 480"),
        (Recording(me, day, "вносится в офисе", (-1, 30, 5)), "от 0 до 480"),
    ):
        with pytest.raises(VisitError) as exc:
            visits.complete_visit(vid, untimed, recording)
        assert words in exc.value.errors["work"], recording
    visits.complete_visit(vid, untimed, Recording(me, day, "вносится в офисе", (10, 30, 5)))
    e = m.ServiceEntry.get()
    assert (e.date, e.prep_minutes, e.work_minutes, e.doc_minutes, e.minutes) == (day, 10, 30, 5, 45)
    assert e.note.endswith("минуты вписаны по акту.")
    assert m.PatronageVisit.get_by_id(vid).actual_work_seconds == 30 * 60


def test_a_specialist_cannot_record_a_visit_for_a_colleague(family):
    from soptui.services.patronage import Recording

    vid = visits.save_plan(plan(family))
    _complete_act(vid, "report")
    with pytest.raises(VisitError) as exc:
        visits.complete_visit(vid, WORKED, Recording(family["psy"], None, ""))
    assert "performer" in exc.value.errors
