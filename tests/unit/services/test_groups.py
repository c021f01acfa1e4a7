"""SOP 05 groups: schedule generation, the weekly cap across clubs, service entries, CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import os

import pytest

from soptui.db import models as m
from soptui.domain import groups as domain
from soptui.domain.groups import ScheduleError, SessionRef, Slot
from soptui.services import auth
from soptui.services import groups as g

from conftest import PASSWORD

# --- domain: schedule and calendar ------------------------------------------------------------


def test_schedule_skips_may_2026_holidays_and_flags_the_short_day():
    # Mon, Fri: 1 May (Fri) and 11 May (Mon) are holidays, 8 May (Fri) is a short day
    slots = [Slot(0, "15:00", "16:00"), Slot(4, "15:00", "16:00")]
    dates = domain.generate_dates(slots, dt.date(2026, 4, 27), dt.date(2026, 5, 15))
    got = [p.date for p in dates]
    assert got == [dt.date(2026, 4, 27), dt.date(2026, 5, 4), dt.date(2026, 5, 8), dt.date(2026, 5, 15)]
    assert dt.date(2026, 5, 1) not in got and dt.date(2026, 5, 11) not in got
    assert [p.short_day for p in dates] == [False, False, True, False]


def test_schedule_weekend_slot_never_generates_and_saturday_9_may_is_off():
    dates = domain.generate_dates([Slot(5, "10:00", "11:00")], dt.date(2026, 5, 1), dt.date(2026, 5, 31))
    assert dates == []  # Saturdays are days off in the five-day week


def test_schedule_without_weekdays_is_refused_in_russian():
    with pytest.raises(ScheduleError, match="не выбран ни один день недели"):
        domain.generate_dates([], dt.date(2026, 9, 1), dt.date(2026, 12, 31))
    with pytest.raises(ScheduleError, match="раньше даты начала"):
        domain.generate_dates([Slot(0, "10:00", "11:00")], dt.date(2026, 9, 1), dt.date(2026, 8, 1))
    with pytest.raises(ValueError, match="позже, чем начинается"):
        domain.parse_time_range("16:00-15:00")


def test_weekly_cap_pure_function_respects_iso_weeks():
    sun = dt.date(2026, 11, 29)
    refs = [
        SessionRef(1, "А", dt.date(2026, 11, 23), "10:00", "11:00"),
        SessionRef(2, "Б", dt.date(2026, 11, 25), "10:00", "11:00"),
    ]
    assert domain.weekly_cap_conflict(sun, refs) == refs  # Sunday is in the same week
    assert domain.weekly_cap_conflict(dt.date(2026, 11, 30), refs) is None  # next Monday
    assert domain.weekly_cap_conflict(sun, refs[:1]) is None
    # across a year boundary: 31.12.2026 (Thu) and 01.01.2027 (Fri) share ISO week 53
    assert domain.same_week(dt.date(2026, 12, 31), dt.date(2027, 1, 1))


# --- service fixtures -----------------------------------------------------------------------------


def _client(last: str, first: str = "Анна", patr: str = "Сергеевна", born=dt.date(2015, 3, 4)) -> int:
    from soptui.db.connection import write_transaction

    with write_transaction():
        c = m.Client.create(
            last_name=last,
            first_name=first,
            patronymic=patr,
            name_key=f"{last} {first} {patr}".casefold(),
            birth_date=born,
            status="served",
            consent_date=dt.date(2026, 9, 1),  # served, with consent: joins a club without a recorded reason
        )
    return c.id


def _club(
    name: str,
    staff_id: int,
    weekdays=(0, 2),
    capacity=12,
    start=dt.date(2026, 9, 1),
    end=dt.date(2026, 12, 25),
    times=("15:00", "16:00"),
) -> int:
    data = g.ClubData(
        name=name,
        kind="club",
        goal="общение",
        room="каб. 1",
        capacity=capacity,
        start_date=start,
        end_date=end,
        leader_ids=[staff_id],
        programme=[("Знакомство", "Правила"), ("Эмоции", "Чувства")],
        slots=[Slot(w, *times) for w in weekdays],
    )
    return g.save_club(data)


def _session_on(club_id: int, day: dt.date) -> int:
    return next(s.id for s in g.club_sessions(club_id) if s.date == day)


def _entries(client_id: int | None = None):
    q = m.ServiceEntry.select().where(m.ServiceEntry.source_type == "attendance")
    if client_id is not None:
        q = q.where(m.ServiceEntry.client == client_id)
    return list(q)


def test_club_sessions_generated_with_programme_topics(actor, staff):
    club = _club(
        "Клуб «Ромашка»", staff["spec"], weekdays=(0, 2), start=dt.date(2026, 11, 2), end=dt.date(2026, 11, 13)
    )
    sessions = g.club_sessions(club)
    assert [s.date for s in sessions] == [dt.date(2026, 11, 2), dt.date(2026, 11, 9), dt.date(2026, 11, 11)]
    # 4 November (Wed) is National Unity Day: skipped
    assert [s.topic for s in sessions] == ["Знакомство", "Эмоции", ""]
    card = g.get_club(club)
    assert card.schedule_text == "пн 15:00–16:00, ср 15:00–16:00"
    assert card.leader_ids == (staff["spec"],)


def test_bad_club_input_is_refused_with_the_field(actor, staff):
    data = g.ClubData(
        name="Клуб", start_date=dt.date(2026, 9, 1), end_date=dt.date(2026, 12, 1), leader_ids=[staff["spec"]], slots=[]
    )
    with pytest.raises(g.GroupError, match="не выбран ни один день") as err:
        g.save_club(data)
    assert err.value.field == "schedule"
    assert m.Club.select().count() == 0  # nothing half-saved


def test_session_date_outside_club_dates_is_refused(actor, staff):
    club = _club("Клуб", staff["spec"], start=dt.date(2026, 9, 1), end=dt.date(2026, 12, 25))
    with pytest.raises(g.GroupError, match="вне срока работы клуба"):
        g.add_session(club, dt.date(2027, 1, 15), "10:00", "11:00")
    with pytest.raises(g.GroupError, match="нерабочий день"):
        g.add_session(club, dt.date(2026, 11, 4), "10:00", "11:00")
    sid = g.add_session(club, dt.date(2026, 11, 26), "10:00", "11:00")
    assert m.GroupSession.get_by_id(sid).manual
    with pytest.raises(g.GroupError, match="вне срока работы клуба"):
        g.move_session(sid, dt.date(2026, 8, 31), "10:00", "11:00")


def test_member_twice_and_capacity_are_refused(actor, staff):
    club = _club("Клуб", staff["spec"], capacity=2)
    a, b, c = _client("Акулова"), _client("Быкова"), _client("Цветкова")
    g.add_member(club, a)
    with pytest.raises(g.GroupError, match="Акулова Анна Сергеевна уже в группе «Клуб»"):
        g.add_member(club, a)
    g.add_member(club, b)
    with pytest.raises(g.GroupError, match="нет свободных мест: 2 из 2"):
        g.add_member(club, c)
    # leaving frees the place and keeps the history
    member = m.ClubMember.get(m.ClubMember.client == b)
    g.remove_member(member.id, dt.date(2026, 11, 25), "переезд")
    g.add_member(club, c)
    card = g.get_club(club)
    assert [(mb.name, mb.left_on) for mb in card.members] == [
        ("Акулова Анна Сергеевна", None),
        ("Цветкова Анна Сергеевна", None),
        ("Быкова Анна Сергеевна", dt.date(2026, 11, 25)),
    ]
    g.set_informed(card.members[0].id, dt.date(2026, 11, 24))
    assert g.get_club(club).members[0].informed_on == dt.date(2026, 11, 24)


# --- the weekly cap across clubs -------------------------------------------------------------------


def test_third_session_in_a_week_across_clubs_is_refused_naming_the_other_two(actor, staff):
    # Mon/Wed club and a Fri club: the Friday is the third session of the week
    one = _club("Клуб «Родничок»", staff["spec"], weekdays=(0, 2))
    two = _club("Группа «Опора»", staff["spec"], weekdays=(4,), times=("11:00", "12:00"))
    kid = _client("Петрова")
    for club in (one, two):
        g.add_member(club, kid, dt.date(2026, 9, 1))
    g.save_roll_call(_session_on(one, dt.date(2026, 11, 16)), {kid: (True, "")})
    g.save_roll_call(_session_on(one, dt.date(2026, 11, 18)), {kid: (True, "")})
    friday = _session_on(two, dt.date(2026, 11, 20))
    with pytest.raises(g.WeeklyLimitError) as err:
        g.save_roll_call(friday, {kid: (True, "")})
    text = str(err.value)
    assert "Клуб «Родничок», 16.11.2026 (пн) 15:00–16:00" in text
    assert "18.11.2026 (ср) 15:00–16:00" in text
    assert not m.Attendance.select().where(m.Attendance.session == friday).exists()
    # absent is fine; next Monday starts a new week
    g.save_roll_call(friday, {kid: (False, "болеет")})
    g.save_roll_call(_session_on(one, dt.date(2026, 11, 23)), {kid: (True, "")})
    assert len(_entries(kid)) == 3


def test_cap_counts_only_the_calendar_week(actor, staff):
    club = _club("Клуб", staff["spec"], weekdays=(0, 2, 4))
    kid = _client("Соколова")
    g.add_member(club, kid, dt.date(2026, 9, 1))
    # Wed + Fri of one week, then Mon of the next week: allowed
    for day in (dt.date(2026, 11, 11), dt.date(2026, 11, 13), dt.date(2026, 11, 16), dt.date(2026, 11, 18)):
        g.save_roll_call(_session_on(club, day), {kid: (True, "")})
    with pytest.raises(g.WeeklyLimitError):
        g.save_roll_call(_session_on(club, dt.date(2026, 11, 20)), {kid: (True, "")})
    # a future session cannot be marked at all
    with pytest.raises(g.GroupError, match="ещё не наступило"):
        g.save_roll_call(_session_on(club, dt.date(2026, 11, 27)), {kid: (False, "")})


def test_head_override_is_recorded_and_a_specialist_cannot_override(actor, staff):
    club = _club("Клуб", staff["spec"], weekdays=(0, 2, 4))
    kid = _client("Орлова")
    g.add_member(club, kid, dt.date(2026, 9, 1))
    for day in (dt.date(2026, 11, 16), dt.date(2026, 11, 18)):
        g.save_roll_call(_session_on(club, day), {kid: (True, "")})
    friday = _session_on(club, dt.date(2026, 11, 20))
    with pytest.raises(g.GroupError, match="только заведующий"):
        g.save_roll_call(friday, {kid: (True, "")}, {kid: "просьба мамы"}, override_by=staff["spec"])
    # a head's id alone is no proof: the specialist cannot claim the head approved
    with pytest.raises(g.GroupError, match="только заведующий"):
        g.save_roll_call(friday, {kid: (True, "")}, {kid: "просьба мамы"}, override_by=staff["head"])
    # a wrong head password, or a specialist's own password, is refused in the service
    with pytest.raises(g.GroupError, match="Неверный логин или пароль"):
        g.save_roll_call(friday, {kid: (True, "")}, {kid: "просьба мамы"}, override_by=("head", "wrong-pass"))
    with pytest.raises(g.GroupError, match="Неверный логин или пароль"):
        g.save_roll_call(friday, {kid: (True, "")}, {kid: "просьба мамы"}, override_by=("spec", PASSWORD))
    assert not m.Attendance.select().where(m.Attendance.session == friday).exists()
    # the head of another department cannot allow it for this department's club (they once could)
    own = m.Staff.get_by_id(staff["spec"]).department_id
    m.Club.update(department=own).where(m.Club.id == club).execute()
    auth.add_user(
        "headhome", PASSWORD, "Белова", "Ирина", "", "head", "head", "Отделение социального обслуживания на дому"
    )
    with pytest.raises(g.GroupError, match="заведующий отделением, к которому относится клуб"):
        g.save_roll_call(friday, {kid: (True, "")}, {kid: "просьба мамы"}, override_by=("headhome", PASSWORD))
    assert "к которому относится клуб" in g.override_approval_problem(friday, "headhome", PASSWORD)
    assert g.override_approval_problem(friday, "head", PASSWORD) == ""
    assert not m.Attendance.select().where(m.Attendance.session == friday).exists()
    approval = ("head", PASSWORD)  # the head types their own password at the moment of the override
    result = g.save_roll_call(friday, {kid: (True, "")}, {kid: "подготовка к празднику"}, override_by=approval)
    assert result.present == 1 and result.entries_created == 1
    a = m.Attendance.get((m.Attendance.session == friday) & (m.Attendance.client == kid))
    assert a.override_reason == "подготовка к празднику" and a.override_by_id == staff["head"]
    # re-saving the same roll-call keeps the override and does not ask again
    g.save_roll_call(friday, {kid: (True, "")})
    rc = g.roll_call(friday)
    assert rc.rows[0].override_reason == "подготовка к празднику"
    assert rc.rows[0].override_by == "Кузнецова Т.Н."


# --- service log entries ------------------------------------------------------------------------------


def test_exactly_one_service_entry_per_attendance_through_corrections(actor, staff):
    club = _club("Клуб", staff["spec"])
    a, b = _client("Анисимова"), _client("Белова")
    for c in (a, b):
        g.add_member(club, c, dt.date(2026, 9, 1))
    sid = _session_on(club, dt.date(2026, 11, 23))
    r = g.save_roll_call(sid, {a: (True, ""), b: (True, "")})
    assert (r.entries_created, r.entries_removed) == (2, 0)
    r = g.save_roll_call(sid, {a: (True, ""), b: (True, "")})  # saved again: nothing doubles
    assert (r.entries_created, r.entries_removed) == (0, 0)
    assert len(_entries()) == 2
    r = g.save_roll_call(sid, {a: (True, ""), b: (False, "болеет")})  # correction: b was absent
    assert (r.entries_created, r.entries_removed) == (0, 1)
    assert [e.client_id for e in _entries()] == [a]
    g.save_roll_call(sid, {a: (True, ""), b: (True, "")})  # and back
    entries = _entries()
    assert sorted(e.client_id for e in entries) == [a, b]
    att = {x.client_id: x.id for x in m.Attendance.select().where(m.Attendance.session == sid)}
    for e in entries:
        assert (e.sop, e.source_type, e.source_id, e.units) == ("05", "attendance", att[e.client_id], 1)
        assert e.date == dt.date(2026, 11, 23) and e.minutes == 60 and e.staff_id == staff["spec"]
    assert m.GroupSession.get_by_id(sid).status == "held"
    # moving the session moves the service date; deleting it removes the entries
    g.move_session(sid, dt.date(2026, 11, 24), "15:00", "16:00")
    assert {e.date for e in _entries()} == {dt.date(2026, 11, 24)}
    g.delete_session(sid)
    assert _entries() == []


def test_a_held_session_is_not_moved_to_a_day_to_come(actor, staff):
    """Its service entries moved with it: services «rendered» on a day still to come (clock: 25.11.2026)."""
    club = _club("Клуб", staff["spec"])
    kid = _client("Анисимова")
    g.add_member(club, kid, dt.date(2026, 9, 1))
    sid = _session_on(club, dt.date(2026, 11, 23))
    g.save_roll_call(sid, {kid: (True, "")})
    with pytest.raises(g.GroupError, match="уже проведено") as refused:
        g.move_session(sid, dt.date(2026, 11, 26), "15:00", "16:00")
    assert refused.value.field == "date"
    assert {e.date for e in _entries()} == {dt.date(2026, 11, 23)}
    assert m.GroupSession.get_by_id(sid).date == dt.date(2026, 11, 23)
    # a session not held yet still moves to any day of the club
    later = _session_on(club, dt.date(2026, 11, 30))
    g.move_session(later, dt.date(2026, 12, 1), "15:00", "16:00")
    assert m.GroupSession.get_by_id(later).date == dt.date(2026, 12, 1)


def test_a_heads_approval_of_a_third_session_does_not_follow_it_to_another_week(actor, staff):
    club = _club("Клуб", staff["spec"], weekdays=(0, 2, 4))
    kid = _client("Орлова")
    g.add_member(club, kid, dt.date(2026, 9, 1))
    for day in (dt.date(2026, 11, 9), dt.date(2026, 11, 11), dt.date(2026, 11, 16), dt.date(2026, 11, 18)):
        g.save_roll_call(_session_on(club, day), {kid: (True, "")})
    friday = _session_on(club, dt.date(2026, 11, 20))
    g.save_roll_call(friday, {kid: (True, "")}, {kid: "подготовка к празднику"}, override_by=("head", PASSWORD))
    # moved to the Friday of the week before, where she already came twice: that week was never approved
    with pytest.raises(g.WeeklyLimitError):
        g.move_session(friday, dt.date(2026, 11, 13), "11:00", "12:00")
    assert m.GroupSession.get_by_id(friday).date == dt.date(2026, 11, 20)


def test_a_held_session_without_anyone_marked_is_not_moved_to_a_day_to_come_either(actor, staff):
    """Its roll call was saved (nobody in the club yet): the session is «проведено», a fact of a day passed."""
    club = _club("Клуб", staff["spec"])
    sid = _session_on(club, dt.date(2026, 11, 23))
    g.save_roll_call(sid, {})
    assert m.GroupSession.get_by_id(sid).status == "held"
    with pytest.raises(g.GroupError, match="перенести его на будущую дату нельзя"):
        g.move_session(sid, dt.date(2026, 11, 26), "15:00", "16:00")
    assert m.GroupSession.get_by_id(sid).date == dt.date(2026, 11, 23)
    g.move_session(sid, dt.date(2026, 11, 24), "15:00", "16:00")  # a typo in the date: another day passed
    assert m.GroupSession.get_by_id(sid).date == dt.date(2026, 11, 24)


def test_a_move_within_the_week_applies_the_roll_calls_weekly_rule(actor, staff):
    """A move to another day of the same week was not checked at all: a third session with no head's approval
    (a mark from before the rule, or typed in the base) moved freely, where re-saving its roll call is refused.
    The head's approval, given for this week, still holds within it."""
    from soptui.db.connection import write_transaction

    club = _club("Клуб", staff["spec"], weekdays=(0, 2, 4))
    kid, other = _client("Орлова"), _client("Зайцева")
    for c in (kid, other):
        g.add_member(club, c, dt.date(2026, 9, 1))
    for day in (dt.date(2026, 11, 16), dt.date(2026, 11, 18)):
        g.save_roll_call(_session_on(club, day), {kid: (True, ""), other: (True, "")})
    friday = _session_on(club, dt.date(2026, 11, 20))
    with write_transaction():  # Орлова's third session of the week, marked with no approval
        m.Attendance.create(session=friday, client=kid, present=True)
    with pytest.raises(g.WeeklyLimitError) as roll_call_refused:
        g.save_roll_call(friday, {kid: (True, "")})
    with pytest.raises(g.WeeklyLimitError) as move_refused:
        g.move_session(friday, dt.date(2026, 11, 19), "15:00", "16:00")
    assert [v.client_id for v in move_refused.value.violations] == [kid]
    assert str(move_refused.value) == str(roll_call_refused.value)
    assert "Орлова" in str(move_refused.value) and "не более 2 занятий в неделю" in str(move_refused.value)
    assert m.GroupSession.get_by_id(friday).date == dt.date(2026, 11, 20)
    # with the head's approval (and Зайцева's too) the session moves within its week, the approval kept
    g.save_roll_call(
        friday,
        {kid: (True, ""), other: (True, "")},
        {kid: "подготовка к празднику", other: "подготовка к празднику"},
        override_by=("head", PASSWORD),
    )
    g.move_session(friday, dt.date(2026, 11, 19), "15:00", "16:00")
    assert m.GroupSession.get_by_id(friday).date == dt.date(2026, 11, 19)
    assert {e.date for e in _entries(kid) if e.date >= dt.date(2026, 11, 19)} == {dt.date(2026, 11, 19)}
    assert {r.client_id: r.override_reason for r in g.roll_call(friday).rows}[kid] == "подготовка к празднику"


