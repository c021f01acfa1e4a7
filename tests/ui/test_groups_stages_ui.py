"""Pilot tests of SOP 05 stages as records (issue 13, points 13 and 14): the club form's analysis note and the
unconfirmed-calendar warning, the informing dialog and its printed list, a review per person with a score,
and the add-participant dialog's warning with the reason it records."""

from __future__ import annotations

import datetime as dt
import io

from pypdf import PdfReader

from soptui.app import make_app
from soptui.db import models as m
from soptui.domain.groups import Slot
from soptui.services import groups as g

from conftest import PASSWORD, click, fill, paste, sign_in, until, wait_screen


def _client(last: str, status: str = "served", consent: dt.date | None = dt.date(2026, 9, 1)) -> int:
    from soptui.db.connection import write_transaction
    from soptui.services import clients

    with write_transaction():
        c = m.Client.create(
            last_name=last,
            first_name="Ольга",
            patronymic="Ивановна",
            name_key=f"{last} ольга ивановна".casefold(),
            birth_date=dt.date(2013, 5, 6),
            status=status,
            consent_date=consent,
            department=m.Staff.get(m.Staff.login == "spec").department_id,
        )
        clients.reindex(c.id)
    return c.id


def _club(staff, **extra) -> int:
    return g.save_club(
        g.ClubData(
            name="Клуб «Родничок»",
            capacity=5,
            start_date=dt.date(2026, 11, 2),
            end_date=dt.date(2026, 12, 25),
            leader_ids=[staff["spec"]],
            programme=[("Знакомство", "Правила группы"), ("Мои эмоции", "Чувства")],
            slots=[Slot(0, "15:00", "16:00")],
            **extra,
        )
    )


async def test_sop05_stage1_club_form_keeps_the_analysis_and_warns_of_an_unconfirmed_calendar(store, staff):
    from soptui.screens.groups.club_form import ClubFormScreen
    from soptui.screens.groups.clubs import ClubScreen

    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "spec", PASSWORD)
        await pilot.press("f6")
        await wait_screen(pilot, "GroupsScreen")
        await pilot.press("n")
        form = await wait_screen(pilot, ClubFormScreen)
        await until(pilot, lambda: form.loaded)
        q = form.query_one
        await fill(pilot, q("#cf-name"), "Клуб «Ромашка»")
        await fill(pilot, q("#cf-start"), "01.12.2026")
        await fill(pilot, q("#cf-end"), "26.02.2027")
        warning = "Производственный календарь на 2027 год не подтверждён: даты занятий могут сдвинуться"
        await until(pilot, lambda: warning in str(q("#cf-calendar").render()), "the calendar warning")
        await fill(pilot, q("#cf-slot-3"), "15:00-16:00")
        await fill(pilot, q("#cf-analysis"), "Анкеты 12 семей: трудности общения; личные дела: 9 ИПРА")
        draft = m.Draft.select(m.Draft.payload).where(m.Draft.key == "club:new")
        await until(pilot, lambda: "Анкеты 12 семей" in (draft.scalar() or ""), "the note kept in the draft")
        await pilot.press("ctrl+s")
        club = await wait_screen(pilot, ClubScreen)
        await until(pilot, lambda: club.card is not None)
        assert warning in str(club.query_one("#club-head").render())
    saved = m.Club.get(m.Club.name == "Клуб «Ромашка»")
    assert saved.analysis_note == "Анкеты 12 семей: трудности общения; личные дела: 9 ИПРА"


async def test_sop05_stage2_informing_dialog_records_who_how_when_and_prints_the_list(
    store, staff, centre, tmp_path, monkeypatch
):
    from soptui.screens.groups.clubs import ClubScreen
    from soptui.screens.groups.informing import InformingDialog

    monkeypatch.setenv("SOPTUI_OUTPUT", str(tmp_path))
    club = _club(staff)
    a, b = _client("Алексеева"), _client("Борисова")
    for c in (a, b):
        g.add_member(club, c, dt.date(2026, 11, 2))
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "spec", PASSWORD)
        app.push_screen(ClubScreen(club))
        screen = await wait_screen(pilot, ClubScreen)
        await until(pilot, lambda: screen.card is not None)
        await pilot.pause(0.2)
        screen.query_one("#sessions-table").move_cursor(row=4)  # 30.11.2026, the next session
        await pilot.pause()
        assert screen._selected_session().date == dt.date(2026, 11, 30)
        await pilot.press("u")
        dialog = await wait_screen(pilot, InformingDialog)
        await until(pilot, lambda: dialog.data is not None)
        assert "Проинформировано 0 из 2" in str(dialog.query_one("#inf-head").render())
        assert dialog.query_one("#inf-at").value == "25.11.2026 10:30"  # now, by default
        dialog.query_one("#inf-channel").value = "messenger"
        await fill(pilot, dialog.query_one("#inf-at"), "24.11.2026 16:05")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: dialog.data.informed == 1, "the first mark")
        # a time after the session started is refused at the field, the typed value kept
        await fill(pilot, dialog.query_one("#inf-at"), "30.11.2026 15:30")
        await pilot.press("ctrl+s")
        at = dialog.query_one("#inf-at")
        await until(pilot, lambda: "в будущем" in str(at.query_one("FieldError").render()), "the refusal")
        assert at.value == "30.11.2026 15:30" and dialog.data.informed == 1
        await pilot.press("f9")
        await until(pilot, lambda: list(tmp_path.glob("*.pdf")), "the printed list")
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)
    notice = m.SessionNotice.get(m.SessionNotice.client == a)
    assert (notice.channel, notice.informed_at, notice.informed_by_id) == (
        "messenger",
        dt.datetime(2026, 11, 24, 16, 5),
        staff["spec"],
    )
    pdf = next(tmp_path.glob("*.pdf"))
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    assert "Проинформировано: 1 из 2" in text and "мессенджер" in text and "24.11.2026 16:05" in text


