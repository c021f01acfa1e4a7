"""Peewee models for the whole domain of the five SOPs.

Every model carries a `version` counter: services update with
`WHERE id = ? AND version = ?` so two people editing the same record never
silently overwrite each other (see `soptui.db.store.update_versioned`).
Choice codes are English; their Russian labels live in `soptui.domain.labels`.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt

import peewee as pw

from soptui.core.text import ControlCharacters, has_control_characters
from soptui.db.connection import db

_copying = contextvars.ContextVar("soptui_copying_rows", default=False)


@contextlib.contextmanager
def copying_rows():
    """Rows copied as they are stored (migrate-to, restore): text written before the refusal below existed
    is carried over, less the NUL that PostgreSQL cannot hold, instead of stopping the copy."""
    token = _copying.set(True)
    try:
        yield
    finally:
        _copying.reset(token)


def stored_text(value):
    """Text as it may be stored: NUL and other control characters are refused, on every engine.

    PostgreSQL refuses a NUL in text with an English driver error and SQLite kept it, so a pasted note behaved
    differently by engine. No text column takes a control character now (tab and line breaks are text): every
    write raises ControlCharacters, a ValueError with one Russian message, before the driver sees the value.
    """
    if isinstance(value, str) and has_control_characters(value, multiline=True):
        if _copying.get():
            return value.replace("\x00", "")
        raise ControlCharacters()
    return value


class CharField(pw.CharField):
    def db_value(self, value):
        return super().db_value(stored_text(value))


class TextField(pw.TextField):
    def db_value(self, value):
        return super().db_value(stored_text(value))


def _now() -> dt.datetime:
    """The institution's local time: every stored time is in it (see soptui.core.clock)."""
    from soptui.core import clock

    return clock.now()


class BaseModel(pw.Model):
    """Common columns: optimistic-lock version and timestamps."""

    version = pw.IntegerField(default=1)
    created_at = pw.DateTimeField(default=_now)
    updated_at = pw.DateTimeField(default=_now)

    class Meta:
        database = db
        legacy_table_names = False

    # A row by its id is the commonest read of every service operation: its SQL is kept (soptui.db.prepared)
    # instead of being built again for each call. Anything but a plain integer id goes the ordinary way.
    @classmethod
    def get_or_none(cls, *query, **filters):
        record_id = _plain_id_lookup(cls, query, filters)
        if record_id is None:
            return super().get_or_none(*query, **filters)
        from soptui.db import prepared

        return prepared.get(cls, record_id)

    @classmethod
    def get(cls, *query, **filters):  # also what a foreign key's lazy load (`call.client`) runs
        record_id = _plain_id_lookup(cls, query, filters)
        if record_id is None:
            return super().get(*query, **filters)
        return cls.get_by_id(record_id)

    @classmethod
    def get_by_id(cls, pk):
        if type(pk) is not int:
            return super().get_by_id(pk)
        from soptui.db import prepared

        row = prepared.get(cls, pk)
        if row is None:
            raise cls.DoesNotExist(f"{cls.__name__} instance matching query does not exist: id={pk}")
        return row


def _plain_id_lookup(model, query: tuple, filters: dict) -> int | None:
    """The id of `get_or_none(Model.id == 5)` or `get_or_none(id=5)`; None for any other query."""
    pk = model._meta.primary_key
    if not query and len(filters) == 1:
        value = filters.get(pk.name)
        return value if type(value) is int else None
    if filters or len(query) != 1:
        return None
    expr = query[0]
    if isinstance(expr, pw.Expression) and expr.lhs is pk and expr.op == pw.OP.EQ and type(expr.rhs) is int:
        return expr.rhs
    return None


class SchemaVersion(pw.Model):
    """Applied schema migrations, one row per version."""

    version = pw.IntegerField(primary_key=True)
    applied_at = pw.DateTimeField(default=_now)

    class Meta:
        database = db
        table_name = "schema_version"


# --- organisation ---------------------------------------------------------


