"""The three SOP 04 documents as PDF: housing-conditions act, social patronage act, patronage report.

The content arrives as `services.patronage.ActDocument` (plain data); this module
only lays it out on the shared `SoptuiDocument` (A4, DejaVu, page N of M) and names its file.
"""

from __future__ import annotations

import datetime as dt

from soptui.forms.base import SoptuiDocument, format_document_date

# short titles for file names (the housing act's full title is too long for one)
FILE_TITLES = {
    "housing": "Акт обследования ЖБУ",
    "patronage": "Акт социального патронажа",
    "report": "Отчёт о патронаже",
}


# who did the visit, as the official form names them
MEMBERS_HEADING = {
    "housing": "Обследование провели",
    "patronage": "Посещение провели",
    "report": "Посещение провели",
}


def build(doc, creation_date: dt.datetime | None = None) -> SoptuiDocument:
    """The document of one act (`doc` is a services.patronage.ActDocument).

    The header follows the official housing act (order of the Ministry of Education of Russia No. 4 of
    10.01.2019, appendix 3) for all three: date, time and place; the members with their positions; then the
    act's own sections; each member's signature; «С актом ознакомлен(а)» with the representative's.
    """
    pdf = SoptuiDocument(doc.title, doc.institution, creation_date=creation_date)
    subtitle = doc.number + ("  (черновик)" if doc.is_draft else "")
    pdf.add_title(doc.title, subtitle)

    pdf.add_field("Дата", format_document_date(doc.visit_date))
    pdf.add_field("Время", doc.time_text)
    pdf.add_field("Место", doc.place)
    pdf.add_section(MEMBERS_HEADING.get(doc.kind, "Посещение провели"))
    for name, position in doc.members:
        pdf.add_paragraph(f"{name}, {position}")
    if not doc.members:
        pdf.add_field("ФИО, должность", "")

    if doc.visit_lines:
        pdf.add_section("Сведения о посещении")
        for label, value in doc.visit_lines:
            pdf.add_field(label, value)

    for title, fields in doc.sections:
        pdf.add_section(title)
        for label, value in fields:
            pdf.add_field(label, value)

    if doc.kind in ("patronage", "report"):
        # «не отмечены» / «не выявлено» only once the visit is done; before that an empty line to fill in by hand
        pdf.add_section("Методы работы (СОП 04)")
        if doc.methods or doc.visit_done:
            pdf.add_paragraph(", ".join(doc.methods) if doc.methods else "не отмечены")
        else:
            pdf.add_field("Методы", "")
        pdf.add_section("Проблемное поле")
        if doc.problem_areas or doc.visit_done:
            pdf.add_paragraph(", ".join(doc.problem_areas) if doc.problem_areas else "не выявлено")
        else:
            pdf.add_field("Проблемы", "")
        pdf.add_field("Выявлено", doc.findings)
        pdf.add_field("Разъяснены права и возможности", doc.rights_explained)

    if doc.earlier:
        pdf.add_section("Выполнение ранее данных рекомендаций")
        pdf.add_table(
            ["Дата выдачи", "Рекомендация", "Отметка", "Комментарий"],
            [list(r) for r in doc.earlier],
            col_widths=[22, 70, 28, 60],
        )
        if doc.effectiveness:
            pdf.add_field("Оценка эффективности профилактической работы", doc.effectiveness)

    pdf.add_section("Рекомендации")
    rows = [[str(i), text, who, due] for i, (text, who, due) in enumerate(doc.recommendations, 1)]
    if not rows and doc.visit_done:
        pdf.add_paragraph("Рекомендации не давались.")
    else:
        if not doc.visit_done:  # printed before the visit is done: room to write the rest in by hand
            rows += [[str(i), "\n", "", ""] for i in range(len(rows) + 1, len(rows) + 4)]
        pdf.add_table(["№", "Рекомендация", "Кому", "Срок"], rows, col_widths=[8, 110, 40, 22])

    # keep the heading with the signature block (add_signatures would move only the block)
    if pdf.will_page_break(len(doc.signers) * 10 + 34):
        pdf.add_page()
    pdf.add_section("Подписи")
    pdf.add_signatures(list(doc.signers), signed_on=doc.signed_on)

    # the representative acknowledges the act and dates it by hand
    acknowledging = [(f"Законный представитель ({relation})", name) for relation, name in doc.acknowledging]
    acknowledging = acknowledging or [("Законный представитель", None)]
    if pdf.will_page_break(len(acknowledging) * 10 + 24):
        pdf.add_page()
    pdf.add_section("С актом ознакомлен(а)")
    pdf.add_signatures(acknowledging)
    return pdf


def file_name(doc) -> str:
    """«Акт обследования ЖБУ №12-Ж Петров И.С. 26.11.2026.pdf»: kind, number, client, visit date (… черновик)."""
    parts = [
        FILE_TITLES.get(doc.kind, doc.title),
        doc.number.replace(" ", ""),
        doc.client_name.replace(". ", "."),
        f"{doc.visit_date:%d.%m.%Y}",
    ]
    if doc.is_draft:
        parts.append("черновик")
    return " ".join(parts) + ".pdf"
