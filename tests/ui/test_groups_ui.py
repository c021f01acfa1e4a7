"""Pilot tests of the Группы section: club form, members by search, extra session, export, openers."""

from __future__ import annotations

import csv
import datetime as dt

from soptui.app import make_app
from soptui.db import models as m
from soptui.domain.groups import Slot
from soptui.screens.navigation import AddToGroup
from soptui.services import groups as g

from conftest import PASSWORD, click, fill, paste, sign_in, until


async def _until(pilot, app, cond):
    await until(pilot, cond)


async def _type(pilot, widget, text: str) -> None:
    await fill(pilot, widget, text)


def _client(last: str, first: str = "Ольга") -> int:
    from soptui.db.connection import write_transaction
    from soptui.services import clients

    with write_transaction():
        c = m.Client.create(
            last_name=last,
            first_name=first,
            patronymic="Ивановна",
            name_key=f"{last} {first} ивановна".casefold(),
            birth_date=dt.date(2013, 5, 6),
            status="served",
            consent_date=dt.date(2026, 9, 1),
            department=m.Staff.get(m.Staff.login == "spec").department_id,
        )
        clients.reindex(c.id)
    return c.id


async def test_create_club_refuses_no_weekdays_then_generates_sessions(store, staff):
    from soptui.screens.groups.club_form import ClubFormScreen
    from soptui.screens.groups.clubs import ClubScreen

    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "spec", PASSWORD)
        await pilot.press("f6")
        await _until(pilot, app, lambda: app.screen.__class__.__name__ == "GroupsScreen")
        await pilot.press("n")
        await _until(pilot, app, lambda: isinstance(app.screen, ClubFormScreen) and app.screen.loaded)
        form = app.screen
        q = form.query_one
        await _type(pilot, q("#cf-name").input, "Клуб Ромашка")
        await _type(pilot, q("#cf-capacity").input, "10")
        await _type(pilot, q("#cf-start").input, "01.12.2026")
        await _type(pilot, q("#cf-end").input, "31.12.2026")
        q("#cf-programme").focus()
        await pilot.pause()
        await paste(pilot, "Знакомство - правила группы\nЭмоции")
        assert form.query_one("#cf-leaders").selected == [staff["spec"]]  # the author leads by default
        await pilot.press("ctrl+s")
        await _until(pilot, app, lambda: str(q("#cf-schedule-error").render()) != "")
        assert "не выбран ни один день недели" in str(q("#cf-schedule-error").render())
        assert q("#cf-name").value == "Клуб Ромашка"  # nothing typed is lost
        assert m.Club.select().count() == 0
        await _type(pilot, q("#cf-slot-3").input, "15:00-16:00")  # Thursday
        await _type(pilot, q("#cf-slot-0").input, "25:00")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "ЧЧ:ММ-ЧЧ:ММ" in str(q("#cf-slot-0").query_one("FieldError").render())
        await _type(pilot, q("#cf-slot-0").input, "")
        await pilot.press("ctrl+s")
        await _until(pilot, app, lambda: isinstance(app.screen, ClubScreen) and app.screen.card is not None)
        card = app.screen.card
        assert card.name == "Клуб Ромашка" and card.capacity == 10
        # Thursdays of December 2026: 3, 10, 17, 24 and 31 (31.12 is a day off in 2026)
        assert [s.date.day for s in card.sessions] == [3, 10, 17, 24]
        assert [s.topic for s in card.sessions[:3]] == ["Знакомство", "Эмоции", ""]
        assert card.programme[0].goal == "правила группы"


async def test_members_by_search_duplicate_and_extra_session(store, staff, tmp_path, centre):
    from soptui.screens.groups.clubs import ClubScreen
    from soptui.widgets.fields_dialog import FieldsDialog

    club = g.save_club(
        g.ClubData(
            name="Клуб «Родничок»",
            capacity=5,
            start_date=dt.date(2026, 11, 2),
            end_date=dt.date(2026, 12, 25),
            leader_ids=[staff["spec"]],
            slots=[Slot(0, "15:00", "16:00")],
        )
    )
    kid = _client("Шереметьева")
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "spec", PASSWORD)
        await pilot.press("f6")
        await _until(pilot, app, lambda: getattr(app.screen, "clubs", None))
        await pilot.press("enter")
        await _until(pilot, app, lambda: isinstance(app.screen, ClubScreen) and app.screen.card is not None)
        club_screen = app.screen
        for attempt in range(2):
            await pilot.press("a")
            await _until(pilot, app, lambda: app.screen.__class__.__name__ == "ClientPickerScreen")
            await pilot.press(*"шерем")
            await _until(pilot, app, lambda: app.screen.search_settled and app.screen.query_one("ClientTable").ids)
            await pilot.press("enter")
            await _until(pilot, app, lambda: isinstance(app.screen, FieldsDialog))
            dialog = app.screen
            await pilot.press("ctrl+s")
            if attempt == 0:
                await _until(pilot, app, lambda: app.screen is club_screen and len(club_screen.card.members) == 1)
            else:
                await _until(pilot, app, lambda d=dialog: "уже в группе" in str(d.query_one("#fd-error").render()))
                assert app.screen is dialog  # stays open, dates kept
                assert dialog.query_one("#fd-joined_on").value == "25.11.2026"
                await pilot.press("escape")
        member = m.ClubMember.get(m.ClubMember.client == kid)
        assert member.joined_on == dt.date(2026, 11, 25) and member.informed_on == dt.date(2026, 11, 25)
        # an extra session outside the club's dates is refused at the field
        await pilot.press("n")
        await _until(pilot, app, lambda: isinstance(app.screen, FieldsDialog))
        dialog = app.screen
        await paste(pilot, "15.01.2027")
        await pilot.press("ctrl+s")
        await _until(
            pilot,
            app,
            lambda: "вне срока работы клуба" in str(dialog.query_one("#fd-date").query_one("FieldError").render()),
        )
        await _type(pilot, dialog.query_one("#fd-date").input, "26.11.2026")
        await pilot.press("ctrl+s")
        await _until(
            pilot,
            app,
            lambda: (
                app.screen is club_screen and any(s.date == dt.date(2026, 11, 26) for s in club_screen.card.sessions)
            ),
        )
    assert m.GroupSession.get(m.GroupSession.date == dt.date(2026, 11, 26)).manual
    assert club


