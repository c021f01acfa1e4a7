"""Schema versions: a fresh store is created at the newest version, an older one is upgraded.

Each migration is a function of a `playhouse.migrate` migrator, applied in one
transaction and recorded in `schema_version`. Never edit a released migration:
add the next one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import peewee as pw

from soptui.core.storecheck import SCHEMA_VERSION, StoreError, newer_schema_message
from soptui.db import models as m
from soptui.db.audit_chain import install_audit_guards

if TYPE_CHECKING:
    from playhouse.migrate import SchemaMigrator

Migration = Callable[["SchemaMigrator", pw.Database], None]


def _v2_staff_idle_lock(migrator: SchemaMigrator, database: pw.Database) -> None:
    """v2: a per-person idle lock time (shared workstations in busy rooms want shorter)."""
    from playhouse.migrate import migrate

    columns = {c.name for c in database.get_columns("staff")}
    if "idle_lock_minutes" not in columns:
        migrate(migrator.add_column("staff", "idle_lock_minutes", pw.IntegerField(null=True)))


def _v3_tamper_evident_audit(migrator: SchemaMigrator, database: pw.Database) -> None:
    """v3: the audit log gets a hash chain (rows already there are chained in id order) and the throttle table."""
    from playhouse.migrate import migrate

    columns = {c.name for c in database.get_columns("audit_log")}
    for name in ("prev_hash", "row_hash"):
        if name not in columns:
            migrate(migrator.add_column("audit_log", name, pw.CharField(default="")))
    database.create_tables([m.SignInThrottle], safe=True)
    from soptui.db.audit_chain import rechain_unhashed

    rechain_unhashed()


def _v4_measured_minutes(migrator: SchemaMigrator, database: pw.Database) -> None:
    """v4: the service log keeps the measured minutes of preparation, work and documentation, and the
    SOP norm beside them (entries written before keep 0: their minutes were the norms); and who wrote an
    entry, when, and why it was entered after the day."""
    from playhouse.migrate import migrate

    columns = {c.name for c in database.get_columns("service_entry")}
    for name in ("prep_minutes", "work_minutes", "doc_minutes", "norm_minutes"):
        if name not in columns:
            migrate(migrator.add_column("service_entry", name, pw.IntegerField(default=0)))
    # who wrote the entry, when, and why after the day (the performer stays in staff_id)
    if "recorded_by_id" not in columns:
        migrate(migrator.add_column("service_entry", "recorded_by_id", pw.IntegerField(null=True)))
    if "recorded_at" not in columns:
        migrate(migrator.add_column("service_entry", "recorded_at", pw.DateTimeField(null=True)))
    if "late_reason" not in columns:
        migrate(migrator.add_column("service_entry", "late_reason", pw.TextField(default="")))
    # a reminder (a messenger session) is closed as held or not held, with the reason
    reminder = {c.name for c in database.get_columns("reminder")}
    if "closed_as" not in reminder:
        migrate(migrator.add_column("reminder", "closed_as", pw.CharField(default="")))
    if "closed_reason" not in reminder:
        migrate(migrator.add_column("reminder", "closed_reason", pw.TextField(default="")))


def _v5_feedback_and_report_time(migrator: SchemaMigrator, database: pw.Database) -> None:
    """v5: client feedback on a call (SOP 03 §8 checks it) and the measured writing time of a group
    session's report (SOP 05 stage 4)."""
    from playhouse.migrate import migrate

    call = {c.name for c in database.get_columns("phone_call")}
    if "feedback_score" not in call:
        migrate(migrator.add_column("phone_call", "feedback_score", pw.IntegerField(null=True)))
    if "feedback_text" not in call:
        migrate(migrator.add_column("phone_call", "feedback_text", pw.TextField(default="")))
    if "feedback_at" not in call:
        migrate(migrator.add_column("phone_call", "feedback_at", pw.DateTimeField(null=True)))
    if "feedback_by_id" not in call:
        migrate(migrator.add_column("phone_call", "feedback_by_id", pw.IntegerField(null=True)))
    session = {c.name for c in database.get_columns("group_session")}
    if "report_seconds" not in session:
        migrate(migrator.add_column("group_session", "report_seconds", pw.IntegerField(default=0)))


def _v6_call_rules(migrator: SchemaMigrator, database: pw.Database) -> None:
    """v6: a call records its channel and ground (SOP 01), why the SOP 03 notice was not sent or was sent
    off hours, the meeting agreed (home or institution) and the SOP 02 sessions agreed with the client."""
    from playhouse.migrate import migrate

    columns = {c.name for c in database.get_columns("phone_call")}
    fields = {
        "channel": pw.CharField(default=""),
        "ground": pw.CharField(default=""),
        "ground_note": pw.TextField(default=""),
        "notice_skip_reason": pw.TextField(default=""),
        "notice_off_hours_reason": pw.TextField(default=""),
        "meeting_place": pw.CharField(default=""),
        "meeting_at": pw.DateTimeField(null=True),
        "client_session_at": pw.DateTimeField(null=True),
        "client_session_every_days": pw.IntegerField(default=0),
        "client_session_until": pw.DateField(null=True),
    }
    for name, field in fields.items():
        if name not in columns:
            migrate(migrator.add_column("phone_call", name, field))