def test_a_roll_call_typed_by_the_head_names_the_leader_as_the_performer(actor, staff):
    """The head who typed in the leader's roll call became the performer of every client's service."""
    from soptui.core import session

    club = _club("Клуб", staff["spec"])
    kid = _client("Белова")
    g.add_member(club, kid, dt.date(2026, 9, 1))
    head = auth.sign_in("head", PASSWORD)
    session.set_actor(head)
    try:
        g.save_roll_call(_session_on(club, dt.date(2026, 11, 23)), {kid: (True, "")}, staff_id=head.id)
    finally:
        session.set_actor(actor)
    (entry,) = _entries(kid)
    assert entry.staff_id == staff["spec"] and entry.recorded_by_id == staff["head"]
    # the audit trail names the head as the one who recorded it
    (created,) = m.AuditLog.select().where(
        (m.AuditLog.table == m.ServiceEntry._meta.table_name)
        & (m.AuditLog.record_id == entry.id)
        & (m.AuditLog.action == "create")
    )
    assert created.staff_id == staff["head"]
    # the leader's own roll call: she is both
    g.save_roll_call(_session_on(club, dt.date(2026, 11, 18)), {kid: (True, "")}, staff_id=staff["spec"])
    mine = [e for e in _entries(kid) if e.date == dt.date(2026, 11, 18)]
    assert [(e.staff_id, e.recorded_by_id) for e in mine] == [(staff["spec"], staff["spec"])]


