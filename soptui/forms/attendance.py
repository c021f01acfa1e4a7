"""The monthly attendance sheet of a club (SOP 05): participants × session dates, A4 landscape.

Marks: "+" present, "н" absent, "—" not a member on that date, blank not marked yet.
Totals per participant (right column) and per session (bottom row), signature lines.
"""

from __future__ import annotations

import datetime as dt

from soptui.forms.base import FONT, SoptuiDocument

WEEKDAYS = ["пн", "вт", "ср", "чт", "пт", "сб", "вс"]
LEGEND = "Обозначения: «+» — присутствовал(а), «н» — отсутствовал(а), «—» — не состоял(а) в группе на эту дату."


def build(sheet, creation_date: dt.datetime | None = None) -> SoptuiDocument:
    """The PDF document for an AttendanceSheet (soptui.services.groups.documents)."""
    title = "Табель посещаемости занятий"
    doc = SoptuiDocument(title, sheet.institution, orientation="L", creation_date=creation_date)
    doc.add_title(title, f"{sheet.club_name} — {sheet.month_title}")
    doc.add_field("Вид, помещение", f"{sheet.kind_label}, {sheet.room or 'помещение не указано'}")
    doc.add_field("Ведущие", ", ".join(sheet.leaders) or "")
    n = len(sheet.dates)
    date_w = 14.0 if n <= 12 else max(7.0, 170.0 / n)
    widths = [8.0, 62.0] + [date_w] * n + [16.0]
    if sum(widths) > doc.epw:  # many sessions in a month: the name column gives way
        widths[1] = max(40.0, doc.epw - sum(widths) + widths[1])
    size = 9 if n <= 12 else 7
    head_lines = [("№", ""), ("ФИО участника", "")]
    head_lines += [(f"{d:%d.%m}", f"{WEEKDAYS[d.weekday()]} {t}") for d, t in sheet.dates]
    head_lines += [("Всего", "")]
    row_h = 5.5

    def heading() -> None:
        doc.set_font(FONT, "B", size)
        doc.set_fill_color(230, 230, 230)
        x0, y0 = doc.l_margin, doc.get_y()
        x = x0
        for w, (a, b) in zip(widths, head_lines):
            doc.rect(x, y0, w, 2 * row_h - 1, style="DF")
            if b:
                doc.set_xy(x, y0 + 0.5)
                doc.cell(w, row_h - 1.5, a, align="C")
                doc.set_font(FONT, "", size - 1.5)
                doc.set_xy(x, y0 + row_h - 1)
                doc.cell(w, row_h - 1.5, b, align="C")
                doc.set_font(FONT, "B", size)
            else:
                doc.set_xy(x, y0)
                doc.cell(w, 2 * row_h - 1, a, align="C")
            x += w
        doc.set_xy(x0, y0 + 2 * row_h - 1)
        doc.set_font(FONT, "", size)

    def line(cells: list[str], bold: bool = False) -> None:
        if doc.will_page_break(row_h):
            doc.add_page()
            heading()
        doc.set_font(FONT, "B" if bold else "", size)
        doc.set_x(doc.l_margin)
        for i, (w, text) in enumerate(zip(widths, cells)):
            if i == 1 and doc.get_string_width(text) > w - 2:
                while text and doc.get_string_width(text + "…") > w - 2:
                    text = text[:-1]
                text += "…"
            doc.cell(w, row_h, text, border=1, align="L" if i == 1 else "C")
        doc.ln(row_h)

    heading()
    for i, r in enumerate(sheet.rows, start=1):
        line([str(i), r.name, *r.marks, str(r.total)])
    line(["", "Присутствовало", *[str(t) for t in sheet.session_totals], str(sheet.total)], bold=True)
    doc.ln(2)
    doc.set_font(FONT, "", 8)
    doc.multi_cell(0, 4, LEGEND, new_x="LMARGIN", new_y="NEXT")
    doc.multi_cell(
        0,
        4,
        f"Участников: {len(sheet.rows)}; занятий: {n}; оказано услуг: {sheet.total} "
        f"(одно занятие для одного клиента — одна услуга).",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    signers = [("Ведущий занятий", name) for name in sheet.leaders] or [("Ведущий занятий", None)]
    signers.append(("Заведующий отделением", None))
    doc.add_signatures(signers)
    return doc


def file_name(sheet) -> str:
    """«Табель Клуб общения «Родничок» 2026-11.pdf»: what, which club, which month."""
    return f"Табель посещаемости {sheet.club_name} {sheet.month:02d}.{sheet.year}.pdf"
