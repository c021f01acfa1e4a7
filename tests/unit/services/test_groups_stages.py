"""SOP 05 stages as records (issue 13, points 13 and 14): the analysis behind the programme, props, the first
acquaintance, informing participants, feedback per person with a score; membership checks, extra sessions
that do not shift the programme, and the unconfirmed production calendar of a club's schedule."""

from __future__ import annotations

import datetime as dt
import io
import sqlite3

import pytest
from pypdf import PdfReader

from soptui.db import models as m
from soptui.db.store import ConflictError
from soptui.domain import groups as domain
from soptui.domain.groups import Slot
from soptui.services import groups as g

NOW = dt.datetime(2026, 11, 25, 10, 30)  # the fixed clock: Wednesday


def _client(last: str, status: str = "served", consent: dt.date | None = dt.date(2026, 9, 1)) -> int:
    from soptui.db.connection import write_transaction

    with write_transaction():
        return m.Client.create(
            last_name=last,
            first_name="Анна",
            patronymic="Сергеевна",
            name_key=f"{last} анна сергеевна".casefold(),
            birth_date=dt.date(2015, 3, 4),
            status=status,
            consent_date=consent,
        ).id


def _club(staff_id: int, start=dt.date(2026, 11, 2), end=dt.date(2026, 12, 25), programme=None, weekdays=(0,)) -> int:
    return g.save_club(
        g.ClubData(
            name="Клуб «Родничок»",
            start_date=start,
            end_date=end,
            leader_ids=[staff_id],
            programme=programme or [("Знакомство", "Правила")],
            slots=[Slot(w, "15:00", "16:00") for w in weekdays],
            analysis_note="Анкеты 12 семей; личные дела: 9 ИПРА с рекомендацией занятий",
        )
    )


def _session_on(club: int, day: dt.date) -> int:
    return next(s.id for s in g.club_sessions(club) if s.date == day)


# --- stage 1: the analysis behind the programme, props -------------------------------------------------


def test_sop05_stage1_club_keeps_the_analysis_of_surveys_and_personal_files(actor, staff):
    club = _club(staff["spec"])
    card = g.get_club(club)
    assert card.analysis_note == "Анкеты 12 семей; личные дела: 9 ИПРА с рекомендацией занятий"
    data = g.ClubData(
        name=card.name,
        start_date=card.start_date,
        end_date=card.end_date,
        leader_ids=list(card.leader_ids),
        programme=[(p.topic, p.goal) for p in card.programme],
        slots=list(card.slots),
        analysis_note="Анкеты 14 семей",
    )
    g.save_club(data, club, card.version)
    assert g.get_club(club).analysis_note == "Анкеты 14 семей"
    with pytest.raises(ConflictError):  # a colleague's save since this version: nothing overwritten
        g.save_club(g.ClubData(**{**data.__dict__, "analysis_note": "другое"}), club, card.version)
    assert g.get_club(club).analysis_note == "Анкеты 14 семей"


def test_sop05_stage1_props_and_stage2_first_meeting_are_kept_with_the_session(actor, staff):
    club = _club(staff["spec"])
    sid = _session_on(club, dt.date(2026, 11, 2))
    d = g.get_session(sid)
    g.save_session_report(sid, d.version, {"props": "карточки эмоций, мяч", "first_meeting": True})
    d = g.get_session(sid)
    assert (d.props, d.first_meeting) == ("карточки эмоций, мяч", True)
    row = next(s for s in g.club_sessions(club) if s.id == sid)
    assert row.first_meeting and not row.extra
    with pytest.raises(ValueError):  # the one-per-session score is no longer typed: it comes from the reviews
        g.save_session_report(sid, d.version, {"satisfaction": 5})


# --- stage 2: informing participants -----------------------------------------------------------------


