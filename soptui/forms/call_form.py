"""«Телефонные переговоры»: the form of one finished call (SOP 01/03).

`data` is `soptui.services.calls.CallForm`: `institution` and `entry` (a `LogEntry`).
"""

from __future__ import annotations

import datetime as dt

from soptui.forms.base import SoptuiDocument, format_date

SOP_TITLES = {
    "01": "СОП 01 «Телефонный звонок»",
    "02": "СОП 02 «Организация звонка через специальное приложение»",
    "03": "СОП 03 «Телефонный звонок с целью установления первичного контакта с клиентом»",
}


def build(data, creation_date: dt.datetime | None = None) -> SoptuiDocument:
    """The «Телефонные переговоры» form of one finished call."""
    entry = data.entry
    doc = SoptuiDocument("Телефонные переговоры", data.institution, creation_date=creation_date)
    doc.add_title("Телефонные переговоры", SOP_TITLES.get(entry.sop, f"СОП {entry.sop}"))
    doc.add_field("Дата", format_date(entry.date))
    doc.add_field("Время", entry.time)
    doc.add_field("Звонок", entry.direction)
    doc.add_field("Кто звонил", entry.caller)
    doc.add_field("Кому", entry.callee)
    doc.add_field("Получатель социальных услуг", entry.client_name)
    doc.add_field("Номер телефона", entry.number)
    if entry.channel or entry.sop == "01":
        doc.add_field("Способ связи", entry.channel)
    if entry.ground or entry.sop == "01":
        doc.add_field("Основание", entry.ground)
    if entry.notice:
        doc.add_field("Уведомление о звонке", entry.notice)
    doc.add_field("Цель звонка", entry.purpose)
    doc.add_field("Продолжительность разговора", f"{entry.duration} (мин:сек)")
    doc.add_field("Подготовка / документирование", f"{entry.prep} / {entry.doc}")
    doc.add_field("Итог", entry.outcome)
    if entry.meeting:
        doc.add_field("Встреча", entry.meeting)
    doc.add_section("Краткое содержание разговора")
    doc.add_paragraph(entry.summary or "—")
    doc.add_section("Договорённости")
    doc.add_paragraph(entry.agreements or "—")
    if entry.off_hours_reason:
        doc.add_section("Звонок вне рабочего времени — причина")
        doc.add_paragraph(entry.off_hours_reason)
    doc.add_signatures([("Специалист", entry.caller.split(",")[0])])
    return doc


def file_name(data) -> str:
    """«Телефонные переговоры №12 Котова Алиса Игоревна 25.11.2026.pdf»: the call, whom about, the day."""
    return f"Телефонные переговоры №{data.entry.call_id} {data.entry.client_name} {data.entry.date:%d.%m.%Y}.pdf"