def test_cancel_refused_with_present_marks(actor, staff):
    club = _club("Клуб", staff["spec"])
    a = _client("Антонова")
    g.add_member(club, a, dt.date(2026, 9, 1))
    sid = _session_on(club, dt.date(2026, 11, 23))
    g.save_roll_call(sid, {a: (True, "")})
    with pytest.raises(g.GroupError, match="сначала снимите отметки"):
        g.cancel_session(sid)


def test_roll_call_lists_members_active_on_the_date(actor, staff):
    club = _club("Клуб", staff["spec"])
    a, b, c = _client("Алексеева"), _client("Борисова"), _client("Васина")
    g.add_member(club, a, dt.date(2026, 9, 1))
    g.add_member(club, b, dt.date(2026, 11, 24))  # joins after Monday 23.11
    mc = g.add_member(club, c, dt.date(2026, 9, 1))
    g.remove_member(mc, dt.date(2026, 11, 20), "переезд")
    rc = g.roll_call(_session_on(club, dt.date(2026, 11, 23)))
    assert [r.name for r in rc.rows] == ["Алексеева Анна Сергеевна"]
    rc = g.roll_call(_session_on(club, dt.date(2026, 11, 25)))
    assert [r.name for r in rc.rows] == ["Алексеева Анна Сергеевна", "Борисова Анна Сергеевна"]


