"""SOP 05 demo data: three clubs with programmes, schedules, members, held sessions and feedback."""

from __future__ import annotations

import datetime as dt
import random

from soptui.core import clock
from soptui.db import models as m
from soptui.db.connection import write_transaction
from soptui.domain import groups as domain
from soptui.domain import workdays
from soptui.domain.groups import Slot

DEMO_CLUBS = [
    {
        "name": "Клуб общения «Родничок»",
        "kind": "club",
        "category": "child",
        "dep": 0,
        "leaders": ["morozova", "ivanova"],
        "room": "каб. 104 (сенсорная комната)",
        "capacity": 16,
        "members": 14,
        "goal": "Развитие коммуникативных навыков детей: умение работать в группе, сопереживать, "
        "поддерживать друг друга.",
        "programme": [
            ("Давайте познакомимся", "Знакомство участников, правила группы"),
            ("Мои эмоции", "Учимся называть свои чувства"),
            ("Я и мои друзья", "Модели дружеского поведения"),
            ("Умею слушать", "Навык активного слушания"),
            ("Вместе веселее", "Совместная игра, распределение ролей"),
            ("Помоги другому", "Сопереживание и взаимопомощь"),
            ("Спорим без ссор", "Конструктивное разрешение разногласий"),
            ("Мой город", "Экскурсия-игра, поведение в общественных местах"),
            ("Мастерская добрых дел", "Подготовка подарков ко Дню матери"),
            ("Новогодняя мастерская", "Совместное творчество, работа в команде"),
            ("Итоги и планы", "Рефлексия, отзывы участников и родителей"),
        ],
    },
    {
        "name": "Группа взаимоподдержки для родителей детей-инвалидов",
        "kind": "support_group",
        "category": "child",
        "dep": 1,
        "leaders": ["sokolov", "petrova"],
        "room": "каб. 212",
        "capacity": 12,
        "members": 10,
        "goal": "Взаимная поддержка родителей, обмен опытом воспитания и реабилитации детей, "
        "снижение эмоционального напряжения.",
        "programme": [
            ("Знакомство. Правила группы", "Безопасная атмосфера, доверие"),
            ("Принятие диагноза ребёнка", "Проживание чувств, поддержка группы"),
            ("Ресурсы семьи", "Где брать силы: личные и семейные ресурсы"),
            ("Права семей с детьми-инвалидами", "Меры социальной поддержки, ИПРА"),
            ("Профилактика эмоционального выгорания", "Приёмы саморегуляции"),
            ("Братья и сёстры", "Отношения в семье с особым ребёнком"),
            ("Опыт других семей", "Обмен опытом, истории успеха"),
            ("Итоговая встреча", "Отзывы, планы на следующий цикл"),
        ],
    },
    {
        "name": "Клуб «Серебряный возраст»",
        "kind": "club",
        "category": "elderly",
        "dep": 2,
        "leaders": ["ivanova", "morozova"],
        "room": "актовый зал",
        "capacity": 24,
        "members": 21,
        "goal": "Активное долголетие: общение, преодоление одиночества, поддержка друг друга.",
        "programme": [
            ("Встреча друзей", "Знакомство, планы клуба"),
            ("Песни нашей молодости", "Вокальный вечер, воспоминания"),
            ("Здоровье в наших руках", "Беседа с медсестрой, гимнастика"),
            ("Финансовая грамотность", "Как не стать жертвой мошенников"),
            ("Рукоделие", "Мастер-класс, обмен навыками"),
            ("Литературная гостиная", "Чтение и обсуждение"),
            ("Мобильный телефон — помощник", "Видеозвонки родным"),
            ("Народные праздники", "Традиции, чаепитие"),
            ("Новогодний огонёк", "Праздничная программа"),
            ("Рождественские встречи", "Традиции, обмен воспоминаниями"),
            ("Моя родословная", "Семейные истории, связь поколений"),
            ("Итоги сезона", "Отзывы участников, планы клуба"),
        ],
    },
]


