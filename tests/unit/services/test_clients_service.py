"""Registry service: search, access, duplicates, conflicts, status lifecycle, referral intake."""

from __future__ import annotations

import datetime as dt

import pytest

from soptui.core import session
from soptui.db import models as m
from soptui.services import auth, clients
from soptui.services.clients import ClientData, PersonData, SearchFilters
from soptui.services.clients.search import _within_distance

from conftest import PASSWORD


@pytest.fixture
def registry(actor, staff):
    """Three clients in the specialist's department, one in another department."""
    dep = actor.department_id
    other_dep = m.Staff.get_by_id(staff["other"]).department_id
    ids = {}
    ids["anna"] = clients.create_client(
        ClientData("Иванова", "Анна", "Петровна", dt.date(2015, 3, 8), department_id=dep, phones=["+79123456789"])
    )
    ids["fedor"] = clients.create_client(
        ClientData("Фёдоров", "Семён", "Ильич", dt.date(2012, 1, 20), department_id=dep, assigned_staff_id=actor.id)
    )
    clients.save_person(
        ids["fedor"],
        PersonData(
            "representative",
            "мать",
            "Фёдорова",
            "Алёна",
            "Юрьевна",
            phones=["+79225550123"],
            messengers=[("telegram", "@alena_f")],
        ),
    )
    ids["petr"] = clients.create_client(
        ClientData("Петров", "Иван", "Андреевич", dt.date(2010, 5, 5), department_id=dep)
    )
    clients.save_person(
        ids["petr"], PersonData("relative", "бабушка", "Сидорова", "Нина", "Петровна", phones=["+73436940011"])
    )
    from soptui.services import access

    with access.acting_as(access.centre_actor(staff["head"])):  # another department's client, made by the centre
        ids["far"] = clients.create_client(
            ClientData(
                "Иванов", "Андрей", "Олегович", dt.date(1950, 2, 2), department_id=other_dep, phones=["+79120001111"]
            )
        )
    return ids


def names(result):
    return [r.full_name for r in result.rows]


def test_name_prefixes_any_order_case_and_yo(registry):
    # "ив ан": Иванова Анна, and Петров Иван Андреевич (Иван + Андреевич); the name breaks the tie
    assert names(clients.search("ив ан")) == ["Иванова Анна Петровна", "Петров Иван Андреевич"]
    assert names(clients.search("АН ИВ")) == ["Иванова Анна Петровна", "Петров Иван Андреевич"]
    assert names(clients.search("иванова ан")) == ["Иванова Анна Петровна"]
    assert names(clients.search("федор")) == ["Фёдоров Семён Ильич"]
    assert names(clients.search("фЁдоров сем")) == ["Фёдоров Семён Ильич"]
    # a representative's name finds the child, and says so
    r = clients.search("алена")
    assert names(r) == ["Фёдоров Семён Ильич"] and r.rows[0].matched_by == "ФИО представителя"
    # own name ranks before a relative's: "петр" = Петров (own) and Петровна (own), Сидорова Нина Петровна
    # "сидор" only in the grandmother's name: found, labelled, after own-name matches
    r = clients.search("сидор")
    assert names(r) == ["Петров Иван Андреевич"] and r.rows[0].matched_by == "ФИО родственника"
    r = clients.search("нин")  # Нина (relative of Петров) — no own-name match anywhere
    assert names(r) == ["Петров Иван Андреевич"]
    assert clients.search("иванова анна петровна").total == 1
    assert clients.search("ивановаа", forgiving=False).total == 0