# --- session report, feedback -------------------------------------------------------------------------


def test_session_report_and_feedback(actor, staff):
    club = _club("Клуб", staff["spec"])
    sid = g.club_sessions(club)[0].id
    d = g.get_session(sid)
    assert d.topic == "Знакомство" and d.goal == "Правила"
    with pytest.raises(g.GroupError, match="где хранятся фото"):
        g.save_session_report(sid, d.version, {"media_taken": True, "media_location": ""})
    g.save_session_report(
        sid,
        d.version,
        {
            "media_taken": True,
            "media_location": "папка Клубы/2026-11-23",
            "guests": "студенты колледжа",
            "analysis": "Цель достигнута",
            "summary": "Итоги",
        },
    )
    g.add_feedback(sid, "guest", "Смирнова О. В.", "Замечательное занятие", 5)
    with pytest.raises(g.GroupError, match="участника занятия"):
        g.add_feedback(sid, "client", "", "  ", 4)
    d = g.get_session(sid)
    assert d.media_location == "папка Клубы/2026-11-23" and d.satisfaction == 5
    assert [(f.source_label, f.author, f.text) for f in d.feedback] == [
        ("гость", "Смирнова О. В.", "Замечательное занятие")
    ]
    from soptui.db.store import ConflictError

    with pytest.raises(ConflictError):  # someone saved since version d.version - 1
        g.save_session_report(sid, d.version - 1, {"summary": "другое"})


