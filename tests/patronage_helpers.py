"""Shared set-up for the patronage tests: a family with a referral, and a visit plan for it."""

from __future__ import annotations

import datetime as dt

import pytest

from soptui.db import models as m
from soptui.db.connection import write_transaction
from soptui.services import auth, institution, referrals
from soptui.services.patronage import VisitPlan

from conftest import PASSWORD

WED = dt.date(2026, 11, 25)
THU = dt.date(2026, 11, 26)
FRI = dt.date(2026, 11, 27)


@pytest.fixture
def family(actor, staff):
    dep = m.Staff.get_by_id(staff["spec"]).department_id
    with write_transaction():
        client = m.Client.create(
            last_name="Петров",
            first_name="Илья",
            patronymic="Сергеевич",
            name_key="петров илья сергеевич",
            department=dep,
            category="child",
            address="пос. Монетный, ул. Мира, д. 3",
            remote_territory=True,
            assigned_staff=staff["spec"],
        )
        m.Representative.create(
            client=client, relation="мать", last_name="Петрова", first_name="Анна", patronymic="Игоревна"
        )
    psy = auth.add_user(
        "psy", PASSWORD, "Соколов", "Андрей", "Павлович", "psychologist", "specialist", "Отделение дневного пребывания"
    )
    # SOP 04 wait configured per institution: this one serves within 1 working day of registration;
    # a prevention-system referral received and registered on 25.11: the first service by 26.11
    institution.update(service_wait_days=1, actor=auth.actor_for(m.Staff.get_by_id(staff["admin"])))
    ref = referrals.create_referral(
        client.id,
        dt.datetime(2026, 11, 25, 9, 0),
        "prevention_request",
        "ТКДН и ЗП",
        "Сообщение школы",
        assigned_staff=staff["spec"],
    )
    return {"client": client.id, "referral": ref, "psy": psy, "spec": staff["spec"]}


def plan(family, day=THU, start=dt.time(11, 0), end=dt.time(11, 40), staff=None, **kw) -> VisitPlan:
    return VisitPlan(
        client_id=family["client"],
        staff_ids=staff if staff is not None else [family["spec"]],
        day=day,
        start=start,
        end=end,
        referral_id=family["referral"],
        ground="prevention_request",
        address="пос. Монетный, ул. Мира, д. 3",
        transport_needed=True,
        **{"purpose": "Первичный патронаж", **kw},
    )
