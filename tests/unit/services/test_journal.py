"""Журнал: service log queries, totals, access, the head's audit summary, the audit log and the PDFs."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

import pytest
from pypdf import PdfReader

from soptui.core import session
from soptui.core.text import fold
from soptui.db import models as m
from soptui.services import auth, journal
from soptui.services.journal.audit_checks import CheckResult, shares
from soptui.services.staff import Names

from conftest import PASSWORD

D = dt.date
NOV = (D(2026, 11, 1), D(2026, 11, 30))


def _client(last, first, patr, department_id):
    return m.Client.create(
        last_name=last,
        first_name=first,
        patronymic=patr,
        name_key=fold(f"{last} {first} {patr}"),
        department=department_id,
    ).id


def _entry(
    day,
    client,
    staff,
    sop="01",
    kind="Телефонный звонок законному представителю ребенка",
    units=1,
    minutes=95,
    source="call",
):
    return m.ServiceEntry.create(
        date=day,
        client=client,
        staff=staff,
        sop=sop,
        service_kind=kind,
        units=units,
        minutes=minutes,
        source_type=source,
    ).id


@pytest.fixture
def log(staff):
    """Two departments: the specialist's (day-stay) and another (home care), with services around November."""
    day_dep = m.Staff.get_by_id(staff["spec"]).department_id
    home_dep = m.Staff.get_by_id(staff["other"]).department_id
    # the head of the centre (no department) sees both; the day-stay head only her own (issue 10)
    auth.add_user("chief", PASSWORD, "Орлова", "Вера", "Ивановна", "head", "head", None)
    petrov = _client("Петров", "Иван", "Сергеевич", day_dep)
    semenova = _client("Семёнова", "Анна", "Олеговна", day_dep)
    orlov = _client("Орлов", "Пётр", "Ильич", home_dep)
    ids = {
        "oct31": _entry(D(2026, 10, 31), petrov, staff["spec"]),
        "nov1": _entry(
            D(2026, 11, 1),
            petrov,
            staff["spec"],
            sop="04",
            kind="Социальный патронаж (первичный)",
            minutes=110,
            source="visit",
        ),
        "nov15": _entry(
            D(2026, 11, 15),
            semenova,
            staff["head"],
            sop="05",
            kind="Проведение занятий в группах взаимоподдержки, клубах общения",
            minutes=60,
            source="attendance",
        ),
        "nov20_other": _entry(
            D(2026, 11, 20),
            orlov,
            staff["other"],
            sop="02",
            kind="Организация звонка родственникам через специальное приложение",
            minutes=25,
        ),
        "nov25_nostaff": _entry(D(2026, 11, 25), orlov, None, sop="02", kind="call", minutes=25),
        "nov30": _entry(D(2026, 11, 30), semenova, staff["spec"], units=0, minutes=12),
        "dec1": _entry(D(2026, 12, 1), semenova, staff["spec"]),
    }
    return {"day_dep": day_dep, "home_dep": home_dep, "petrov": petrov, "semenova": semenova, "orlov": orlov, **ids}


def _ids(page):
    return [r.id for r in page.rows]


def _as(login):
    a = auth.sign_in(login, PASSWORD)
    session.set_actor(a)
    return a


# --- period, filters, paging -----------------------------------------------------------------------


def test_period_includes_both_ends_and_nothing_outside(log):
    head = _as("chief")
    page = journal.service_page(journal.JournalFilters(*NOV), actor=head)
    assert _ids(page) == [log["nov1"], log["nov15"], log["nov20_other"], log["nov25_nostaff"], log["nov30"]]
    assert [r.number for r in page.rows] == [1, 2, 3, 4, 5]
    one_day = journal.service_page(journal.JournalFilters(D(2026, 10, 31), D(2026, 10, 31)), actor=head)
    assert _ids(one_day) == [log["oct31"]]
    with pytest.raises(ValueError, match="Конец периода раньше начала"):
        journal.service_page(journal.JournalFilters(D(2026, 11, 30), D(2026, 11, 1)), actor=head)


def test_rows_show_names_and_sop_names_for_codes(log):
    head = _as("chief")
    rows = {r.id: r for r in journal.service_page(journal.JournalFilters(*NOV), actor=head).rows}
    first = rows[log["nov1"]]
    assert first.client_name == "Петров Иван Сергеевич"
    assert first.staff_name == "Иванова М.С."
    assert first.service == "Социальный патронаж (первичный)"
    assert first.source == "патронаж"
    coded = rows[log["nov25_nostaff"]]
    assert coded.service == "Организация звонка родственникам через мессенджер"  # SOPS["02"] for a code
    assert coded.staff_name == "—"
    assert journal.service_label("04", "") == "Социальный патронаж"
    assert journal.sop_label("05") == "05 — Групповые занятия, клубы"


def test_filters_department_staff_client_sop(log, staff):
    head = _as("chief")
    f = journal.JournalFilters(*NOV)

    def ids(**kw):
        return _ids(journal.service_page(journal.JournalFilters(*NOV, **kw), actor=head))

    # the performer's department; the client's when nobody is recorded
    assert ids(department_id=log["home_dep"]) == [log["nov20_other"], log["nov25_nostaff"]]
    assert ids(department_id=log["day_dep"]) == [log["nov1"], log["nov15"], log["nov30"]]
    assert ids(staff_id=staff["spec"]) == [log["nov1"], log["nov30"]]
    assert ids(client_id=log["semenova"]) == [log["nov15"], log["nov30"]]
    assert ids(client_query="семен") == [log["nov15"], log["nov30"]]  # ё folded, case ignored
    assert ids(client_query="Петров Иван") == [log["nov1"]]
    assert ids(client_query="Петрова") == []
    assert ids(sop="02") == [log["nov20_other"], log["nov25_nostaff"]]
    assert ids(sop="02", department_id=log["day_dep"]) == []
    assert f.start == NOV[0]


