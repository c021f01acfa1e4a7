"""Calls of SOP 01-03: who can be called, the call's life, its outcome and records, reminders, lists, printing.

`from soptui.services import calls; calls.finish_call(...)` is the way in; the modules split it by task:
context (who, call hours), lifecycle (the record, start, progress, notice, abandon), finish (outcomes and
their records), reminders, lists (call list, phone-conversation log), documents (printing), agenda (Today).
"""

from soptui.domain.labels import CALL_STATES, OUTCOME_LABELS
from soptui.services.calls._common import (
    NOTICE_STATES,
    CallError,
    is_mobile,
    messengers_text,
    notice_label,
)
from soptui.services.calls.agenda import today_items
from soptui.services.calls.context import (
    NO_PHONE_MESSAGE,
    CallContext,
    CallPerson,
    ReferralBrief,
    call_context,
    call_hours_problem,
    check_future_working_time,
    default_person,
    work_window,
)
from soptui.services.calls.documents import (
    CallForm,
    PhoneLog,
    call_form_data,
    phone_log_data,
    print_call_form,
    print_phone_log,
)
from soptui.services.calls.feedback import CallFeedback, call_feedback, save_call_feedback
from soptui.services.calls.finish import (
    MAX_SESSIONS,
    MEETING_OUTCOMES,
    CallOutcome,
    FinishResult,
    check_meeting,
    finish_call,
    session_times,
    validate_outcome,
)
from soptui.services.calls.lifecycle import (
    CallRecord,
    abandon_call,
    get_call,
    in_progress_call,
    notice_missing,
    notice_required,
    record_notice_sent,
    save_progress,
    set_details,
    set_notice_state,
    skip_notice,
    sms_text,
    staff_values,
    start_call,
)
from soptui.services.calls.lists import CallRow, LogEntry, list_calls, log_entry, phone_log, scope_for
from soptui.services.calls.reminders import ReminderInfo, complete_reminder, get_reminder

__all__ = [
    "CallFeedback",
    "call_feedback",
    "save_call_feedback",
    "skip_notice",
    "set_details",
    "notice_required",
    "notice_missing",
    "is_mobile",
    "check_meeting",
    "CALL_STATES",
    "MAX_SESSIONS",
    "MEETING_OUTCOMES",
    "NOTICE_STATES",
    "NO_PHONE_MESSAGE",
    "OUTCOME_LABELS",
    "CallContext",
    "CallError",
    "CallForm",
    "CallOutcome",
    "CallPerson",
    "CallRecord",
    "CallRow",
    "FinishResult",
    "LogEntry",
    "PhoneLog",
    "ReferralBrief",
    "ReminderInfo",
    "abandon_call",
    "call_context",
    "call_form_data",
    "call_hours_problem",
    "check_future_working_time",
    "complete_reminder",
    "default_person",
    "finish_call",
    "get_call",
    "get_reminder",
    "in_progress_call",
    "list_calls",
    "log_entry",
    "messengers_text",
    "notice_label",
    "phone_log",
    "phone_log_data",
    "print_call_form",
    "print_phone_log",
    "record_notice_sent",
    "save_progress",
    "scope_for",
    "session_times",
    "set_notice_state",
    "sms_text",
    "staff_values",
    "start_call",
    "today_items",
    "validate_outcome",
    "work_window",
]