def test_misspelt_name_finds_the_closest_spelling(registry):
    # nothing starts with the typed word: the nearest indexed spelling is searched, and the result says so
    r = clients.search("Ивонова")
    assert names(r) == ["Иванова Анна Петровна"] and r.corrected == "иванова"
    r = clients.search("фёдарова алена")  # a wrong letter in the representative's surname, ё typed
    assert names(r) == ["Фёдоров Семён Ильич"] and r.corrected == "федорова алена"
    r = clients.search("питров ива")  # unfinished words: the start of the word is corrected (Петров…, Петровна)
    assert names(r) == ["Иванова Анна Петровна", "Петров Иван Андреевич"] and r.corrected == "петров ива"
    r = clients.search("иавнова")  # two letters swapped
    assert names(r) == ["Иванова Анна Петровна"] and r.corrected == "иванова"
    # a correct spelling is never "corrected"; short words and far-off words are left alone
    assert clients.search("иванова").corrected == ""
    assert clients.search("ивн").total == 0 and clients.search("ивна").corrected == "иван"
    r = clients.search("Кузнецова")
    assert r.total == 0 and r.corrected == ""
    # the corrected search keeps the access rules: Иванов Андрей is in another department
    assert "Иванов Андрей Олегович" not in names(clients.search("ивонов андр"))
    assert _within_distance("сокол", "сакол", 1) == 1 and _within_distance("абв", "где", 1) is None


def test_phone_formats_and_last_digits(registry):
    for q in ["8 912 345-67-89", "+7 (912) 345-67-89", "89123456789", "912345", "+7 912", "6789"]:
        r = clients.search(q)
        assert "Иванова Анна Петровна" in names(r), q
    r = clients.search("6789")
    assert r.rows[0].matched_by == "телефон" and r.rows[0].phone == "+7 (912) 345-67-89"
    # representative's phone, by its last digits and in full
    r = clients.search("0123")
    assert names(r) == ["Фёдоров Семён Ильич"] and r.rows[0].matched_by == "телефон представителя"
    assert r.rows[0].phone == "+7 (922) 555-01-23"
    assert names(clients.search("8 922 555 01 23")) == ["Фёдоров Семён Ильич"]
    r = clients.search("0011")
    assert names(r) == ["Петров Иван Андреевич"] and r.rows[0].matched_by == "телефон родственника"
    # surname half + last 4 digits together
    assert names(clients.search("фёд 0123")) == ["Фёдоров Семён Ильич"]
    assert clients.search("ив 0123").total == 0


def test_birth_date_and_combination(registry):
    assert names(clients.search("08.03.2015")) == ["Иванова Анна Петровна"]
    assert names(clients.search("8.3.2015 ив")) == ["Иванова Анна Петровна"]
    assert clients.search("31.02.2015").total == 0  # impossible date: nothing, no error
    assert clients.search("08.03.2016").total == 0


@pytest.mark.parametrize(
    "query",
    [
        "'",
        '"',
        "%",
        "_",
        "'; DROP TABLE client; --",
        "😀😀",
        "ив%",
        "и_в",
        "x" * 10_000,
        "1" * 10_000,
        "\x00",
        "\\",
        "ив' OR '1'='1",
        "((((",
        "+-()",
    ],
)
def test_hostile_queries_never_break(registry, query):
    r = clients.search(query)
    assert r.total >= 0
    assert m.Client.select().count() == 4


def test_access_by_department(registry, staff):
    # the specialist does not see the other department's client
    assert "Иванов Андрей Олегович" not in names(clients.search("иванов"))
    with pytest.raises(clients.AccessDenied):
        clients.get_client_summary(registry["far"])
    with pytest.raises(clients.AccessDenied):
        clients.get_client_card(registry["far"])
    # the head of the specialist's department sees her department only (issue 10)
    session.set_actor(auth.sign_in("head", PASSWORD))
    assert "Иванов Андрей Олегович" not in names(clients.search("иванов"))
    with pytest.raises(clients.AccessDenied):
        clients.get_client_card(registry["far"])
    # the head of the centre (no department) sees every department; the administrator opens no file
    auth.add_user("chief", PASSWORD, "Орлова", "Вера", "Ивановна", "head", "head", None)
    session.set_actor(auth.sign_in("chief", PASSWORD))
    assert "Иванов Андрей Олегович" in names(clients.search("иванов"))
    assert clients.get_client_summary(registry["far"]).full_name == "Иванов Андрей Олегович"
    session.set_actor(auth.sign_in("admin", PASSWORD))
    with pytest.raises(clients.AccessDenied):
        clients.search("иванов")
    with pytest.raises(clients.AccessDenied):
        clients.get_client_card(registry["far"])
    session.set_actor(auth.sign_in("other", PASSWORD))
    assert names(clients.search("ив")) == ["Иванов Андрей Олегович"]


