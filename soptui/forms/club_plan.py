"""The club's plan and schedule (SOP 05 stage 1): the club, its programme and the dated sessions, A4 landscape."""

from __future__ import annotations

import datetime as dt

from soptui.forms.base import SoptuiDocument, format_date

WEEKDAYS_FULL = ["понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье"]
WEEKDAYS = ["пн", "вт", "ср", "чт", "пт", "сб", "вс"]
STATUS = {"planned": "запланировано", "held": "проведено", "cancelled": "отменено"}


def build(plan, creation_date: dt.datetime | None = None) -> SoptuiDocument:
    """The PDF document for a ClubPlan (soptui.services.groups.documents): institution, leaders, club card."""
    card = plan.card
    leaders = plan.leaders
    title = "План и график работы клуба"
    doc = SoptuiDocument(title, plan.institution, orientation="L", creation_date=creation_date)
    doc.add_title(title, card.name)
    doc.add_field("Вид", card.kind_label)
    doc.add_field("Цель", card.goal or "—")
    doc.add_field("Срок работы", f"{format_date(card.start_date)} — {format_date(card.end_date)}")
    doc.add_field("Помещение", card.room or "—")
    doc.add_field("Вместимость", f"{card.capacity} чел.; участников сейчас: {card.active_members}")
    doc.add_field("Ведущие", ", ".join(leaders))
    doc.add_field(
        "Расписание",
        "; ".join(f"{WEEKDAYS_FULL[s.weekday]} {s.start_time}–{s.end_time}" for s in card.slots) or "не задано",
    )
    if card.calendar_warning:
        doc.add_field("Внимание", card.calendar_warning)
    doc.add_section("Анализ анкет и личных дел")
    doc.add_paragraph(card.analysis_note or "Не заполнен: на чём основана программа, не записано.")
    doc.add_section("Программа занятий")
    if card.programme:
        doc.add_table(
            ["№", "Тема занятия", "Цель"],
            [[p.number, p.topic, p.goal] for p in card.programme],
            col_widths=[8, 90, 150],
        )
    else:
        doc.add_paragraph("Программа не заполнена.")
    doc.add_section("График занятий")
    rows = []
    for s in card.sessions:
        rows.append(
            [
                format_date(s.date),
                WEEKDAYS[s.date.weekday()],
                f"{s.start_time}–{s.end_time}",
                s.topic,
                STATUS.get(s.status, s.status)
                + (" (сокращённый день)" if s.short_day else "")
                + (", дополнительное" if s.extra else "")
                + (", первое знакомство" if s.first_meeting else ""),
            ]
        )
    doc.add_table(["Дата", "День", "Время", "Тема", "Отметка"], rows, col_widths=[24, 12, 26, 150, 55])
    signers = [("Ведущий занятий", name) for name in leaders]
    signers.append(("Согласовано: заведующий отделением", None))
    doc.add_signatures(signers)
    return doc


def file_name(plan) -> str:
    """«План и график Клуб общения «Родничок».pdf»: what and which club."""
    return f"План и график {plan.card.name}.pdf"
