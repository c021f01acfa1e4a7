"""The client's feedback on a call (SOP 03 §8: the head checks the calls «по отзывам клиентов»).

Asked at the end of the conversation or later; kept on the call with who wrote it and when. Only a
finished call that reached the person can have feedback. Saving is version-checked, like every record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from soptui.core import clock
from soptui.db import models as m
from soptui.db import store
from soptui.db.connection import write_transaction
from soptui.domain.service_time import NOT_DELIVERED
from soptui.services import access
from soptui.services.calls._common import CallError
from soptui.services.staff import Names

MAX_TEXT = 2000


@dataclass(frozen=True)
class CallFeedback:
    call_id: int
    version: int
    can_have: bool  # a finished call that reached the person
    score: int | None  # 1..5
    text: str
    at: dt.datetime | None
    by: str  # «Иванова М.С.»


def call_feedback(call_id: int) -> CallFeedback:
    """The call's feedback as stored (score None and empty text: nobody asked yet)."""
    access.require_call(None, call_id)  # access: client
    call = m.PhoneCall.get_or_none(m.PhoneCall.id == call_id)
    if call is None:
        raise CallError("Звонок не найден: возможно, его удалили.")
    return CallFeedback(
        call.id,
        call.version,
        _can_have(call),
        call.feedback_score,
        call.feedback_text,
        call.feedback_at,
        Names().short(call.feedback_by_id) if call.feedback_by_id else "",
    )


def _can_have(call: m.PhoneCall) -> bool:
    return call.state == "finished" and call.outcome not in NOT_DELIVERED


def save_call_feedback(call_id: int, version: int, score: int | None, text: str) -> int:
    """Write the client's feedback; returns the new version. A stale version raises store.ConflictError."""
    actor = access.require_call(None, call_id)  # access: client
    text = text.strip()
    if score is not None and not (isinstance(score, int) and 1 <= score <= 5):
        raise CallError("Оценка — от 1 до 5.")
    if score is None and not text:
        raise CallError("Укажите оценку или запишите отзыв клиента.")
    if len(text) > MAX_TEXT:
        raise CallError(f"Отзыв длиннее {MAX_TEXT} знаков: сократите его.")
    with write_transaction():
        call = m.PhoneCall.get_or_none(m.PhoneCall.id == call_id)
        if call is None:
            raise store.RecordGone()
        if not _can_have(call):
            raise CallError("Отзыв записывают только к состоявшемуся разговору.")
        original = {"feedback_score": call.feedback_score, "feedback_text": call.feedback_text}
        updated = store.update_versioned(
            m.PhoneCall,
            call_id,
            version,
            {
                "feedback_score": score,
                "feedback_text": text,
                "feedback_at": clock.now(),
                "feedback_by": actor.id or None,
            },
            original,
        )
    return updated.version