def test_sop05_stage2_each_participant_informed_by_whom_how_and_when(actor, staff):
    club = _club(staff["spec"])
    a, b = _client("Алексеева"), _client("Борисова")
    for c in (a, b):
        g.add_member(club, c, dt.date(2026, 11, 2))
    late = _client("Васильева")
    g.add_member(club, late, dt.date(2026, 12, 1))  # joins after the session: not on its list
    sid = _session_on(club, dt.date(2026, 11, 30))
    inf = g.informing(sid)
    assert [(r.name, r.informed) for r in inf.rows] == [
        ("Алексеева Анна Сергеевна", False),
        ("Борисова Анна Сергеевна", False),
    ]
    when = dt.datetime(2026, 11, 24, 16, 5)
    version = g.mark_informed(sid, a, "call", when)
    row = g.informing(sid).rows[0]
    assert (row.channel_label, row.informed_at, row.informed_by, row.version) == (
        "звонок",
        when,
        "Иванова Марина Сергеевна",
        version,
    )
    # a colleague marked the same participant meanwhile: the dialog's stale version is refused
    with pytest.raises(ConflictError):
        g.mark_informed(sid, a, "sms", when, version=0)
    g.mark_informed(sid, a, "sms", when, informed_by=staff["head"], version=version)
    row = g.informing(sid).rows[0]
    assert (row.channel, row.informed_by) == ("sms", "Кузнецова Татьяна Николаевна")
    with pytest.raises(g.GroupError, match="в будущем") as err:
        g.mark_informed(sid, b, "messenger", dt.datetime(2026, 11, 25, 12, 0))
    assert err.value.field == "informed_at"
    past = _session_on(club, dt.date(2026, 11, 23))
    with pytest.raises(g.GroupError, match="Информируют до занятия"):
        g.mark_informed(past, b, "in_person", dt.datetime(2026, 11, 23, 15, 30))
    with pytest.raises(g.GroupError, match="не участник клуба"):
        g.mark_informed(sid, _client("Чужая"), "call", when)
    with pytest.raises(g.GroupError, match="как проинформировали"):
        g.mark_informed(sid, b, "pigeon", when)
    g.mark_informed(sid, b, "in_person", when)
    assert g.informing(sid).informed == 2
    g.clear_informed(sid, b, g.informing(sid).rows[1].version)
    assert g.informing(sid).informed == 1


def test_sop05_stage2_informing_list_printed_with_each_participants_status(actor, staff, tmp_path):
    club = _club(staff["spec"])
    a, b = _client("Алексеева"), _client("Борисова")
    for c in (a, b):
        g.add_member(club, c, dt.date(2026, 11, 2))
    sid = _session_on(club, dt.date(2026, 11, 30))
    g.mark_informed(sid, a, "messenger", dt.datetime(2026, 11, 24, 9, 15))
    path = g.print_informing_list(sid, tmp_path)
    assert path.name == "Информирование Клуб «Родничок» 30.11.2026.pdf"
    assert path.stat().st_mode & 0o777 == 0o600
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(path.read_bytes())).pages)
    assert "Список информирования участников о занятии" in text
    assert "Проинформировано: 1 из 2" in text
    assert "Алексеева Анна Сергеевна" in text and "мессенджер" in text and "24.11.2026 09:15" in text
    assert "Борисова Анна Сергеевна" in text
    assert "Иванова Марина Сергеевна" in text  # who informed, and the leader who signs


# --- stage 4: feedback per person with a score ----------------------------------------------------------


def test_sop05_stage4_feedback_per_participant_staff_and_guest_with_the_mean_score(actor, staff):
    club = _club(staff["spec"])
    a, b, absent = _client("Алексеева"), _client("Борисова"), _client("Гусева")
    for c in (a, b, absent):
        g.add_member(club, c, dt.date(2026, 11, 2))
    sid = _session_on(club, dt.date(2026, 11, 23))
    g.save_roll_call(sid, {a: (True, ""), b: (True, ""), absent: (False, "болеет")})
    assert g.get_session(sid).satisfaction_text() == "нет оценок"
    g.add_feedback(sid, "client", text="Понравилось", score=5, client_id=a)
    g.add_feedback(sid, "client", score=4, client_id=b)
    g.add_feedback(sid, "staff", text="Группа активна", score=4, staff_id=staff["head"])
    g.add_feedback(sid, "guest", "Смирнова О. В.", "Тёплая атмосфера", 5)
    d = g.get_session(sid)
    assert [(f.source_label, f.author, f.score) for f in d.feedback] == [
        ("получатель услуг", "Алексеева Анна Сергеевна", 5),
        ("получатель услуг", "Борисова Анна Сергеевна", 4),
        ("сотрудник", "Кузнецова Татьяна Николаевна", 4),
        ("гость", "Смирнова О. В.", 5),
    ]
    assert d.satisfaction == 4.5 and d.satisfaction_text() == "4,5 (оценок: 4)"
    with pytest.raises(g.GroupError, match="уже есть"):
        g.add_feedback(sid, "client", score=3, client_id=a)
    with pytest.raises(g.GroupError, match="отмеченного на занятии") as err:
        g.add_feedback(sid, "client", score=3, client_id=absent)
    assert err.value.field == "person"
    with pytest.raises(g.GroupError, match="от 1 до 5"):
        g.add_feedback(sid, "guest", "Гость", "", 7)
    with pytest.raises(g.GroupError, match="Укажите гостя"):
        g.add_feedback(sid, "guest", "  ", "", 5)
    with pytest.raises(g.GroupError, match="ещё не прошло"):
        g.add_feedback(_session_on(club, dt.date(2026, 11, 30)), "guest", "Гость", "", 5)
    g.delete_feedback(d.feedback[0].id)
    assert g.get_session(sid).satisfaction == 4.33