def test_filters_paging_and_empty_query(registry, actor):
    assert names(clients.search("", SearchFilters(only_mine=True))) == ["Фёдоров Семён Ильич"]
    r = clients.search("")
    assert names(r) == ["Фёдоров Семён Ильич"] and r.total == 1  # empty query: my own clients
    r = clients.search("", SearchFilters(department_id=actor.department_id))  # any filter: newest first
    assert names(r) == ["Петров Иван Андреевич", "Фёдоров Семён Ильич", "Иванова Анна Петровна"]
    assert clients.search("", SearchFilters(category="elderly")).total == 0
    clients.change_status(registry["anna"], "served")
    assert names(clients.search("", SearchFilters(status="served"))) == ["Иванова Анна Петровна"]
    dep = SearchFilters(department_id=actor.department_id)
    page1 = clients.search("", dep, limit=2)
    page2 = clients.search("", dep, limit=2, offset=2)
    assert page1.total == page2.total == 3
    assert len(page1.rows) == 2 and len(page2.rows) == 1
    assert not set(names(page1)) & set(names(page2))


def test_count_is_capped(actor):
    rows = [
        {
            "last_name": "Смирнова",
            "first_name": "Анна",
            "patronymic": "",
            "name_key": f"смирнова анна {i}",
            "department": actor.department_id,
        }
        for i in range(1100)
    ]
    m.Client.insert_many(rows).execute()
    ids = [c.id for c in m.Client.select(m.Client.id)]
    from soptui.db.connection import write_transaction

    with write_transaction():
        for i in ids:
            clients.reindex(i)
    r = clients.search("смирн", limit=50)
    assert r.total_capped and r.total == clients.COUNT_CAP and r.total_text == "1000+"
    assert len(r.rows) == 50


def test_summary_contract(registry):
    s = clients.get_client_summary(registry["fedor"])
    assert s.full_name == "Фёдоров Семён Ильич" and s.birth_date == dt.date(2012, 1, 20)
    rep = s.representatives[0]
    assert (rep.relation, rep.full_name, rep.first_name, rep.patronymic) == (
        "мать",
        "Фёдорова Алёна Юрьевна",
        "Алёна",
        "Юрьевна",
    )
    assert rep.phones == ["+79225550123"] and rep.messengers == [("telegram", "@alena_f")]
    assert s.assigned_staff_short == "Иванова М.С."


def test_duplicates(registry):
    d = clients.find_duplicates("иванова", "анна", "петровна", dt.date(2015, 3, 8), [])
    assert [x.id for x in d] == [registry["anna"]] and "ФИО" in d[0].reason
    assert clients.find_duplicates("Иванова", "Анна", "Петровна", dt.date(2015, 3, 9), []) == []
    d = clients.find_duplicates("Новикова", "Ольга", "", None, ["+79225550123"])
    assert [x.id for x in d] == [registry["fedor"]] and "представителя" in d[0].reason
    assert (
        clients.find_duplicates("Иванова", "Анна", "Петровна", dt.date(2015, 3, 8), [], exclude_id=registry["anna"])
        == []
    )


def test_edit_and_conflict(registry):
    card = clients.get_client_card(registry["anna"], audit_view=False)
    mine = ClientData(
        "Иванова",
        "Анна",
        "Петровна",
        dt.date(2015, 3, 8),
        address="ул. Ленина, 1",
        department_id=card.summary.department_id,
        phones=["+79123456789"],
    )
    # someone else saves first: changes the address and the phone
    theirs = ClientData(
        "Иванова",
        "Анна",
        "Петровна",
        dt.date(2015, 3, 8),
        address="ул. Мира, 2",
        department_id=card.summary.department_id,
        phones=["+79120000000"],
    )
    clients.update_client(registry["anna"], card.summary.version, theirs, card.form)
    with pytest.raises(clients.ClientConflict) as exc:
        clients.update_client(registry["anna"], card.summary.version, mine, card.form)
    changed = {c.field: c for c in exc.value.changes}
    assert set(changed) == {"address", "phones"}
    assert changed["address"].mine == "ул. Ленина, 1" and changed["address"].theirs == "ул. Мира, 2"
    assert changed["phones"].theirs == ["+7 (912) 000-00-00"]
    assert m.Client.get_by_id(registry["anna"]).address == "ул. Мира, 2"  # nothing overwritten silently
    # overwrite knowingly
    clients.update_client(registry["anna"], exc.value.version, mine, exc.value.theirs)
    assert m.Client.get_by_id(registry["anna"]).address == "ул. Ленина, 1"
    assert names(clients.search("6789")) == ["Иванова Анна Петровна"]  # reindexed
    assert clients.search("0000").total == 0


