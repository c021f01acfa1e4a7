"""SOP 04 demo data: a week of visits around today, done ones with acts and recommendations, one from a call."""

from __future__ import annotations

import datetime as dt
import json

from soptui.db import models as m
from soptui.db.connection import write_transaction
from soptui.domain import patronage, workdays
from soptui.domain.labels import DIAGNOSTIC_METHODS, PROBLEM_AREAS
from soptui.domain.service_time import StageTimes
from soptui.services import patronage as visits

_DEMO_PURPOSES = {
    "primary": [
        "Знакомство с семьёй, выяснение ситуации по ходатайству",
        "Обследование жилищно-бытовых условий по сообщению",
        "Первичный патронаж: определение проблемного поля семьи",
    ],
    "planned": [
        "Контроль выполнения рекомендаций",
        "Повторный патронаж: консультация по оформлению документов",
        "Плановое посещение по ИПРА: контроль реабилитационных мероприятий",
    ],
}
_DEMO_RECS = [
    ("Оформить ребёнка в секцию или кружок по месту жительства", "мать"),
    ("Обратиться в управление социальной политики за ежемесячным пособием", "мать"),
    ("Пройти консультацию психолога центра", "законный представитель"),
    ("Погасить задолженность по оплате ЖКУ по графику реструктуризации", "семья"),
    ("Обеспечить ребёнку отдельное место для выполнения домашних заданий", "родители"),
    ("Посетить участкового педиатра, пройти диспансеризацию", "мать"),
]


