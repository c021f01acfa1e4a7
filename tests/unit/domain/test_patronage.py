"""SOP 04 domain: occupancy with the norms, conflicts, free slots, deadline checks, acts."""

from __future__ import annotations

import datetime as dt

from soptui.domain import patronage
from soptui.domain.patronage import Occupancy, check_deadline, conflicts_by_visit, find_conflicts, first_free_start

WED = dt.date(2026, 11, 25)


def at(day: dt.date, h: int, m: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(h, m))


def test_occupancy_includes_prep_travel_and_completion():
    v = Occupancy(1, frozenset({7}), at(WED, 11))
    assert v.busy_from == at(WED, 10)  # 60 min preparation and way there
    assert v.work_end == at(WED, 11, 40)  # 40 min with the family
    assert v.busy_to == at(WED, 11, 50)  # 10 min for the act
    custom = Occupancy(2, frozenset({7}), at(WED, 11), prep_minutes=20, work_minutes=30, completion_minutes=5)
    assert (custom.busy_from, custom.busy_to) == (at(WED, 10, 40), at(WED, 11, 35))


def test_overlap_through_travel_time_of_the_same_person_is_a_conflict():
    first = Occupancy(1, frozenset({7}), at(WED, 11), label="Петров П.П.")
    # arrives 12:30, so leaves at 11:30 while the first act is written until 11:50
    second = Occupancy(2, frozenset({7, 8}), at(WED, 12, 30))
    found = find_conflicts(second, [first], {7: "Иванова М.С."})
    assert [c.kind for c in found] == ["overlap"]
    assert "Иванова М.С." in found[0].message and "Петров П.П." in found[0].message
    assert found[0].other_visit_id == 1
    # the same times for another member of staff: no conflict
    other = Occupancy(3, frozenset({9}), at(WED, 12, 30))
    assert find_conflicts(other, [first]) == []
    # back to back is fine: the first ends 11:50, the next leaves at 11:50
    nxt = Occupancy(4, frozenset({7}), at(WED, 12, 50))
    assert find_conflicts(nxt, [first]) == []
    # the visit itself is never its own conflict
    assert find_conflicts(first, [first]) == []


def test_outside_working_hours():
    early = Occupancy(1, frozenset({7}), at(WED, 9, 30))  # leaves 08:30
    found = find_conflicts(early, [])
    assert [c.kind for c in found] == ["off_hours"]
    assert "08:30" in found[0].message and "09:00" in found[0].message
    late = Occupancy(2, frozenset({7}), at(WED, 17, 30))  # act done 18:20
    found = find_conflicts(late, [])
    assert [c.kind for c in found] == ["off_hours"] and "18:20" in found[0].message
    fine = Occupancy(3, frozenset({7}), at(WED, 17, 10))  # 16:10 .. 18:00
    assert find_conflicts(fine, []) == []


def test_pre_holiday_short_day_ends_an_hour_earlier():
    short = dt.date(2026, 11, 3)  # eve of 4 November, a short day in the 2026 calendar
    v = Occupancy(1, frozenset({7}), at(short, 16, 30))  # done 17:20, the day ends 17:00
    found = find_conflicts(v, [])
    assert [c.kind for c in found] == ["off_hours"]
    assert "17:00" in found[0].message and "предпраздничный" in found[0].message
    assert find_conflicts(Occupancy(2, frozenset({7}), at(WED, 16, 30)), []) == []


def test_non_working_days_of_the_production_calendar():
    for day in (dt.date(2026, 11, 4), dt.date(2026, 11, 28), dt.date(2026, 12, 31)):
        found = find_conflicts(Occupancy(1, frozenset({7}), at(day, 11)), [])
        assert [c.kind for c in found] == ["non_working_day"], day
        assert day.strftime("%d.%m.%Y") in found[0].message


def test_conflicts_by_visit_flags_both_sides_and_only_them():
    a = Occupancy(1, frozenset({7}), at(WED, 11))
    b = Occupancy(2, frozenset({7}), at(WED, 12))
    c = Occupancy(3, frozenset({8}), at(WED, 12))
    d = Occupancy(4, frozenset({7}), at(WED, 15))
    found = conflicts_by_visit([a, b, c, d])
    assert set(found) == {1, 2}
    assert found[1][0].other_visit_id == 2 and found[2][0].other_visit_id == 1


def test_first_free_start_skips_busy_time_and_respects_norms():
    busy = [Occupancy(1, frozenset({7}), at(WED, 10))]  # 09:00 .. 10:50
    # first arrival whose preparation starts after 10:50: 12:00 (leaves 11:00)
    assert first_free_start(WED, busy, 7) == at(WED, 12)
    assert first_free_start(WED, busy, 8) == at(WED, 10)  # someone else is free from 09:00
    assert first_free_start(dt.date(2026, 11, 28), [], 7) is None  # Saturday
    # nothing left that day once now is past the last slot
    assert first_free_start(WED, [], 7, not_before=at(WED, 17)) is None
    assert first_free_start(WED, [], 7, not_before=at(WED, 10, 30)) == at(WED, 11, 30)


def test_deadline_check_on_the_fixed_clock():
    due = dt.date(2026, 11, 26)
    ok = check_deadline(due, dt.date(2026, 11, 26), WED)
    assert not ok.late and "26.11.2026" in ok.text and "осталось 1 раб. дн." in ok.text
    late = check_deadline(due, dt.date(2026, 11, 27), WED)
    assert late.late and "укажите причину" in late.text
    overdue = check_deadline(dt.date(2026, 11, 23), WED, WED)
    assert overdue.late and "просрочено на 2 раб. дн." in overdue.text
    assert not check_deadline(None, WED, WED).late


def test_stage_state():
    assert patronage.stage_state(59 * 60, 60) == "near"
    assert patronage.stage_state(30 * 60, 60) == "ok"
    assert patronage.stage_state(61 * 60, 60) == "over"


def test_act_required_fields():
    missing = patronage.act_missing("housing", {"address": "ул. Ленина, 1"})
    keys = {f.key for f in missing}
    assert {"dwelling_type", "ownership", "sanitary", "child_sleep", "family", "conclusions"} <= keys
    assert "address" not in keys and "rooms" not in keys
    full = {f.key: "x" for f in patronage.act_fields("report")}
    assert patronage.act_missing("report", full) == []