def test_paging_limit_offset_total_and_sums(store, staff):
    head = _as("head")  # her own department's client
    dep = m.Staff.get_by_id(staff["spec"]).department_id
    client = _client("Кузнецов", "Олег", "Иванович", dep)
    made = [
        _entry(D(2026, 11, 1) + dt.timedelta(days=i % 30), client, staff["spec"], minutes=10 + i % 3)
        for i in range(123)
    ]
    f = journal.JournalFilters(*NOV)
    first = journal.service_page(f, 0, 50, actor=head)
    assert len(first.rows) == 50 and first.total == 123 and first.has_next and not first.has_prev
    assert first.totals.units == 123
    assert first.totals.minutes == sum(10 + i % 3 for i in range(123))
    last = journal.service_page(f, 100, 50, actor=head)
    assert len(last.rows) == 23 and not last.has_next and last.has_prev
    assert [r.number for r in last.rows] == list(range(101, 124))
    seen = []
    for offset in range(0, 123, 50):
        seen += _ids(journal.service_page(f, offset, 50, actor=head))
    assert sorted(seen) == sorted(made) and len(set(seen)) == 123
    dates = [m.ServiceEntry.get_by_id(i).date for i in seen]
    assert dates == sorted(dates)  # journal order across pages
    # the printed log reads every row in keyset chunks, in the same order
    assert [r.id for r in journal.iter_service_rows(f, head, chunk=7)] == seen


def test_totals_per_staff_and_per_sop(log, staff):
    head = _as("chief")
    f = journal.JournalFilters(*NOV)
    by_sop = {r.key: (r.entries, r.units, r.minutes) for r in journal.totals_by_sop(f, head)}
    assert by_sop == {"01": (1, 0, 12), "02": (2, 2, 50), "04": (1, 1, 110), "05": (1, 1, 60)}
    by_staff = {r.key: (r.label, r.entries, r.units, r.minutes) for r in journal.totals_by_staff(f, head)}
    assert by_staff[str(staff["spec"])] == ("Иванова Марина Сергеевна (специалист по социальной работе)", 2, 1, 122)
    assert by_staff[""][0] == "не указан"
    assert journal.totals(f, head) == journal.Totals(5, 4, 232)


def test_specialist_sees_own_department_and_own_services_only(log, staff):
    spec = _as("spec")
    f = journal.JournalFilters(*NOV)
    assert _ids(journal.service_page(f, actor=spec)) == [log["nov1"], log["nov15"], log["nov30"]]
    # asking for another department gives nothing, not its services
    assert _ids(journal.service_page(journal.JournalFilters(*NOV, department_id=log["home_dep"]), actor=spec)) == []
    assert journal.totals(f, spec).entries == 3
    other = _as("other")
    assert _ids(journal.service_page(f, actor=other)) == [log["nov20_other"], log["nov25_nostaff"]]
    # the specialist's own service for a client of another department stays visible to them
    own = _entry(D(2026, 11, 10), log["orlov"], staff["spec"])
    assert own in _ids(journal.service_page(f, actor=spec))
    choices = journal.filter_choices(spec)
    assert [c.id for c in choices.departments] == [log["day_dep"]]
    assert {c.id for c in choices.staff} == {staff["spec"], staff["head"]}
    assert choices.default_staff_id == staff["spec"]
    head_choices = journal.filter_choices(_as("chief"))
    assert len(head_choices.departments) == 2 and head_choices.default_staff_id is None


def test_month_period_and_parse_period():
    assert journal.month_period(D(2026, 2, 10)) == (D(2026, 2, 1), D(2026, 2, 28))
    assert journal.month_period(D(2026, 12, 31)) == (D(2026, 12, 1), D(2026, 12, 31))
    assert journal.month_period() == NOV  # today is 25.11.2026
    assert journal.parse_period("01.11.2026", "30.11.2026") == NOV
    with pytest.raises(ValueError, match="ДД.ММ.ГГГГ"):
        journal.parse_period("1.11.26x", "30.11.2026")
    with pytest.raises(ValueError, match="раньше"):
        journal.parse_period("02.11.2026", "01.11.2026")


# --- the head's audit summary ---------------------------------------------------------------------------


