"""The service log («журнал учета услуг») for a period: A4 landscape, totals, signature lines.

Every SOP names the service log as the document the head of department checks
during audits; this is its printed form, built from
`soptui.services.journal.ServiceLogReport`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .base import FONT, SoptuiDocument, format_date

TITLE = "Журнал учёта услуг"
HEADINGS = ("№ п/п", "Дата", "ФИО получателя", "Услуга", "СОП", "Кол-во", "Минут", "Исполнитель")
WIDTHS = (10, 19, 50, 108, 10, 13, 13, 30)


def _hours(minutes: int) -> str:
    return f"{minutes // 60} ч {minutes % 60:02d} мин"


SIZE = 8  # pt
LINE_H = 3.6  # mm per text line
PAD = 1.0  # mm inside a cell
NUMERIC = {0, 5, 6}  # № п/п, кол-во, минут: right-aligned


def _grid(doc: SoptuiDocument, rows: list[list[object]]) -> None:
    """The log grid drawn cell by cell: one line per row unless a text needs wrapping.

    fpdf's table() lays out every cell with full text shaping (about 8 ms a row);
    a month of a large centre has thousands of rows, so plain cells are used and
    only the cells that do not fit are wrapped.
    """
    scale = doc.epw / sum(WIDTHS)
    widths = [w * scale for w in WIDTHS]

    widths_cache: dict[tuple[str, bool], float] = {}
    lines_cache: dict[tuple[str, float, bool], list[str]] = {}

    def text_width(text: str, bold: bool) -> float:
        key = (text, bold)
        if key not in widths_cache:
            widths_cache[key] = doc.get_string_width(text)
        return widths_cache[key]

    def lines_of(text: str, width: float, bold: bool) -> list[str]:
        if text_width(text, bold) <= width - 2 * PAD:
            return [text]
        key = (text, width, bold)
        if key not in lines_cache:
            lines_cache[key] = doc.multi_cell(width - 2 * PAD, LINE_H, text, dry_run=True, output="LINES")
        return lines_cache[key]

    def draw(cells: list[str], bold: bool = False, fill: bool = False) -> None:
        doc.set_font(FONT, "B" if bold else "", SIZE)
        wrapped = [lines_of(text, w, bold) for text, w in zip(cells, widths)]
        height = max(len(lines) for lines in wrapped) * LINE_H + 2 * PAD * 0.6
        if doc.will_page_break(height):
            doc.add_page()
            if not fill:
                heading()
            doc.set_font(FONT, "B" if bold else "", SIZE)
        x, y = doc.l_margin, doc.get_y()
        for i, (lines, w) in enumerate(zip(wrapped, widths)):
            doc.rect(x, y, w, height, style="DF" if fill else "D")
            for k, line in enumerate(lines):
                if not line:
                    continue
                if fill:
                    left = x + (w - text_width(line, bold)) / 2
                elif i in NUMERIC:
                    left = x + w - PAD - text_width(line, bold)
                else:
                    left = x + PAD
                # text() is the plain PDF text operator: far cheaper than cell() for thousands of rows
                doc.text(left, y + PAD * 0.6 + k * LINE_H + LINE_H * 0.75, line)
            x += w
        doc.set_xy(doc.l_margin, y + height)

    def heading() -> None:
        doc.set_fill_color(230, 230, 230)
        draw(list(HEADINGS), bold=True, fill=True)

    heading()
    for i, values in enumerate(rows):
        draw(["" if v is None else str(v) for v in values], bold=i == len(rows) - 1)
    doc.ln(3)
    doc.set_font(FONT, "", 10)


def build(report, creation_date: dt.datetime | None = None) -> SoptuiDocument:
    """The PDF document of a ServiceLogReport."""
    doc = SoptuiDocument(TITLE, report.institution, orientation="L",
                         creation_date=creation_date or report.printed_at)
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
        _grid(doc, rows)
    else:
        doc.add_paragraph("За период услуг в журнале нет.")
    doc.add_paragraph(f"Всего за период: записей {t.entries}, оказано услуг {t.units}, "
                      f"затрачено {t.minutes} мин ({_hours(t.minutes)}).")
    if report.by_sop:
        doc.add_section("Итоги по СОП")
        doc.add_table(("СОП", "Записей", "Услуг", "Минут"),
                      [[s.label, s.entries, s.units, s.minutes] for s in report.by_sop],
                      col_widths=(150, 30, 30, 30), font_size=8)
    if len(report.by_staff) > 1:
        doc.add_section("Итоги по исполнителям")
        doc.add_table(("Исполнитель", "Записей", "Услуг", "Минут"),
                      [[s.label, s.entries, s.units, s.minutes] for s in report.by_staff],
                      col_widths=(150, 30, 30, 30), font_size=8)
    doc.add_signatures([("Специалист", report.specialist or None),
                        ("Заведующий отделением", report.head or None)])
    return doc


def render(report, creation_date: dt.datetime | None = None) -> bytes:
    return build(report, creation_date).to_bytes()


def save(report, path: str | Path, creation_date: dt.datetime | None = None) -> Path:
    return build(report, creation_date).save(path)


def file_name(report) -> str:
    """journal_2026-11-01_2026-11-30.pdf"""
    return f"journal_{report.start:%Y-%m-%d}_{report.end:%Y-%m-%d}.pdf"
