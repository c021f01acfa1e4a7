"""«Телефонные переговоры»: the log of a period, one row per finished call (SOP 02), landscape A4.

`data` is `soptui.services.calls.PhoneLog`: `institution`, `start`, `end`, `who` and `entries` (`LogEntry` rows).
"""

from __future__ import annotations

import datetime as dt

from soptui.forms.base import SoptuiDocument, format_date


def build(data, creation_date: dt.datetime | None = None) -> SoptuiDocument:
    """The «Телефонные переговоры» log of a period."""
    doc = SoptuiDocument(
        "Журнал «Телефонные переговоры»", data.institution, orientation="L", creation_date=creation_date
    )
    subtitle = f"за период с {format_date(data.start)} по {format_date(data.end)}"
    if data.who:
        subtitle += f"\n{data.who}"
    doc.add_title("Журнал «Телефонные переговоры»", subtitle)
    rows = [
        (
            str(n),
            format_date(e.date),
            e.time,
            e.caller,
            e.callee,
            e.number,
            "\n".join(p for p in (e.purpose, e.channel, e.ground and f"Основание: {e.ground}") if p),
            "\n".join(p for p in (e.summary, e.agreements) if p),
            e.duration,
        )
        for n, e in enumerate(data.entries, start=1)
    ]
    if rows:
        doc.add_table(
            [
                "№",
                "Дата",
                "Время",
                "Кто звонил",
                "Кому",
                "Номер",
                "Цель, способ, основание",
                "Содержание и договорённости",
                "Длит.",
            ],
            rows,
            col_widths=(10, 19, 14, 35, 33, 31, 37, 75, 13),
            font_size=8,
            align=("R", "L", "L", "L", "L", "L", "L", "L", "R"),
        )
    else:
        doc.add_paragraph("За период звонков нет.")
    doc.add_paragraph(f"Всего звонков: {len(rows)}.")
    return doc


def file_name(data) -> str:
    """«Журнал телефонных переговоров 01.11.2026-30.11.2026.pdf»."""
    return f"Журнал телефонных переговоров {data.start:%d.%m.%Y}-{data.end:%d.%m.%Y}.pdf"
