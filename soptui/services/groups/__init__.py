"""Clubs and mutual-support groups (SOP 05), split by task:

- `clubs`: the club list and card, saving a club with its leaders, programme and schedule, session generation;
- `sessions`: single sessions (add, move, cancel, restore, delete), the session report and feedback;
- `members`: joining and leaving a club (a warned client joins only with a recorded reason), being informed
  of the schedule;
- `informing`: informing participants of a session (who, how, when) and the printed list;
- `rollcall`: the roll-call, the 2-per-week rule and one service log entry per attended session;
- `documents`: the attendance sheet, club plan and session report data, printed through `services.printing`;
- `export`: the CSV for «Социальное обслуживание населения»;
- `agenda`: today's sessions for the Today screen.

`from soptui.services import groups as g; g.save_roll_call(...)` works for every name in `__all__`.
"""

from __future__ import annotations

from soptui.services.groups._common import (
    LEADER_POSITIONS,
    GroupError,
    LimitViolation,
    ProgrammeRow,
    WeeklyLimitError,
    quoted,
    schedule_text,
)
from soptui.services.groups.agenda import today_items
from soptui.services.groups.clubs import (
    ClubCard,
    ClubData,
    ClubRow,
    MemberRow,
    SessionRow,
    club_sessions,
    get_club,
    leader_options,
    list_clubs,
    save_club,
    set_club_active,
)
from soptui.services.groups.documents import (
    MONTHS,
    AttendanceSheet,
    ClubPlan,
    SessionReport,
    SheetRow,
    attendance_sheet,
    club_plan,
    leader_full_names,
    print_attendance_sheet,
    print_club_plan,
    print_session_report,
    session_report,
)
from soptui.services.groups.export import CSV_COLUMNS, ExportResult, export_csv, export_rows
from soptui.services.groups.informing import (
    Informing,
    InformingList,
    NoticeRow,
    clear_informed,
    informing,
    informing_list,
    mark_informed,
    print_informing_list,
)
from soptui.services.groups.members import (
    AdmissionReasonRequired,
    add_member,
    membership_warnings,
    remove_member,
    set_informed,
)
from soptui.services.groups.rollcall import (
    RollCall,
    RollCallRow,
    SaveResult,
    override_approval_problem,
    roll_call,
    save_roll_call,
)
from soptui.services.groups.sessions import (
    REPORT_FIELDS,
    FeedbackRow,
    SessionDetail,
    add_feedback,
    add_session,
    cancel_session,
    delete_feedback,
    delete_session,
    get_session,
    move_session,
    restore_session,
    save_session_report,
)

__all__ = [
    "AdmissionReasonRequired",
    "Informing",
    "InformingList",
    "NoticeRow",
    "clear_informed",
    "informing",
    "informing_list",
    "mark_informed",
    "membership_warnings",
    "print_informing_list",
    "CSV_COLUMNS",
    "LEADER_POSITIONS",
    "MONTHS",
    "REPORT_FIELDS",
    "AttendanceSheet",
    "ClubCard",
    "ClubData",
    "ClubPlan",
    "ClubRow",
    "ExportResult",
    "FeedbackRow",
    "GroupError",
    "LimitViolation",
    "MemberRow",
    "ProgrammeRow",
    "RollCall",
    "RollCallRow",
    "SaveResult",
    "SessionDetail",
    "SessionReport",
    "SessionRow",
    "SheetRow",
    "WeeklyLimitError",
    "add_feedback",
    "add_member",
    "add_session",
    "attendance_sheet",
    "cancel_session",
    "club_plan",
    "club_sessions",
    "delete_feedback",
    "delete_session",
    "export_csv",
    "export_rows",
    "get_club",
    "get_session",
    "leader_full_names",
    "leader_options",
    "list_clubs",
    "move_session",
    "print_attendance_sheet",
    "print_club_plan",
    "print_session_report",
    "quoted",
    "remove_member",
    "restore_session",
    "roll_call",
    "save_club",
    "save_roll_call",
    "override_approval_problem",
    "save_session_report",
    "schedule_text",
    "session_report",
    "set_club_active",
    "set_informed",
    "today_items",
]