class Institution(BaseModel):
    """The centre itself (a single row): names, contacts, working hours, time zone."""

    full_name = CharField()  # with the form of ownership, as SOP 03 requires
    short_name = CharField(default="")
    address = CharField(default="")
    phone = CharField(default="")
    work_start = CharField(default="09:00")
    work_end = CharField(default="18:00")
    timezone = CharField(default="Asia/Yekaterinburg")
    idle_lock_minutes = pw.IntegerField(default=10)
    service_wait_days = pw.IntegerField(default=4)  # v7: SOP 04 wait from registration to the first service, 1-4
    print_command = CharField(default="")  # v8, e.g. «lp -d ПРИНТЕР»: every PDF is also sent to it ("" = folder only)
    output_dir = CharField(default="")  # v9: where PDFs and exports are written ("" = ~/Documents/soptui)


class Department(BaseModel):
    name = CharField(unique=True)
    short_name = CharField(default="")
    phone = CharField(default="")
    working_hours = CharField(default="пн-пт 09:00-18:00")


class Staff(BaseModel):
    """A member of staff who signs in. role: specialist / head / admin; position: see choices.POSITIONS."""

    last_name = CharField()
    first_name = CharField()
    patronymic = CharField(default="")
    position = CharField()  # social_work_specialist, social_worker, psychologist, ...
    role = CharField(default="specialist", index=True)
    department = pw.ForeignKeyField(Department, null=True, backref="staff", on_delete="SET NULL")
    login = CharField(unique=True)
    password_hash = CharField()
    active = pw.BooleanField(default=True)
    failed_attempts = pw.IntegerField(default=0)
    locked_until = pw.DateTimeField(null=True)
    phone = CharField(default="")
    email = CharField(default="")
    idle_lock_minutes = pw.IntegerField(null=True)  # schema v2; None = the institution's default


# --- clients and their people ------------------------------------------------


class Client(BaseModel):
    """A recipient of social services (or a potential one, from a referral)."""

    last_name = CharField()
    first_name = CharField()
    patronymic = CharField(default="")
    name_key = CharField(index=True)  # fold("фамилия имя отчество") for sorting and exact checks
    birth_date = pw.DateField(null=True, index=True)
    category = CharField(default="child")  # child / elderly / disabled_adult
    department = pw.ForeignKeyField(Department, null=True, backref="clients", on_delete="SET NULL")
    address = CharField(default="")
    remote_territory = pw.BooleanField(default=False)  # SOP 04: transport needed
    status = CharField(default="potential", index=True)  # potential / served / refused / closed
    status_reason = TextField(default="")
    status_changed_at = pw.DateTimeField(default=_now)
    ipra_number = CharField(default="")
    ipra_start = pw.DateField(null=True)
    ipra_end = pw.DateField(null=True)
    consent_date = pw.DateField(null=True)  # 152-FZ consent to personal-data processing
    assigned_staff = pw.ForeignKeyField(Staff, null=True, backref="clients", on_delete="SET NULL")
    notes = TextField(default="")


class ClientStatusChange(BaseModel):
    """Status history: potential -> served -> closed, or refused; reopening keeps the trail."""

    client = pw.ForeignKeyField(Client, backref="status_changes", on_delete="CASCADE")
    old_status = CharField(default="")
    new_status = CharField()
    reason = TextField(default="")
    changed_at = pw.DateTimeField(default=_now)
    staff = pw.ForeignKeyField(Staff, null=True, on_delete="SET NULL")


class Representative(BaseModel):
    """A child's legal representative (SOP 01, SOP 03)."""

    client = pw.ForeignKeyField(Client, backref="representatives", on_delete="CASCADE")
    relation = CharField(default="мать")
    last_name = CharField()
    first_name = CharField()
    patronymic = CharField(default="")
    preferred_call_time = CharField(default="")
    notes = TextField(default="")


