"""SOP 04 registration and the wait for the service, on a real SQLite file (issue 13, points 1 and 2)."""

from __future__ import annotations

import datetime as dt

import pytest

from soptui.core import clock
from soptui.db import models as m
from soptui.services import agenda, institution, referrals

SATURDAY = dt.datetime(2026, 12, 5, 11, 0)  # Saturday 05.12.2026


@pytest.fixture
def client(actor):
    spec = m.Staff.get_by_id(actor.id)
    return m.Client.create(
        last_name="Котова",
        first_name="Алиса",
        patronymic="Игоревна",
        name_key="котова алиса игоревна",
        department=spec.department_id,
        category="child",
        assigned_staff=spec.id,
    ).id


def _at(when: dt.datetime):
    clock.set_fixed(when)


def test_sop04_saturday_referral_registered_on_monday(client):
    """Received Saturday 05.12.2026, registered Monday 07.12 10:00: registration due Wednesday 09.12 (3 working
    days after a day off), the first service due 4 working days after registration: Friday 11.12."""
    _at(dt.datetime(2026, 12, 7, 10, 0))
    rid = referrals.create_referral(client, SATURDAY, "personal_application", assigned_staff=None)
    r = m.Referral.get_by_id(rid)
    assert r.received_at == SATURDAY and r.registered_at == dt.datetime(2026, 12, 7, 10, 0)
    assert r.registration_due == dt.date(2026, 12, 9)
    assert r.patronage_due == dt.date(2026, 12, 11)
    assert r.patronage_due >= r.registration_due
    assert r.registration_late_reason == ""


def test_sop04_source_document_term_sets_the_registration_deadline_not_the_visit(client):
    _at(dt.datetime(2026, 12, 7, 10, 0))
    d = referrals.compute_deadlines(SATURDAY, "prevention_request", source_term_due=dt.date(2026, 12, 14))
    assert d.registration == dt.date(2026, 12, 14)  # the document's term, not 09.12
    rid = referrals.create_referral(client, SATURDAY, "prevention_request", source_term_due=dt.date(2026, 12, 14))
    r = m.Referral.get_by_id(rid)
    assert r.registration_due == dt.date(2026, 12, 14)
    assert r.patronage_due == dt.date(2026, 12, 11)  # counted from registration (07.12), not the term


def test_sop04_late_registration_needs_a_reason(client):
    _at(dt.datetime(2026, 12, 10, 9, 0))  # Thursday: registration was due Wednesday 09.12
    with pytest.raises(ValueError, match="позже срока .*09.12.2026.*причину"):
        referrals.create_referral(client, SATURDAY, "citizen_report")
    assert m.Referral.select().count() == 0
    rid = referrals.create_referral(client, SATURDAY, "citizen_report", late_reason="Письмо пришло в другой отдел")
    r = m.Referral.get_by_id(rid)
    assert r.registration_late_reason == "Письмо пришло в другой отдел"
    assert r.patronage_due == dt.date(2026, 12, 16)  # 11, 14, 15, 16 December


def test_sop04_register_later_and_today_shows_the_steps(client, actor):
    _at(dt.datetime(2026, 12, 5, 12, 0))
    rid = referrals.create_referral(client, SATURDAY, "personal_application", assigned_staff=actor.id, registered=False)
    items = [i for i in agenda.referral_items(actor, dt.date(2026, 12, 7)) if "СОП 04" in i.what]
    assert [(i.when, i.what.split(":")[0]) for i in items] == [("до 09.12.2026", "регистрация (СОП 04)")]
    _at(dt.datetime(2026, 12, 10, 9, 0))
    with pytest.raises(ValueError, match="причину"):
        referrals.register_referral(rid)
    due = referrals.register_referral(rid, "Болела")
    assert due == dt.date(2026, 12, 16)
    r = m.Referral.get_by_id(rid)
    assert r.registered_at == dt.datetime(2026, 12, 10, 9, 0) and r.registration_late_reason == "Болела"
    items = [i for i in agenda.referral_items(actor, dt.date(2026, 12, 10)) if "СОП 04" in i.what]
    assert [i.when for i in items] == ["до 16.12.2026"] and "первая услуга (СОП 04)" in items[0].what
    # a visit done ends the wait: the row leaves Today
    m.PatronageVisit.create(
        client=client,
        planned_start=dt.datetime(2026, 12, 11, 10),
        status="done",
        completed_at=dt.datetime(2026, 12, 11, 11),
    )
    assert not [i for i in agenda.referral_items(actor, dt.date(2026, 12, 11)) if "СОП 04" in i.what]


def test_sop04_a_visit_before_registration_is_not_the_service(client, actor):
    _at(dt.datetime(2026, 12, 7, 10, 0))
    m.PatronageVisit.create(
        client=client,
        planned_start=dt.datetime(2026, 12, 1, 10),
        status="done",
        completed_at=dt.datetime(2026, 12, 1, 11),
    )
    referrals.create_referral(client, SATURDAY, "personal_application", assigned_staff=actor.id)
    items = [i for i in agenda.referral_items(actor, dt.date(2026, 12, 7)) if "первая услуга" in i.what]
    assert [i.when for i in items] == ["до 11.12.2026"]


def test_sop04_wait_is_configured_per_institution(client):
    from soptui.services import auth

    admin = auth.actor_for(m.Staff.get(m.Staff.role == "admin"))
    with pytest.raises(ValueError, match="от 1 до 4"):
        institution.update(service_wait_days=5, actor=admin)
    institution.update(service_wait_days=2, actor=admin)
    _at(dt.datetime(2026, 12, 7, 10, 0))
    rid = referrals.create_referral(client, SATURDAY, "ipra")
    assert m.Referral.get_by_id(rid).patronage_due == dt.date(2026, 12, 9)  # 8 and 9 December


def test_sop04_a_district_social_worker_may_be_assigned_and_visits(client, actor):
    """SOP 04 §7: «закрепляется специалист учреждения (специалист по социальной работе или участковый
    социальный работник)»."""
    from soptui.services import auth
    from soptui.services import patronage as visits

    dep = m.Staff.get_by_id(actor.id).department
    worker = auth.add_user(
        "uch", "secret123", "Орлова", "Нина", "Петровна", "district_social_worker", "specialist", dep.name
    )
    rid = referrals.create_referral(client, dt.datetime(2026, 11, 25, 9, 0), "citizen_report", assigned_staff=worker)
    assert m.Referral.get_by_id(rid).assigned_staff_id == worker
    assert worker in [s.id for s in visits.visiting_staff(dep.id)]