def test_sop05_audit_sessions_without_feedback_counts_the_new_reviews(actor, staff):
    from soptui.services import journal
    from soptui.services.access import acting_as, centre_actor

    club = _club(staff["spec"])
    a = _client("Алексеева")
    g.add_member(club, a, dt.date(2026, 11, 2))
    held = [_session_on(club, d) for d in (dt.date(2026, 11, 16), dt.date(2026, 11, 23))]
    for sid in held:
        g.save_roll_call(sid, {a: (True, "")})
    g.add_feedback(held[0], "client", score=5, client_id=a)

    def without_feedback():
        with acting_as(centre_actor(staff["head"])):
            s = journal.audit_summary(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
        check = next(c for c in s.checks if c.key == "sessions_without_feedback")
        return check.checked, [f.target for f in check.findings]

    assert without_feedback() == (2, [("session", held[1])])
    g.add_feedback(held[1], "staff", score=4, staff_id=staff["spec"])
    assert without_feedback() == (2, [])


# --- point 14: membership checks -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "consent", "warned"),
    [
        ("closed", dt.date(2026, 9, 1), "клиент снят с обслуживания"),
        ("refused", dt.date(2026, 9, 1), "клиент отказался от обслуживания (статус «отказ»)"),
        ("served", None, "нет согласия на обработку персональных данных (152-ФЗ)"),
    ],
)
def test_sop05_off_service_refused_or_no_consent_joins_only_with_a_recorded_reason(
    actor, staff, status, consent, warned
):
    club = _club(staff["spec"])
    c = _client("Морозова", status, consent)
    assert g.membership_warnings(club, c) == [warned]
    with pytest.raises(g.AdmissionReasonRequired) as err:
        g.add_member(club, c, dt.date(2026, 11, 2))
    assert err.value.field == "reason" and warned in str(err.value) and "Морозова Анна Сергеевна" in str(err.value)
    assert not m.ClubMember.select().exists()
    g.add_member(club, c, dt.date(2026, 11, 2), reason="  по заявлению  матери ")
    mb = m.ClubMember.get()
    assert (mb.admit_warning, mb.admit_reason, mb.admit_by_id) == (warned, "по заявлению матери", staff["spec"])
    member = g.get_club(club).members[0]
    assert (member.admit_warning, member.admit_reason) == (warned, "по заявлению матери")
    ok = _client("Петрова")
    assert g.membership_warnings(club, ok) == []
    g.add_member(club, ok, dt.date(2026, 11, 2))  # a served client with consent needs no reason
    assert m.ClubMember.get(m.ClubMember.client == ok).admit_reason == ""


def test_sop05_extra_session_does_not_shift_the_programmes_later_topics(actor, staff):
    programme = [("Знакомство", ""), ("Эмоции", ""), ("Дружба", ""), ("Итоги", "")]
    club = _club(staff["spec"], start=dt.date(2026, 11, 30), end=dt.date(2026, 12, 21), programme=programme)
    before = [(s.date, s.topic) for s in g.club_sessions(club)]
    assert [t for _, t in before] == ["Знакомство", "Эмоции", "Дружба", "Итоги"]
    extra = g.add_session(club, dt.date(2026, 12, 2), "15:00", "16:00")  # Wednesday between the Mondays
    after = [(s.date, s.topic) for s in g.club_sessions(club) if s.id != extra]
    assert after == before
    row = next(s for s in g.club_sessions(club) if s.id == extra)
    assert row.extra and row.topic == ""
    # the leader gives the extra session a topic of its own; the programme stays where it was
    d = g.get_session(extra)
    g.save_session_report(extra, d.version, {"topic": "Праздник именинников"})
    g.cancel_session(_session_on(club, dt.date(2026, 12, 14)))  # a cancelled one still passes its topic on
    topics = {s.date: s.topic for s in g.club_sessions(club) if s.status != "cancelled"}
    assert topics == {
        dt.date(2026, 11, 30): "Знакомство",
        dt.date(2026, 12, 2): "Праздник именинников",
        dt.date(2026, 12, 7): "Эмоции",
        dt.date(2026, 12, 21): "Дружба",
    }