def seed_demo(ctx) -> None:
    """A week of visits for the department staff around today (registered in soptui.demo.SEEDERS)."""
    rng = ctx.rng
    today = ctx.today
    monday = patronage.week_start(today)
    visiting = [login for login in ("ivanova", "morozova", "petrova", "sokolov", "volkova") if login in ctx.staff]
    if not visiting:
        return
    staff_rows = {login: m.Staff.get_by_id(ctx.staff[login]) for login in visiting}
    children = {}
    for c in m.Client.select().where(m.Client.category == "child").order_by(m.Client.id):
        children.setdefault(c.department_id, []).append(c)
    used: set[int] = set()

    def pick(dep_id: int) -> m.Client | None:
        pool = [c for c in children.get(dep_id, []) if c.id not in used]
        if not pool:
            return None
        c = rng.choice(pool)
        used.add(c.id)
        return c

    def visit(client, staff_ids, start, kind, status, purpose=None) -> m.PatronageVisit:
        ref = m.Referral.select().where(m.Referral.client == client.id).order_by(m.Referral.received_at.desc()).first()
        v = m.PatronageVisit.create(
            client=client,
            kind=kind,
            ground=ref.ground if ref else ("ipra" if client.ipra_number else "personal_application"),
            referral=ref,
            purpose=purpose or rng.choice(_DEMO_PURPOSES[kind]),
            planned_start=start,
            address=client.address,
            transport_needed=client.remote_territory,
            status=status,
            documents_to_prepare="бланк акта, памятка о мерах социальной поддержки",
        )
        for sid in staff_ids:
            m.VisitStaff.create(visit=v, staff=sid)
        return v

    def finish(v, client, staff_id, with_recs: int) -> None:
        methods = rng.sample(list(DIAGNOSTIC_METHODS), 3)
        areas = rng.sample(list(PROBLEM_AREAS), 2)
        v.status = "done"
        v.completed_at = v.planned_start + dt.timedelta(minutes=50)
        v.methods = json.dumps(methods)
        v.problem_areas = json.dumps(areas)
        v.findings = rng.choice(
            [
                "Квартира требует косметического ремонта, у ребёнка есть отдельное спальное место.",
                "Мать испытывает трудности с оформлением пособий, ребёнок посещает школу нерегулярно.",
                "Отмечен конфликт между матерью и сыном-подростком, мать готова к консультации психолога.",
            ]
        )
        v.rights_explained = "Разъяснено право на меры социальной поддержки и бесплатные социальные услуги."
        v.actual_prep_seconds = rng.randint(40, 60) * 60
        v.actual_work_seconds = rng.randint(30, 45) * 60
        v.actual_completion_seconds = rng.randint(8, 12) * 60
        v.save()
        for text, whom in rng.sample(_DEMO_RECS, with_recs):
            m.Recommendation.create(
                visit=v,
                client=client,
                text=text,
                for_whom=whom,
                due_date=v.planned_start.date() + dt.timedelta(days=14),
            )
        kind = "housing" if v.kind == "primary" else "patronage"
        data = visits.act_prefill(v.id, kind)
        if kind == "housing":
            data.update(
                dwelling_type="квартира",
                ownership="социальный найм",
                rooms="2",
                area="44,5",
                amenities="центральное отопление, водоснабжение, канализация",
                sanitary="удовлетворительное",
                child_document="свидетельство о рождении (выдано отделом ЗАГС)",
                present="мать, ребёнок",
                child_sleep="отдельная кровать в детской комнате",
                child_study="письменный стол",
                clothing="по сезону и возрасту",
                food="регулярное, продукты в наличии",
                hygiene="средства гигиены в наличии",
                safety="опасных предметов в доступе ребёнка нет",
                child_play="игровой уголок, книги по возрасту",
                health="здоров, опрятен",
                schooling="посещает школу, пропусков без причины нет",
                income="заработная плата матери, детское пособие",
                adequacy=patronage.ADEQUACY_CHOICES[0],
                conclusions="Условия для проживания и воспитания ребёнка удовлетворительные.",
            )
        else:
            data.update(
                present="мать, ребёнок",
                situation="Семья выполняет рекомендации частично.",
                child_state="Ребёнок опрятен, посещает школу.",
                work_done="Беседа с матерью, консультация по мерам социальной поддержки.",
                conclusions="Продолжить социальный патронаж.",
                next_steps="Повторное посещение через 2 недели.",
            )
        m.VisitAct.create(
            visit=v, kind=kind, data=json.dumps(data, ensure_ascii=False), is_draft=False, completed_at=v.completed_at
        )
        times = StageTimes.measured(
            v.actual_prep_seconds,
            v.actual_work_seconds,
            v.actual_completion_seconds,
            (v.prep_minutes, v.work_minutes, v.completion_minutes),
        )
        m.ServiceEntry.create(
            date=v.planned_start.date(),
            client=client,
            staff=staff_id,
            sop="04",
            service_kind=visits.service_kind_of(v.kind),
            **times.entry_fields(),
            source_type="visit",
            source_id=v.id,
        )

    busy: dict[int, list[patronage.Occupancy]] = {}

    def free(staff_id: int, occ: patronage.Occupancy) -> bool:
        return not any(occ.overlaps(b) for b in busy.get(staff_id, []))

    with write_transaction():
        for n, login in enumerate(visiting):
            s = staff_rows[login]
            dep = s.department_id
            for offset in range(7):
                day = monday + dt.timedelta(days=offset)
                if not workdays.is_working_day(day):
                    continue
                for hour in sorted(rng.sample([10, 14, 16], rng.randint(1, 2))):
                    start = dt.datetime.combine(day, dt.time(hour, rng.choice([0, 30])))
                    occ = patronage.Occupancy(None, frozenset([s.id]), start)
                    if not free(s.id, occ):
                        continue
                    client = pick(dep)
                    if client is None:
                        continue
                    past = day < today
                    repeat = rng.random() < 0.5
                    staff_ids = [s.id]
                    if rng.random() < 0.25:  # a joint visit with a colleague of the department, if free
                        mates = [
                            staff_rows[x].id
                            for x in visiting
                            if staff_rows[x].department_id == dep and x != login and free(staff_rows[x].id, occ)
                        ]
                        if mates:
                            staff_ids.append(rng.choice(mates))
                    for sid in staff_ids:
                        busy.setdefault(sid, []).append(occ)
                    if repeat:
                        # an earlier primary visit whose recommendations this one will check,
                        # at a time that staff member was free
                        first_start = None
                        for back in range(8, 20):
                            first_day = workdays.add_working_days(day, -back)
                            for first_hour in (10, 12, 14, 16):
                                cand = patronage.Occupancy(
                                    None, frozenset([s.id]), dt.datetime.combine(first_day, dt.time(first_hour))
                                )
                                if free(s.id, cand):
                                    first_start = cand
                                    break
                            if first_start:
                                break
                        if first_start is None:
                            repeat = False
                        else:
                            busy.setdefault(s.id, []).append(first_start)
                            first = visit(client, [s.id], first_start.start, "primary", "planned")
                            finish(first, client, s.id, rng.randint(2, 3))
                    v = visit(client, staff_ids, start, "planned" if repeat else "primary", "planned")
                    if past and not (n == 0 and offset == 0):  # one past visit left without an act
                        if repeat:
                            checks = list(
                                m.Recommendation.select().where(
                                    (m.Recommendation.client == client.id) & (m.Recommendation.status == "open")
                                )
                            )
                            for r in checks:
                                r.status = rng.choice(["done", "partly", "not_done"])
                                r.comment = {
                                    "done": "выполнено",
                                    "partly": "документы собраны не полностью",
                                    "not_done": "мать не обратилась",
                                }[r.status]
                                r.checked_visit = v
                                r.save()
                            v.effectiveness = "Профилактическая работа частично эффективна."
                        finish(v, client, s.id, rng.randint(1, 2))
        # a primary visit agreed on a first-contact call (SOP 03 «agrees»), waiting for confirmation
        potential = (
            m.Client.select()
            .where(
                (m.Client.status == "potential")
                & (m.Client.category == "child")
                & m.Client.id.not_in(list(used) or [0])
            )
            .order_by(m.Client.id)
            .first()
        )
        caller = staff_rows.get("ivanova") or next(iter(staff_rows.values()))
        if potential is not None:
            ref = (
                m.Referral.select()
                .where(m.Referral.client == potential.id)
                .order_by(m.Referral.received_at.desc())
                .first()
            )
            call_start = dt.datetime.combine(today, dt.time(9, 40))
            call = m.PhoneCall.create(
                sop="03",
                client=potential,
                staff=caller,
                referral=ref,
                callee_name="законный представитель",
                state="finished",
                started_at=call_start,
                ended_at=call_start + dt.timedelta(minutes=18),
                outcome="agrees",
                summary="Мать согласна на посещение на дому.",
            )
            when = dt.datetime.combine(workdays.next_working_day(today), dt.time(14, 0))
            m.PatronageVisit.create(
                client=potential,
                kind="primary",
                ground=ref.ground if ref else "personal_application",
                referral=ref,
                purpose="Первичный патронаж по договорённости в телефонном разговоре",
                planned_start=when,
                address=potential.address,
                transport_needed=potential.remote_territory,
                status="draft",
                drafted_by_call=call,
                documents_to_prepare="паспорт матери, свидетельство о рождении ребёнка, СНИЛС, справка о доходах",
            )
