"""Dates and times typed into any field (core.clock): a badly written one and one that does not exist get
different Russian sentences, so a worker who typed 31.02.2026 is not told to use the format they used."""

from __future__ import annotations

import datetime as dt

import pytest

from soptui.core import clock


@pytest.mark.parametrize(
    "parse, typed, message",
    [
        (clock.parse_date, "31.02.2026", "Такой даты нет: 31.02.2026 (в этом месяце меньше дней)."),
        (clock.parse_date, "31.11.2026", "Такой даты нет: 31.11.2026 (в этом месяце меньше дней)."),
        (clock.parse_date, "29.02.2027", "Такой даты нет: 29.02.2027 (в этом месяце меньше дней)."),
        (clock.parse_date, "00.11.2026", "Такой даты нет: 00.11.2026 (день — от 01)."),
        (clock.parse_date, "12.13.2026", "Такой даты нет: 12.13.2026 (месяц — от 01 до 12)."),
        (clock.parse_date, "2026-11-25", "Дата должна быть в виде ДД.ММ.ГГГГ, например 25.11.2026."),
        (clock.parse_date, "25.11.26", "Дата должна быть в виде ДД.ММ.ГГГГ, например 25.11.2026."),
        (clock.parse_date, "завтра", "Дата должна быть в виде ДД.ММ.ГГГГ, например 25.11.2026."),
        (clock.parse_time, "25:00", "Такого времени нет: 25:00 (часы — от 00 до 23)."),
        (clock.parse_time, "24:00", "Такого времени нет: 24:00 (часы — от 00 до 23)."),
        (clock.parse_time, "10:75", "Такого времени нет: 10:75 (минуты — от 00 до 59)."),
        (clock.parse_time, "10.30", "Время должно быть в виде ЧЧ:ММ, например 14:30."),
        (clock.parse_time, "полдень", "Время должно быть в виде ЧЧ:ММ, например 14:30."),
    ],
)
def test_one_that_does_not_exist_is_told_apart_from_a_badly_written_one(parse, typed, message):
    with pytest.raises(ValueError) as refused:
        parse(typed)
    assert str(refused.value) == message


def test_real_dates_and_times_still_parse():
    assert clock.parse_date(" 29.02.2028 ") == dt.date(2028, 2, 29)
    assert clock.parse_date("1.2.2026") == dt.date(2026, 2, 1)
    assert clock.parse_time("9:05") == dt.time(9, 5)
    assert clock.parse_time("23:59") == dt.time(23, 59)