@pytest.fixture
def audit_data(log, staff):
    """Referrals, calls, visits and group sessions of November (and a few outside it)."""
    spec, other = staff["spec"], staff["other"]
    petrov, semenova, orlov = log["petrov"], log["semenova"], log["orlov"]

    def referral(received, due, client=petrov, assigned=spec, at=None, late=False, closed=False):
        return m.Referral.create(
            client=client,
            received_at=received,
            ground="prevention_request",
            registration_due=due,
            first_contact_due=due,
            first_contact_at=at,
            first_contact_late=late,
            closed=closed,
            assigned_staff=assigned,
        ).id

    refs = {
        "in_time": referral(dt.datetime(2026, 11, 2, 9, 0), D(2026, 11, 5), at=dt.datetime(2026, 11, 3, 10, 0)),
        "late": referral(
            dt.datetime(2026, 11, 9, 9, 0),
            D(2026, 11, 12),
            client=semenova,
            at=dt.datetime(2026, 11, 16, 11, 0),
            late=True,
        ),
        "open_ok": referral(dt.datetime(2026, 11, 24, 15, 0), D(2026, 11, 27)),
        "open_overdue": referral(dt.datetime(2026, 11, 16, 9, 0), D(2026, 11, 19), client=semenova),
        "closed": referral(dt.datetime(2026, 11, 30, 23, 59), D(2026, 12, 3), closed=True),
        "other_dep": referral(dt.datetime(2026, 11, 10, 9, 0), D(2026, 11, 13), client=orlov, assigned=other),
        "october": referral(dt.datetime(2026, 10, 31, 23, 59), D(2026, 11, 5)),
    }

    def call(
        sop,
        state="finished",
        outcome="done",
        ended=dt.datetime(2026, 11, 10, 11, 0),
        staff_id=spec,
        client=petrov,
        talk=600,
    ):
        return m.PhoneCall.create(
            sop=sop,
            client=client,
            staff=staff_id,
            state=state,
            outcome=outcome,
            started_at=ended - dt.timedelta(minutes=15),
            ended_at=ended,
            talk_seconds=talk,
        ).id

    call("01")
    call("01", outcome="no_answer", talk=0)
    call("03", ended=dt.datetime(2026, 11, 30, 17, 0))
    call("03", state="in_progress")
    call("03", state="abandoned")
    call("01", ended=dt.datetime(2026, 12, 1, 9, 0))
    call("02", staff_id=other, client=orlov)

    def visit(status, day, client=petrov, staff_id=spec, act=None):
        v = m.PatronageVisit.create(
            client=client,
            kind="primary",
            planned_start=dt.datetime.combine(day, dt.time(10)),
            status=status,
            completed_at=dt.datetime.combine(day, dt.time(11)) if status == "done" else None,
        )
        m.VisitStaff.create(visit=v.id, staff=staff_id)
        if act is not None:
            m.VisitAct.create(visit=v.id, kind="housing", is_draft=act)
        return v.id

    visit("done", D(2026, 11, 3), act=False)
    visit("done", D(2026, 11, 4), client=semenova, act=True)  # only a draft act: counts as without
    no_act = visit("done", D(2026, 11, 5), client=semenova)
    visit("planned", D(2026, 11, 27))
    visit("done", D(2026, 10, 30), act=False)
    visit("done", D(2026, 11, 6), client=orlov, staff_id=other, act=False)

    club = m.Club.create(
        name="Клуб «Встреча»", department=log["day_dep"], start_date=D(2026, 9, 1), end_date=D(2027, 5, 31)
    )
    m.ClubLeader.create(club=club.id, staff=staff["head"])
    s1 = m.GroupSession.create(club=club.id, date=D(2026, 11, 11), start_time="15:00", end_time="16:00", status="held")
    s2 = m.GroupSession.create(club=club.id, date=D(2026, 11, 18), start_time="15:00", end_time="16:00", status="held")
    m.GroupSession.create(club=club.id, date=D(2026, 11, 25), start_time="15:00", end_time="16:00", status="cancelled")
    s_dec = m.GroupSession.create(
        club=club.id, date=D(2026, 12, 2), start_time="15:00", end_time="16:00", status="held"
    )
    for s, client, present in (
        (s1, petrov, True),
        (s1, semenova, True),
        (s2, petrov, True),
        (s2, semenova, False),
        (s_dec, petrov, True),
    ):
        m.Attendance.create(session=s.id, client=client, present=present)
    return {"refs": refs, "no_act": no_act}


def test_audit_summary_counts_deadlines_calls_visits_and_sessions(audit_data, log):
    head = _as("chief")
    s = journal.audit_summary(*NOV, actor=head)
    assert (
        s.referrals_received,
        s.contact_in_time,
        s.contact_late,
        s.open_in_time,
        s.open_overdue,
        s.closed_without_contact,
    ) == (6, 1, 1, 1, 2, 1)
    assert [r.client_name for r in s.late_referrals] == [
        "Семёнова Анна Олеговна",
        "Орлов Пётр Ильич",
        "Семёнова Анна Олеговна",
    ]
    assert s.late_referrals[0].state.startswith("с опозданием на 2 раб. дн.")  # due 12.11, called 16.11
    assert s.late_referrals[2].state.startswith("звонка нет")
    assert s.contact_rate == "25 %"
    calls = {c.sop: (c.count, c.talked, c.talk_minutes) for c in s.calls}
    assert calls == {"01": (2, 1, 10), "02": (1, 1, 10), "03": (1, 1, 10)}
    assert s.calls_total == 4
    assert (s.visits_done, s.visits_with_act, s.visits_without_act) == (4, 2, 2)
    assert [v.client_name for v in s.visits_missing_act] == ["Семёнова Анна Олеговна"] * 2
    assert s.acts_by_kind == [("Акт обследования жилищно-бытовых условий", 2)]
    assert (s.sessions_held, s.sessions_cancelled, s.attendances, s.participants) == (2, 1, 3, 2)
    assert s.services.entries == 5


def test_audit_report_lists_planned_visits_whose_time_passed_undone(audit_data, log, staff):
    """Issue 12: «Проведено 16 / без акта 0» while Today listed past visits with no act: a visit planned in
    the period whose time has passed and that was never done is counted and listed (it has no act)."""
    client = m.Client.get(m.Client.last_name == "Семёнова")
    v = m.PatronageVisit.create(
        client=client.id, kind="planned", planned_start=dt.datetime(2026, 11, 20, 10, 0), status="planned"
    )
    m.VisitStaff.create(visit=v.id, staff=staff["spec"])
    s = journal.audit_summary(*NOV, actor=_as("chief"))
    assert (s.visits_done, s.visits_without_act, s.visits_not_done) == (4, 2, 1)
    assert [(line.client_name, line.date, line.kind) for line in s.visits_missing_act][-1] == (
        "Семёнова Анна Олеговна",
        dt.date(2026, 11, 20),
        "плановый (повторный) · не проведён",
    )


