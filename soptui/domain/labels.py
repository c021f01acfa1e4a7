"""Russian labels for the English choice codes stored in the database."""

from __future__ import annotations

POSITIONS = {
    "social_work_specialist": "специалист по социальной работе",
    "social_worker": "социальный работник",
    "district_social_worker": "участковый социальный работник",  # SOP 04 §7: may be assigned to a family
    "psychologist": "психолог",
    "social_pedagogue": "социальный педагог",
    "nurse": "медицинская сестра",
    "head": "заведующий отделением",
    "admin": "администратор",
}

ROLES = {
    "specialist": "специалист",
    "head": "заведующий отделением",
    "admin": "администратор",
}

CATEGORIES = {
    "child": "ребёнок",
    "elderly": "пожилой гражданин",
    "disabled_adult": "взрослый с инвалидностью",
}

CLIENT_STATUSES = {
    "potential": "потенциальный",
    "served": "обслуживается",
    "refused": "отказ",
    "closed": "снят с обслуживания",
}

# SOP 04 §5: the five grounds for patronage
GROUNDS = {
    "prevention_request": "ходатайство субъекта системы профилактики",
    "personal_application": "личное обращение семьи / ребёнка",
    "citizen_report": "обращение граждан и иных лиц",
    "director_plan": "план мероприятий, утверждённый директором",
    "ipra": "ИПРА",
}

INTAKE_LOGS = {
    "reception": "журнал приёма граждан",
    "incoming_calls": "журнал регистрации телефонных звонков",
}

CHANNELS = {
    "phone": "телефон",
    "whatsapp": "WhatsApp",
    "telegram": "Telegram",
    "vk": "VK",
    "viber": "Viber",
    "skype": "Skype",
    "other": "другое",
}

CONTACT_KINDS = {"relative": "родственник", "friend": "друг"}

VISIT_KINDS = {"primary": "первичный", "planned": "плановый (повторный)"}

VISIT_STATUSES = {
    "draft": "черновик (из звонка)",
    "planned": "запланирован",
    "done": "проведён",
    "cancelled": "отменён",
    "not_let_in": "не впустили",
}

ACT_KINDS = {
    "housing": "Акт обследования жилищно-бытовых условий",
    "patronage": "Акт социального патронажа",
    "report": "Отчёт о патронаже",
}

DIAGNOSTIC_METHODS = {
    "observation": "наблюдение",
    "talk": "беседа",
    "oral_survey": "устный опрос",
    "questionnaire": "анкетирование",
    "documents": "анализ документов",
    "counselling": "консультирование",
    "housing_inspection": "обследование жилищно-бытовых условий",
    "upbringing_inspection": "обследование условий воспитания ребёнка",
}

PROBLEM_AREAS = {
    "economic": "экономические",
    "psychological": "психологические",
    "pedagogical": "педагогические",
    "medical": "медицинские",
    "legal": "правовые",
}

RECOMMENDATION_STATUSES = {
    "open": "не проверена",
    "done": "выполнена",
    "partly": "выполнена частично",
    "not_done": "не выполнена",
}

CLUB_KINDS = {"club": "клуб общения", "support_group": "группа взаимоподдержки"}

SESSION_STATUSES = {"planned": "запланировано", "held": "проведено", "cancelled": "отменено"}

FEEDBACK_SOURCES = {"client": "получатель услуг", "staff": "сотрудник", "guest": "гость"}

# SOP 05 stage 2: how a participant was informed of a session
INFORM_CHANNELS = {"call": "звонок", "sms": "SMS", "in_person": "лично", "messenger": "мессенджер"}

SOPS = {
    "01": "Телефонный звонок законному представителю",
    "02": "Организация звонка родственникам через мессенджер",
    "03": "Звонок для установления первичного контакта",
    "04": "Социальный патронаж",
    "05": "Групповые занятия, клубы",
}

REMINDER_KINDS = {
    "callback": "перезвонить",
    "control_point": "контрольная точка",
    "messenger_session": "сеанс связи с родственниками",
    "meeting": "встреча в учреждении",
}

WEEKDAYS = ["пн", "вт", "ср", "чт", "пт", "сб", "вс"]

# SOP 03 pre-call notice: the states of its answer
NOTICE_STATES = {"sent": "уведомление отправлено, ответа нет", "read": "прочитано, ответа нет", "answered": "ответил"}

# a call's state and outcome (services/calls; the client card's «Звонки» tab)
CALL_STATES = {"in_progress": "идёт", "finished": "завершён", "abandoned": "отменён"}
OUTCOME_LABELS = {
    "agrees": "согласие, назначена встреча",
    "meeting": "договорились о встрече",
    "self": "клиент звонит сам, сеансы назначены",
    "refuses": "отказ",
    "callback": "перезвонить",
    "no_answer": "не отвечает",
    "done": "разговор состоялся",
    "agreed": "родственники согласны",
    "declined": "родственники не согласны",
}
