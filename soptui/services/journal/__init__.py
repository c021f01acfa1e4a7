"""Журнал: the service log («журнал учета услуг»), the head's audit summary and the audit log.

Every SOP ends with "the head of department checks the service log and the records during audits".
The parts, by task:
- `service_log`: filters, pages, totals and the printed log;
- `audit_summary`: the head's report of deadlines, documents and services for a period;
- `audit_log`: the global audit log (152-FZ: who viewed or changed whose record) and printouts audited;
- `choices`: what the filters offer the actor;
- `common`: page limits, who is asking, who signs.
Labels and the period rules are plain domain code (`soptui.domain.journal_labels`, `soptui.domain.period`).
Everything returns plain dataclasses; callers write `journal.service_page(...)` through this package.
"""

from __future__ import annotations

from soptui.domain.journal_labels import (
    ACTION_LABELS,
    SOURCE_LABELS,
    TABLE_LABELS,
    minutes_text,
    service_label,
    sop_label,
)
from soptui.domain.period import month_period, parse_period, validate_period
from soptui.services.errors import AccessDenied
from soptui.services.journal.audit_log import AuditFilters, AuditLine, AuditPage, audit_page, record_print
from soptui.services.journal.audit_summary import (
    MAX_LIST,
    AuditSummary,
    ReferralLine,
    SopCount,
    VisitLine,
    audit_summary,
    print_audit_report,
)
from soptui.services.journal.choices import FilterChoices, filter_choices
from soptui.services.journal.common import MAX_LIMIT, PAGE_SIZE
from soptui.services.journal.service_log import (
    MAX_PRINT_ROWS,
    JournalFilters,
    ServiceLogReport,
    ServicePage,
    ServiceRow,
    TooManyRows,
    TotalRow,
    Totals,
    iter_service_rows,
    print_service_log,
    service_log_report,
    service_page,
    totals,
    totals_by_sop,
    totals_by_staff,
)
from soptui.services.staff import Choice

__all__ = [
    "ACTION_LABELS",
    "MAX_LIMIT",
    "MAX_LIST",
    "MAX_PRINT_ROWS",
    "PAGE_SIZE",
    "SOURCE_LABELS",
    "TABLE_LABELS",
    "AccessDenied",
    "AuditFilters",
    "AuditLine",
    "AuditPage",
    "AuditSummary",
    "Choice",
    "FilterChoices",
    "JournalFilters",
    "ReferralLine",
    "ServiceLogReport",
    "ServicePage",
    "ServiceRow",
    "SopCount",
    "TooManyRows",
    "TotalRow",
    "Totals",
    "VisitLine",
    "audit_page",
    "audit_summary",
    "filter_choices",
    "iter_service_rows",
    "minutes_text",
    "month_period",
    "parse_period",
    "print_audit_report",
    "print_service_log",
    "record_print",
    "service_label",
    "service_log_report",
    "service_page",
    "sop_label",
    "totals",
    "totals_by_sop",
    "totals_by_staff",
    "validate_period",
]

from soptui.services.journal.workload import Workload, WorkloadRow, print_workload, staff_workload  # noqa: E402

__all__ += ["Workload", "WorkloadRow", "print_workload", "staff_workload"]
