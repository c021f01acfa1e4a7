"""The SOP 04 intake registers: «Журнал приёма граждан» and «Журнал регистрации телефонных звонков», landscape A4.

`data` is `soptui.services.referrals.IntakeRegister`: `title`, `institution`, `start`, `end` and `rows`.
"""

from __future__ import annotations

import datetime as dt

from soptui.forms.base import SoptuiDocument, format_date, format_datetime


def build(data, creation_date: dt.datetime | None = None) -> SoptuiDocument:
    doc = SoptuiDocument(data.title, data.institution, orientation="L", creation_date=creation_date)
    doc.add_title(data.title, f"за период с {format_date(data.start)} по {format_date(data.end)}")
    rows = [
        (
            str(n),
            str(r.number),
            format_datetime(r.received_at),
            format_datetime(r.registered_at) if r.registered_at else "не зарегистрировано",
            r.client_name,
            "\n".join(p for p in (r.ground, r.source) if p),
            "\n".join(p for p in (r.summary, r.late_reason and f"Позже срока: {r.late_reason}") if p),
            r.taken_by,
            r.assigned,
        )
        for n, r in enumerate(data.rows, start=1)
    ]
    if rows:
        doc.add_table(
            [
                "№",
                "Обр.",
                "Поступило",
                "Зарегистр.",
                "Семья (получатель)",
                "Основание, источник",
                "Суть",
                "Принял",
                "Закреплён",
            ],
            rows,
            col_widths=(9, 12, 24, 24, 38, 45, 62, 26, 27),
            font_size=8,
            align=("R", "R", "L", "L", "L", "L", "L", "L", "L"),
        )
    else:
        doc.add_paragraph("За период записей нет.")
    doc.add_paragraph(f"Всего записей: {len(rows)}.")
    return doc


def file_name(data) -> str:
    """«Журнал приёма граждан 01.11.2026-30.11.2026.pdf»."""
    return f"{data.title} {data.start:%d.%m.%Y}-{data.end:%d.%m.%Y}.pdf"