# --- CSV export -----------------------------------------------------------------------------------


def test_csv_export_reads_back_with_bom_and_semicolons(actor, staff, tmp_path):
    club = _club("Клуб «Серебряный возраст»", staff["spec"])
    a = _client("Ёлкина", "Зоя", "Петровна", dt.date(1941, 5, 9))
    b = _client("Баранов", "Борис", "Иванович", None)
    for c in (a, b):
        g.add_member(club, c, dt.date(2026, 9, 1))
    g.save_roll_call(_session_on(club, dt.date(2026, 11, 16)), {a: (True, ""), b: (False, "болеет")})
    g.save_roll_call(_session_on(club, dt.date(2026, 11, 18)), {a: (True, ""), b: (True, "")})
    g.save_roll_call(_session_on(club, dt.date(2026, 10, 5)), {a: (True, ""), b: (True, "")})  # outside
    path = tmp_path / "out.csv"
    old_umask = os.umask(0o022)  # a loose umask: the export holds personal data all the same
    try:
        result = g.export_csv(dt.date(2026, 11, 1), dt.date(2026, 11, 30), path)
    finally:
        os.umask(old_umask)
    assert path.stat().st_mode & 0o777 == 0o600
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    assert rows[0] == g.CSV_COLUMNS
    assert result.rows == 3 == len(rows) - 1
    assert rows[1] == [
        "Ёлкина Зоя Петровна",
        "09.05.1941",
        "Проведение занятий в группах взаимоподдержки, клубах общения",
        "16.11.2026",
        "1",
        "Иванова Марина Сергеевна",
        "Клуб «Серебряный возраст»",
    ]
    assert [r[0] for r in rows[2:]] == ["Баранов Борис Иванович", "Ёлкина Зоя Петровна"]
    assert rows[2][1] == "" and rows[2][3] == "18.11.2026"
    with pytest.raises(g.GroupError, match="раньше начала"):
        g.export_csv(dt.date(2026, 11, 30), dt.date(2026, 11, 1), path)