def test_sop05_club_schedule_in_a_year_with_an_unconfirmed_calendar_warns(actor, staff):
    from soptui.domain import workdays

    club = _club(staff["spec"], start=dt.date(2026, 12, 1), end=dt.date(2027, 2, 26))
    expected = "Производственный календарь на 2027 год не подтверждён: даты занятий могут сдвинуться"
    assert g.get_club(club).calendar_warning == expected
    assert next(r for r in g.list_clubs(actor) if r.id == club).calendar_warning == expected
    assert domain.schedule_calendar_warning(dt.date(2026, 9, 1), dt.date(2026, 12, 25)) is None
    # the same words the deadlines use, only the consequence differs
    assert workdays.deadline_warning(dt.date(2026, 12, 1), dt.date(2027, 1, 12)).startswith(
        "Производственный календарь на 2027 год не подтверждён"
    )
    workdays.set_confirmed_years({2027})
    try:
        assert g.get_club(club).calendar_warning is None
    finally:
        workdays.set_confirmed_years(set())


# --- the schema: v9 stores upgrade keeping the old score readable ---------------------------------------


def test_schema_v10_keeps_the_old_one_per_session_score_and_finds_extra_sessions(tmp_path, monkeypatch):
    from soptui.core import session
    from soptui.db import open_store
    from soptui.db.connection import db
    from soptui.db.migrations import CURRENT_VERSION, stored_version
    from soptui.services import access, auth

    path = tmp_path / "v9.db"
    open_store(path)
    try:
        spec = auth.add_user("spec", "secret123", "Иванова", "Марина", "", "social_work_specialist")
        with access.acting_as(access.centre_actor(spec)):
            club = _club(spec, start=dt.date(2026, 11, 2), end=dt.date(2026, 11, 27))
            extra = g.add_session(club, dt.date(2026, 11, 4 + 1), "15:00", "16:00")
            moved = _session_on(club, dt.date(2026, 11, 9))
            g.move_session(moved, dt.date(2026, 11, 10), "15:00", "16:00")
            old = _session_on(club, dt.date(2026, 11, 2))
        m.GroupSession.update(satisfaction=4).where(m.GroupSession.id == old).execute()
    finally:
        db.obj.close()
        db.initialize(None)
    con = sqlite3.connect(path)  # as a v9 store was: none of the v10 columns and tables
    for table, column in [
        ("club", "analysis_note"),
        ("club_member", "admit_warning"),
        ("club_member", "admit_reason"),
        ("group_session", "props"),
        ("group_session", "first_meeting"),
        ("group_session", "extra"),
        ("session_feedback", "score"),
    ]:
        con.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    for table, dropped in [("club_member", {"admit_by_id"}), ("session_feedback", {"client_id", "staff_id"})]:
        kept = ", ".join(r[1] for r in con.execute(f"PRAGMA table_info({table})") if r[1] not in dropped)
        con.execute(f"CREATE TABLE old_{table} AS SELECT {kept} FROM {table}")  # SQLite drops no foreign key
        con.execute(f"DROP TABLE {table}")
        con.execute(f"ALTER TABLE old_{table} RENAME TO {table}")
    con.execute("DROP TABLE session_notice")
    con.execute("DELETE FROM schema_version WHERE version > 9")
    con.commit()
    con.close()
    database = open_store(path)
    try:
        assert stored_version(database) == CURRENT_VERSION == 10
        assert {"props", "first_meeting", "extra"} <= {c.name for c in database.get_columns("group_session")}
        assert "session_notice" in database.get_tables()
        assert m.GroupSession.select().count() == 5 and m.Club.select().count() == 1  # nothing cascaded away
        assert [s.id for s in m.GroupSession.select().where(m.GroupSession.extra)] == [extra]  # not the moved one
        with access.acting_as(access.centre_actor(None)):
            d = g.get_session(old)
        assert (d.satisfaction, d.legacy_satisfaction) == (4, 4)
        assert d.satisfaction_text() == "4 (одна оценка занятия, внесена до отзывов по участникам)"
    finally:
        session.set_actor(None)
        db.obj.close()
        db.initialize(None)


