"""«График выходов» — the field-visit schedule of a specialist or a department, as a PDF."""

from __future__ import annotations

import datetime as dt

from soptui.forms.base import SoptuiDocument


def build(doc, creation_date: dt.datetime | None = None) -> SoptuiDocument:
    """Landscape A4 grid of the visits (`doc` is a services.patronage.ScheduleDocument)."""
    pdf = SoptuiDocument(doc.title, doc.institution, orientation="L", creation_date=creation_date)
    pdf.add_title(doc.title, doc.subtitle)
    if doc.rows:
        pdf.add_table(
            ["Дата", "Время выхода / в семье", "Получатель услуг", "Адрес", "Вид и цель", "Сотрудники", "Отметка"],
            [list(row) for row in doc.rows],
            col_widths=[20, 28, 42, 60, 52, 36, 24],
            font_size=8,
        )
    else:
        pdf.add_paragraph("На этот период выходов в семьи не запланировано.")
    pdf.add_paragraph(f"Всего выходов: {len(doc.rows)}.")
    pdf.add_signatures(
        [("Составил(а)", doc.compiled_by or None), ("Утверждаю: заведующий отделением", doc.head_name or None)]
    )
    return pdf


def file_name(doc) -> str:
    """График_выходов_Иванова_М.С._01.12.2026-31.12.2026.pdf: whose schedule (a person, department or all) and when."""
    scope = doc.scope.replace(". ", ".")
    return f"График выходов {scope} {doc.start:%d.%m.%Y}-{doc.end:%d.%m.%Y}.pdf"