def test_a_written_export_is_announced_for_the_browser(actor, staff, tmp_path):
    """Under `soptui serve` the app downloads every file written for the user: the export tells it, as save() does."""
    from soptui.services import printing

    announced = []
    printing.on_saved(announced.append)
    try:
        result = g.export_csv(dt.date(2026, 11, 1), dt.date(2026, 11, 30), tmp_path / "out.csv")
    finally:
        printing.on_saved(None)
    assert announced == [result.path] and result.path.exists()


# --- Today and demo -------------------------------------------------------------------------------


def test_today_lists_todays_sessions_of_my_clubs(actor, staff):
    club = _club("Клуб «Родничок»", staff["spec"], weekdays=(2,))  # 25.11.2026 is a Wednesday
    other = _club("Чужой клуб", staff["other"], weekdays=(2,))
    from soptui.services import agenda as today

    items = [i for i in today.collect(actor) if i.section == "Занятия"]
    todays = [(i.who, i.when, i.target, i.state) for i in items if i.state != "overdue"]
    assert todays == [
        ("Клуб «Родничок»", "15:00–16:00", ("session", _session_on(club, dt.date(2026, 11, 25))), "today")
    ]
    assert other and all(i.who == "Клуб «Родничок»" for i in items)


def test_a_passed_session_stays_overdue_on_today_until_held_or_cancelled(actor, staff):
    """Issue 12: a session whose day passed without a roll call is «просрочено» with its date, never
    «сегодня», and leaves Today once the roll call is saved or the session is cancelled with a reason."""
    from soptui.services import agenda as today

    club = _club("Клуб «Родничок»", staff["spec"], weekdays=(2,), start=dt.date(2026, 11, 11))
    kid = _client("Петрова")
    g.add_member(club, kid, dt.date(2026, 11, 2))

    def passed():
        return [(i.when, i.state) for i in today.collect(actor) if i.section == "Занятия" and i.state == "overdue"]

    assert passed() == [("11.11.2026 15:00", "overdue"), ("18.11.2026 15:00", "overdue")]
    g.save_roll_call(_session_on(club, dt.date(2026, 11, 11)), {kid: (True, "")})
    g.cancel_session(_session_on(club, dt.date(2026, 11, 18)), "ведущая на больничном")
    assert passed() == []