async def test_add_to_group_opener_and_csv_export(store, staff, tmp_path, monkeypatch, centre):
    from textual.widgets import Static

    from soptui.screens.groups.clubs import ChooseClubDialog
    from soptui.widgets.fields_dialog import FieldsDialog

    monkeypatch.setenv("SOPTUI_OUTPUT", str(tmp_path))
    club = g.save_club(
        g.ClubData(
            name="Клуб «Серебряный возраст»",
            capacity=5,
            start_date=dt.date(2026, 11, 2),
            end_date=dt.date(2026, 12, 25),
            leader_ids=[staff["spec"]],
            slots=[Slot(0, "11:00", "12:00")],
        )
    )
    kid = _client("Кудрявцева")
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "spec", PASSWORD)
        app.open(AddToGroup(kid))  # what the client card's key does
        await _until(pilot, app, lambda: isinstance(app.screen, ChooseClubDialog))
        await pilot.press("enter")
        await _until(pilot, app, lambda: isinstance(app.screen, FieldsDialog))
        await pilot.press("ctrl+s")
        await _until(pilot, app, lambda: not isinstance(app.screen, FieldsDialog))
        assert m.ClubMember.get(m.ClubMember.client == kid).club_id == club
        g.save_roll_call(
            m.GroupSession.get(m.GroupSession.date == dt.date(2026, 11, 23)).id,
            {kid: (True, "")},
            staff_id=staff["spec"],
        )
        await pilot.press("f6")
        await _until(pilot, app, lambda: getattr(app.screen, "clubs", None))
        await pilot.press("x")
        await _until(pilot, app, lambda: isinstance(app.screen, FieldsDialog))
        assert app.screen.query_one("#fd-start").value == "01.11.2026"
        assert "Только клубы вашего отделения" in str(app.screen.query_one("#fd-text", Static).render())
        await pilot.press("ctrl+s")
        await _until(pilot, app, lambda: not isinstance(app.screen, FieldsDialog))
    files = list(tmp_path.glob("*.csv"))
    assert len(files) == 1
    with open(files[0], encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    assert rows[1][:4] == [
        "Кудрявцева Ольга Ивановна",
        "06.05.2013",
        "Проведение занятий в группах взаимоподдержки, клубах общения",
        "23.11.2026",
    ]


async def test_session_report_form_with_programme_feedback_and_draft(store, staff, centre):
    from soptui.screens.groups.session_form import SessionFormScreen

    club = g.save_club(
        g.ClubData(
            name="Клуб «Родничок»",
            capacity=5,
            start_date=dt.date(2026, 11, 2),
            end_date=dt.date(2026, 12, 25),
            leader_ids=[staff["spec"]],
            programme=[("Знакомство", "Правила группы"), ("Мои эмоции", "Чувства")],
            slots=[Slot(0, "15:00", "16:00")],
        )
    )
    sid = g.club_sessions(club)[0].id
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "spec", PASSWORD)
        app.push_screen(SessionFormScreen(sid))
        await _until(pilot, app, lambda: isinstance(app.screen, SessionFormScreen) and app.screen.loaded)
        form = app.screen
        q = form.query_one
        assert q("#sf-topic").value == "Знакомство"
        q("#sf-programme").value = m.ProgrammeItem.get(m.ProgrammeItem.number == 2).id  # pick item 2
        await pilot.pause()
        assert q("#sf-topic").value == "Мои эмоции" and q("#sf-goal").value == "Чувства"
        await _type(pilot, q("#sf-guests").input, "студенты колледжа")
        q("#sf-media").value = True
        await pilot.pause()
        await pilot.press("ctrl+s")
        await _until(
            pilot, app, lambda: "где хранятся" in str(q("#sf-media-location").query_one("FieldError").render())
        )
        await _type(pilot, q("#sf-media-location").input, "Клубы 2026-11-02")
        await _until(pilot, app, lambda: m.Draft.select().where(m.Draft.key == f"session:{sid}").exists())
        # Esc on the unsaved report asks; «Остаться» keeps everything typed
        await pilot.press("escape")
        await _until(pilot, app, lambda: app.screen.query("#choice-stay"))
        assert [str(b.label) for b in app.screen.query("Button")] == ["Сохранить", "Не сохранять", "Остаться"]
        await click(pilot, "#choice-stay")
        await _until(pilot, app, lambda: app.screen is form)
        assert q("#sf-guests").value == "студенты колледжа"
        # the form goes away unsaved (a dropped connection): reopening restores the draft
        app.pop_screen()
        await _until(pilot, app, lambda: not isinstance(app.screen, SessionFormScreen))
        app.push_screen(SessionFormScreen(sid))
        await _until(pilot, app, lambda: isinstance(app.screen, SessionFormScreen) and app.screen.loaded)
        form = app.screen
        q = form.query_one
        assert q("#sf-guests").value == "студенты колледжа" and q("#sf-media-location").value == "Клубы 2026-11-02"
        q("#sf-analysis").text = "Цель достигнута"
        await _type(pilot, q("#sf-props").input, "карточки эмоций")
        q("#sf-first").value = True
        await pilot.pause()
        await pilot.press("ctrl+s")
        await _until(pilot, app, lambda: not form.dirty)
    s = m.GroupSession.get_by_id(sid)
    assert (s.topic, s.goal, s.guests, s.media_taken, s.media_location, s.analysis, s.props, s.first_meeting) == (
        "Мои эмоции",
        "Чувства",
        "студенты колледжа",
        True,
        "Клубы 2026-11-02",
        "Цель достигнута",
        "карточки эмоций",
        True,
    )
    assert s.programme_item.number == 2
    assert not m.Draft.select().where(m.Draft.key == f"session:{sid}").exists()