class Contact(BaseModel):
    """A relative or friend of a client (SOP 02 messenger calls)."""

    client = pw.ForeignKeyField(Client, backref="contacts", on_delete="CASCADE")
    kind = CharField(default="relative")  # relative / friend
    relation = CharField(default="")
    last_name = CharField(default="")
    first_name = CharField()
    patronymic = CharField(default="")
    notes = TextField(default="")


class ContactPoint(BaseModel):
    """A phone number (E.164) or messenger handle of a client, representative or contact."""

    client = pw.ForeignKeyField(Client, null=True, backref="contact_points", on_delete="CASCADE")
    representative = pw.ForeignKeyField(Representative, null=True, backref="contact_points", on_delete="CASCADE")
    contact = pw.ForeignKeyField(Contact, null=True, backref="contact_points", on_delete="CASCADE")
    channel = CharField(default="phone")  # phone / whatsapp / telegram / vk / viber / skype / other
    value = CharField()
    note = CharField(default="")


class ClientSearchTerm(pw.Model):
    """Search index: folded name words and phone digits, each queried as an index range.

    kind 'n' = a folded name word (client, representative or contact);
    kind 'f' = a 1-6 letter prefix of such a word, queried by equality so the rows come
    out of the (kind, term, weight, sort_key) index already in result order;
    kind 'p' = national phone digits, 'r' = the same reversed ("last 4 digits").
    """

    client = pw.ForeignKeyField(Client, backref="search_terms", on_delete="CASCADE", index=False)
    kind = CharField(max_length=1)
    term = CharField()
    weight = pw.IntegerField(default=0)  # 0 own name, 1 own phone, 2 representative, 3 relative/friend
    sort_key = CharField(default="")  # the client's name_key: results ordered straight from the index

    class Meta:
        database = db
        table_name = "client_search_term"
        indexes = (
            (("kind", "term", "weight", "sort_key", "client"), False),  # ranges and ordered reads
            (("client", "kind", "term"), False),
        )  # per-client checks of the other query words


# --- referrals and the service log -----------------------------------------------


class Referral(BaseModel):
    """Incoming information about a family (SOP 03 trigger, SOP 04 grounds)."""

    client = pw.ForeignKeyField(Client, backref="referrals", on_delete="CASCADE")
    received_at = pw.DateTimeField(index=True)
    ground = CharField()  # prevention_request / personal_application / citizen_report / director_plan / ipra
    source_body = CharField(default="")
    summary = TextField(default="")
    intake_log = CharField(default="reception")  # reception / incoming_calls
    taken_by = pw.ForeignKeyField(Staff, null=True, backref="referrals_taken", on_delete="SET NULL")
    assigned_staff = pw.ForeignKeyField(Staff, null=True, backref="referrals", on_delete="SET NULL")
    registration_due = pw.DateField()
    registered_at = pw.DateTimeField(null=True)
    registration_late_reason = TextField(default="")  # v7: why it was registered after registration_due
    first_contact_due = pw.DateField(index=True)
    first_contact_at = pw.DateTimeField(null=True)
    first_contact_late = pw.BooleanField(default=False)
    patronage_due = pw.DateField(null=True)
    source_term_due = pw.DateField(null=True)  # a term set by the source document overrides ours
    closed = pw.BooleanField(default=False)


class ServiceEntry(BaseModel):
    """The service log («журнал учета услуг»): one row per service rendered."""

    date = pw.DateField(index=True)
    client = pw.ForeignKeyField(Client, backref="services", on_delete="CASCADE")
    staff = pw.ForeignKeyField(Staff, null=True, backref="services", on_delete="SET NULL")
    sop = CharField(default="")  # "01".."05"
    service_kind = CharField()
    units = pw.IntegerField(default=1)
    minutes = pw.IntegerField(default=0)
    source_type = CharField(default="")  # call / visit / attendance / manual
    source_id = pw.IntegerField(null=True)
    note = TextField(default="")
    # v4: the measured minutes of each stage, and the SOP norm they are held against (a limit, not a value)
    prep_minutes = pw.IntegerField(default=0)
    work_minutes = pw.IntegerField(default=0)
    doc_minutes = pw.IntegerField(default=0)
    norm_minutes = pw.IntegerField(default=0)
    # v4: who wrote the entry and when (the performer is `staff`); a reason when it was entered after the day
    recorded_by = pw.ForeignKeyField(Staff, null=True, backref="services_recorded", on_delete="SET NULL")
    recorded_at = pw.DateTimeField(null=True)
    late_reason = TextField(default="")

    class Meta:
        indexes = ((("source_type", "source_id", "client"), False),)


