"""Prepared SQL (soptui.db.prepared): the same rows as peewee's own queries, the text kept per engine, the
values never kept, the fields' own conversions and refusals applied."""

from __future__ import annotations

import datetime as dt

import peewee
import pytest

from soptui.core.text import ControlCharacters
from soptui.db import models as m
from soptui.db import prepared
from soptui.db import store as st
from soptui.db.connection import db, write_transaction


def _dept(name="Отделение") -> m.Department:
    with write_transaction():
        return st.create(m.Department, name=name, phone="+73432000000")


def test_get_is_the_row_peewee_reads(store):
    dept = _dept()
    with write_transaction():
        staff = st.create(
            m.Staff,
            last_name="Иванова",
            first_name="Марина",
            position="social_work_specialist",
            login="ivanova",
            password_hash="x",
            department=dept.id,
            locked_until=dt.datetime(2026, 11, 25, 9, 15),
        )
    fast = prepared.get(m.Staff, staff.id)
    slow = peewee.Model.get_or_none.__func__(m.Staff, m.Staff.id == staff.id)
    assert fast.__data__ == slow.__data__
    assert fast.department_id == dept.id and fast.department.name == "Отделение"
    assert fast.locked_until == dt.datetime(2026, 11, 25, 9, 15) and fast.active is True
    assert not fast.is_dirty()
    assert prepared.get(m.Staff, staff.id + 1000) is None
    # the model's own get_or_none / get_by_id go through it for a plain id, and keep their contracts
    assert m.Staff.get_or_none(m.Staff.id == staff.id).__data__ == slow.__data__
    assert m.Staff.get_or_none(id=staff.id).login == "ivanova"
    assert m.Staff.get_or_none(m.Staff.id == staff.id + 1000) is None
    with pytest.raises(m.Staff.DoesNotExist):
        m.Staff.get_by_id(staff.id + 1000)
    assert m.Staff.get_or_none(m.Staff.login == "ivanova").id == staff.id  # any other query: peewee's way


def test_kept_sql_never_keeps_values(store):
    """Only the SQL text is kept: a row changed since (by anyone) is read as it is now."""
    dept = _dept()
    assert prepared.get(m.Department, dept.id).phone == "+73432000000"
    db.execute_sql("UPDATE department SET phone = 'x', version = 7 WHERE id = " + str(dept.id))  # another program
    row = prepared.get(m.Department, dept.id)
    assert (row.phone, row.version) == ("x", 7)


def test_sql_is_kept_per_engine(store, monkeypatch):
    """A process that opens a store of the other engine does not reuse this engine's text (placeholders,
    RETURNING); clear() forgets everything."""
    dept = _dept()
    prepared.get(m.Department, dept.id)
    engine = type(db.obj)
    assert (m.Department, engine) in prepared._SELECT

    class OtherEngine(engine):
        pass

    monkeypatch.setattr(db.obj, "__class__", OtherEngine)
    assert prepared.get(m.Department, dept.id).name == "Отделение"
    assert (m.Department, OtherEngine) in prepared._SELECT and (m.Department, engine) in prepared._SELECT
    monkeypatch.undo()
    prepared.clear()
    assert not prepared._SELECT and not prepared._INSERT and not prepared._UPDATE and not prepared._QUERIES


def test_insert_applies_defaults_and_refuses_control_characters(store):
    with write_transaction():
        dept = prepared.insert(m.Department, {"name": "Новое"})
    row = m.Department.get_by_id(dept.id)
    assert (row.short_name, row.working_hours, row.version) == ("", "пн-пт 09:00-18:00", 1)
    assert row.created_at is not None and dept.created_at == row.created_at
    with pytest.raises(ControlCharacters), write_transaction():
        prepared.insert(m.Department, {"name": "Плохое\x00имя"})
    assert m.Department.select().where(m.Department.name.startswith("Плохое")).count() == 0


def test_versioned_update_and_insert_many(store):
    dept = _dept()
    with write_transaction():
        assert prepared.update_versioned(m.Department, dept.id, 1, {"phone": "2", "version": 2}) == 1
        assert prepared.update_versioned(m.Department, dept.id, 1, {"phone": "3", "version": 2}) == 0  # moved on
    row = m.Department.get_by_id(dept.id)
    assert (row.phone, row.version) == ("2", 2)
    with write_transaction():
        client = st.create(m.Client, last_name="Петрова", first_name="Анна", name_key="петрова анна")
        prepared.insert_many(
            m.ClientSearchTerm,
            ("client", "kind", "term", "weight", "sort_key"),
            [(client.id, "n", "петрова", 0, "петрова анна"), (client.id, "n", "анна", 0, "петрова анна")],
        )
    terms = {t.term for t in m.ClientSearchTerm.select().where(m.ClientSearchTerm.client == client.id)}
    assert terms == {"петрова", "анна"}


def test_update_versioned_returns_the_row_as_written(store):
    """store.update_versioned no longer reads the row back: what it returns is what a read gives."""
    dept = _dept()
    with write_transaction():
        returned = st.update_versioned(m.Department, dept.id, 1, {"phone": "+73432111111"})
    stored = m.Department.get_by_id(dept.id)
    assert returned.__data__ == stored.__data__
    with write_transaction():
        current = m.Department.get_by_id(dept.id)
        again = st.update_versioned(m.Department, dept.id, 2, {"short_name": "ОДП"}, current=current)
    assert again.__data__ == m.Department.get_by_id(dept.id).__data__
    with pytest.raises(st.ConflictError), write_transaction():
        st.update_versioned(m.Department, dept.id, 2, {"short_name": "x"})


def test_rows_are_the_rows_peewee_selects(store):
    a, b = _dept("Первое"), _dept("Второе")
    with write_transaction():
        st.update_versioned(m.Department, b.id, 1, {"phone": "+73432999999"})
    assert [d.name for d in prepared.rows(m.Department)] == ["Первое", "Второе"]
    assert [d.id for d in prepared.rows(m.Department, phone="+73432000000")] == [a.id]
    assert [d.id for d in prepared.rows(m.Department, phone="+73432999999", name="Второе")] == [b.id]
    assert prepared.rows(m.Department, phone="нет такого") == []
    fast = prepared.rows(m.Department, name="Второе")[0]
    assert fast.__data__ == m.Department.select().where(m.Department.id == b.id).get().__data__
