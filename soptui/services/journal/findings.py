"""One finding of the head's audit (issue 12 point 5): a record that breaks an SOP rule.

Each audit check returns a list of `Finding`; the report groups them by `check`, counts them, shows
each line and opens its record (`target`, the same ``(kind, id)`` pair Today's rows carry:
"client", "call", "visit", "session"). The PDF lists them under the same titles.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    check: str  # the check's key, e.g. "registration_late", "wait_over"
    title: str  # the check's title in the report, Russian: «Регистрация обращения позже срока»
    sop: str  # "01".."05"
    when: dt.date  # the day the finding is about (received, planned, held...)
    client_name: str  # «Петров Илья Сергеевич» (or the club's name for a session)
    staff_name: str  # who is responsible, short form «Иванова М.С.»; «—» when nobody
    detail: str  # what is wrong, Russian: «зарегистрировано 09.12 при сроке 07.12 (на 2 раб. дн. позже)»
    target: tuple[str, int] | None = None  # the record to open
