"""Tests for soptui.domain.clients and soptui.domain.validators: plain values, no store."""

from __future__ import annotations

import datetime as dt

import pytest

from soptui.core.phones import PhoneError
from soptui.core.session import Actor
from soptui.domain import clients as rules
from soptui.domain import validators as v

TODAY = dt.date(2026, 11, 25)  # the suite's fixed clock


def _actor(role: str, department_id: int | None, staff_id: int = 7) -> Actor:
    return Actor(staff_id, "x", "X", "X", "social_work_specialist", "", role, department_id, "", 15)


def test_status_lifecycle_allows_reopening_and_names_the_targets():
    assert rules.allowed_statuses("potential") == [("served", "обслуживается"), ("refused", "отказ")]
    assert [s for s, _ in rules.allowed_statuses("closed")] == ["potential", "served"]
    assert rules.allowed_statuses("unknown") == []
    assert set(rules.NEEDS_REASON) == {"refused", "closed"}


def test_age_and_ipra_warning():
    assert rules.age(dt.date(2015, 11, 26), TODAY) == 10 and rules.age(dt.date(2015, 11, 25), TODAY) == 11
    assert rules.age(None, TODAY) is None
    assert rules.ipra_warning(dt.date(2026, 12, 15), TODAY) == "ИПРА истекает 15.12.2026 (через 20 дн.)"
    assert rules.ipra_warning(dt.date(2026, 11, 24), TODAY) == "ИПРА истекла 24.11.2026"
    assert rules.ipra_warning(dt.date(2027, 1, 1), TODAY) == "" and rules.ipra_warning(None, TODAY) == ""


def test_field_validators():
    assert v.validate_name_part("петрова-водкина") == "Петрова-Водкина"
    with pytest.raises(ValueError):
        v.validate_name_part("Иванов2")
    with pytest.raises(ValueError):
        v.validate_birth_date("26.11.2026")  # tomorrow
    assert v.validate_past_date("25.11.2026") == TODAY
    with pytest.raises(ValueError):
        v.validate_any_date("01.01.1980")
    assert v.parse_phones("8 912 345-67-89; +7 912 345 67 89") == ["+79123456789"]
    with pytest.raises(PhoneError):
        v.parse_phones("12")
    assert v.validate_messenger("telegram", "ivanova_m") == "@ivanova_m"
    assert v.validate_messenger("vk", "https://vk.com/id12345") == "vk.com/id12345"
    assert v.channel_label("nope") == "nope" and set(v.MESSENGER_CHANNELS) >= {"whatsapp", "telegram"}