class AuditLog(pw.Model):
    """Who did what to which record, and who viewed whose file (152-FZ)."""

    at = pw.DateTimeField(default=_now, index=True)
    staff = pw.ForeignKeyField(Staff, null=True, on_delete="SET NULL")
    action = CharField()  # create / update / delete / view / login / login_failed / ...
    table = CharField(default="")
    record_id = pw.IntegerField(null=True)
    changes = TextField(default="")  # JSON: {"field": [old, new]}
    # Tamper evidence: each row's hash covers its content and the previous row's hash (db/store.audit).
    prev_hash = CharField(default="")
    row_hash = CharField(default="")

    class Meta:
        database = db
        table_name = "audit_log"
        indexes = ((("table", "record_id", "at"), False),)


class SignInThrottle(pw.Model):
    """Failed sign-ins per login, kept as a hash of the login (never the typed text): a growing delay."""

    key = CharField(unique=True)
    failures = pw.IntegerField(default=0)
    # epoch seconds (wall time, not the institution clock); double: PostgreSQL's REAL (FloatField) keeps ~7
    # digits, so an epoch came back up to a minute off and every throttled answer waited the full 30 s
    last_failed_at = pw.DoubleField(default=0.0)

    class Meta:
        database = db
        table_name = "sign_in_throttle"


class CalendarOverride(BaseModel):
    """Administrator's production-calendar days for a year the holidays package does not know."""

    day = pw.DateField(unique=True)
    kind = CharField()  # holiday / working / short
    note = CharField(default="")


class CalendarYear(BaseModel):
    """A year whose production calendar an administrator has confirmed by entering its decree."""

    year = pw.IntegerField(unique=True)
    decree = CharField(default="")


class Draft(BaseModel):
    """Unsaved form contents, saved as the user types, so a dropped SSH link loses nothing."""

    staff = pw.ForeignKeyField(Staff, backref="drafts", on_delete="CASCADE")
    key = CharField()  # e.g. "client:new", "client:42", "call:17", "act:5"
    payload = TextField()  # JSON

    class Meta:
        indexes = ((("staff", "key"), True),)


# --- calls (SOP 01, 02, 03) -----------------------------------------------------


