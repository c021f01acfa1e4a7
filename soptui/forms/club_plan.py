"""The club's plan and schedule, and the report of one session (SOP 05 stages 1 and 4)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from soptui.forms.base import SoptuiDocument, format_date

WEEKDAYS_FULL = ["понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье"]
WEEKDAYS = ["пн", "вт", "ср", "чт", "пт", "сб", "вс"]
STATUS = {"planned": "запланировано", "held": "проведено", "cancelled": "отменено"}


def _quoted(name: str) -> str:
    return name if "«" in name else f"«{name}»"


def build_plan(
    card, institution: str, leaders: Sequence[str] = (), creation_date: dt.datetime | None = None
) -> SoptuiDocument:
    """Plan and schedule: the club, its programme and the dated sessions (A4 landscape)."""
    title = "План и график работы клуба"
    doc = SoptuiDocument(title, institution, orientation="L", creation_date=creation_date)
    doc.add_title(title, card.name)
    doc.add_field("Вид", card.kind_label)
    doc.add_field("Цель", card.goal or "—")
    doc.add_field("Срок работы", f"{format_date(card.start_date)} — {format_date(card.end_date)}")
    doc.add_field("Помещение", card.room or "—")
    doc.add_field("Вместимость", f"{card.capacity} чел.; участников сейчас: {card.active_members}")
    doc.add_field("Ведущие", ", ".join(leaders or card.leader_names))
    doc.add_field(
        "Расписание",
        "; ".join(f"{WEEKDAYS_FULL[s.weekday]} {s.start_time}–{s.end_time}" for s in card.slots) or "не задано",
    )
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
                STATUS.get(s.status, s.status) + (" (сокращённый день)" if s.short_day else ""),
            ]
        )
    doc.add_table(["Дата", "День", "Время", "Тема", "Отметка"], rows, col_widths=[24, 12, 26, 150, 55])
    signers = [("Ведущий занятий", name) for name in (leaders or card.leader_names)]
    signers.append(("Согласовано: заведующий отделением", None))
    doc.add_signatures(signers)
    return doc


def save_plan(
    card, institution: str, leaders: Sequence[str], path: str | Path, creation_date: dt.datetime | None = None
) -> Path:
    return build_plan(card, institution, leaders, creation_date).save(path)


def build_session_report(
    detail, institution: str, leaders: Sequence[str] = (), creation_date: dt.datetime | None = None
) -> SoptuiDocument:
    """Report of a held session: topic, goal, participants, media, analysis, feedback, satisfaction."""
    title = "Отчёт о проведённом занятии"
    doc = SoptuiDocument(title, institution, creation_date=creation_date)
    doc.add_title(
        title, f"{_quoted(detail.club_name)}, {format_date(detail.date)} {detail.start_time}–{detail.end_time}"
    )
    doc.add_field("Тема", detail.topic)
    doc.add_field("Цель", detail.goal)
    doc.add_field("Ведущие", ", ".join(leaders or detail.leaders))
    doc.add_field("Присутствовало", f"{detail.present} из {detail.marked} отмеченных")
    doc.add_field("Гости", detail.guests or "нет")
    doc.add_field("Фото- и видеосъёмка", f"да, хранится: {detail.media_location}" if detail.media_taken else "нет")
    doc.add_section("Участники")
    doc.add_paragraph(", ".join(detail.present_names) or "нет отметок о присутствии")
    doc.add_section("Анализ и итоги занятия")
    doc.add_field("Анализ", detail.analysis)
    doc.add_field("Итоги", detail.summary)
    doc.add_field("Удовлетворённость получателей услуг (1–5)", str(detail.satisfaction) if detail.satisfaction else "")
    doc.add_section("Отзывы")
    if detail.feedback:
        doc.add_table(
            ["От кого", "Кто", "Отзыв"],
            [[f.source_label, f.author, f.text] for f in detail.feedback],
            col_widths=[30, 45, 105],
        )
    else:
        doc.add_paragraph("Отзывов нет.")
    signers = [("Ведущий занятия", name) for name in (leaders or detail.leaders)] or [("Ведущий занятия", None)]
    doc.add_signatures(signers)
    return doc


def save_session_report(
    detail, institution: str, leaders: Sequence[str], path: str | Path, creation_date: dt.datetime | None = None
) -> Path:
    return build_session_report(detail, institution, leaders, creation_date).save(path)