def test_deleted_client_is_reported(registry):
    card = clients.get_client_card(registry["petr"], audit_view=False)
    clients.delete_client(registry["petr"])
    with pytest.raises(clients.ClientGone):
        clients.get_client_card(registry["petr"])
    with pytest.raises(clients.ClientGone):
        clients.update_client(
            registry["petr"], card.summary.version, ClientData("Петров", "Иван", "Андреевич"), card.form
        )
    with pytest.raises(clients.ClientGone):
        clients.change_status(registry["petr"], "served")


def test_status_lifecycle_keeps_history(registry):
    cid = registry["anna"]
    clients.change_status(cid, "served")
    with pytest.raises(ValueError):
        clients.change_status(cid, "refused", "")  # reason required
    with pytest.raises(ValueError):
        clients.change_status(cid, "potential")  # not a transition from served
    clients.change_status(cid, "closed", "достиг целей ИППСУ", dt.date(2026, 11, 20))
    clients.change_status(cid, "served", "повторное обращение")  # reopening
    card = clients.get_client_card(cid, audit_view=False)
    assert [h.new for h in card.history] == ["потенциальный", "обслуживается", "снят с обслуживания", "обслуживается"]
    assert card.history[2].reason == "достиг целей ИППСУ" and card.history[2].at.date() == dt.date(2026, 11, 20)
    assert card.status_label == "обслуживается"


def test_card_warnings_and_audit(registry, actor):
    cid = registry["anna"]
    card = clients.get_client_card(cid)
    assert card.consent_warning  # no consent date
    data = ClientData(
        "Иванова",
        "Анна",
        "Петровна",
        dt.date(2015, 3, 8),
        department_id=actor.department_id,
        phones=["+79123456789"],
        consent_date=dt.date(2026, 1, 10),
        ipra_number="123",
        ipra_start=dt.date(2025, 12, 15),
        ipra_end=dt.date(2026, 12, 15),
    )
    clients.update_client(cid, card.summary.version, data, card.form)
    card = clients.get_client_card(cid)
    assert card.consent_warning == ""
    assert card.ipra_warning == "ИПРА истекает 15.12.2026 (через 20 дн.)"
    views = m.AuditLog.select().where((m.AuditLog.action == "view") & (m.AuditLog.record_id == cid)).count()
    assert views == 2
    with pytest.raises(clients.AccessDenied):
        clients.client_audit(cid)  # specialists do not read the audit log
    session.set_actor(auth.sign_in("head", PASSWORD))
    rows = clients.client_audit(cid)
    assert [r.action for r in rows].count("просмотр") == 2
    assert any(r.action == "изменение" and "ИПРА" in r.details for r in rows)