async def test_move_session_and_member_leaving_from_the_club_card(store, staff, centre):
    from soptui.screens.groups.clubs import ClubScreen
    from soptui.widgets.fields_dialog import FieldsDialog

    club = g.save_club(
        g.ClubData(
            name="Клуб «Родничок»",
            capacity=5,
            start_date=dt.date(2026, 11, 2),
            end_date=dt.date(2026, 12, 25),
            leader_ids=[staff["spec"]],
            slots=[Slot(0, "15:00", "16:00")],
        )
    )
    kid = _client("Лисицына")
    g.add_member(club, kid, dt.date(2026, 11, 2))
    g.save_roll_call(m.GroupSession.get(m.GroupSession.date == dt.date(2026, 11, 23)).id, {kid: (True, "")})
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "spec", PASSWORD)
        app.push_screen(ClubScreen(club))
        await _until(pilot, app, lambda: isinstance(app.screen, ClubScreen) and app.screen.card is not None)
        screen = app.screen
        await pilot.pause(0.2)
        assert screen._selected_session().date == dt.date(2026, 11, 23)  # the cursor starts at today's week
        await pilot.press("m")
        await _until(pilot, app, lambda: isinstance(app.screen, FieldsDialog))
        dialog = app.screen
        await _type(pilot, dialog.query_one("#fd-date").input, "24.11.2026")
        await pilot.press("ctrl+s")
        await _until(
            pilot,
            app,
            lambda: app.screen is screen and any(s.date == dt.date(2026, 11, 24) for s in screen.card.sessions),
        )
        # the member leaves today: D on the members tab (the first D switches to the tab)
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("d")
        await _until(pilot, app, lambda: isinstance(app.screen, FieldsDialog))
        dialog = app.screen
        await _type(pilot, dialog.query_one("#fd-reason").input, "переезд")
        await pilot.press("ctrl+s")
        await _until(pilot, app, lambda: app.screen is screen and screen.card.members[0].left_on is not None)
    moved = m.GroupSession.get(m.GroupSession.date == dt.date(2026, 11, 24))
    assert moved.moved_from == dt.date(2026, 11, 23) and moved.manual
    entry = m.ServiceEntry.get(m.ServiceEntry.client == kid)
    assert entry.date == dt.date(2026, 11, 24)  # the service moved with its session
    member = m.ClubMember.get(m.ClubMember.client == kid)
    assert (member.left_on, member.left_reason) == (dt.date(2026, 11, 25), "переезд")
    assert m.Attendance.select().where(m.Attendance.client == kid).count() == 1  # history kept


def test_clubs_list_schedule_is_compacted_to_fit_80_columns():
    from soptui.screens.groups.clubs import compact_schedule

    assert compact_schedule("вт 15:00–16:00, пт 15:00–16:00") == "вт, пт 15:00–16:00"
    assert compact_schedule("пн 10:00–11:00, ср 12:00–13:00, пт 10:00–11:00") == "пн, пт 10:00–11:00; ср 12:00–13:00"
    assert compact_schedule("по договорённости") == "по договорённости"