def test_audit_report_lists_entries_recorded_after_the_fact(audit_data, log, staff):
    """Issue 12: an entry written after the day of the service («внесено позже») is listed with its reason,
    on the screen's report and in the PDF the head signs."""
    from soptui.forms import audit_report
    from soptui.services import printing

    client = m.Client.get(m.Client.last_name == "Семёнова")
    m.ServiceEntry.create(
        date=dt.date(2026, 11, 20),
        client=client.id,
        staff=staff["spec"],
        recorded_by=staff["head"],
        recorded_at=dt.datetime(2026, 11, 24, 9, 0),
        late_reason="отчёт сдан после выходных",
        sop="04",
        service_kind="Социальный патронаж",
        minutes=40,
        source_type="visit",
    )
    s = journal.audit_summary(*NOV, department_id=log["day_dep"], actor=_as("chief"))
    assert [(r.date, r.client_name, r.late_reason) for r in s.late_entries] == [
        (dt.date(2026, 11, 20), "Семёнова Анна Олеговна", "отчёт сдан после выходных")
    ]
    text = _pdf_text(printing.render(audit_report, s))
    assert "Запись внесена позже дня услуги: 1." in text and "отчёт сдан после выходных" in text
    late = next(c for c in s.checks if c.key == "late_entries")
    assert [(f.when, f.staff_name, f.target) for f in late.findings] == [
        (dt.date(2026, 11, 20), "Иванова М.С.", ("client", client.id))
    ]
    assert late.findings[0].detail == "внесено 24.11.2026 (Кузнецова Т.Н. за исполнителя): отчёт сдан после выходных"


def test_audit_summary_filters_and_specialist_scope(audit_data, log, staff):
    head = _as("chief")
    home = journal.audit_summary(*NOV, department_id=log["home_dep"], actor=head)
    assert home.department == "Отделение социального обслуживания на дому"
    assert (home.referrals_received, home.calls_total, home.visits_done, home.sessions_held) == (1, 1, 1, 0)
    mine = journal.audit_summary(*NOV, staff_id=staff["spec"], actor=head)
    assert mine.referrals_received == 5 and mine.calls_total == 3 and mine.visits_done == 3
    assert mine.sessions_held == 0  # the club is led by the head
    led = journal.audit_summary(*NOV, staff_id=staff["head"], actor=head)
    assert led.sessions_held == 2 and led.attendances == 3
    spec = _as("spec")
    scoped = journal.audit_summary(*NOV, actor=spec)
    assert scoped.referrals_received == 5 and scoped.calls_total == 3 and scoped.visits_done == 3
    assert scoped.department == "Отделение дневного пребывания"
    assert scoped.head == "Кузнецова Татьяна Николаевна"
    # the head's report names colleagues' overdue work: a specialist's covers her own, another's is refused
    assert scoped == journal.audit_summary(*NOV, staff_id=staff["spec"], actor=spec)
    assert {f.staff_name for f in scoped.findings} <= {"Иванова М.С."}
    with pytest.raises(journal.AccessDenied, match="доступен заведующему"):
        journal.audit_summary(*NOV, staff_id=staff["head"], actor=spec)


# --- the audit log ----------------------------------------------------------------------------------------


NOV_2025 = (dt.date(2025, 11, 1), dt.date(2025, 11, 30))


def _audit(at, staff_id, action, table="client", record_id=None, changes=""):
    return m.AuditLog.create(at=at, staff=staff_id, action=action, table=table, record_id=record_id, changes=changes).id


def test_audit_log_for_heads_with_filters_and_whose_record(log, staff, audit_data):
    head = _as("chief")
    # The log is append-only (no clearing it): the rows of this test are put in November 2025,
    # a month nothing else in the fixtures writes to.
    ref = audit_data["refs"]["late"]
    a = _audit(dt.datetime(2025, 11, 1, 0, 0), staff["spec"], "view", "client", log["petrov"])
    b = _audit(
        dt.datetime(2025, 11, 15, 12, 0),
        staff["spec"],
        "update",
        "referral",
        ref,
        '{"first_contact_at": [null, "2026-11-16"], "version": [1, 2]}',
    )
    c = _audit(dt.datetime(2025, 11, 30, 23, 59), staff["head"], "view", "client", log["orlov"])
    _audit(dt.datetime(2025, 10, 31, 23, 59), staff["spec"], "view", "client", log["petrov"])
    _audit(dt.datetime(2025, 12, 1, 0, 0), staff["spec"], "view", "client", log["petrov"])
    page = journal.audit_page(journal.AuditFilters(*NOV_2025), actor=head)
    assert [r.id for r in page.rows] == [c, b, a]  # newest first, period ends included
    rows = {r.id: r for r in page.rows}
    assert rows[a].action == "просмотр" and rows[a].whose == "Петров Иван Сергеевич"
    assert rows[a].what == f"карточка клиента № {log['petrov']}"
    assert rows[b].whose == "Семёнова Анна Олеговна" and rows[b].details == "первичный контакт"
    assert rows[c].staff == "Кузнецова Т.Н."
    assert [
        r.id for r in journal.audit_page(journal.AuditFilters(*NOV_2025, staff_id=staff["spec"]), actor=head).rows
    ] == [
        b,
        a,
    ]
    assert [r.id for r in journal.audit_page(journal.AuditFilters(*NOV_2025, action="view"), actor=head).rows] == [c, a]
    paged = journal.audit_page(journal.AuditFilters(*NOV_2025), offset=1, limit=1, actor=head)
    assert paged.total == 3 and [r.id for r in paged.rows] == [b] and paged.has_next
    with pytest.raises(journal.AccessDenied):
        journal.audit_page(journal.AuditFilters(*NOV_2025), actor=_as("spec"))


