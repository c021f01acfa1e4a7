"""Russian labels of the Журнал: audit actions, audited tables, service sources, SOP and service names."""

from __future__ import annotations

import datetime as dt
import re

from soptui.domain.labels import ACT_KINDS, NOTICE_STATES, SOPS

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
    "cli": "команда администратора",
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
    "workload": "нагрузка по нормам СОП",
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
    "session_notice": "информирование о занятии",
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


# --- the access log's details, in words (issue 15 point 3) -------------------------------------------

FIELD_WORDS = {
    "absence_reason": "причина отсутствия",
    "active": "активность",
    "address": "адрес",
    "agreements": "договорённости",
    "analysis": "анализ",
    "assigned_staff": "ответственный",
    "author": "автор",
    "birth_date": "дата рождения",
    "branch": "ветка сценария",
    "callee_name": "собеседник",
    "capacity": "число мест",
    "category": "категория",
    "channel": "канал связи",
    "checked_visit": "проверено на визите",
    "client": "клиент",
    "closed": "закрыто",
    "closed_as": "итог",
    "closed_reason": "причина",
    "club": "клуб",
    "comment": "комментарий",
    "completed_at": "завершено",
    "completion_minutes": "норма завершения",
    "consent_date": "дата согласия",
    "contact": "контакт",
    "data": "содержание",
    "date": "дата",
    "day": "день",
    "decree": "постановление",
    "department": "отделение",
    "direction": "направление",
    "documents_to_prepare": "документы",
    "due_at": "срок",
    "due_date": "срок",
    "effectiveness": "эффективность",
    "email": "эл. почта",
    "end_date": "дата окончания",
    "end_time": "время окончания",
    "ended_at": "окончание",
    "feedback_score": "оценка клиента",
    "feedback_text": "отзыв клиента",
    "findings": "выявлено",
    "first_contact_at": "первичный контакт",
    "first_contact_due": "срок первичного контакта",
    "first_contact_late": "контакт с опозданием",
    "first_name": "имя",
    "for_whom": "кому",
    "full_name": "полное название",
    "goal": "цель",
    "ground": "основание",
    "guests": "гости",
    "idle_lock_minutes": "блокировка при простое",
    "print_command": "команда печати",
    "output_dir": "папка для PDF",
    "informed_on": "дата информирования",
    "ipra_end": "ИПРА до",
    "ipra_number": "номер ИПРА",
    "ipra_start": "ИПРА с",
    "is_draft": "черновик",
    "joined_on": "дата вступления",
    "kind": "вид",
    "last_name": "фамилия",
    "late_reason": "причина опоздания",
    "left_on": "дата выхода",
    "left_reason": "причина выхода",
    "login": "логин",
    "media_location": "место хранения фото",
    "media_taken": "фото/видео",
    "methods": "методы",
    "name": "название",
    "note": "примечание",
    "notes": "заметки",
    "notice_call_at": "позвонить в",
    "notice_sent_at": "уведомление отправлено",
    "notice_state": "ответ на уведомление",
    "number": "номер",
    "off_hours_reason": "причина звонка вне рабочего времени",
    "outcome": "итог звонка",
    "override_by": "разрешил",
    "override_reason": "причина разрешения",
    "patronage_due": "срок патронажа",
    "patronymic": "отчество",
    "phone": "телефон",
    "phone_number": "номер телефона",
    "planned_start": "время визита",
    "position": "должность",
    "preferred_call_time": "удобное время звонка",
    "present": "присутствие",
    "problem_areas": "проблемное поле",
    "programme_item": "пункт программы",
    "purpose": "цель",
    "reason": "причина",
    "received_at": "поступило",
    "registered_at": "зарегистрировано",
    "registration_due": "срок регистрации",
    "relation": "кем приходится",
    "remote_territory": "удалённая территория",
    "repeat_days": "периодичность",
    "repeat_until": "повторять до",
    "rights_explained": "разъяснено",
    "role": "роль",
    "room": "помещение",
    "satisfaction": "удовлетворённость",
    "score": "оценка",
    "props": "реквизит",
    "first_meeting": "первое знакомство",
    "extra": "дополнительное занятие",
    "analysis_note": "анализ анкет и личных дел",
    "admit_warning": "предупреждение при включении",
    "admit_reason": "причина включения",
    "admit_by": "включил(а)",
    "informed_at": "когда проинформирован",
    "informed_by": "кто проинформировал",
    "short_name": "краткое название",
    "source": "источник",
    "source_body": "орган-источник",
    "source_term_due": "срок по документу",
    "start_date": "дата начала",
    "start_time": "время начала",
    "started_at": "начало",
    "state": "состояние",
    "status": "статус",
    "status_reason": "причина статуса",
    "summary": "содержание",
    "text": "текст",
    "timezone": "часовой пояс",
    "topic": "тема",
    "transport_needed": "нужен транспорт",
    "value": "значение",
    "work_end": "конец рабочего дня",
    "work_start": "начало рабочего дня",
    "working_hours": "рабочее время",
    "slots": "расписание",
    "act": "акт",
    "draft": "черновик",
    "command": "команда",
    "entries": "записей",
    "visits": "визитов",
    "rows": "строк",
}

EXPORT_WHAT = {"csv_groups": "CSV занятий для ИС «Социальное обслуживание населения»"}


def _day(value: object) -> str:
    """'2026-12-01' or '2026-12-01T14:30:00' -> «01.12.2026» / «01.12.2026 14:30»; anything else as it is."""
    text = str(value)
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    return moment.strftime("%d.%m.%Y" if len(text) <= 10 else "%d.%m.%Y %H:%M")


def _period(data: dict) -> str:
    start, end = data.get("start", data.get("from")), data.get("to", data.get("end"))
    if start and end:
        return f"за {_day(start)}–{_day(end)}"
    return ""


def details_in_words(action: str, data: dict, hidden: frozenset[str] = frozenset()) -> str:
    """What an access-log row's stored details say, for a person: «выгрузка CSV занятий … за 01.12.2026–
    31.12.2026, строк: 40»; changed fields by their Russian names; never raw keys or codes."""
    if action == "update":
        words = [FIELD_WORDS[k] for k in data if k not in hidden and k in FIELD_WORDS]
        other = sum(1 for k in data if k not in hidden and k not in FIELD_WORDS)
        return ", ".join(words + ([f"ещё полей: {other}"] if other else []))
    parts: list[str] = []
    if action == "export":
        parts.append(EXPORT_WHAT.get(str(data.get("what", "")), "данные"))
    period = _period(data)
    if period:
        parts.append(period)
    for key, value in data.items():
        if key in hidden or key in ("what", "start", "end", "from", "to", "staff_id", "department_id"):
            continue
        word = FIELD_WORDS.get(key)
        if word is None or value in (None, ""):
            continue
        if key == "notice_state":
            value = NOTICE_STATES.get(str(value), value)
        elif key == "act":
            value = ACT_KINDS.get(str(value), value)
        elif isinstance(value, bool):
            value = "да" if value else "нет"
        elif key.endswith(("_at", "_date", "_due")):
            value = _day(value)
        parts.append(f"{word}: {value}")
    return ", ".join(parts)
