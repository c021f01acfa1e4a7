"""The calls' SOP rules that are data or arithmetic: SOP 01 channels and grounds, where a meeting takes place,
and the SOP 02 recurring sessions on working days only. Plain Python: no Textual, no database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from soptui.domain import workdays

# SOP 01 §5: «Услуга преимущественно, оказывается, через организацию видеозвонка любым способом через Skype,
# WhatsApp, Viber, Messenger, Zoom и др.»
CALL_CHANNELS = {
    "phone": "телефон",
    "whatsapp": "видеозвонок WhatsApp",
    "viber": "видеозвонок Viber",
    "skype": "видеозвонок Skype",
    "messenger": "видеозвонок Messenger",
    "zoom": "видеозвонок Zoom",
    "telegram": "видеозвонок Telegram",
    "vk": "видеозвонок VK",
    "other_video": "другой видеозвонок",
}

# SOP 01 §5: «основания для предоставления услуги - в рамках ИПРА, осуществляется в случаях невозможности
# (отъезд, риск заразиться и т.д.) провести патронаж, консультирование лично. Услуга может быть оказана по
# просьбе клиента.»
CALL_GROUNDS = {
    "ipra": "в рамках ИПРА",
    "away": "невозможно провести патронаж, консультирование лично: отъезд",
    "infection": "невозможно провести патронаж, консультирование лично: риск заразиться",
    "impossible_other": "невозможно провести патронаж, консультирование лично: другое",
    "client_request": "по просьбе клиента",
}
GROUNDS_NEEDING_NOTE = ("impossible_other",)
# the same grounds, short enough for a choice in an 80-column dialog
CALL_GROUND_CHOICES = {
    "ipra": "в рамках ИПРА",
    "away": "патронаж лично невозможен: отъезд",
    "infection": "патронаж лично невозможен: риск заразиться",
    "impossible_other": "патронаж лично невозможен: другое (поясните)",
    "client_request": "по просьбе клиента",
}

# SOP 03 «мне нужно прийти к Вам, или Вам в учреждение»; SOP 01 «о встрече на дому или в учреждении»
MEETING_PLACES = {"home": "на дому (визит в семью)", "institution": "в учреждении"}

MAX_SESSIONS = 52  # recurring messenger sessions created at once (a year of weekly calls)


def ground_problem(ground: str, note: str) -> str | None:
    """Why a SOP 01 ground cannot be recorded (Russian), or None."""
    if ground not in CALL_GROUNDS:
        return "Укажите основание звонка (СОП 01, п. 5): ИПРА, невозможность патронажа или просьба клиента."
    if ground in GROUNDS_NEEDING_NOTE and not note.strip():
        return "Укажите, почему невозможно провести патронаж или консультирование лично."
    return None


def ground_text(ground: str, note: str = "") -> str:
    """«невозможно провести патронаж, консультирование лично: отъезд (до 15.12)»."""
    label = CALL_GROUNDS.get(ground, "")
    if not label:
        return ""
    return f"{label} ({note.strip()})" if note.strip() else label


@dataclass(frozen=True)
class Session:
    """One planned messenger session; `note` says why it is not on the agreed day."""

    at: dt.datetime
    note: str = ""


def session_times(start: dt.datetime, every_days: int, until: dt.date | None) -> list[Session]:
    """SOP 02: the recurring sessions from `start` every `every_days` days until `until` (at most MAX_SESSIONS).

    A session never falls on a non-working day (production calendar): it moves to the next working day, same
    time, with a note; the series keeps its own rhythm (the next session counts from the agreed day).
    """
    agreed: list[dt.datetime] = []
    if every_days <= 0 or until is None:
        agreed = [start]
    else:
        moment = start
        while moment.date() <= until and len(agreed) < MAX_SESSIONS:
            agreed.append(moment)
            moment += dt.timedelta(days=every_days)
    out: list[Session] = []
    taken: set[dt.date] = set()
    for moment in agreed:
        day = moment.date()
        if workdays.is_working_day(day):
            if day in taken:  # an earlier session was moved onto this day already
                continue
            out.append(Session(moment))
            taken.add(day)
            continue
        moved = workdays.next_working_day(day)
        if moved in taken:
            continue
        taken.add(moved)
        out.append(
            Session(
                dt.datetime.combine(moved, moment.time()),
                f"перенесён с {day:%d.%m.%Y}, нерабочий день",
            )
        )
    return out


def every_text(every_days: int) -> str:
    """«раз в неделю», «каждые 3 дн.», «однократно»."""
    named = {0: "однократно", 1: "каждый рабочий день", 7: "раз в неделю", 14: "раз в две недели", 30: "раз в месяц"}
    return named.get(every_days, f"каждые {every_days} дн.")