def test_referral_intake_creates_potential_client_with_deadlines(actor):
    received = dt.datetime(2025, 12, 30, 11, 15)
    data = ClientData("Котова", "Дарья", "Игоревна", dt.date(2014, 6, 1), phones=["89125550000"])
    data.phones = clients.parse_phones("8 912 555-00-00")
    args = (None, data, received, "citizen_report", "МАОУ СОШ № 2", "пропуски занятий", "incoming_calls", actor.id)
    with pytest.raises(ValueError, match="позже срока"):  # SOP 04: registered today, long after its deadline
        clients.take_referral(*args)
    cid, ref_id = clients.take_referral(*args, late_reason="Письмо найдено в архиве")
    client = m.Client.get_by_id(cid)
    assert client.status == "potential" and client.department_id == actor.department_id
    ref = m.Referral.get_by_id(ref_id)
    assert ref.first_contact_due == dt.date(2026, 1, 14)
    assert ref.assigned_staff_id == actor.id and ref.intake_log == "incoming_calls"
    assert ref.registration_late_reason == "Письмо найдено в архиве"
    card = clients.get_client_card(cid, audit_view=False)
    assert card.referrals[0].first_contact_due == dt.date(2026, 1, 14)
    assert card.referrals[0].state == "overdue"  # today is 25.11.2026 in the tests
    # a second referral linked to the same client
    cid2, _ = clients.take_referral(
        cid, None, dt.datetime(2026, 11, 25, 9, 0), "personal_application", "", "мать обратилась", "reception", actor.id
    )
    assert cid2 == cid and m.Referral.select().where(m.Referral.client == cid).count() == 2
    with pytest.raises(ValueError):
        clients.take_referral(cid, None, dt.datetime(2026, 11, 26, 9, 0), "ipra", "", "", "reception", None)


def test_validators():
    with pytest.raises(ValueError, match="будущем"):
        clients.validate_birth_date("01.01.2027")
    with pytest.raises(ValueError, match="ДД.ММ.ГГГГ"):
        clients.validate_birth_date("2015-03-08")
    with pytest.raises(ValueError, match="120"):
        clients.validate_birth_date("01.01.1890")
    assert clients.validate_name_part("петрова-водкина") == "Петрова-Водкина"
    with pytest.raises(ValueError):
        clients.validate_name_part("Иван0в")
    assert clients.parse_phones("8 912 345-67-89; +7 (343) 694-00-00") == ["+79123456789", "+73436940000"]
    with pytest.raises(ValueError):
        clients.parse_phones("8 912 345")
    assert clients.validate_messenger("telegram", "ivanova_m") == "@ivanova_m"
    assert clients.validate_messenger("whatsapp", "8 912 345 67 89") == "+79123456789"
    with pytest.raises(ValueError, match="WhatsApp"):
        clients.validate_messenger("whatsapp", "@ivanova")
    assert clients.validate_messenger("vk", "https://vk.com/id12345") == "vk.com/id12345"
    with pytest.raises(ValueError):
        clients.validate_messenger("telegram", "@ab")


def test_today_lists_ipra_running_out(registry, actor):
    from soptui.services import agenda as today_service

    cid = registry["fedor"]  # assigned to the specialist
    card = clients.get_client_card(cid, audit_view=False)
    data = ClientData(
        "Фёдоров",
        "Семён",
        "Ильич",
        dt.date(2012, 1, 20),
        department_id=actor.department_id,
        assigned_staff_id=actor.id,
        ipra_number="55",
        ipra_start=dt.date(2025, 12, 10),
        ipra_end=dt.date(2026, 12, 10),
    )
    clients.update_client(cid, card.summary.version, data, card.form)
    items = [i for i in today_service.collect(actor) if i.section == "ИПРА"]
    assert [(i.who, i.state, i.target) for i in items] == [("Фёдоров Семён Ильич", "ok", ("client", cid))]
    assert "10.12.2026" in items[0].what
    # far from the end: not on Today
    card = clients.get_client_card(cid, audit_view=False)
    data.ipra_end = dt.date(2027, 6, 1)
    clients.update_client(cid, card.summary.version, data, card.form)
    assert not [i for i in today_service.collect(actor) if i.section == "ИПРА"]


def test_own_surname_ranks_before_a_mothers_with_the_same_stem(registry, actor):
    """«петрова»: the girl Петрова comes before the boy Петров whose mother is Петрова"""
    girl = clients.create_client(
        ClientData("Петрова", "Яна", "Олеговна", dt.date(2014, 6, 1), department_id=actor.department_id)
    )
    clients.save_person(registry["petr"], PersonData("representative", "мать", "Петрова", "Алла", "Ивановна"))
    r = clients.search("петрова")
    assert names(r) == ["Петрова Яна Олеговна", "Петров Иван Андреевич"]
    assert [row.matched_by for row in r.rows][:2] == ["ФИО", "ФИО представителя"]
    assert r.rows[0].id == girl
