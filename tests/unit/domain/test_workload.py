"""Issue 12 point 7: the workload arithmetic on hand-computed cases."""

from __future__ import annotations

import datetime as dt

from soptui.domain.workload import EntryMinutes, working_minutes, workload

D = dt.date


def test_november_2026_is_20_days_and_159_hours_on_a_40_hour_week():
    # 04.11 is a holiday, 03.11 a short day (7 hours): 20 working days, 20 * 8 - 1 = 159 hours
    assert working_minutes(D(2026, 11, 1), D(2026, 11, 30)) == (20, 159 * 60)
    # part-time on a 20-hour week: half
    assert working_minutes(D(2026, 11, 1), D(2026, 11, 30), 20) == (20, round(159 * 60 / 2))


def test_december_2026_working_time():
    # 22 working days and 176 hours: 31.12.2026 is a day off by the 2026 decree, so no short day either
    assert working_minutes(D(2026, 12, 1), D(2026, 12, 31)) == (22, 176 * 60)
    # a period of part of the month counts its own days: 01–04.12 are four working days
    assert working_minutes(D(2026, 12, 1), D(2026, 12, 4)) == (4, 4 * 480)


def test_minutes_by_sop_norms_and_the_group_session_counted_once():
    entries = [
        EntryMinutes(1, D(2026, 11, 10), "03", 1, 12, 60),  # a 12-minute call against a 60-minute norm
        EntryMinutes(1, D(2026, 11, 11), "04", 1, 95, 110),
        EntryMinutes(1, D(2026, 11, 12), "04", 1, 130, 110),
        # one 60-minute session, three clients, 7 minutes of report shared 3/2/2
        EntryMinutes(1, D(2026, 11, 13), "05", 1, 63, 0, session_id=9, work_minutes=60, doc_minutes=3),
        EntryMinutes(1, D(2026, 11, 13), "05", 1, 62, 0, session_id=9, work_minutes=60, doc_minutes=2),
        EntryMinutes(1, D(2026, 11, 13), "05", 1, 62, 0, session_id=9, work_minutes=60, doc_minutes=2),
        EntryMinutes(2, D(2026, 12, 1), "01", 1, 30, 95),
        EntryMinutes(1, D(2026, 10, 31), "01", 1, 30, 95),  # outside the period
    ]
    rows = workload(entries, D(2026, 11, 1), D(2026, 12, 31))
    assert [(r.staff_id, r.label) for r in rows] == [(1, "11.2026"), (2, "12.2026")]
    nov = rows[0]
    assert {k: (v.services, v.minutes, v.norm_minutes) for k, v in nov.by_sop.items()} == {
        "03": (1, 12, 60),
        "04": (2, 225, 220),
        "05": (3, 67, 0),  # 60 once + 7
    }
    assert (nov.services, nov.minutes, nov.norm_minutes) == (6, 304, 280)
    assert nov.working_minutes == 159 * 60 and nov.share_of_working_time == "3 %"