def test_a_department_head_reads_the_audit_of_her_own_department_only(log, staff):
    """152-FZ: the day-stay head saw the home-care department's rows, its clients named in «Чей»."""
    rows = {
        "own_client_by_own": _audit(dt.datetime(2025, 11, 2, 9), staff["spec"], "view", "client", log["petrov"]),
        "own_client_by_outsider": _audit(dt.datetime(2025, 11, 3, 9), staff["other"], "view", "client", log["petrov"]),
        "other_client": _audit(dt.datetime(2025, 11, 4, 9), staff["other"], "view", "client", log["orlov"]),
        "other_client_record": _audit(
            dt.datetime(2025, 11, 5, 9), staff["other"], "update", "service_entry", log["nov20_other"]
        ),
        "own_sign_in": _audit(dt.datetime(2025, 11, 6, 9), staff["spec"], "login", "", None),
        "outsider_sign_in": _audit(dt.datetime(2025, 11, 7, 9), staff["other"], "login", "", None),
    }
    page = journal.audit_page(journal.AuditFilters(*NOV_2025), actor=_as("head"))
    seen = {r.id for r in page.rows}
    assert seen == {rows["own_client_by_own"], rows["own_client_by_outsider"], rows["own_sign_in"]}
    assert page.total == 3 and all("Орлов" not in r.whose for r in page.rows)
    # narrowing to another department's specialist shows only what she did to this department's clients
    narrowed = journal.audit_page(journal.AuditFilters(*NOV_2025, staff_id=staff["other"]), actor=_as("head"))
    assert [r.id for r in narrowed.rows] == [rows["own_client_by_outsider"]]
    # the head of the centre and the administrator see every row
    assert set(rows.values()) <= {
        r.id for r in journal.audit_page(journal.AuditFilters(*NOV_2025), actor=_as("chief")).rows
    }
    assert set(rows.values()) <= {
        r.id for r in journal.audit_page(journal.AuditFilters(*NOV_2025), actor=_as("admin")).rows
    }


# --- printed forms ----------------------------------------------------------------------------------------------


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_service_log_pdf_has_rows_totals_and_signature_lines(log, staff):
    from soptui.forms import service_log
    from soptui.services import printing

    spec = _as("spec")
    report = journal.service_log_report(journal.JournalFilters(*NOV, staff_id=staff["spec"]), spec)
    assert report.specialist == "Иванова Марина Сергеевна"
    assert report.head == "Кузнецова Татьяна Николаевна"
    data = printing.render(service_log, report)
    reader = PdfReader(io.BytesIO(data))
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)  # A4 landscape
    text = _pdf_text(data)
    for expected in (
        "Журнал учёта услуг",
        "с 01.11.2026 по 30.11.2026",
        "Отделение дневного пребывания",
        "п/п",
        "ФИО получателя",
        "Исполнитель",
        "Петров Иван Сергеевич",
        "Семёнова Анна Олеговна",
        "Социальный патронаж (первичный)",
        "Итого",
        "записей: 2",
        "оказано услуг 1, затрачено 122 мин",
        "Специалист",
        "Заведующий отделением",
        "Иванова Марина Сергеевна",
        "Кузнецова Татьяна Николаевна",
    ):
        assert expected in text, expected
    assert "Орлов" not in text  # another department's client is not printed


def test_service_log_refuses_too_many_rows(log, monkeypatch):
    monkeypatch.setattr(journal.service_log, "MAX_PRINT_ROWS", 3)
    with pytest.raises(journal.TooManyRows, match="слишком много"):
        journal.service_log_report(journal.JournalFilters(*NOV), _as("chief"))


def test_audit_report_pdf(audit_data, log):
    from soptui.forms import audit_report
    from soptui.services import printing

    summary = journal.audit_summary(*NOV, department_id=log["day_dep"], actor=_as("chief"))
    text = _pdf_text(printing.render(audit_report, summary))
    for expected in (
        "Отчёт для заведующего",
        "с 01.11.2026 по 30.11.2026",
        "Отделение дневного пребывания",
        "Поступило обращений",
        "Первичный контакт с опозданием",
        "Первичный контакт позже 3 рабочих дней: 2.",
        "Семёнова Анна Олеговна",
        "Патронаж без акта или отчёта (в том числе не проведённый): 2.",
        "Записи без замечаний по специалистам и месяцам",
        "Проведено занятий",
        "Заведующий отделением",
        "Кузнецова Татьяна Николаевна",
    ):
        assert expected in text, expected
    assert "Орлов" not in text


def _prints(table: str) -> int:
    return m.AuditLog.select().where((m.AuditLog.action == "print") & (m.AuditLog.table == table)).count()


def test_print_service_log_saves_a_private_pdf_and_audits_it(log, staff, tmp_path):
    spec = _as("spec")
    before = _prints("service_log")
    path = journal.print_service_log(journal.JournalFilters(*NOV, staff_id=staff["spec"]), spec, folder=tmp_path)
    assert path == tmp_path / "Журнал учёта услуг Иванова М.С. 01.11.2026-30.11.2026.pdf"
    assert path.stat().st_mode & 0o777 == 0o600  # personal data: private to the user
    text = _pdf_text(path.read_bytes())
    assert "Журнал учёта услуг" in text and "Петров Иван Сергеевич" in text and "записей: 2" in text
    assert _prints("service_log") == before + 1
    # another narrowing of the same period is another file: the first is not replaced
    head = _as("head")
    other = journal.print_service_log(journal.JournalFilters(*NOV, staff_id=staff["head"], sop="05"), head, tmp_path)
    assert other.name == "Журнал учёта услуг Кузнецова Т.Н. СОП 05 01.11.2026-30.11.2026.pdf"
    whole = journal.print_service_log(journal.JournalFilters(*NOV), head, folder=tmp_path)
    assert whole.name == "Журнал учёта услуг 01.11.2026-30.11.2026.pdf"
    assert "Петров Иван Сергеевич" in _pdf_text(path.read_bytes())
    # the workload of one specialist beside the department's
    one = journal.print_workload(*NOV, staff_id=staff["spec"], actor=head, folder=tmp_path)
    everyone = journal.print_workload(*NOV, actor=head, folder=tmp_path)
    assert one.name == "Нагрузка по нормам СОП Отделение дневного пребывания Иванова М.С. 01.11.2026-30.11.2026.pdf"
    assert everyone.name == "Нагрузка по нормам СОП Отделение дневного пребывания 01.11.2026-30.11.2026.pdf"


def test_print_service_log_too_long_writes_and_audits_nothing(log, monkeypatch, tmp_path):
    monkeypatch.setattr(journal.service_log, "MAX_PRINT_ROWS", 3)
    before = _prints("service_log")
    out = tmp_path / "out"
    with pytest.raises(journal.TooManyRows):
        journal.print_service_log(journal.JournalFilters(*NOV), _as("chief"), folder=out)
    assert not out.exists() and _prints("service_log") == before