def _v7_referral_registration(migrator: SchemaMigrator, database: pw.Database) -> None:
    """v7: SOP 04 registration is a step of its own: a late registration keeps its reason; the institution
    sets the wait from registration to the first service (1-4 working days, 4 by default). Referrals stored
    without a registration time were registered on arrival (the form always registered them)."""
    from playhouse.migrate import migrate

    referral = {c.name for c in database.get_columns("referral")}
    if "registration_late_reason" not in referral:
        migrate(migrator.add_column("referral", "registration_late_reason", pw.TextField(default="")))
    institution = {c.name for c in database.get_columns("institution")}
    if "service_wait_days" not in institution:
        migrate(migrator.add_column("institution", "service_wait_days", pw.IntegerField(default=4)))
    database.execute_sql("UPDATE referral SET registered_at = received_at WHERE registered_at IS NULL")


def _v8_print_command(migrator: SchemaMigrator, database: pw.Database) -> None:
    """v8: the institution's print command (every PDF is also sent to it when set)."""
    from playhouse.migrate import migrate

    if "print_command" not in {c.name for c in database.get_columns("institution")}:
        migrate(migrator.add_column("institution", "print_command", pw.CharField(default="")))


def _v9_output_dir(migrator: SchemaMigrator, database: pw.Database) -> None:
    """v9: the output folder set by the administrator (SOPTUI_OUTPUT still wins on a workstation)."""
    from playhouse.migrate import migrate

    if "output_dir" not in {c.name for c in database.get_columns("institution")}:
        migrate(migrator.add_column("institution", "output_dir", pw.CharField(default="")))


def _v10_group_stages(migrator: SchemaMigrator, database: pw.Database) -> None:
    """v10, SOP 05 stages as records: the club's analysis of surveys and personal files, a session's props,
    first acquaintance and extra flag, the reason a warned client joined, feedback per person with a score,
    and the informing of participants (a table of its own). The one-per-session satisfaction stays where it
    was, read as the legacy figure of sessions reported before v10. Extra sessions (added by hand, not
    moved) are found by their own audit «create» row: scheduled sessions were generated unaudited."""
    from playhouse.migrate import migrate

    def add(table: str, fields: dict[str, pw.Field]) -> None:
        columns = {c.name for c in database.get_columns(table)}
        for name, field in fields.items():
            if name not in columns:
                # NOT NULL with its default in the DDL itself: peewee's way for a NOT NULL column (add it
                # nullable, then rebuild the table on SQLite before 3.53) drops the table, and with foreign
                # keys on that DROP cascades: a club's sessions, marks and feedback would be deleted.
                migrate(migrator.add_column(table, name, field, allow_not_null=not field.null))

    def text() -> pw.Field:
        return pw.TextField(default="", constraints=[pw.SQL("DEFAULT ''")])

    def flag() -> pw.Field:
        return pw.BooleanField(default=False, constraints=[pw.SQL("DEFAULT FALSE")])

    add("club", {"analysis_note": text()})
    add("club_member", {"admit_warning": text(), "admit_reason": text(), "admit_by_id": pw.IntegerField(null=True)})
    add("group_session", {"props": text(), "first_meeting": flag(), "extra": flag()})
    add(
        "session_feedback",
        {
            "client_id": pw.IntegerField(null=True),
            "staff_id": pw.IntegerField(null=True),
            "score": pw.IntegerField(null=True),
        },
    )
    database.create_tables([m.SessionNotice], safe=True)
    m.GroupSession.update(extra=True).where(
        m.GroupSession.manual
        & m.GroupSession.moved_from.is_null()
        & m.GroupSession.id.in_(
            m.AuditLog.select(m.AuditLog.record_id).where(
                (m.AuditLog.action == "create") & (m.AuditLog.table == "group_session")
            )
        )
    ).execute()


MIGRATIONS: dict[int, Migration] = {
    2: _v2_staff_idle_lock,
    3: _v3_tamper_evident_audit,
    4: _v4_measured_minutes,
    5: _v5_feedback_and_report_time,
    6: _v6_call_rules,
    7: _v7_referral_registration,
    8: _v8_print_command,
    9: _v9_output_dir,
    10: _v10_group_stages,
}
CURRENT_VERSION = max(MIGRATIONS, default=1)
assert CURRENT_VERSION == SCHEMA_VERSION, "bump storecheck.SCHEMA_VERSION with a new migration"


