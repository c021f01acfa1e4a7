"""Russian labels of the Журнал: audit actions, audited tables, service sources, SOP and service names."""

from __future__ import annotations

import re

from soptui.domain.labels import SOPS

ACTION_LABELS = {
    "view": "просмотр",
    "create": "создание",
    "update": "изменение",
    "delete": "удаление",
    "login": "вход",
    "login_failed": "неудачный вход",
    "logout": "выход",
    "password_changed": "смена пароля",
    "export": "выгрузка",
    "print": "печать",
    "notice_sent": "уведомление отправлено",
    "notice_state": "ответ на уведомление",
}

TABLE_LABELS = {
    "client": "карточка клиента",
    "representative": "законный представитель",
    "contact": "родственник/друг",
    "contact_point": "телефон/мессенджер",
    "referral": "обращение",
    "service_entry": "журнал учёта услуг",
    "service_log": "журнал учёта услуг",
    "audit_report": "отчёт для заведующего",
    "staff": "сотрудник",
    "department": "отделение",
    "draft": "черновик",
    "phone_call": "звонок",
    "reminder": "напоминание",
    "patronage_visit": "патронаж",
    "visit_staff": "участник патронажа",
    "recommendation": "рекомендация",
    "visit_act": "акт/отчёт патронажа",
    "visit_schedule": "график выходов",
    "club": "клуб",
    "club_leader": "ведущий клуба",
    "programme_item": "программа клуба",
    "schedule_slot": "расписание клуба",
    "club_member": "участник клуба",
    "group_session": "занятие",
    "attendance": "посещение",
    "session_feedback": "отзыв о занятии",
    "client_status_change": "статус клиента",
    "institution": "учреждение",
    "calendar_override": "производственный календарь",
    "calendar_year": "производственный календарь",
}

SOURCE_LABELS = {"call": "звонок", "visit": "патронаж", "attendance": "занятие", "manual": "вручную"}

_CODE_RE = re.compile(r"^[a-z0-9_]+$")


def sop_label(sop: str) -> str:
    """«01 — Телефонный звонок законному представителю»; "" stays "без СОП"."""
    if not sop:
        return "без СОП"
    name = SOPS.get(sop)
    return f"{sop} — {name}" if name else sop


def service_label(kind: str, sop: str) -> str:
    """What the log shows as the service: its text, or the SOP's name when only a code was stored."""
    kind = (kind or "").strip()
    if kind in SOPS:
        return SOPS[kind]
    if not kind or _CODE_RE.match(kind):
        return SOPS.get(sop, SOURCE_LABELS.get(kind, kind))
    return kind


def minutes_text(minutes: int) -> str:
    """125 -> «2 ч 05 мин»; 40 -> «40 мин»."""
    minutes = int(minutes or 0)
    if minutes < 60:
        return f"{minutes} мин"
    return f"{minutes // 60} ч {minutes % 60:02d} мин"
