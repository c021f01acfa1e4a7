"""«Телефонные переговоры»: the form of one call (SOP 01/03) and the log for a period (SOP 02).

Built from `soptui.services.calls.LogEntry` rows; imported lazily (fpdf2 loads here).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from soptui.forms.base import SoptuiDocument, format_date

SOP_TITLES = {
    "01": "СОП 01 «Телефонный звонок»",
    "02": "СОП 02 «Организация звонка через специальное приложение»",
    "03": "СОП 03 «Телефонный звонок с целью установления первичного контакта с клиентом»",
}


def call_form(entry, institution: str, creation_date: dt.datetime | None = None) -> SoptuiDocument:
    """The «Телефонные переговоры» form of one finished call."""
    doc = SoptuiDocument("Телефонные переговоры", institution, creation_date=creation_date)
    doc.add_title("Телефонные переговоры", SOP_TITLES.get(entry.sop, f"СОП {entry.sop}"))
    doc.add_field("Дата", format_date(entry.date))
    doc.add_field("Время", entry.time)
    doc.add_field("Звонок", entry.direction)
    doc.add_field("Кто звонил", entry.caller)
    doc.add_field("Кому", entry.callee)
    doc.add_field("Получатель социальных услуг", entry.client_name)
    doc.add_field("Номер телефона", entry.number)
    if entry.notice_sent_at:
        doc.add_field("Предварительное сообщение отправлено", entry.notice_sent_at)
    doc.add_field("Цель звонка", entry.purpose)
    doc.add_field("Продолжительность разговора", f"{entry.duration} (мин:сек)")
    doc.add_field("Подготовка / документирование", f"{entry.prep} / {entry.doc}")
    doc.add_field("Итог", entry.outcome)
    doc.add_section("Краткое содержание разговора")
    doc.add_paragraph(entry.summary or "—")
    doc.add_section("Договорённости")
    doc.add_paragraph(entry.agreements or "—")
    if entry.off_hours_reason:
        doc.add_section("Звонок вне рабочего времени — причина")
        doc.add_paragraph(entry.off_hours_reason)
    doc.add_signatures([("Специалист", entry.caller.split(",")[0])])
    return doc


def log_document(
    entries: Sequence,
    start: dt.date,
    end: dt.date,
    institution: str,
    who: str = "",
    creation_date: dt.datetime | None = None,
) -> SoptuiDocument:
    """The «Телефонные переговоры» log of a period: one row per finished call, landscape A4."""
    doc = SoptuiDocument("Журнал «Телефонные переговоры»", institution, orientation="L", creation_date=creation_date)
    subtitle = f"за период с {format_date(start)} по {format_date(end)}"
    if who:
        subtitle += f"\n{who}"
    doc.add_title("Журнал «Телефонные переговоры»", subtitle)
    rows = [
        (
            str(n),
            format_date(e.date),
            e.time,
            e.caller,
            e.callee,
            e.number,
            e.purpose,
            "\n".join(p for p in (e.summary, e.agreements) if p),
            e.duration,
        )
        for n, e in enumerate(entries, start=1)
    ]
    if rows:
        doc.add_table(
            ["№", "Дата", "Время", "Кто звонил", "Кому", "Номер", "Цель", "Содержание и договорённости", "Длит."],
            rows,
            col_widths=(10, 19, 14, 35, 33, 31, 37, 75, 13),
            font_size=8,
            align=("R", "L", "L", "L", "L", "L", "L", "L", "R"),
        )
    else:
        doc.add_paragraph("За период звонков нет.")
    doc.add_paragraph(f"Всего звонков: {len(rows)}.")
    return doc


def save_call_form(entry, institution: str, folder: Path, creation_date: dt.datetime | None = None) -> Path:
    name = f"telefonnye-peregovory-{entry.date:%Y%m%d}-zvonok-{entry.call_id}.pdf"
    return call_form(entry, institution, creation_date).save(folder / name)


def save_log(
    entries: Sequence,
    start: dt.date,
    end: dt.date,
    institution: str,
    folder: Path,
    who: str = "",
    creation_date: dt.datetime | None = None,
) -> Path:
    name = f"zhurnal-telefonnye-peregovory-{start:%Y%m%d}-{end:%Y%m%d}.pdf"
    return log_document(entries, start, end, institution, who, creation_date).save(folder / name)
