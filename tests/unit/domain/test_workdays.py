"""Tests for soptui.domain.workdays: the Russian production calendar and SOP deadlines."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, time, timedelta

import pendulum
import pytest

from soptui.domain import workdays as w


@pytest.fixture(autouse=True)
def _clean_registry():
    w.set_overrides({})
    w.set_confirmed_years(set())
    yield
    w.set_overrides({})
    w.set_confirmed_years(set())


def _year_days(year: int) -> list[date]:
    d, out = date(year, 1, 1), []
    while d.year == year:
        out.append(d)
        d += timedelta(days=1)
    return out


def _short_days(year: int) -> list[date]:
    return [d for d in _year_days(year) if w.is_short_day(d)]


# --- import cost ----------------------------------------------------------


def test_import_does_not_import_holidays():
    code = "import sys, soptui.domain.workdays; print('holidays' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- official calendars 2025 and 2026 ------------------------------------


@pytest.mark.parametrize("year", [2025, 2026])
def test_247_working_days_and_1972_hours(year):
    days = _year_days(year)
    working = [d for d in days if w.is_working_day(d)]
    assert len(working) == 247
    assert len(days) - len(working) == 118
    hours = sum(8 - w.is_short_day(d) for d in working)
    assert hours == 1972  # official norm for a 40-hour week


def test_2025_specific_days():
    assert not w.is_working_day(date(2025, 12, 31))  # transferred from 05.01
    assert w.is_working_day(date(2025, 12, 30))
    assert not w.is_short_day(date(2025, 12, 30))  # eve of a transfer, not of a holiday
    assert w.is_working_day(date(2025, 11, 1))  # working Saturday
    assert w.is_short_day(date(2025, 11, 1))
    assert not w.is_working_day(date(2025, 11, 3))
    assert not w.is_working_day(date(2025, 11, 4))
    for day in range(1, 9):
        assert not w.is_working_day(date(2025, 1, day))
    assert w.is_working_day(date(2025, 1, 9))
    # May transfers
    assert not w.is_working_day(date(2025, 5, 2))
    assert not w.is_working_day(date(2025, 5, 3))
    assert not w.is_working_day(date(2025, 5, 8))
    assert not w.is_working_day(date(2025, 5, 9))
    assert w.is_working_day(date(2025, 5, 7))
    # 07.05.2025 precedes a transferred day off (08.05), not a holiday: the
    # official calendar keeps it a full day (1972 hours = 247 * 8 - 4).
    assert not w.is_short_day(date(2025, 5, 7))
    assert not w.is_working_day(date(2025, 6, 12))
    assert not w.is_working_day(date(2025, 6, 13))


def test_2026_specific_days():
    for day in range(1, 12):
        assert not w.is_working_day(date(2026, 1, day)), day
    assert w.is_working_day(date(2026, 1, 12))
    assert not w.is_working_day(date(2026, 2, 23))
    assert not w.is_working_day(date(2026, 3, 9))
    assert w.is_working_day(date(2026, 3, 10))
    assert not w.is_working_day(date(2026, 5, 1))
    assert w.is_short_day(date(2026, 5, 8))
    assert not w.is_working_day(date(2026, 5, 11))
    assert not w.is_working_day(date(2026, 6, 12))
    assert not w.is_working_day(date(2026, 11, 4))
    assert not w.is_working_day(date(2026, 12, 31))
    assert w.is_working_day(date(2026, 12, 30))
    assert not w.is_short_day(date(2026, 12, 30))
    # no working Saturdays/Sundays in 2026
    assert not any(w.is_working_day(d) for d in _year_days(2026) if d.weekday() >= 5)


def test_short_days_lists():
    assert _short_days(2025) == [
        date(2025, 3, 7),
        date(2025, 4, 30),
        date(2025, 6, 11),
        date(2025, 11, 1),
    ]
    assert _short_days(2026) == [
        date(2026, 4, 30),
        date(2026, 5, 8),
        date(2026, 6, 11),
        date(2026, 11, 3),
    ]
    assert not w.is_short_day(date(2026, 2, 20))  # 22.02.2026 is a Sunday


@pytest.mark.parametrize("year", [2025, 2026])
def test_rules_reproduce_official_tables(year):
    """The generic short-day rules give the official lists, so they can be
    trusted for years without a pinned table."""
    computed = {d for d in _year_days(year) if w.is_working_day(d) and w._rule_short_day(d)}
    assert computed == w.OFFICIAL_SHORT_DAYS[year]


@pytest.mark.parametrize("year", [2025, 2026])
def test_package_agrees_with_verified_table(year):
    pkg = w._package_year(year)
    table = w._VERIFIED_CALENDAR[year]
    assert pkg.weekday_days_off == table.weekday_days_off
    assert {d for d in pkg.weekend_workdays if d.year == year} == table.weekend_workdays


def test_2024_from_package_and_rules():
    working = [d for d in _year_days(2024) if w.is_working_day(d)]
    assert len(working) == 248
    assert _short_days(2024) == [
        date(2024, 2, 22),
        date(2024, 3, 7),
        date(2024, 5, 8),
        date(2024, 6, 11),
        date(2024, 11, 2),  # working Saturday, its day off moved to 30.04
    ]


def test_pendulum_and_datetime_inputs():
    assert not w.is_working_day(pendulum.date(2025, 12, 31))
    assert w.is_short_day(pendulum.date(2026, 5, 8))
    result = w.add_working_days(pendulum.date(2025, 12, 30), 3)
    assert result == date(2026, 1, 14)
    assert type(result) is date


# --- arithmetic -------------------------------------------------------------


def test_add_working_days():
    fri = date(2025, 10, 3)
    assert w.add_working_days(fri, 1) == date(2025, 10, 6)
    assert w.add_working_days(fri, 0) == fri
    assert w.add_working_days(date(2025, 10, 4), 0) == date(2025, 10, 6)
    assert w.add_working_days(date(2025, 10, 6), -1) == fri
    # working Saturday 01.11.2025 counts
    assert w.add_working_days(date(2025, 10, 31), 1) == date(2025, 11, 1)
    assert w.add_working_days(date(2025, 11, 1), 1) == date(2025, 11, 5)


def test_next_working_day():
    assert w.next_working_day(date(2025, 12, 30)) == date(2026, 1, 12)
    assert w.next_working_day(date(2026, 1, 12)) == date(2026, 1, 13)


def test_working_days_between():
    assert w.working_days_between(date(2025, 12, 30), date(2026, 1, 14)) == 3
    assert w.working_days_between(date(2026, 1, 14), date(2025, 12, 30)) == -3
    assert w.working_days_between(date(2026, 1, 14), date(2026, 1, 14)) == 0
    assert w.working_days_between(date(2025, 1, 1), date(2025, 12, 31)) == 247
    assert w.working_days_between(date(2025, 12, 31), date(2026, 12, 31)) == 247


def test_working_hours():
    assert w.working_hours(date(2026, 1, 12)) == (time(9), time(18))
    assert w.working_hours(date(2026, 5, 8)) == (time(9), time(17))
    assert w.working_hours(date(2026, 5, 9)) is None
    assert w.working_hours(date(2025, 11, 1), time(8, 30), time(17, 30)) == (time(8, 30), time(16, 30))


# --- SOP deadlines ------------------------------------------------------------


def test_first_contact_deadline_over_new_year():
    assert w.first_contact_deadline(date(2025, 12, 30)) == date(2026, 1, 14)


def test_referral_registration_deadline():
    # working Monday -> 3rd working day after it
    assert w.referral_registration_deadline(date(2026, 3, 2)) == date(2026, 3, 5)
    # Saturday 14.03.2026: Monday 16.03 is day 1, Wednesday 18.03 day 3
    assert w.referral_registration_deadline(date(2026, 3, 14)) == date(2026, 3, 18)
    # Saturday 07.03.2026 before the holiday Monday 09.03: days 10, 11, 12 March
    assert w.referral_registration_deadline(date(2026, 3, 7)) == date(2026, 3, 12)
    # a term set in the basis document wins
    assert w.referral_registration_deadline(date(2026, 3, 2), basis_deadline=date(2026, 3, 3)) == date(2026, 3, 3)


def test_sop04_wait_is_one_rule_counted_from_registration():
    """SOP 04 «Максимальный срок ожидания оказания услуги: 1-4 дня»: 4 working days after registration by default,
    whatever the ground; the institution may choose 1-4."""
    # registered Friday 08.05.2026: 12, 13, 14, 15 May (11 May is a day off)
    assert w.patronage_deadline(date(2026, 5, 8)) == date(2026, 5, 15)
    assert w.patronage_deadline(date(2026, 5, 8), wait_days=1) == date(2026, 5, 12)
    for bad in (0, 5):
        with pytest.raises(ValueError):
            w.patronage_deadline(date(2026, 5, 8), wait_days=bad)


def test_sop04_saturday_referral_visit_deadline_is_not_before_registration_deadline():
    # Saturday 05.12.2026: registration by Wednesday 09.12 (7, 8, 9 December)
    saturday = date(2026, 12, 5)
    assert saturday.weekday() == 5
    registration = w.referral_registration_deadline(saturday)
    assert registration == date(2026, 12, 9)
    # registered the day it arrived: the wait runs Mon-Thu, 10.12 -- after the registration deadline
    assert w.patronage_deadline(saturday) == date(2026, 12, 10)
    # registered on the last day: 10, 11, 14, 15 December
    assert w.patronage_deadline(registration) == date(2026, 12, 15)
    # the source document's term replaces the 3 days (it concerns registration)
    assert w.referral_registration_deadline(saturday, basis_deadline=date(2026, 12, 7)) == date(2026, 12, 7)


def test_patronage_wait_is_one_rule_from_registration():
    """SOP 04: at most 4 working days from registration to the first service, whatever the ground."""
    assert w.MAX_WAIT_DAYS == 4
    # registered Friday 08.05.2026: 12, 13, 14, 15 May (11.05 is a holiday)
    assert w.patronage_deadline(date(2026, 5, 8)) == date(2026, 5, 15)
    # received Saturday 05.12.2026: registration due Wednesday 09.12; registered that Saturday, the wait
    # ends Thursday 10.12 — never before the registration deadline
    reg_due = w.referral_registration_deadline(date(2026, 12, 5))
    assert reg_due == date(2026, 12, 9)
    assert w.patronage_deadline(date(2026, 12, 5), reg_due) == date(2026, 12, 10)
    assert w.patronage_deadline(date(2026, 12, 5), reg_due, wait_days=1) == date(2026, 12, 9)


# --- overrides and confirmed years ----------------------------------------


def test_confirmed_years_and_warning():
    assert w.is_confirmed_year(2025) and w.is_confirmed_year(2026)
    assert not w.is_confirmed_year(2027)
    start = date(2026, 12, 28)
    due = w.first_contact_deadline(start)
    assert due.year == 2027
    assert w.unconfirmed_years(start, due) == (2027,)
    assert w.deadline_warning(start, due) == (
        "Производственный календарь на 2027 год не подтверждён: срок может сдвинуться"
    )
    assert w.deadline_warning(date(2026, 3, 2), date(2026, 3, 5)) is None
    assert w.deadline_warning(date(2026, 12, 1), date(2028, 1, 10)) == (
        "Производственные календари на 2027 и 2028 годы не подтверждены: срок может сдвинуться"
    )
    w.set_confirmed_years({2027})
    assert w.is_confirmed_year(2027)
    assert w.deadline_warning(start, due) is None
    assert w.get_confirmed_years() == {2027}


def test_overrides_change_2027():
    fri = date(2027, 3, 5)
    assert w.is_working_day(fri)
    assert w.add_working_days(date(2027, 3, 4), 1) == fri
    w.set_overrides({fri: "holiday", date(2027, 3, 6): "working", date(2027, 3, 9): "short"})
    assert not w.is_working_day(fri)
    assert w.add_working_days(date(2027, 3, 4), 1) == date(2027, 3, 6)  # Saturday worked
    assert w.is_short_day(date(2027, 3, 9))
    assert w.working_hours(date(2027, 3, 9)) == (time(9), time(17))
    assert w.working_hours(fri) is None
    assert w.get_overrides()[fri] == "holiday"
    # overrides beat the verified calendar too
    w.set_overrides({date(2026, 12, 31): "working"})
    assert w.is_working_day(date(2026, 12, 31))
    assert not w.is_short_day(date(2026, 12, 31))
    w.set_overrides({pendulum.date(2026, 5, 8): "working"})
    assert not w.is_short_day(date(2026, 5, 8))
    w.set_overrides({})
    assert w.is_short_day(date(2026, 5, 8))
    with pytest.raises(ValueError):
        w.set_overrides({fri: "vacation"})


# --- state and texts ----------------------------------------------------------


def test_deadline_state():
    due = date(2026, 3, 5)
    assert w.deadline_state(due, date(2026, 3, 4)) == "ok"
    assert w.deadline_state(due, due) == "today"
    assert w.deadline_state(due, date(2026, 3, 6)) == "overdue"
    assert w.deadline_state(due, date(2026, 3, 6), done=True) == "done"


def test_deadline_countdown_text():
    due = date(2026, 1, 14)
    assert w.deadline_countdown_text(due, due) == "сегодня"
    assert w.deadline_countdown_text(due, date(2026, 1, 12)) == "осталось 2 раб. дн."
    assert w.deadline_countdown_text(due, date(2025, 12, 30)) == "осталось 3 раб. дн."
    assert w.deadline_countdown_text(due, date(2026, 1, 19)) == "просрочено на 3 раб. дн."
    # long forms with plurals
    assert w.deadline_countdown_text(due, date(2026, 1, 13), long=True) == "остался 1 рабочий день"
    assert w.deadline_countdown_text(due, date(2026, 1, 12), long=True) == "осталось 2 рабочих дня"
    assert w.deadline_countdown_text(date(2026, 1, 20), date(2026, 1, 13), long=True) == ("осталось 5 рабочих дней")
    assert w.deadline_countdown_text(due, date(2026, 1, 15), long=True) == ("просрочено на 1 рабочий день")
    # due on a day off with no working day left / overdue by days off only
    sat = date(2026, 3, 14)
    assert w.deadline_countdown_text(sat, date(2026, 3, 13)) == "сегодня последний рабочий день"
    assert w.deadline_countdown_text(date(2026, 3, 15), sat) == "рабочих дней до срока не осталось"
    assert w.deadline_countdown_text(date(2026, 3, 13), sat) == "просрочено"


@pytest.mark.parametrize(
    "n, expected",
    [
        (0, "дней"),
        (1, "день"),
        (2, "дня"),
        (4, "дня"),
        (5, "дней"),
        (11, "дней"),
        (12, "дней"),
        (14, "дней"),
        (21, "день"),
        (22, "дня"),
        (25, "дней"),
        (101, "день"),
        (111, "дней"),
        (-1, "день"),
        (-3, "дня"),
    ],
)
def test_plural_ru(n, expected):
    assert w.plural_ru(n, "день", "дня", "дней") == expected


# --- years after the package's last decree: art. 112 part 2 (issue 13 point 15) ---------------------------


@pytest.mark.parametrize(
    "day_off,holiday",
    [
        (date(2028, 11, 6), "04.11.2028 is a Saturday"),
        (date(2029, 11, 5), "04.11.2029 is a Sunday"),
        (date(2030, 2, 25), "23.02.2030 is a Saturday"),
        (date(2028, 6, 12), "12.06.2028 is a Monday itself"),
    ],
)
def test_art112_a_weekend_holiday_moves_the_day_off_to_the_next_working_day(day_off, holiday):
    assert not w.is_working_day(day_off), holiday
    # still not confirmed: the decree may move other days
    assert w.deadline_warning(day_off - timedelta(days=3), day_off) == (
        f"Производственный календарь на {day_off.year} год не подтверждён: срок может сдвинуться"
    )


def test_art112_the_january_holidays_are_not_moved_without_a_decree():
    # 01.01.2028 is a Saturday, 02.01 a Sunday: only a decree moves them, so 10.01.2028 stays working
    assert w.is_working_day(date(2028, 1, 10))
    assert w.is_working_day(date(2030, 1, 9))


def test_art112_a_deadline_over_the_moved_day_off_steps_over_it():
    # Friday 03.11.2028 + 1 working day: Saturday 04.11 holiday, Sunday, Monday 06.11 moved off -> Tuesday 07.11
    assert w.add_working_days(date(2028, 11, 3), 1) == date(2028, 11, 7)


def test_the_pinned_holidays_package_carries_the_2027_decree():
    # pyproject pins holidays>=0.107: the first release with the 2027 decree (22.02, 05.11, 31.12.2027 off)
    assert not w.is_working_day(date(2027, 2, 22))
    assert not w.is_working_day(date(2027, 11, 5))
    assert w.is_working_day(date(2027, 2, 20))  # the Saturday worked instead