# SOP 05 stage 1: what each club's programme is based on (the same order as DEMO_CLUBS)
DEMO_ANALYSIS = [
    "Анкетирование родителей (14 анкет, сентябрь): 11 семей отмечают трудности ребёнка в общении со "
    "сверстниками. Личные дела: у 9 детей в ИПРА рекомендованы занятия по развитию коммуникативных навыков.",
    "Опрос родителей на приёме (10 человек): усталость, чувство изоляции, нехватка сведений о мерах поддержки. "
    "Личные дела: все семьи воспитывают детей-инвалидов, у 6 — ИПРА с социально-психологической реабилитацией.",
    "Анкеты получателей услуг (21 анкета): одиночество, интерес к рукоделию, пению, здоровью и безопасности "
    "при звонках мошенников. Личные дела: 15 человек живут одни.",
]
DEMO_PROPS = [
    "карточки эмоций, мяч, цветные карандаши",
    "ватман, маркеры, раздаточный материал",
    "мультимедийный проектор, презентация",
    "музыкальная колонка, сборник песен",
    "пряжа, спицы, образцы работ",
    "чайный сервиз, угощение",
]
DEMO_CHANNELS = ["call", "call", "sms", "in_person", "messenger"]

DEMO_ABSENCE = ["болеет", "уважительная причина (по заявлению)", "на процедурах", "семейные обстоятельства"]


DEMO_FEEDBACK = [
    ("client", "", "Очень понравилось, хотим ещё такие занятия."),
    ("staff", "Кузнецова Т. Н.", "Занятие проведено методически грамотно, группа активна."),
    ("guest", "Представитель Управления социальной политики", "Тёплая атмосфера, дети открыты."),
    ("client", "", "Было интересно, узнали много нового."),
]