def test_print_audit_report_saves_a_pdf_and_audits_it(audit_data, log, tmp_path):
    before = _prints("audit_report")
    path = journal.print_audit_report(*NOV, department_id=log["day_dep"], actor=_as("head"), folder=tmp_path)
    assert path.name.startswith("Отчёт для заведующего") and path.name.endswith(" 01.11.2026-30.11.2026.pdf")
    text = _pdf_text(path.read_bytes())
    assert "Отчёт для заведующего" in text and "Кузнецова Татьяна Николаевна" in text and "Орлов" not in text
    assert _prints("audit_report") == before + 1


def test_journal_access_denied_is_the_services_one():
    from soptui.services import errors

    assert journal.AccessDenied is errors.AccessDenied


# --- issue 12 point 5: the audit checks, on hand-computed cases ---------------------------------------


def _check(summary, key):
    return next(c for c in summary.checks if c.key == key)


def test_recommendations_left_unchecked_at_the_repeat_visit_and_overdue(audit_data, log, staff):
    petrov = log["petrov"]

    def visit(kind, day):
        v = m.PatronageVisit.create(
            client=petrov,
            kind=kind,
            planned_start=dt.datetime.combine(day, dt.time(10)),
            completed_at=dt.datetime.combine(day, dt.time(11)),
            status="done",
        )
        m.VisitStaff.create(visit=v.id, staff=staff["spec"])
        return v.id

    first = visit("primary", D(2026, 11, 2))
    long_text = "Оформить пособие на ребёнка в МФЦ и обеспечить ему отдельное место для выполнения домашних заданий"
    m.Recommendation.create(visit=first, client=petrov, text=long_text, due_date=D(2026, 11, 10))
    m.Recommendation.create(
        visit=first, client=petrov, text="Записаться к логопеду", due_date=D(2026, 11, 20), status="done"
    )
    m.Recommendation.create(visit=first, client=petrov, text="Через месяц", due_date=D(2026, 12, 5))  # not due yet
    repeat = visit("planned", D(2026, 11, 12))  # checked none of them
    s = journal.audit_summary(*NOV, actor=_as("chief"))
    unchecked = _check(s, "recommendations_unchecked")
    assert (unchecked.checked, unchecked.found) == (1, 1)
    f = unchecked.findings[0]
    assert (f.when, f.client_name, f.staff_name, f.target) == (
        D(2026, 11, 12),
        "Петров Иван Сергеевич",
        "Иванова М.С.",
        ("visit", repeat),
    )
    assert f.detail == "не проверено рекомендаций прежних визитов: 2"  # «Оформить пособие», «Через месяц»
    overdue = _check(s, "recommendations_overdue")
    assert (overdue.checked, overdue.found) == (2, 1)  # due 10.11 open, due 20.11 done; 05.12 not yet
    # in full: the report a head signs printed «…домашних …» for a long one
    assert overdue.findings[0].detail == f"срок 10.11.2026: «{long_text}»"
    from soptui.forms import audit_report
    from soptui.services import printing

    printed = " ".join(_pdf_text(printing.render(audit_report, s)).split())
    assert long_text in printed
    # the repeat visit checks them: nothing left unchecked
    m.Recommendation.update(checked_visit=repeat).where(m.Recommendation.visit == first).execute()
    s = journal.audit_summary(*NOV, actor=_as("chief"))
    assert _check(s, "recommendations_unchecked").found == 0


def test_sessions_without_roll_call_feedback_and_third_session_overrides(audit_data, log, staff):
    club = m.Club.get()
    s1, s2 = (m.GroupSession.get(m.GroupSession.date == d) for d in (D(2026, 11, 11), D(2026, 11, 18)))
    m.GroupSession.update(satisfaction=5).where(m.GroupSession.id == s1.id).execute()
    empty = m.GroupSession.create(
        club=club.id, date=D(2026, 11, 20), start_time="15:00", end_time="16:00", status="held"
    )
    passed = m.GroupSession.create(club=club.id, date=D(2026, 11, 23), start_time="15:00", end_time="16:00")
    m.GroupSession.create(club=club.id, date=D(2026, 11, 27), start_time="15:00", end_time="16:00")  # future
    m.Attendance.update(override_reason="по просьбе мамы", override_by=staff["head"]).where(
        (m.Attendance.session == s2.id) & (m.Attendance.client == log["petrov"])
    ).execute()
    s = journal.audit_summary(*NOV, actor=_as("chief"))
    roll = _check(s, "sessions_without_attendance")
    assert (roll.checked, roll.found) == (4, 2)
    assert [(f.when, f.detail, f.target) for f in roll.findings] == [
        (D(2026, 11, 20), "занятие проведено, отметок нет", ("session", empty.id)),
        (D(2026, 11, 23), "прошло, перекличка не проведена", ("session", passed.id)),
    ]
    fb = _check(s, "sessions_without_feedback")
    assert (fb.checked, fb.found) == (3, 2)  # s1 has a satisfaction score; s2 and the empty one have nothing
    assert [f.target for f in fb.findings] == [("session", s2.id), ("session", empty.id)]
    over = _check(s, "third_session_overrides")
    assert over.found == 1
    assert over.findings[0].client_name == "Петров Иван Сергеевич (Клуб «Встреча»)"
    assert over.findings[0].detail == "разрешил(а) Кузнецова Т.Н.: по просьбе мамы"


def test_sop03_calls_without_the_clients_feedback(audit_data, log):
    s = journal.audit_summary(*NOV, actor=_as("chief"))
    check = _check(s, "calls_without_feedback")
    assert (check.checked, check.found) == (1, 1)  # the finished SOP 03 call of 30.11; unfinished ones don't count
    call_id = check.findings[0].target[1]
    m.PhoneCall.update(feedback_score=5).where(m.PhoneCall.id == call_id).execute()
    assert _check(journal.audit_summary(*NOV, actor=_as("chief")), "calls_without_feedback").found == 0


