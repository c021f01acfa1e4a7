"""The list of a session's participants with their informing status (SOP 05 stage 2): who was informed,
how, when and by whom; those not yet informed have blanks to fill in by hand while calling round."""

from __future__ import annotations

import datetime as dt

from soptui.forms.base import SoptuiDocument, format_date, format_datetime

WEEKDAYS = ["пн", "вт", "ср", "чт", "пт", "сб", "вс"]


def _quoted(name: str) -> str:
    return name if "«" in name else f"«{name}»"


def build(data, creation_date: dt.datetime | None = None) -> SoptuiDocument:
    """The PDF document for an InformingList (soptui.services.groups.informing)."""
    inf = data.informing
    title = "Список информирования участников о занятии"
    doc = SoptuiDocument(title, data.institution, orientation="L", creation_date=creation_date)
    doc.add_title(
        title,
        f"{_quoted(inf.club_name)}, {format_date(inf.date)} ({WEEKDAYS[inf.date.weekday()]}) "
        f"{inf.start_time}–{inf.end_time}",
    )
    doc.add_field("Тема занятия", inf.topic or "не указана")
    doc.add_field("Ведущие", ", ".join(data.leaders) or "не назначены")
    doc.add_field("Проинформировано", f"{inf.informed} из {len(inf.rows)}")
    rows = [
        [
            i,
            r.name,
            "да" if r.informed else "нет",
            r.channel_label,
            format_datetime(r.informed_at) if r.informed_at else "",
            r.informed_by,
            r.note,
        ]
        for i, r in enumerate(inf.rows, start=1)
    ]
    doc.add_section("Участники")
    if rows:
        doc.add_table(
            ["№", "ФИО участника", "Проинформирован", "Как", "Когда", "Кто проинформировал", "Отметка"],
            rows,
            col_widths=[9, 64, 40, 24, 32, 58, 40],
        )
    else:
        doc.add_paragraph("В клубе нет участников на дату занятия.")
    doc.add_signatures([("Ведущий занятия", name) for name in data.leaders] or [("Ведущий занятия", None)])
    return doc


def file_name(data) -> str:
    """«Информирование Клуб «Родничок» 02.11.2026.pdf»: what, which club, which day."""
    return f"Информирование {data.informing.club_name} {data.informing.date:%d.%m.%Y}.pdf"
