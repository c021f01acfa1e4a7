"""What Today shows: one item per deadline, call, visit or session, and how items are ordered."""

from __future__ import annotations

from dataclasses import dataclass

STATE_ORDER = {"overdue": 0, "today": 1, "ok": 2, "info": 3, "done": 4}


@dataclass(frozen=True)
class TodayItem:
    section: str  # "Сроки по обращениям", "Звонки", "Патронаж", "Занятия"
    when: str  # "до 27.11.2026", "14:30"
    who: str
    what: str
    state: str  # overdue / today / ok / info
    target: tuple[str, int]  # ("client", id), ("call", id), ("visit", id), ("session", id)
    sort_key: str = ""