class PhoneCall(BaseModel):
    """A call made with the teleprompter; a finished one is an entry of «Телефонные переговоры»."""

    sop = CharField()  # "01" / "02" / "03"
    client = pw.ForeignKeyField(Client, backref="calls", on_delete="CASCADE")
    staff = pw.ForeignKeyField(Staff, null=True, backref="calls", on_delete="SET NULL")
    referral = pw.ForeignKeyField(Referral, null=True, backref="calls", on_delete="SET NULL")
    representative = pw.ForeignKeyField(Representative, null=True, on_delete="SET NULL")
    contact = pw.ForeignKeyField(Contact, null=True, on_delete="SET NULL")
    callee_name = CharField(default="")
    phone_number = CharField(default="")
    direction = CharField(default="outgoing")
    state = CharField(default="in_progress", index=True)  # in_progress / finished / abandoned
    notice_sent_at = pw.DateTimeField(null=True)  # SOP 03 pre-notification
    notice_state = CharField(default="")  # sent / read / answered
    notice_call_at = pw.DateTimeField(null=True)
    started_at = pw.DateTimeField(null=True, index=True)
    ended_at = pw.DateTimeField(null=True)
    prep_seconds = pw.IntegerField(default=0)
    talk_seconds = pw.IntegerField(default=0)
    doc_seconds = pw.IntegerField(default=0)
    step_id = CharField(default="")
    branch = CharField(default="")
    outcome = CharField(default="")  # agrees / refuses / callback / no_answer / done
    purpose = TextField(default="")
    summary = TextField(default="")
    agreements = TextField(default="")
    notes = TextField(default="")
    off_hours_reason = TextField(default="")
    state_json = TextField(default="")  # teleprompter state for resume
    # v5: the client's feedback on the contact (SOP 03 §8: the head checks the calls by it)
    feedback_score = pw.IntegerField(null=True)  # 1..5
    feedback_text = TextField(default="")
    feedback_at = pw.DateTimeField(null=True)
    feedback_by = pw.ForeignKeyField(Staff, null=True, on_delete="SET NULL", backref="+")
    # v6 (issue 13): SOP 01 channel and ground; the SOP 03 notice not sent (why) or sent off hours (why);
    # the meeting agreed (home visit or at the institution); SOP 02 sessions agreed with the client
    channel = CharField(default="")  # phone / whatsapp / viber / skype / messenger / zoom / ...
    ground = CharField(default="")  # ipra / away / infection / impossible_other / client_request
    ground_note = TextField(default="")
    notice_skip_reason = TextField(default="")
    notice_off_hours_reason = TextField(default="")
    meeting_place = CharField(default="")  # home / institution
    meeting_at = pw.DateTimeField(null=True)
    client_session_at = pw.DateTimeField(null=True)
    client_session_every_days = pw.IntegerField(default=0)
    client_session_until = pw.DateField(null=True)


class Reminder(BaseModel):
    """Things due on Today: callbacks, SOP 01 control points, SOP 02 messenger sessions."""

    kind = CharField(index=True)  # callback / control_point / messenger_session
    client = pw.ForeignKeyField(Client, backref="reminders", on_delete="CASCADE")
    staff = pw.ForeignKeyField(Staff, null=True, backref="reminders", on_delete="SET NULL")
    due_at = pw.DateTimeField(index=True)
    text = TextField(default="")
    call = pw.ForeignKeyField(PhoneCall, null=True, backref="reminders", on_delete="SET NULL")
    contact = pw.ForeignKeyField(Contact, null=True, on_delete="SET NULL")
    channel = CharField(default="")
    repeat_days = pw.IntegerField(default=0)  # 0 = once; 7 = weekly ...
    repeat_until = pw.DateField(null=True)
    done_at = pw.DateTimeField(null=True)
    # v4: how it was closed: "held" or "not_held" (a messenger session that did not take place), and why
    closed_as = CharField(default="")
    closed_reason = TextField(default="")


# --- patronage (SOP 04) --------------------------------------------------------


class PatronageVisit(BaseModel):
    """A home visit: primary or planned (repeat)."""

    client = pw.ForeignKeyField(Client, backref="visits", on_delete="CASCADE")
    kind = CharField(default="primary")  # primary / planned
    ground = CharField(default="personal_application")
    referral = pw.ForeignKeyField(Referral, null=True, backref="visits", on_delete="SET NULL")
    purpose = TextField(default="")
    planned_start = pw.DateTimeField(index=True)
    prep_minutes = pw.IntegerField(default=60)  # SOP 04: preparation and travel up to 60 min
    work_minutes = pw.IntegerField(default=40)  # work with the family up to 40 min
    completion_minutes = pw.IntegerField(default=10)  # act or report up to 10 min
    address = CharField(default="")
    transport_needed = pw.BooleanField(default=False)
    status = CharField(default="planned", index=True)  # draft / planned / done / cancelled / not_let_in
    status_reason = TextField(default="")
    late_reason = TextField(default="")
    drafted_by_call = pw.ForeignKeyField(PhoneCall, null=True, on_delete="SET NULL")
    documents_to_prepare = TextField(default="")
    methods = TextField(default="")  # JSON list of diagnostic method codes
    problem_areas = TextField(default="")  # JSON list of problem area codes
    findings = TextField(default="")
    rights_explained = TextField(default="")
    effectiveness = TextField(default="")  # planned visits: how effective the preventive work is
    actual_prep_seconds = pw.IntegerField(default=0)
    actual_work_seconds = pw.IntegerField(default=0)
    actual_completion_seconds = pw.IntegerField(default=0)
    completed_at = pw.DateTimeField(null=True)


