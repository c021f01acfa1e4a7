"""The institution's local clock (Asia/Yekaterinburg by default); tests pin it with set_fixed()."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

_tz = ZoneInfo("Asia/Yekaterinburg")
_fixed: dt.datetime | None = None


def set_timezone(name: str) -> None:
    global _tz
    _tz = ZoneInfo(name)


def set_fixed(moment: dt.datetime | None) -> None:
    """Freeze now() at a naive local time (None unfreezes)."""
    global _fixed
    _fixed = moment


def now() -> dt.datetime:
    """Naive local time of the institution, to the second: every stored time is in it."""
    if _fixed is not None:
        return _fixed
    return dt.datetime.now(_tz).replace(tzinfo=None, microsecond=0)


def today() -> dt.date:
    return now().date()


def greeting(moment: dt.datetime | None = None) -> str:
    """SOP 01: «Доброе утро» before 12:00, «Добрый день» 12:00-18:00, «Добрый вечер» after."""
    t = (moment or now()).time()
    if t < dt.time(12, 0):
        return "Доброе утро"
    if t < dt.time(18, 0):
        return "Добрый день"
    return "Добрый вечер"


def fmt_date(d: dt.date | None) -> str:
    return d.strftime("%d.%m.%Y") if d else ""


def fmt_datetime(d: dt.datetime | None) -> str:
    return d.strftime("%d.%m.%Y %H:%M") if d else ""


def parse_date(text: str) -> dt.date:
    """Parse ДД.ММ.ГГГГ; raise ValueError with a Russian message (a well-formed date that does not exist, such
    as 31.02.2026, is told apart from a badly written one)."""
    text = text.strip()
    try:
        return dt.datetime.strptime(text, "%d.%m.%Y").date()
    except ValueError:
        pass
    parts = text.split(".")
    if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[2]) == 4 and len(parts[1]) <= 2:
        month = int(parts[1])
        if not 1 <= month <= 12:
            raise ValueError(f"Такой даты нет: {text} (месяц — от 01 до 12).") from None
        if len(parts[0]) <= 2:
            why = "день — от 01" if int(parts[0]) == 0 else "в этом месяце меньше дней"
            raise ValueError(f"Такой даты нет: {text} ({why}).") from None
    raise ValueError("Дата должна быть в виде ДД.ММ.ГГГГ, например 25.11.2026.") from None


def parse_time(text: str) -> dt.time:
    """Parse ЧЧ:ММ; raise ValueError with a Russian message (25:00 or 10:75 is told apart from a badly
    written time)."""
    try:
        return dt.datetime.strptime(text.strip(), "%H:%M").time()
    except ValueError:
        pass
    parts = text.strip().split(":")
    if len(parts) == 2 and all(p.isdigit() and 1 <= len(p) <= 2 for p in parts):
        if int(parts[0]) > 23:
            raise ValueError(f"Такого времени нет: {text.strip()} (часы — от 00 до 23).") from None
        raise ValueError(f"Такого времени нет: {text.strip()} (минуты — от 00 до 59).") from None
    raise ValueError("Время должно быть в виде ЧЧ:ММ, например 14:30.") from None
