"""NUL and other control characters in typed or pasted text (issue 14 point 6).

PostgreSQL refuses a NUL in text with an English driver error and SQLite kept it, so the same note behaved
differently by engine. Now every text column refuses NUL and the other C0 control characters (escape, bell,
DEL, ...; tab and line breaks are text) with one Russian message, before the driver sees the value: the same
ControlCharacters refusal on both engines, and nothing of the refused save is stored. Run on PostgreSQL too
(tools/test_all.py, SOPTUI_TEST_DATABASE).
"""

from __future__ import annotations

import peewee as pw
import pytest

from soptui.core.text import CONTROL_MESSAGE, check_text, has_control_characters
from soptui.db import models as m
from soptui.services import clients
from soptui.services.errors import ControlCharacters

BAD = ["Нул\x00ева", "до\x1b[2Jпосле", "звонок\x07", "del\x7f", "a\x1fb", "строка\x0bвертикальная"]


@pytest.mark.parametrize("text", BAD)
def test_a_new_client_with_a_control_character_is_refused_and_nothing_is_stored(actor, text):
    before = m.Client.select().count()
    with pytest.raises(ControlCharacters) as refused:
        clients.create_client(clients.ClientData(last_name="Петрова", first_name="Анна", notes=text))
    assert str(refused.value) == CONTROL_MESSAGE
    assert isinstance(refused.value, ValueError)  # the forms show a refused value at the field
    assert m.Client.select().count() == before
    assert m.ClientStatusChange.select().count() == 0  # the whole transaction went back
    with pytest.raises(ControlCharacters):
        clients.create_client(clients.ClientData(last_name=text, first_name="Анна"))
    assert m.Client.select().count() == before


def test_an_edit_with_a_nul_is_refused_and_the_stored_record_stays(actor):
    cid = clients.create_client(clients.ClientData(last_name="Петрова", first_name="Анна", notes="было"))
    card = clients.get_client_card(cid)
    data = clients.ClientData(last_name="Петрова", first_name="Анна", notes="ста\x00ло")
    with pytest.raises(ControlCharacters):
        clients.update_client(cid, card.summary.version, data, card.form)
    row = m.Client.get_by_id(cid)
    assert row.notes == "было" and row.version == card.summary.version


def test_tab_and_line_breaks_are_text_in_a_note(actor):
    note = "первая строка\r\nвторая\tс табуляцией\nтретья"
    cid = clients.create_client(clients.ClientData(last_name="Петрова", first_name="Анна", notes=note))
    assert m.Client.get_by_id(cid).notes == note


def test_every_text_column_of_every_table_refuses_a_nul():
    """No text column bypasses the check (a plain peewee field would let SQLite keep a NUL and make
    PostgreSQL fail with an English error)."""
    text_columns = 0
    for model in m.BaseModel.__subclasses__():
        for field in model._meta.sorted_fields:
            if isinstance(field, pw.CharField | pw.TextField):
                assert isinstance(field, m.CharField | m.TextField), f"{model.__name__}.{field.name}"
                with pytest.raises(ControlCharacters):
                    field.db_value("a\x00b")
                text_columns += 1
    assert text_columns > 100


def test_a_raw_model_write_is_refused_before_the_engine(store):
    dep = m.Department.create(name="Отделение", short_name="ОСО")
    with pytest.raises(ControlCharacters):
        m.Department.update(name="Отдел\x00ение").where(m.Department.id == dep.id).execute()
    with pytest.raises(ControlCharacters):
        m.Department.create(name="Отделение 2", short_name="\x1b")
    assert [d.name for d in m.Department.select()] == ["Отделение"]


def test_rows_copied_as_stored_keep_old_text_less_the_nul(store):
    """migrate-to copies a store written before the refusal: its old text is carried over, not refused."""
    with m.copying_rows():
        dep = m.Department.create(name="Ста\x00рое \x1b имя", short_name="")
    assert m.Department.get_by_id(dep.id).name == "Старое \x1b имя"
    with pytest.raises(ControlCharacters):
        m.Department.create(name="Ново\x00е", short_name="")


def test_a_nul_typed_into_the_search_box_breaks_nothing(actor):
    clients.create_client(clients.ClientData(last_name="Нулева", first_name="Анна"))
    assert clients.search("нулева").total == 1
    assert clients.search("нул\x00ева").total >= 0


def test_one_line_and_multi_line_rules():
    assert has_control_characters("a\tb") and not has_control_characters("a\tb", multiline=True)
    assert has_control_characters("a\nb") and not has_control_characters("a\r\nb", multiline=True)
    assert has_control_characters("a\x00b", multiline=True) and has_control_characters("\x7f", multiline=True)
    assert not has_control_characters("Щ [/] 👩\u200d👧 \u202eабв \u0085")  # markup, emoji, RTL are text
    assert check_text("обычный текст") == "обычный текст"
    with pytest.raises(ControlCharacters):
        check_text("\x1b[31m")
