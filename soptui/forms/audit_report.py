"""The head of department's audit report for a period, from `soptui.services.journal.AuditSummary`.

What every SOP says the head checks: first contact within 3 working days of a
referral (SOP 03), calls made (SOP 01-03), visits done and their acts (SOP 04),
group sessions held and attendances (SOP 05), the service log totals, and every
finding of the audit checks with the shares per specialist and month.
"""

from __future__ import annotations

import datetime as dt

from soptui.forms.base import SoptuiDocument, format_date

TITLE = "Отчёт для заведующего: контроль выполнения СОП"


def build(summary, creation_date: dt.datetime | None = None) -> SoptuiDocument:
    """The PDF document of an AuditSummary."""
    s = summary
    doc = SoptuiDocument(TITLE, s.institution, orientation="P", creation_date=creation_date or s.printed_at)
    doc.add_title(TITLE, f"за период с {format_date(s.start)} по {format_date(s.end)}")
    doc.add_field("Отделение", s.department or "все отделения")
    if s.staff:
        doc.add_field("Специалист", s.staff)
    doc.add_field("Состояние на", format_date(s.today))

    doc.add_section("1. Обращения и первичный контакт (СОП 03: звонок в течение 3 рабочих дней)")
    doc.add_table(
        ("Показатель", "Количество"),
        [
            ("Поступило обращений (информации о семьях)", s.referrals_received),
            ("Первичный контакт в срок", s.contact_in_time),
            ("Первичный контакт с опозданием", s.contact_late),
            ("Ожидают звонка, срок не истёк", s.open_in_time),
            ("Ожидают звонка, срок истёк", s.open_overdue),
            ("Закрыты без звонка", s.closed_without_contact),
            ("Доля контактов в срок", s.contact_rate),
        ],
        col_widths=(140, 40),
    )

    doc.add_section("2. Телефонные звонки (СОП 01–03)")
    doc.add_table(
        ("СОП", "Наименование", "Звонков", "Состоялось", "Минут разговора"),
        [
            *[(c.sop, c.label, c.count, c.talked, c.talk_minutes) for c in s.calls],
            ("", "Итого", s.calls_total, sum(c.talked for c in s.calls), sum(c.talk_minutes for c in s.calls)),
        ],
        col_widths=(12, 88, 22, 26, 32),
        font_size=8,
    )

    doc.add_section("3. Социальный патронаж (СОП 04)")
    doc.add_table(
        ("Показатель", "Количество"),
        [
            ("Проведено патронажей", s.visits_done),
            ("из них с оформленным актом или отчётом", s.visits_with_act),
            ("из них без акта или отчёта", s.visits_without_act),
            ("Запланированы, срок прошёл, не проведены (нет акта)", s.visits_not_done),
            *[(f"Оформлено: {label}", n) for label, n in s.acts_by_kind],
        ],
        col_widths=(140, 40),
    )
    doc.add_section("4. Групповые занятия и клубы (СОП 05)")
    doc.add_table(
        ("Показатель", "Количество"),
        [
            ("Проведено занятий", s.sessions_held),
            ("Отменено занятий", s.sessions_cancelled),
            ("Посещений (одно занятие для одного клиента — одна услуга)", s.attendances),
            ("Участников (разных получателей)", s.participants),
        ],
        col_widths=(140, 40),
    )

    doc.add_section("5. Журнал учёта услуг")
    doc.add_table(
        ("СОП", "Записей", "Услуг", "Минут"),
        [
            *[(r.label, r.entries, r.units, r.minutes) for r in s.services_by_sop],
            ("Итого", s.services.entries, s.services.units, s.services.minutes),
        ],
        col_widths=(110, 23, 23, 24),
        font_size=8,
    )
    if s.services_by_staff:
        doc.add_table(
            ("Исполнитель", "Записей", "Услуг", "Минут"),
            [(r.label, r.entries, r.units, r.minutes) for r in s.services_by_staff],
            col_widths=(110, 23, 23, 24),
            font_size=8,
        )

    doc.add_section("6. Проверка записей по СОП")
    doc.add_table(
        ("Правило", "СОП", "Проверено", "Замечаний"),
        [(c.title, c.sop or "—", c.checked, c.found) for c in s.checks],
        col_widths=(118, 14, 24, 24),
        font_size=8,
    )
    for c in s.checks:
        if not c.findings:
            continue
        more = f" (показаны первые {len(c.findings)})" if c.found > len(c.findings) else ""
        doc.add_paragraph(f"{c.title}: {c.found}{more}.")
        doc.add_table(
            ("Дата", "Получатель / клуб", "Ответственный", "Замечание"),
            [(format_date(f.when), f.client_name, f.staff_name, f.detail) for f in c.findings],
            col_widths=(20, 52, 34, 74),
            font_size=8,
        )
    if s.shares:
        doc.add_paragraph("Записи без замечаний по специалистам и месяцам:")
        doc.add_table(
            ("Специалист", "Месяц", "Проверено", "Замечаний", "Без замечаний"),
            [(r.staff_name, r.month, r.checked, r.flagged, r.share) for r in s.shares],
            col_widths=(60, 24, 32, 32, 32),
            font_size=8,
        )

    doc.add_section("Выводы и замечания заведующего")
    for _ in range(3):
        doc.add_paragraph("_" * 95)
    doc.add_signatures([("Заведующий отделением", s.head or None)])
    return doc


def file_name(summary) -> str:
    """«Отчёт для заведующего 01.11.2026-30.11.2026.pdf» (with the department or specialist when chosen)."""
    whom = " ".join(x for x in (summary.department, summary.staff) if x)
    return f"Отчёт для заведующего {whom + ' ' if whom else ''}{summary.start:%d.%m.%Y}-{summary.end:%d.%m.%Y}.pdf"