def test_upgrading_an_older_store_keeps_the_clubs_marks_and_reviews(tmp_path):
    """peewee adds a NOT NULL column on SQLite before 3.53 by rebuilding the table (DROP, then rename); with
    foreign keys on, that DROP cascaded: upgrading a v4 store (v5 added group_session.report_seconds) deleted
    every attendance mark and review. Migrations now run with foreign keys off and checked after."""
    from soptui.db import open_store
    from soptui.db.connection import db
    from soptui.services import access, auth

    path = tmp_path / "v4.db"
    open_store(path)
    try:
        spec = auth.add_user("spec", "secret123", "Иванова", "Марина", "", "social_work_specialist")
        with access.acting_as(access.centre_actor(spec)):
            club = _club(spec, start=dt.date(2026, 11, 2), end=dt.date(2026, 11, 27))
            kid = _client("Алексеева")
            g.add_member(club, kid, dt.date(2026, 11, 2))
            sid = _session_on(club, dt.date(2026, 11, 23))
            g.save_roll_call(sid, {kid: (True, "")}, staff_id=spec)
            g.add_feedback(sid, "client", text="понравилось", score=5, client_id=kid)
    finally:
        db.obj.close()
        db.initialize(None)
    con = sqlite3.connect(path)  # as a v4 store was, as far as group_session goes
    con.execute("ALTER TABLE group_session DROP COLUMN report_seconds")
    con.execute("DELETE FROM schema_version WHERE version > 4")
    con.commit()
    con.close()
    database = open_store(path)
    try:
        assert (m.Attendance.select().count(), m.SessionFeedback.select().count()) == (1, 1)
        assert m.ServiceEntry.select().count() == 1 and m.ClubMember.select().count() == 1
        assert database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1  # back on after the upgrade
    finally:
        db.obj.close()
        db.initialize(None)


def test_schema_v10_upgrade_on_postgresql_keeps_the_data_and_finds_extra_sessions(store, actor, staff):
    """The same upgrade on the engine of the PostgreSQL pass (on SQLite the test above covers it)."""
    from conftest import ON_POSTGRESQL

    if not ON_POSTGRESQL:
        pytest.skip("runs on the PostgreSQL pass (SOPTUI_TEST_DATABASE)")
    from soptui.db.migrations import CURRENT_VERSION, ensure_schema, stored_version

    club = _club(staff["spec"], start=dt.date(2026, 11, 2), end=dt.date(2026, 11, 27))
    kid = _client("Алексеева")
    g.add_member(club, kid, dt.date(2026, 11, 2))
    extra = g.add_session(club, dt.date(2026, 11, 5), "15:00", "16:00")
    sid = _session_on(club, dt.date(2026, 11, 23))
    g.save_roll_call(sid, {kid: (True, "")})
    for table, column in [
        ("club", "analysis_note"),
        ("club_member", "admit_warning"),
        ("club_member", "admit_reason"),
        ("club_member", "admit_by_id"),
        ("group_session", "props"),
        ("group_session", "first_meeting"),
        ("group_session", "extra"),
        ("session_feedback", "client_id"),
        ("session_feedback", "staff_id"),
        ("session_feedback", "score"),
    ]:
        store.execute_sql(f"ALTER TABLE {table} DROP COLUMN {column}")
    store.execute_sql("DROP TABLE session_notice")
    store.execute_sql("DELETE FROM schema_version WHERE version > 9")
    assert ensure_schema(store) == CURRENT_VERSION == stored_version(store)
    assert [s.id for s in m.GroupSession.select().where(m.GroupSession.extra)] == [extra]
    assert m.Attendance.select().count() == 1 and m.GroupSession.select().count() == 5
    g.mark_informed(sid, kid, "call", dt.datetime(2026, 11, 20, 10, 0))
    g.add_feedback(sid, "client", score=5, client_id=kid)
    assert g.get_session(sid).satisfaction == 5
