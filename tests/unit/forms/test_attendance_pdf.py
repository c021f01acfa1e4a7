"""The attendance sheet, club plan and session report PDFs, read back with pypdf."""

from __future__ import annotations

import datetime as dt
import io
import re

from pypdf import PdfReader

from soptui.db import models as m
from soptui.domain.groups import Slot
from soptui.services import groups as g

PRINTED = dt.datetime(2026, 11, 25, 10, 30)


def _text(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def _client(last: str, first: str) -> int:
    from soptui.db.connection import write_transaction

    with write_transaction():
        return m.Client.create(
            last_name=last,
            first_name=first,
            patronymic="Ивановна",
            name_key=f"{last} {first} ивановна".casefold(),
            status="served",
            consent_date=dt.date(2026, 9, 1),
        ).id


def _setup(staff):
    club = g.save_club(
        g.ClubData(
            name="Клуб общения «Родничок»",
            room="каб. 104",
            capacity=20,
            start_date=dt.date(2026, 11, 2),
            end_date=dt.date(2026, 12, 25),
            leader_ids=[staff["spec"]],
            programme=[("Давайте познакомимся", "Правила группы"), ("Мои эмоции", "Чувства")],
            slots=[Slot(0, "15:00", "16:00"), Slot(2, "15:00", "16:00")],
        )
    )
    anna, olga, vera = _client("Афанасьева", "Анна"), _client("Белкина", "Ольга"), _client("Воронина", "Вера")
    for c in (anna, olga):
        g.add_member(club, c, dt.date(2026, 11, 2))
    g.add_member(club, vera, dt.date(2026, 11, 16))  # joins mid-month: earlier dates are "—"
    sessions = {s.date: s.id for s in g.club_sessions(club)}
    g.save_roll_call(sessions[dt.date(2026, 11, 2)], {anna: (True, ""), olga: (False, "болеет")})
    g.save_roll_call(sessions[dt.date(2026, 11, 9)], {anna: (True, ""), olga: (True, "")})
    g.save_roll_call(sessions[dt.date(2026, 11, 16)], {anna: (True, ""), olga: (True, ""), vera: (True, "")})
    g.save_roll_call(sessions[dt.date(2026, 11, 18)], {anna: (False, ""), olga: (True, ""), vera: (True, "")})
    return club


def test_attendance_sheet_reads_back_with_names_marks_and_totals(actor, staff):
    from soptui.forms import attendance
    from soptui.services import printing

    club = _setup(staff)
    sheet = g.attendance_sheet(club, 2026, 11)
    # 4 November is a holiday: Nov sessions are 2, 9, 11, 16, 18, 23, 25, 30
    assert [d for d, _ in sheet.dates] == [dt.date(2026, 11, d) for d in (2, 9, 11, 16, 18, 23, 25, 30)]
    assert sheet.leaders == ("Иванова Марина Сергеевна",)  # full names, as they sign
    reader, text = _text(printing.render(attendance, sheet, PRINTED))
    page = reader.pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)  # A4 landscape
    assert "Табель посещаемости занятий" in text
    assert "Клуб общения «Родничок» — ноябрь 2026" in text
    for day in ("02.11", "09.11", "11.11", "16.11", "18.11", "23.11", "25.11", "30.11"):
        assert day in text
    lines = [ln.strip() for ln in text.splitlines()]
    anna = next(ln for ln in lines if "Афанасьева Анна Ивановна" in ln)
    olga = next(ln for ln in lines if "Белкина Ольга Ивановна" in ln)
    vera = next(ln for ln in lines if "Воронина Вера Ивановна" in ln)
    assert re.sub(r"\s+", " ", anna).endswith("+ + + н 3")
    assert re.sub(r"\s+", " ", olga).endswith("н + + + 3")
    assert re.sub(r"\s+", " ", vera).endswith("— — — + + 2")
    totals = re.sub(r"\s+", " ", next(ln for ln in lines if ln.startswith("Присутствовало")))
    assert totals == "Присутствовало 1 2 0 3 2 0 0 0 8"
    assert "оказано услуг: 8" in text
    assert "Ведущий занятий" in text and "Иванова Марина Сергеевна" in text
    assert "Заведующий отделением" in text


def test_print_attendance_sheet_writes_a_file(actor, staff, tmp_path):
    import os

    club = _setup(staff)
    old_umask = os.umask(0o022)  # a loose umask: the folder and the file are private all the same
    try:
        path = g.print_attendance_sheet(club, 2026, 11, tmp_path / "out")
    finally:
        os.umask(old_umask)
    assert path.exists() and path.suffix == ".pdf"
    assert path.stat().st_mode & 0o777 == 0o600 and path.parent.stat().st_mode & 0o777 == 0o700
    assert path.name == "Табель посещаемости Клуб общения «Родничок» 11.2026.pdf"
    _, text = _text(path.read_bytes())
    assert "Воронина Вера Ивановна" in text


def test_club_plan_and_session_report(actor, staff, tmp_path):
    club = _setup(staff)
    plan_path = g.print_club_plan(club, tmp_path)
    assert plan_path.name == "План и график Клуб общения «Родничок».pdf"
    _, plan = _text(plan_path.read_bytes())
    assert "План и график работы клуба" in plan
    assert "Давайте познакомимся" in plan and "понедельник 15:00–16:00" in plan
    assert "04.11.2026" not in plan  # the holiday is not in the schedule
    assert "02.11.2026" in plan and "проведено" in plan
    assert "Иванова Марина Сергеевна" in plan  # the leader signs under the full name
    sid = g.club_sessions(club)[0].id
    d = g.get_session(sid)
    g.save_session_report(
        sid,
        d.version,
        {
            "media_taken": True,
            "media_location": "Клубы/2026-11-02",
            "analysis": "Цель достигнута",
            "props": "карточки эмоций",
            "first_meeting": True,
        },
    )
    g.add_feedback(sid, "guest", "Смирнова О. В.", "Очень тёплое занятие", 5)
    g.add_feedback(sid, "staff", text="Группа активна", score=4, staff_id=staff["spec"])
    report_path = g.print_session_report(sid, tmp_path)
    assert report_path.name == "Отчёт о занятии Клуб общения «Родничок» 02.11.2026.pdf"
    _, report = _text(report_path.read_bytes())
    assert "Отчёт о проведённом занятии" in report
    assert "Давайте познакомимся" in report and "Афанасьева Анна Ивановна" in report
    assert "да, хранится: Клубы/2026-11-02" in report
    assert "Иванова Марина Сергеевна" in report
    assert "Очень тёплое занятие" in report and "Смирнова О. В." in report
    assert "Реквизит: карточки эмоций" in report and "первое знакомство" in report
    assert "Удовлетворённость (средняя оценка 1–5): 4,5 (оценок: 2)" in report