def _migrator(database: pw.Database) -> SchemaMigrator:
    from playhouse.migrate import PostgresqlMigrator, SqliteMigrator

    if isinstance(database, pw.PostgresqlDatabase):
        return PostgresqlMigrator(database)
    return SqliteMigrator(database)


def stored_version(database: pw.Database) -> int | None:
    """The schema version of an existing store, or None for an empty one."""
    tables = set(database.get_tables())
    if "schema_version" not in tables:
        if tables & {"client", "staff"}:
            raise StoreError("База данных повреждена: в ней нет таблицы версий схемы soptui.")
        return None
    row = database.execute_sql("SELECT MAX(version) FROM schema_version").fetchone()
    return row[0] if row and row[0] is not None else None


# PostgreSQL: one schema change at a time (several app starts at nine o'clock must not race to create tables).
_PG_SCHEMA_LOCK = 0x50505453


def schema_complete(database: pw.Database) -> bool:
    """Every table, index and audit guard of this release is there: opening needs no DDL at all.

    DDL on an open PostgreSQL store locks tables exclusively (re-creating the audit trigger locked audit_log
    at every start, and starts deadlocked with writers), so a current store is opened without any."""
    tables = set(database.get_tables())
    if not {model._meta.table_name for model in m.ALL_MODELS} <= tables:
        return False
    wanted = {index._name for model in m.ALL_MODELS for index in model._meta.fields_to_index()}
    if isinstance(database, pw.PostgresqlDatabase):
        rows = database.execute_sql("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")
    else:
        rows = database.execute_sql("SELECT name FROM sqlite_master WHERE type = 'index'")
    if not wanted <= {r[0] for r in rows}:
        return False
    from soptui.db.audit_chain import audit_guards_installed

    return audit_guards_installed(database) and not _pg_repairs_due(database)


def _pg_repairs_due(database: pw.Database) -> list[str]:
    """Column types PostgreSQL stores created by earlier releases got wrong (no schema version: same schema)."""
    if not isinstance(database, pw.PostgresqlDatabase):
        return []
    row = database.execute_sql(
        "SELECT data_type FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND table_name = 'sign_in_throttle' AND column_name = 'last_failed_at'"
    ).fetchone()
    if row is not None and row[0] == "real":
        return ["ALTER TABLE sign_in_throttle ALTER COLUMN last_failed_at TYPE double precision"]
    return []


def ensure_schema(database: pw.Database) -> int:
    """Create or upgrade the schema of the bound database; return the version it is at."""
    version = stored_version(database)
    if version is not None and version > CURRENT_VERSION:
        raise StoreError(newer_schema_message(version))
    if version == CURRENT_VERSION and schema_complete(database):
        return CURRENT_VERSION
    # SQLite: peewee adds a NOT NULL column (before SQLite 3.53) by rebuilding the table, and with foreign keys
    # on, its DROP TABLE cascades: upgrading to v5 deleted every attendance mark with the rebuilt group_session.
    # An upgrade runs with them off (the pragma is ignored inside a transaction) and is checked before commit.
    guard = version is not None and not isinstance(database, pw.PostgresqlDatabase)
    if guard:
        database.execute_sql("PRAGMA foreign_keys = OFF")
    try:
        return _create_or_upgrade(database, version, guard)
    finally:
        if guard:
            database.execute_sql("PRAGMA foreign_keys = ON")


def _foreign_key_problems(database: pw.Database) -> int:
    return len(database.execute_sql("PRAGMA foreign_key_check").fetchall())


def _create_or_upgrade(database: pw.Database, version: int | None, guard: bool) -> int:
    with database.atomic():
        if isinstance(database, pw.PostgresqlDatabase):
            database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (_PG_SCHEMA_LOCK,))
            version = stored_version(database)  # another start may have done it meanwhile
            if version == CURRENT_VERSION and schema_complete(database):
                return CURRENT_VERSION
        if version is None:
            database.create_tables(m.ALL_MODELS)
            m.SchemaVersion.insert_many([{"version": v} for v in range(1, CURRENT_VERSION + 1)]).execute()
            install_audit_guards(database)
            return CURRENT_VERSION
        problems_before = _foreign_key_problems(database) if guard else 0
        migrator = _migrator(database)
        for target in range(version + 1, CURRENT_VERSION + 1):
            MIGRATIONS[target](migrator, database)
            m.SchemaVersion.create(version=target)
        # Tables added by later releases are created empty on upgrade.
        database.create_tables(m.ALL_MODELS, safe=True)
        for sql in _pg_repairs_due(database):
            database.execute_sql(sql)
        install_audit_guards(database)
        if guard and _foreign_key_problems(database) > problems_before:
            # rolled back: the store stays as it was, at its old version
            raise StoreError("Обновление базы данных нарушило связи между записями и отменено: база не изменена.")
    return CURRENT_VERSION