def test_first_contact_and_visit_findings_open_their_records(audit_data, log):
    s = journal.audit_summary(*NOV, actor=_as("chief"))
    contact = _check(s, "first_contact_late")
    assert (contact.checked, contact.found) == (
        4,
        3,
    )  # in time 1; late 1; overdue 2 (open in time and closed: not judged)
    assert {f.target for f in contact.findings} == {("client", log["semenova"]), ("client", log["orlov"])}
    acts = _check(s, "visits_without_act")
    assert (acts.checked, acts.found) == (4, 2)
    assert [f.target for f in acts.findings][-1] == ("visit", audit_data["no_act"])
    assert acts.findings[-1].detail == "первичный: проведён, акт не оформлен"


def test_shares_per_specialist_and_month(staff):
    a = CheckResult("x", "X", "04")
    b = CheckResult("y", "Y", "05")
    a.checked_by = Counter({(staff["spec"], (2026, 11)): 8, (staff["spec"], (2026, 10)): 2, (None, (2026, 11)): 1})
    a.flagged_by = Counter({(staff["spec"], (2026, 11)): 1})
    b.checked_by = Counter({(staff["spec"], (2026, 11)): 2})
    b.flagged_by = Counter({(staff["spec"], (2026, 11)): 1})
    rows = [(r.staff_name, r.month, r.checked, r.flagged, r.share) for r in shares([a, b], Names())]
    assert rows == [
        ("Иванова М.С.", "10.2026", 2, 0, "100 %"),
        ("Иванова М.С.", "11.2026", 10, 2, "80 %"),
        ("не назначен", "11.2026", 1, 0, "100 %"),
    ]


def test_the_audit_pdf_lists_every_check(audit_data, log):
    from soptui.forms import audit_report
    from soptui.services import printing

    s = journal.audit_summary(*NOV, actor=_as("chief"))
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(printing.render(audit_report, s))).pages)
    for c in s.checks:
        assert c.title in text, c.title
    assert "6. Проверка записей по СОП" in text and "Без замечаний" in text


# --- issue 12 point 7: workload by the SOP norms ---------------------------------------------------------


def test_workload_per_specialist_and_month_against_norms_and_working_time(log, staff):
    """The service test of the workload: the entries of the `log` fixture, hand-summed per specialist."""
    spec = staff["spec"]
    data = journal.staff_workload(*NOV, actor=_as("chief"))
    rows = {(r.staff_name, r.month): r for r in data.rows}
    entries = list(m.ServiceEntry.select().where((m.ServiceEntry.date >= NOV[0]) & (m.ServiceEntry.date <= NOV[1])))
    mine = [e for e in entries if e.staff_id == spec]
    row = rows[("Иванова М.С.", "11.2026")]
    assert row.services == sum(e.units for e in mine)
    assert row.minutes == sum(e.minutes for e in mine)  # no group sessions among them
    assert row.norm_minutes == sum(e.norm_minutes for e in mine)
    assert (row.working_days, row.working_hours) == (20, 159)
    with pytest.raises(ValueError, match="длиннее трёх лет"):
        journal.staff_workload(D(2016, 1, 1), D(2026, 11, 30), actor=_as("chief"))
    # 31.12.9999 overflowed the day after it («внутренняя ошибка»): a typo of a year is said as such
    for call in (
        lambda: journal.audit_page(journal.AuditFilters(D(9999, 12, 1), D(9999, 12, 31)), actor=_as("chief")),
        lambda: journal.service_page(journal.JournalFilters(D(9999, 12, 1), D(9999, 12, 31)), actor=_as("chief")),
        lambda: journal.audit_summary(D(9999, 12, 1), D(9999, 12, 31), actor=_as("chief")),
    ):
        with pytest.raises(ValueError, match="с 1900 по 2100 год"):
            call()


def test_a_specialists_workload_is_her_own_and_a_colleagues_is_refused(log, staff):
    """The workload table ranks colleagues' hours: a specialist saw her whole department's; now her own row,
    as in the head's report. The head of the department and of the centre see everyone in their scope."""
    spec = _as("spec")
    data = journal.staff_workload(*NOV, actor=spec)
    assert {r.staff_name for r in data.rows} == {"Иванова М.С."}
    assert data.staff == "Иванова М.С."
    assert [r.minutes for r in data.rows] == [
        r.minutes for r in journal.staff_workload(*NOV, staff_id=staff["spec"], actor=_as("chief")).rows
    ]
    with pytest.raises(journal.AccessDenied, match="Нагрузка другого сотрудника доступна заведующему"):
        journal.staff_workload(*NOV, staff_id=staff["head"], actor=spec)
    with pytest.raises(journal.AccessDenied, match="Нагрузка другого сотрудника"):
        journal.print_workload(*NOV, staff_id=staff["head"], actor=spec)
    everyone = {r.staff_name for r in journal.staff_workload(*NOV, actor=_as("head")).rows}
    assert {"Иванова М.С.", "Кузнецова Т.Н."} <= everyone


