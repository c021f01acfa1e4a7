"""Measured minutes against the SOP norms (issue 12): hand-computed cases."""

import datetime as dt

from soptui.domain.service_time import (
    CALL_STAGES,
    NOT_DELIVERED,
    VISIT_STAGES,
    StageTimes,
    typed_minutes_problem,
    whole_minutes,
)


def test_whole_minutes_rounds_half_up_and_counts_any_stage_that_ran():
    assert [whole_minutes(s) for s in (0, 1, 29, 30, 89, 90, 31 * 60)] == [0, 1, 1, 1, 1, 2, 31]


def test_a_2_minute_sop03_call_is_2_minutes_not_its_60_minute_norm():
    t = StageTimes.measured(40, 95, 20, (20, 20, 20))  # 40 s, 1 min 35 s, 20 s: 2 min 35 s in all
    # the measured time rounded once (it was 4: each stage rounded up to a minute of its own), shared out by
    # the stages' seconds so they add up to it
    assert (t.prep, t.work, t.doc, t.total, t.norm) == (1, 2, 0, 3, 60)
    assert t.over(CALL_STAGES) == []
    assert t.describe(CALL_STAGES) == (
        "фактически: подготовка 1 мин (норма 20), разговор 2 мин (норма 20), "
        "документирование 0 мин (норма 20); всего 3 мин из 60 по норме"
    )
    assert t.entry_fields()["minutes"] == 3


def test_a_55_second_call_is_logged_as_1_minute_not_3():
    t = StageTimes.measured(24, 25, 6, (20, 20, 20))
    assert (t.prep, t.work, t.doc, t.total) == (0, 1, 0, 1)
    assert StageTimes.measured(0, 0, 0, (20, 20, 20)).total == 0


def test_a_visit_over_its_work_norm_is_flagged():
    t = StageTimes.measured(50 * 60, 47 * 60, 8 * 60 + 31, (60, 40, 10))
    assert (t.prep, t.work, t.doc, t.total, t.norm) == (50, 47, 9, 106, 110)
    assert t.over(VISIT_STAGES) == ["работа с семьёй"]
    assert t.describe(VISIT_STAGES).endswith("; сверх нормы: работа с семьёй")


def test_calls_that_did_not_reach_the_person():
    assert NOT_DELIVERED == {"no_answer", "callback"}


def test_minutes_are_shared_out_so_they_add_up():
    from soptui.domain.groups import share_minutes

    assert share_minutes(7, 3) == [3, 2, 2]
    assert share_minutes(2, 4) == [1, 1, 0, 0]
    assert share_minutes(9, 0) == []
    assert sum(share_minutes(61, 7)) == 61


def test_writing_clock_leaves_out_long_pauses():
    from soptui.domain.service_time import WritingClock

    w = WritingClock(idle_gap=300)
    w.touch(100.0)  # first edit: nothing measured yet
    w.touch(160.0)  # +60
    w.touch(1000.0)  # a 14-minute pause: not writing
    w.touch(1030.0)  # +30
    assert w.take(1090.0) == 150.0  # +60 up to the save
    assert w.seconds == 0 and w.take(2000.0) == 0.0  # starts again from zero


def test_access_log_details_are_words_not_keys():
    """Issue 15: «start: 2026-12-01, e…», «what: csv_groups» became sentences."""
    from soptui.domain.journal_labels import details_in_words

    export = {"what": "csv_groups", "from": "2026-12-01", "to": "2026-12-31", "rows": 40}
    assert details_in_words("export", export) == (
        "CSV занятий для ИС «Социальное обслуживание населения», за 01.12.2026–31.12.2026, строк: 40"
    )
    assert details_in_words("print", {"start": "2026-11-01", "end": "2026-11-30", "entries": 113}) == (
        "за 01.11.2026–30.11.2026, записей: 113"
    )
    state = {"notice_state": "answered", "notice_call_at": "2026-12-04T14:30:00"}
    assert details_in_words("notice_state", state) == "ответ на уведомление: ответил, позвонить в: 04.12.2026 14:30"
    changed = {"last_name": [1, 2], "phone": [1, 2], "sort_key": [1, 2], "version": [1, 2]}
    assert details_in_words("update", changed, frozenset({"version"})) == "фамилия, телефон, ещё полей: 1"


def test_typed_minutes_only_for_a_past_day_with_work_and_within_a_working_day():
    today, yesterday = dt.date(2026, 11, 25), dt.date(2026, 11, 24)
    assert typed_minutes_problem((60, 40, 10), yesterday, today) == ""
    assert typed_minutes_problem((0, 1, 0), yesterday, today) == ""
    assert typed_minutes_problem((0, 480, 480), yesterday, today) == ""
    assert "прошедший день" in typed_minutes_problem((60, 40, 10), today, today)
    assert "не меньше 1 минуты" in typed_minutes_problem((60, 0, 10), yesterday, today)
    for bad in ((-1, 40, 10), (60, 481, 10), (60, 40, 481)):
        assert "от 0 до 480" in typed_minutes_problem(bad, yesterday, today), bad
