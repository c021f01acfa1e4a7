"""The service log («журнал учета услуг») for a period: A4 landscape, totals, signature lines.

Every SOP names the service log as the document the head of department checks
during audits; this is its printed form, built from
`soptui.services.journal.ServiceLogReport` and saved by `soptui.services.printing`.
"""

from __future__ import annotations

import datetime as dt

from soptui.forms.base import SoptuiDocument, format_date

TITLE = "Журнал учёта услуг"
HEADINGS = ("№ п/п", "Дата", "ФИО получателя", "Услуга", "СОП", "Кол-во", "Минут", "Исполнитель")
WIDTHS = (10, 19, 50, 108, 10, 13, 13, 30)
ALIGN = ("R", "L", "L", "L", "C", "R", "R", "L")  # numbers right, the SOP code centred
SUMMARY_ALIGN = ("L", "R", "R", "R")


def _hours(minutes: int) -> str:
    return f"{minutes // 60} ч {minutes % 60:02d} мин"


def build(report, creation_date: dt.datetime | None = None) -> SoptuiDocument:
    """The PDF document of a ServiceLogReport."""
    doc = SoptuiDocument(TITLE, report.institution, orientation="L", creation_date=creation_date or report.printed_at)
    subtitle = f"за период с {format_date(report.start)} по {format_date(report.end)}"
    doc.add_title(TITLE, subtitle)
    doc.add_field("Отделение", report.department or "все отделения")
    if report.filters_text:
        doc.add_field("Отбор", report.filters_text)
    rows: list[list[object]] = [
        [r.number, format_date(r.date), r.client_name, r.service, r.sop, r.units, r.minutes, r.staff_name]
        for r in report.rows
    ]
    t = report.totals
    rows.append(["", "", "Итого", f"записей: {t.entries}", "", t.units, t.minutes, ""])
    if report.rows:
        doc.add_table(HEADINGS, rows, col_widths=WIDTHS, font_size=8, align=ALIGN, bold_rows={len(rows) - 1})
    else:
        doc.add_paragraph("За период услуг в журнале нет.")
    doc.add_paragraph(
        f"Всего за период: записей {t.entries}, оказано услуг {t.units}, "
        f"затрачено {t.minutes} мин ({_hours(t.minutes)})."
        + (
            " Занятие группы учтено один раз для ведущего; в строках журнала его длительность стоит у каждого "
            "участника."
            if t.repeated
            else ""
        )
    )
    if report.by_sop:
        doc.add_section("Итоги по СОП")
        doc.add_table(
            ("СОП", "Записей", "Услуг", "Минут"),
            [[s.label, s.entries, s.units, s.minutes] for s in report.by_sop],
            col_widths=(150, 30, 30, 30),
            font_size=8,
            align=SUMMARY_ALIGN,
        )
    if len(report.by_staff) > 1:
        doc.add_section("Итоги по исполнителям")
        doc.add_table(
            ("Исполнитель", "Записей", "Услуг", "Минут"),
            [[s.label, s.entries, s.units, s.minutes] for s in report.by_staff],
            col_widths=(150, 30, 30, 30),
            font_size=8,
            align=SUMMARY_ALIGN,
        )
    doc.add_signatures([("Специалист", report.specialist or None), ("Заведующий отделением", report.head or None)])
    return doc


def file_name(report) -> str:
    """«Журнал учёта услуг 01.11.2026-30.11.2026.pdf», with the narrowing when chosen («… Иванова М.С. СОП 02 …»):
    the log of one specialist no longer replaces another's of the same period."""
    tag = f"{report.file_tag} " if report.file_tag else ""
    return f"Журнал учёта услуг {tag}{report.start:%d.%m.%Y}-{report.end:%d.%m.%Y}.pdf"