async def test_sop05_stage4_review_per_participant_with_a_score_makes_the_satisfaction(store, staff, centre):
    from soptui.screens.groups.feedback import FeedbackDialog
    from soptui.screens.groups.session_form import SessionFormScreen

    club = _club(staff)
    a, b = _client("Алексеева"), _client("Борисова")
    for c in (a, b):
        g.add_member(club, c, dt.date(2026, 11, 2))
    sid = next(s.id for s in g.club_sessions(club) if s.date == dt.date(2026, 11, 23))
    g.save_roll_call(sid, {a: (True, ""), b: (False, "болеет")}, staff_id=staff["spec"])
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "spec", PASSWORD)
        app.push_screen(SessionFormScreen(sid))
        form = await wait_screen(pilot, SessionFormScreen)
        await until(pilot, lambda: form.loaded)
        assert str(form.query_one("#sf-satisfaction").render()) == "Удовлетворённость: нет оценок"
        form.query_one("#fb-add").press()
        dialog = await wait_screen(pilot, FeedbackDialog)
        # only the participant marked present is offered
        assert [o[0] for o in dialog.query_one("#fbd-client")._options[1:]] == ["Алексеева Ольга Ивановна"]
        await pilot.press("ctrl+s")  # nothing chosen: both the person and the score are asked for at once
        await until(pilot, lambda: "оценку" in str(dialog.query_one("#fbd-score-error").render()))
        assert "участника" in str(dialog.query_one("#fbd-person-error").render())
        dialog.query_one("#fbd-client").value = a
        dialog.query_one("#fbd-score").value = 5
        await fill(pilot, dialog.query_one("#fbd-text"), "Очень понравилось")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is form and form.detail.scores == 1, "the review saved")
        # a guest's review by name
        form.query_one("#fb-add").press()
        dialog = await wait_screen(pilot, FeedbackDialog)
        dialog.query_one("#fbd-source").value = "guest"
        await pilot.pause()
        assert not dialog.query_one("#fbd-client").display and dialog.query_one("#fbd-guest").display
        dialog.query_one("#fbd-guest").input.focus()
        await paste(pilot, "Смирнова О. В., колледж")
        dialog.query_one("#fbd-score").value = 4
        await click(pilot, "#fbd-save")
        await until(pilot, lambda: app.screen is form and form.detail.scores == 2, "the guest's review")
        assert str(form.query_one("#sf-satisfaction").render()) == "Удовлетворённость: 4,5 (оценок: 2)"
        assert form.query_one("#sf-feedback").row_count == 2
    rows = [(f.source, f.client_id, f.author, f.score, f.text) for f in m.SessionFeedback.select()]
    assert rows == [
        ("client", a, "", 5, "Очень понравилось"),
        ("guest", None, "Смирнова О. В., колледж", 4, ""),
    ]


async def test_sop05_adding_a_client_off_service_warns_and_records_the_reason(store, staff, centre):
    from soptui.screens.groups.clubs import ClubScreen
    from soptui.widgets.fields_dialog import FieldsDialog

    club = _club(staff)
    _client("Шереметьева", status="closed")
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "spec", PASSWORD)
        app.push_screen(ClubScreen(club))
        screen = await wait_screen(pilot, ClubScreen)
        await until(pilot, lambda: screen.card is not None)
        await pilot.press("a")
        picker = await wait_screen(pilot, "ClientPickerScreen")
        await pilot.press(*"шерем")
        await until(pilot, lambda: picker.search_settled and picker.query_one("ClientTable").ids)
        await pilot.press("enter")
        dialog = await wait_screen(pilot, FieldsDialog)
        assert "клиент снят с обслуживания" in str(dialog.query_one("#fd-text").render())
        await pilot.press("ctrl+s")  # no reason: refused at the field, nothing saved
        reason = dialog.query_one("#fd-reason")
        await until(pilot, lambda: "Обязательное поле" in str(reason.query_one("FieldError").render()))
        assert not m.ClubMember.select().exists()
        await fill(pilot, reason, "по заявлению матери, до конца сезона")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is screen and len(screen.card.members) == 1, "the member added")
        await until(pilot, lambda: "по заявлению матери" in str(screen.query_one("#member-admitted").render()))
    mb = m.ClubMember.get()
    assert (mb.admit_warning, mb.admit_reason, mb.admit_by_id) == (
        "клиент снят с обслуживания",
        "по заявлению матери, до конца сезона",
        staff["spec"],
    )
