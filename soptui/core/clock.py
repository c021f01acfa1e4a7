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
    """Parse ДД.ММ.ГГГГ; raise ValueError with a Russian message."""
    text = text.strip()
    try:
        return dt.datetime.strptime(text, "%d.%m.%Y").date()
    except ValueError:
        raise ValueError("Дата должна быть в виде ДД.ММ.ГГГГ, например 25.11.2026.") from None


def parse_time(text: str) -> dt.time:
    """Parse ЧЧ:ММ; raise ValueError with a Russian message."""
    try:
        return dt.datetime.strptime(text.strip(), "%H:%M").time()
    except ValueError:
        raise ValueError("Время должно быть в виде ЧЧ:ММ, например 14:30.") from None