def test_demo_has_three_clubs_with_todays_sessions(demo_store, centre):
    clubs = g.list_clubs(None)
    assert len(clubs) == 3
    assert all(10 <= g.get_club(c.id).active_members + 1 <= 21 for c in clubs)
    today = dt.date(2026, 11, 25)
    todays = m.GroupSession.select().where(m.GroupSession.date == today).count()
    assert todays >= 1
    held = m.GroupSession.select().where(m.GroupSession.status == "held").count()
    assert held > 10
    # the demo's service log matches its attendance one-to-one
    present = m.Attendance.select().where(m.Attendance.present).count()
    assert len(_entries()) == present


def test_report_writing_time_becomes_the_entries_documentation_minutes(actor, staff):
    """Issue 12 point 1: the session's service entries carry its duration as the work and the measured
    report-writing time as documentation, shared out so the minutes add up to what was measured."""
    club = _club("Клуб", staff["spec"])
    a, b, c = _client("Анисимова"), _client("Белова"), _client("Васина")
    for x in (a, b, c):
        g.add_member(club, x, dt.date(2026, 9, 1))
    sid = _session_on(club, dt.date(2026, 11, 23))
    g.save_roll_call(sid, {a: (True, ""), b: (True, ""), c: (False, "болеет")})
    d = g.get_session(sid)
    g.save_session_report(sid, d.version, {"summary": "Итоги"}, writing_seconds=7 * 60 + 10)  # 7 min
    entries = sorted(_entries(), key=lambda e: e.id)
    assert [(e.work_minutes, e.doc_minutes, e.minutes) for e in entries] == [(60, 4, 64), (60, 3, 63)]
    assert g.get_session(sid).report_seconds == 430
    # more writing later adds up; a client marked present afterwards takes a share of the same total
    d = g.get_session(sid)
    g.save_session_report(sid, d.version, {"analysis": "Цель достигнута"}, writing_seconds=110)  # 9 min in all
    g.save_roll_call(sid, {a: (True, ""), b: (True, ""), c: (True, "")})
    entries = sorted(_entries(), key=lambda e: e.id)
    assert [e.doc_minutes for e in entries] == [3, 3, 3]
    assert sum(e.minutes for e in entries) == 3 * 60 + 9
    with pytest.raises(ValueError):
        g.save_session_report(sid, g.get_session(sid).version, {"summary": "x"}, writing_seconds=-1)