def seed_demo(ctx) -> None:
    """Three clubs with programmes, schedules, 10–20 members, past sessions with attendance, and
    today's sessions when today is a working day (registered in demo.SEEDERS). Bulk data, no audit."""
    rng = ctx.rng
    more = random.Random(ctx.today.toordinal())  # the stage records: ctx.rng's sequence is left to the calls
    today = ctx.today
    wd = today.weekday() if today.weekday() < 5 else 0
    schedules = [
        [(wd, "15:00", "16:00"), ((wd + 2) % 5, "15:00", "16:00")],
        [((wd + 1) % 5, "17:00", "18:00")],
        [(wd, "11:00", "12:30"), ((wd + 3) % 5, "11:00", "12:30")],
    ]
    start = today - dt.timedelta(weeks=4, days=2)
    end = today + dt.timedelta(weeks=16)
    children_by_dep: dict[int, list[int]] = {}
    elderly: list[int] = []
    for c in m.Client.select().where(m.Client.id.in_(ctx.clients)).order_by(m.Client.id):
        if c.category == "child":
            children_by_dep.setdefault(c.department_id, []).append(c.id)
        else:
            elderly.append(c.id)
    with write_transaction():
        for spec, slots, analysis in zip(DEMO_CLUBS, schedules, DEMO_ANALYSIS):
            dep = ctx.departments[spec["dep"]] if spec["dep"] < len(ctx.departments) else None
            club = m.Club.create(
                name=spec["name"],
                kind=spec["kind"],
                goal=spec["goal"],
                room=spec["room"],
                capacity=spec["capacity"],
                department=dep,
                start_date=start,
                end_date=end,
                analysis_note=analysis,
            )
            for login in spec["leaders"]:
                if login in ctx.staff:
                    m.ClubLeader.create(club=club, staff=ctx.staff[login])
            items = [
                m.ProgrammeItem.create(club=club, number=i, topic=t, goal=g)
                for i, (t, g) in enumerate(spec["programme"], start=1)
            ]
            slot_objs = [Slot(*s) for s in sorted(set(slots))]
            for s in slot_objs:
                m.ScheduleSlot.create(club=club, weekday=s.weekday, start_time=s.start_time, end_time=s.end_time)
            leader_id = ctx.staff.get(spec["leaders"][0])
            pool = children_by_dep.get(dep, []) if spec["category"] == "child" else elderly
            chosen = rng.sample(pool, min(spec["members"], len(pool)))
            members = []
            for cid in chosen:
                joined = start + dt.timedelta(days=rng.choice([0, 0, 0, 0, 0, 7, 14]))
                informed = joined if rng.random() < 0.85 else None
                client = m.Client.get_by_id(cid)
                warned = domain.membership_warnings(client.status, client.consent_date)
                admitted = {}
                if warned:  # issue 13 point 14: such a client joined with a recorded reason
                    admitted = {
                        "admit_warning": "; ".join(warned),
                        "admit_reason": "по просьбе семьи: посещает клуб до конца сезона",
                        "admit_by": leader_id,
                    }
                members.append(
                    m.ClubMember.create(club=club, client=cid, joined_on=joined, informed_on=informed, **admitted)
                )
            if len(members) > 4:  # one participant left: history is kept
                gone = members[-1]
                gone.left_on = today - dt.timedelta(days=20)
                gone.left_reason = "переезд в другой район"
                gone.save()
            dates = domain.generate_dates(slot_objs, start, end)
            for i, p in enumerate(dates):
                item = items[i] if i < len(items) else None
                held = p.date < today
                session = m.GroupSession.create(
                    club=club,
                    date=p.date,
                    start_time=p.start_time,
                    end_time=p.end_time,
                    programme_item=item,
                    topic=item.topic if item else "",
                    goal=item.goal if item else "",
                    status="held" if held else "planned",
                    props=more.choice(DEMO_PROPS) if held or p.date <= today + dt.timedelta(days=7) else "",
                    first_meeting=i == 0,
                )
                if p.date <= today + dt.timedelta(days=7):  # participants informed the working day before
                    informed_on = workdays.add_working_days(p.date, -1)
                    for mb in members:
                        if mb.joined_on > p.date or (mb.left_on and mb.left_on <= p.date) or more.random() < 0.1:
                            continue
                        when = dt.datetime.combine(informed_on, dt.time(10, more.randrange(60)))
                        if when > clock.now():
                            continue
                        m.SessionNotice.create(
                            session=session,
                            client=mb.client_id,
                            informed_by=leader_id,
                            channel=more.choice(DEMO_CHANNELS),
                            informed_at=when,
                        )
                if not held:
                    continue
                session.media_taken = rng.random() < 0.5
                session.media_location = f"\\\\server\\Клубы\\{p.date:%Y-%m-%d}" if session.media_taken else ""
                session.analysis = "Цель занятия достигнута, участники активно включались в работу."
                session.summary = "Тема раскрыта; отмечено улучшение взаимодействия в группе."
                mood = rng.choice([4, 5, 5, 5, 4, 3])  # the reviews' scores centre on it
                session.save()
                minutes = domain.minutes_between(p.start_time, p.end_time)
                came = []
                for mb in members:
                    if mb.joined_on > p.date or (mb.left_on and mb.left_on <= p.date):
                        continue
                    present = rng.random() < 0.82
                    a = m.Attendance.create(
                        session=session,
                        client=mb.client_id,
                        present=present,
                        absence_reason="" if present else rng.choice(DEMO_ABSENCE),
                    )
                    if present:
                        came.append(mb.client_id)
                        m.ServiceEntry.create(
                            date=p.date,
                            client=mb.client_id,
                            staff=leader_id,
                            sop="05",
                            service_kind=domain.SERVICE_NAME,
                            units=1,
                            minutes=minutes,
                            source_type="attendance",
                            source_id=a.id,
                            note=f"{club.name}: {session.topic}",
                        )
                for source, author, text in rng.sample(DEMO_FEEDBACK, 2):
                    score = max(1, min(5, mood + more.choice([-1, 0, 0, 1])))
                    person: dict = {"author": author}
                    if source == "client":
                        if not came:
                            continue
                        person = {"client": came.pop(more.randrange(len(came)))}  # one review a participant
                    elif source == "staff":
                        person = {"staff": ctx.staff.get(spec["leaders"][-1])}
                    m.SessionFeedback.create(session=session, source=source, text=text, score=score, **person)
