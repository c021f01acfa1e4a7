"""Drafts service: save, load, replace, list by prefix, delete; per member of staff."""

from __future__ import annotations

import datetime as dt

import pytest

from soptui.core import session
from soptui.services import drafts


def test_save_load_replace_delete(actor):
    assert drafts.load_draft("client:new") is None
    drafts.save_draft("client:new", {"last_name": "Петров", "born": dt.date(2015, 3, 1)})
    assert drafts.load_draft("client:new") == {"last_name": "Петров", "born": "2015-03-01"}
    drafts.save_draft("client:new", {"last_name": "Петрова"})
    assert drafts.load_draft("client:new") == {"last_name": "Петрова"}
    drafts.save_draft("client:42", {"x": 1})
    drafts.save_draft("visit:7", {"y": 2})
    keys = sorted(d.key for d in drafts.list_drafts("client:"))
    assert keys == ["client:42", "client:new"]
    drafts.delete_draft("client:new")
    assert drafts.load_draft("client:new") is None
    assert [d.key for d in drafts.list_drafts("client:")] == ["client:42"]


def test_drafts_are_per_staff(actor, staff):
    from soptui.services import auth
    from soptui.services.errors import AccessDenied

    from conftest import PASSWORD

    drafts.save_draft("client:new", {"a": "mine"})
    # a colleague's drafts can be neither read nor written, whatever id is passed (issue 10)
    for call in (
        lambda: drafts.save_draft("client:new", {"a": "theirs"}, staff_id=staff["other"]),
        lambda: drafts.load_draft("client:new", staff_id=staff["other"]),
        lambda: drafts.list_drafts("", staff_id=staff["other"]),
        lambda: drafts.delete_draft("client:new", staff_id=staff["other"]),
    ):
        with pytest.raises(AccessDenied):
            call()
    session.set_actor(auth.sign_in("other", PASSWORD))
    assert drafts.load_draft("client:new") is None  # the colleague has none of mine
    drafts.save_draft("client:new", {"a": "theirs"})
    session.set_actor(None)
    assert drafts.load_draft("client:new") is None
    drafts.save_draft("client:new", {"a": "nobody"})  # no session: ignored, no crash
    session.set_actor(actor)
    assert drafts.load_draft("client:new") == {"a": "mine"}