def test_a_heads_today_lists_only_sessions_the_head_may_open(demo_store):
    """A head of department sees on Today the sessions of the department's clubs, and each one opens: the
    demo's club of another department (led by this department's specialist) was listed for the head of
    department 1, whose roll call then said «Нет доступа к записям другого отделения»."""
    from soptui.core import clock, session
    from soptui.services import access, auth
    from soptui.services import agenda as today

    from conftest import FIXED_NOW

    clock.set_fixed(FIXED_NOW)
    try:
        head = auth.sign_in("head", "demo2026")
        session.set_actor(head)
        items = [i for i in today.collect(head) if i.section == "Занятия"]
        assert items, "the demo head has sessions today"
        for item in items:
            access.require_session(head, item.target[1])  # AccessDenied fails the test
        others = (
            m.GroupSession.select()
            .join(m.Club)
            .where((m.GroupSession.date == FIXED_NOW.date()) & (m.Club.department != head.department_id))
        )
        listed = {i.target[1] for i in items}
        assert others.exists() and not listed & {s.id for s in others}
    finally:
        clock.set_fixed(None)


# --- two roll calls at once (PostgreSQL runs writes of other records side by side) ----------------


def test_a_roll_call_waits_for_another_write_of_the_same_client_and_not_of_others(actor, staff, monkeypatch):
    """The weekly limit reads the client's other sessions: a roll call marking a client never runs beside another
    write of that client (on PostgreSQL it runs beside writes of other clients; on SQLite beside none)."""
    import threading

    from soptui.core import storecheck
    from soptui.db import connection

    from conftest import ON_POSTGRESQL

    club = _club("Клуб", staff["spec"], weekdays=(0, 2))
    kid, other = _client("Петрова"), _client("Сидорова")
    for c in (kid, other):
        g.add_member(club, c, dt.date(2026, 9, 1))
    monday = _session_on(club, dt.date(2026, 11, 16))
    monkeypatch.setattr(connection, "BUSY_TIMEOUT_S", 0.3)
    monkeypatch.setattr(connection, "BUSY_ATTEMPTS", 1)
    inside, done = threading.Event(), threading.Event()

    def another_roll_call_of_the_kid():  # holds what a roll call of another session marking the kid holds
        try:
            with connection.write_transaction(scope=[("group_session", monday + 1000), ("client", kid)]):
                inside.set()
                done.wait(30)
        finally:
            connection.db.close()

    holder = threading.Thread(target=another_roll_call_of_the_kid, daemon=True)
    holder.start()
    assert inside.wait(10)
    try:
        with pytest.raises(storecheck.StoreBusy):
            g.save_roll_call(monday, {kid: (True, "")})
        if ON_POSTGRESQL:
            g.save_roll_call(monday, {other: (True, "")})  # another client of the same session: at once
        else:
            with pytest.raises(storecheck.StoreBusy):
                g.save_roll_call(monday, {other: (True, "")})
    finally:
        done.set()
        holder.join(30)
    g.save_roll_call(monday, {kid: (True, ""), other: (True, "")})
    assert len(_entries(kid)) == 1 and len(_entries(other)) == 1