class VisitStaff(BaseModel):
    visit = pw.ForeignKeyField(PatronageVisit, backref="staff_links", on_delete="CASCADE")
    staff = pw.ForeignKeyField(Staff, backref="visit_links", on_delete="CASCADE")

    class Meta:
        indexes = ((("visit", "staff"), True),)


class Recommendation(BaseModel):
    """A recommendation written at a visit and checked at the next one (SOP 04)."""

    visit = pw.ForeignKeyField(PatronageVisit, backref="recommendations", on_delete="CASCADE")
    client = pw.ForeignKeyField(Client, backref="recommendations", on_delete="CASCADE")
    text = TextField()
    for_whom = CharField(default="")
    due_date = pw.DateField(null=True)
    status = CharField(default="open", index=True)  # open / done / partly / not_done
    checked_visit = pw.ForeignKeyField(PatronageVisit, null=True, on_delete="SET NULL", backref="checked")
    comment = TextField(default="")


class VisitAct(BaseModel):
    """One of the three SOP 04 documents: housing act, social patronage act, patronage report."""

    visit = pw.ForeignKeyField(PatronageVisit, backref="acts", on_delete="CASCADE")
    kind = CharField()  # housing / patronage / report
    data = TextField(default="{}")  # JSON of the structured form
    is_draft = pw.BooleanField(default=True)
    completed_at = pw.DateTimeField(null=True)


# --- groups (SOP 05) -------------------------------------------------------------


class Club(BaseModel):
    name = CharField()
    kind = CharField(default="club")  # club / support_group
    goal = TextField(default="")
    room = CharField(default="")
    capacity = pw.IntegerField(default=12)
    department = pw.ForeignKeyField(Department, null=True, backref="clubs", on_delete="SET NULL")
    start_date = pw.DateField()
    end_date = pw.DateField()
    active = pw.BooleanField(default=True)
    analysis_note = TextField(default="")  # v10, SOP 05 stage 1: the surveys and personal files behind the programme


class ClubLeader(BaseModel):
    club = pw.ForeignKeyField(Club, backref="leaders", on_delete="CASCADE")
    staff = pw.ForeignKeyField(Staff, backref="clubs_led", on_delete="CASCADE")


class ProgrammeItem(BaseModel):
    """One numbered session of the club's programme."""

    club = pw.ForeignKeyField(Club, backref="programme", on_delete="CASCADE")
    number = pw.IntegerField()
    topic = CharField()
    goal = TextField(default="")


class ScheduleSlot(BaseModel):
    """A weekly meeting time of a club (weekday 0 = Monday)."""

    club = pw.ForeignKeyField(Club, backref="slots", on_delete="CASCADE")
    weekday = pw.IntegerField()
    start_time = CharField()  # "15:00"
    end_time = CharField()


class ClubMember(BaseModel):
    club = pw.ForeignKeyField(Club, backref="members", on_delete="CASCADE")
    client = pw.ForeignKeyField(Client, backref="memberships", on_delete="CASCADE")
    joined_on = pw.DateField()
    left_on = pw.DateField(null=True)
    left_reason = TextField(default="")
    informed_on = pw.DateField(null=True)  # SOP 05 stage 2: shown the schedule and topics
    # v10: a client off service, who refused, or without personal-data consent joins only with a reason
    admit_warning = TextField(default="")  # what the staff member was warned of
    admit_reason = TextField(default="")  # why they added the client all the same
    admit_by = pw.ForeignKeyField(Staff, null=True, on_delete="SET NULL")