def test_a_group_session_counts_its_duration_once_in_the_log_sums_as_in_the_workload(log, staff):
    """Three clients at one hour's session are three services and one hour's work: the log's «затрачено»
    summed the hour three times (3 × the workload's figure)."""
    from soptui.domain.groups import Slot
    from soptui.services import groups as g

    spec = _as("spec")
    day_dep = log["day_dep"]
    club = g.save_club(
        g.ClubData(
            name="Клуб «Час»",
            capacity=8,
            start_date=D(2026, 11, 2),
            end_date=D(2026, 11, 30),
            leader_ids=[staff["spec"]],
            slots=[Slot(3, "15:00", "16:00")],
            department_id=day_dep,
        )
    )
    kids = [_client(f"Часова{i}", "Анна", "Ивановна", day_dep) for i in range(3)]
    for kid in kids:
        g.add_member(club, kid, joined_on=D(2026, 11, 2), reason="тест")
    held = m.GroupSession.get((m.GroupSession.club == club) & (m.GroupSession.date == D(2026, 11, 12)))
    g.save_roll_call(held.id, {kid: (True, "") for kid in kids}, staff_id=staff["spec"])
    mine = journal.JournalFilters(*NOV, staff_id=staff["spec"])
    E = m.ServiceEntry
    mine_rows = list(E.select().where((E.staff == staff["spec"]) & E.date.between(*NOV)))
    session_rows = [e for e in mine_rows if e.source_type == "attendance" and e.source_id is not None]
    assert len(session_rows) == 3 and {e.minutes for e in session_rows} == {60}
    others = sum(e.minutes for e in mine_rows if e not in session_rows)
    sums = journal.totals(mine, spec)
    assert sums.entries == len(mine_rows) and sums.minutes == others + 60  # not others + 180
    assert sums.repeated == 120
    from soptui.forms import service_log
    from soptui.services import printing

    text = _pdf_text(printing.render(service_log, journal.service_log_report(mine, spec)))
    assert f"затрачено {others + 60} мин" in text and "Занятие группы учтено один раз" in " ".join(text.split())
    (by_staff,) = journal.totals_by_staff(mine, spec)
    by_sop = {r.key: r.minutes for r in journal.totals_by_sop(mine, spec)}
    assert by_staff.minutes == sums.minutes and by_sop["05"] == 60 and sum(by_sop.values()) == sums.minutes
    load = journal.staff_workload(*NOV, staff_id=staff["spec"], actor=spec)
    assert sum(r.minutes for r in load.rows) == sums.minutes
    # one recipient's log: her hour
    hers = journal.totals(journal.JournalFilters(*NOV, client_id=kids[0]), spec)
    assert (hers.entries, hers.minutes) == (1, 60)


def test_workload_pdf_reads_back(log, staff, tmp_path):
    path = journal.print_workload(*NOV, actor=_as("chief"), folder=tmp_path)
    assert path.name == "Нагрузка по нормам СОП 01.11.2026-30.11.2026.pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(path).pages)
    assert "Нагрузка специалистов по нормам СОП" in text and "Иванова М.С." in text and "159 ч" in text
    assert (path.stat().st_mode & 0o777) == 0o600


def test_referral_registration_and_the_wait_until_the_service(log, staff):
    """SOP 04: registered within the term (the source document's term when it sets one); the first service
    (a visit done or a call that reached the family) within 4 working days of registration. Clock: 25.11."""
    spec, petrov, semenova, orlov = staff["spec"], log["petrov"], log["semenova"], log["orlov"]

    def referral(client, received, due, registered=None, term=None):
        return m.Referral.create(
            client=client,
            received_at=received,
            ground="prevention_request",
            registration_due=due,
            registered_at=registered,
            source_term_due=term,
            first_contact_due=due,
            assigned_staff=spec,
        ).id

    referral(petrov, dt.datetime(2026, 11, 2, 9), D(2026, 11, 6), dt.datetime(2026, 11, 10, 12))  # late
    referral(semenova, dt.datetime(2026, 11, 2, 9), D(2026, 11, 6), dt.datetime(2026, 11, 2, 10))  # in time
    visit = m.PatronageVisit.create(
        client=semenova,
        kind="primary",
        planned_start=dt.datetime(2026, 11, 5, 10),
        status="done",
        completed_at=dt.datetime(2026, 11, 5, 11),
    )  # served 05.11, within 4 working days (limit 09.11)
    referral(orlov, dt.datetime(2026, 11, 9, 9), D(2026, 11, 12), dt.datetime(2026, 11, 9, 9, 30))  # never served
    referral(petrov, dt.datetime(2026, 11, 10, 9), D(2026, 11, 13), dt.datetime(2026, 11, 19, 9), D(2026, 11, 20))
    referral(semenova, dt.datetime(2026, 11, 24, 9), D(2026, 11, 27), dt.datetime(2026, 11, 24, 9))  # still waiting
    s = journal.audit_summary(*NOV, actor=_as("chief"))
    reg = next(c for c in s.checks if c.key == "registration_late")
    assert (reg.checked, reg.found) == (5, 1)
    assert reg.findings[0].client_name == "Петров Иван Сергеевич"
    assert reg.findings[0].detail.startswith("зарегистрировано 10.11.2026 при сроке 06.11.2026 (на 2 раб. дн.")
    wait = next(c for c in s.checks if c.key == "wait_over")
    # Петров (registered 10.11): no service by 16.11; Семёнова 02.11: served 05.11, fine; Орлов (09.11): none
    # by 13.11; Петров registered 19.11 (the source term 20.11 makes it in time): its wait ends today, and
    # Семёнова 24.11 still waits — neither is judged yet
    assert wait.checked == 3 and wait.found == 2
    assert [f.detail for f in wait.findings] == [
        "услуги нет, срок ожидания истёк 16.11.2026",
        "услуги нет, срок ожидания истёк 13.11.2026",
    ]
    assert wait.title == "Ожидание услуги дольше 4 раб. дн. после регистрации"
    # a centre that sets 1 day: Семёнова's 02.11 (served 05.11, the limit 03.11) is late too
    from soptui.services import access, institution

    with access.acting_as(auth.actor_for(m.Staff.get_by_id(staff["admin"]))):  # a setting: the administrator's
        institution.update(service_wait_days=1)
    wait = next(c for c in journal.audit_summary(*NOV, actor=_as("chief")).checks if c.key == "wait_over")
    assert wait.title.startswith("Ожидание услуги дольше 1 раб. дн.")
    assert "первая услуга 05.11.2026 при сроке 03.11.2026" in [f.detail for f in wait.findings]
    assert visit
