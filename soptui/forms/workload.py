"""«Нагрузка специалистов по нормам СОП»: per specialist and month, services of each SOP, the minutes
measured against the SOP norms and against the working time of the production calendar."""

from __future__ import annotations

import datetime as dt

from soptui.forms.base import SoptuiDocument, format_date

TITLE = "Нагрузка специалистов по нормам СОП"


def _hours(minutes: int) -> str:
    return f"{minutes // 60} ч {minutes % 60:02d} мин"


def build(data, creation_date: dt.datetime | None = None) -> SoptuiDocument:
    doc = SoptuiDocument(TITLE, data.institution, orientation="P", creation_date=creation_date or data.printed_at)
    doc.add_title(TITLE, f"за период с {format_date(data.start)} по {format_date(data.end)}")
    doc.add_field("Отделение", data.department or "все отделения")
    doc.add_paragraph(
        "Минуты — фактически затраченное время по журналу учёта услуг (подготовка, работа, документирование); "
        "норма — сумма норм СОП по тем же услугам (у групповых занятий нормы нет); рабочее время — по "
        "производственному календарю (40-часовая неделя, сокращённые предпраздничные дни)."
    )
    doc.add_table(
        ("Специалист", "Месяц", "Раб. дней", "Раб. время", "Услуг", "Фактически", "По нормам", "Доля"),
        [
            (
                r.staff_name,
                r.month,
                r.working_days,
                f"{r.working_hours:g} ч",
                r.services,
                _hours(r.minutes),
                _hours(r.norm_minutes) if r.norm_minutes else "—",
                r.share,
            )
            for r in data.rows
        ],
        col_widths=(34, 16, 16, 20, 14, 28, 28, 24),
        font_size=8,
    )
    for r in data.rows:
        doc.add_paragraph(f"{r.staff_name}, {r.month}:")
        doc.add_table(
            ("СОП", "Услуг", "Фактически, мин", "По нормам, мин"),
            [(label, n, minutes, norm or "—") for label, n, minutes, norm in r.by_sop],
            col_widths=(60, 30, 45, 45),
            font_size=8,
        )
    doc.add_signatures([("Заведующий отделением", data.head or None)])
    return doc


def file_name(data) -> str:
    """«Нагрузка по нормам СОП Отделение … 01.11.2026-30.11.2026.pdf»."""
    whom = " ".join(x for x in (data.department, data.staff) if x)
    whom = f"{whom} " if whom else ""
    return f"Нагрузка по нормам СОП {whom}{data.start:%d.%m.%Y}-{data.end:%d.%m.%Y}.pdf"