class GroupSession(BaseModel):
    club = pw.ForeignKeyField(Club, backref="sessions", on_delete="CASCADE")
    date = pw.DateField(index=True)
    start_time = CharField()
    end_time = CharField()
    programme_item = pw.ForeignKeyField(ProgrammeItem, null=True, on_delete="SET NULL")
    topic = CharField(default="")
    goal = TextField(default="")
    status = CharField(default="planned")  # planned / held / cancelled
    guests = TextField(default="")
    media_taken = pw.BooleanField(default=False)
    media_location = CharField(default="")
    analysis = TextField(default="")
    summary = TextField(default="")
    satisfaction = pw.IntegerField(null=True)  # 1..5
    manual = pw.BooleanField(default=False)  # added or moved by hand: schedule changes leave it alone
    moved_from = pw.DateField(null=True)  # the scheduled date it was moved from (not re-generated)
    report_seconds = pw.IntegerField(default=0)  # v5: measured time spent writing the report (SOP 05 stage 4)
    props = TextField(default="")  # v10, SOP 05 stage 1: «подготовка реквизита»
    first_meeting = pw.BooleanField(default=False)  # v10, SOP 05 stage 2: the first acquaintance was held here
    extra = pw.BooleanField(default=False)  # v10: an extra session: takes no programme topic by position


class Attendance(BaseModel):
    session = pw.ForeignKeyField(GroupSession, backref="attendance", on_delete="CASCADE")
    client = pw.ForeignKeyField(Client, backref="attendance", on_delete="CASCADE")
    present = pw.BooleanField(default=False)
    absence_reason = CharField(default="")
    override_reason = TextField(default="")  # head's override of the 2-per-week rule
    override_by = pw.ForeignKeyField(Staff, null=True, on_delete="SET NULL")

    class Meta:
        indexes = ((("session", "client"), True),)


class SessionFeedback(BaseModel):
    """SOP 05 stage 4: a review of the session from a participant, a member of staff or a guest.

    v10: the person (the client or the staff member; a guest by name in `author`) and the satisfaction
    score 1-5; rows written before v10 carry only `author` and `text`."""

    session = pw.ForeignKeyField(GroupSession, backref="feedback", on_delete="CASCADE")
    source = CharField(default="client")  # staff / client / guest
    author = CharField(default="")
    text = TextField()
    client = pw.ForeignKeyField(Client, null=True, on_delete="SET NULL")
    staff = pw.ForeignKeyField(Staff, null=True, on_delete="SET NULL")
    score = pw.IntegerField(null=True)  # 1..5


class SessionNotice(BaseModel):
    """SOP 05 stage 2: a participant informed of a session: by whom, how and when."""

    session = pw.ForeignKeyField(GroupSession, backref="notices", on_delete="CASCADE")
    client = pw.ForeignKeyField(Client, backref="session_notices", on_delete="CASCADE")
    informed_by = pw.ForeignKeyField(Staff, null=True, on_delete="SET NULL")
    channel = CharField()  # call / sms / in_person / messenger
    informed_at = pw.DateTimeField()
    note = TextField(default="")

    class Meta:
        indexes = ((("session", "client"), True),)


ALL_MODELS: list[type[pw.Model]] = [
    SchemaVersion,
    SignInThrottle,
    Institution,
    Department,
    Staff,
    Client,
    ClientStatusChange,
    Representative,
    Contact,
    ContactPoint,
    ClientSearchTerm,
    Referral,
    ServiceEntry,
    AuditLog,
    CalendarOverride,
    CalendarYear,
    Draft,
    PhoneCall,
    Reminder,
    PatronageVisit,
    VisitStaff,
    Recommendation,
    VisitAct,
    Club,
    ClubLeader,
    ProgrammeItem,
    ScheduleSlot,
    ClubMember,
    GroupSession,
    Attendance,
    SessionFeedback,
    SessionNotice,
]
