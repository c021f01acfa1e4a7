"""The report of one held session (SOP 05 stage 4): topic, goal, participants, media, analysis, feedback."""

from __future__ import annotations

import datetime as dt

from soptui.forms.base import SoptuiDocument, format_date


def _quoted(name: str) -> str:
    return name if "«" in name else f"«{name}»"


def build(report, creation_date: dt.datetime | None = None) -> SoptuiDocument:
    """The PDF document for a SessionReport (soptui.services.groups.documents): institution, leaders, session."""
    detail = report.detail
    leaders = report.leaders
    title = "Отчёт о проведённом занятии"
    doc = SoptuiDocument(title, report.institution, creation_date=creation_date)
    doc.add_title(
        title, f"{_quoted(detail.club_name)}, {format_date(detail.date)} {detail.start_time}–{detail.end_time}"
    )
    doc.add_field("Тема", detail.topic)
    doc.add_field("Цель", detail.goal)
    doc.add_field("Ведущие", ", ".join(leaders))
    doc.add_field("Реквизит", detail.props or "не указан")
    if detail.first_meeting:
        doc.add_field("Первое знакомство", "на этом занятии проведено первое знакомство с участниками")
    doc.add_field("Присутствовало", f"{detail.present} из {detail.marked} отмеченных")
    doc.add_field("Гости", detail.guests or "нет")
    doc.add_field("Фото- и видеосъёмка", f"да, хранится: {detail.media_location}" if detail.media_taken else "нет")
    doc.add_section("Участники")
    doc.add_paragraph(", ".join(detail.present_names) or "нет отметок о присутствии")
    doc.add_section("Анализ и итоги занятия")
    doc.add_field("Анализ", detail.analysis)
    doc.add_field("Итоги", detail.summary)
    doc.add_field("Удовлетворённость (средняя оценка 1–5)", detail.satisfaction_text())
    doc.add_section("Отзывы")
    if detail.feedback:
        doc.add_table(
            ["От кого", "Кто", "Оценка", "Отзыв"],
            [[f.source_label, f.author, f.score or "", f.text] for f in detail.feedback],
            col_widths=[30, 45, 17, 88],
        )
    else:
        doc.add_paragraph("Отзывов нет.")
    signers = [("Ведущий занятия", name) for name in leaders] or [("Ведущий занятия", None)]
    doc.add_signatures(signers)
    return doc


def file_name(report) -> str:
    """«Отчёт о занятии Клуб общения «Родничок» 2026-11-02.pdf»: what, which club, which day."""
    return f"Отчёт о занятии {report.detail.club_name} {report.detail.date:%d.%m.%Y}.pdf"
