"""Demo database: realistic Russian data for trying soptui and for benchmarks."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from soptui.core import clock
from soptui.db import models as m
from soptui.db.connection import write_transaction
from soptui.domain import workdays
from soptui.services import auth, clients, institution, referrals

DEMO_PASSWORD = "demo2026"

DEPARTMENTS = [
    ("Отделение дневного пребывания", "ОДП"),
    ("Отделение реабилитации детей и подростков с ограниченными возможностями", "ОРДИ"),
    ("Отделение социального обслуживания на дому", "ОСОД"),
]

# login, last, first, patronymic, position, role, department index
DEMO_STAFF = [
    ("admin", "Смирнова", "Ольга", "Викторовна", "admin", "admin", None),
    ("head", "Кузнецова", "Татьяна", "Николаевна", "head", "head", 0),
    ("ivanova", "Иванова", "Марина", "Сергеевна", "social_work_specialist", "specialist", 0),
    ("petrova", "Петрова", "Елена", "Александровна", "social_work_specialist", "specialist", 1),
    ("sokolov", "Соколов", "Андрей", "Павлович", "psychologist", "specialist", 1),
    ("morozova", "Морозова", "Анна", "Игоревна", "social_pedagogue", "specialist", 0),
    ("volkova", "Волкова", "Наталья", "Юрьевна", "nurse", "specialist", 1),
    ("lebedeva", "Лебедева", "Галина", "Петровна", "social_worker", "specialist", 2),
]

MALE_LAST = [
    "Иванов",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Петров",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
    "Алексеев",
    "Лебедев",
    "Семёнов",
    "Егоров",
    "Павлов",
    "Козлов",
    "Степанов",
    "Николаев",
    "Орлов",
    "Андреев",
    "Макаров",
    "Никитин",
    "Захаров",
    "Зайцев",
    "Соловьёв",
    "Борисов",
    "Яковлев",
    "Григорьев",
    "Романов",
    "Воробьёв",
    "Сергеев",
    "Кузьмин",
    "Фролов",
    "Александров",
    "Дмитриев",
    "Королёв",
    "Гусев",
    "Киселёв",
    "Ильин",
    "Максимов",
    "Поляков",
    "Сорокин",
    "Виноградов",
    "Ковалёв",
    "Белов",
    "Медведев",
    "Антонов",
    "Тарасов",
    "Жуков",
    "Баранов",
    "Филиппов",
    "Комаров",
    "Давыдов",
    "Беляев",
    "Герасимов",
    "Богданов",
    "Осипов",
    "Сидоров",
    "Матвеев",
    "Титов",
    "Марков",
    "Миронов",
]
MALE_FIRST = [
    "Александр",
    "Дмитрий",
    "Максим",
    "Сергей",
    "Андрей",
    "Алексей",
    "Артём",
    "Илья",
    "Кирилл",
    "Михаил",
    "Никита",
    "Матвей",
    "Роман",
    "Егор",
    "Арсений",
    "Иван",
    "Денис",
    "Евгений",
    "Даниил",
    "Тимофей",
    "Владислав",
    "Игорь",
    "Владимир",
    "Павел",
    "Руслан",
    "Марк",
    "Константин",
    "Тимур",
    "Олег",
    "Ярослав",
    "Антон",
    "Николай",
    "Глеб",
    "Фёдор",
]
FEMALE_FIRST = [
    "Анна",
    "Мария",
    "Елена",
    "Дарья",
    "Алина",
    "Ирина",
    "Екатерина",
    "Арина",
    "Полина",
    "Ольга",
    "Юлия",
    "Татьяна",
    "Наталья",
    "Виктория",
    "Елизавета",
    "Анастасия",
    "Ксения",
    "Софья",
    "Валерия",
    "Вероника",
    "Светлана",
    "Людмила",
    "Галина",
    "Надежда",
    "Алёна",
    "Кристина",
    "Марина",
    "Василиса",
    "Ульяна",
    "Варвара",
    "Милана",
    "Ева",
]
ELDER_MALE_FIRST = [
    "Николай",
    "Виктор",
    "Анатолий",
    "Геннадий",
    "Валентин",
    "Борис",
    "Юрий",
    "Василий",
    "Пётр",
    "Михаил",
    "Владимир",
    "Леонид",
]
ELDER_FEMALE_FIRST = [
    "Валентина",
    "Галина",
    "Нина",
    "Людмила",
    "Тамара",
    "Зинаида",
    "Антонина",
    "Раиса",
    "Лидия",
    "Клавдия",
    "Надежда",
    "Вера",
    "Мария",
]
FATHER_NAMES = [
    "Александр",
    "Сергей",
    "Андрей",
    "Алексей",
    "Дмитрий",
    "Николай",
    "Иван",
    "Владимир",
    "Михаил",
    "Евгений",
    "Юрий",
    "Виктор",
    "Павел",
    "Олег",
    "Игорь",
    "Пётр",
]
STREETS = [
    "ул. Ленина",
    "ул. Малышева",
    "ул. Мира",
    "пр. Космонавтов",
    "ул. Победы",
    "ул. Гагарина",
    "ул. Советская",
    "ул. Луначарского",
    "ул. Уральская",
    "ул. Садовая",
    "ул. Строителей",
    "ул. Молодёжная",
    "ул. Заводская",
    "ул. Чапаева",
]
TOWNS = [
    ("г. Берёзовский", False),
    ("г. Екатеринбург", False),
    ("пос. Монетный", True),
    ("пос. Ключевск", True),
    ("пос. Лосиный", True),
    ("г. Берёзовский", False),
]
SOURCES = [
    "ТКДН и ЗП Берёзовского ГО",
    "ГАУЗ СО «Берёзовская ЦГБ», детская поликлиника",
    "МАОУ СОШ № 2",
    "МАОУ СОШ № 33",
    "ОДН МО МВД России «Берёзовский»",
    "Управление социальной политики № 24",
    "МАДОУ «Детский сад № 17»",
]
SUMMARIES = [
    "Семья с тремя детьми, мать одна воспитывает детей, задолженность по оплате ЖКУ.",
    "Ребёнок часто пропускает занятия, классный руководитель не может связаться с родителями.",
    "Ребёнок-инвалид, семье требуется помощь в оформлении документов и реабилитации.",
    "Поступило сообщение соседей о ненадлежащих условиях проживания детей.",
    "Мать обратилась за консультацией психолога по поводу поведения сына-подростка.",
    "Многодетная семья переехала в район, нуждается в социальном сопровождении.",
]
MESSENGERS = ["whatsapp", "telegram", "viber", "vk", "skype"]


def female_surname(male: str) -> str:
    if male.endswith(("ов", "ев", "ёв", "ин")):
        return male + "а"
    return male


def patronymic(father: str, female: bool) -> str:
    stem = {
        "Николай": "Николаев",
        "Юрий": "Юрьев",
        "Пётр": "Петров",
        "Игорь": "Игорев",
        "Евгений": "Евгеньев",
        "Алексей": "Алексеев",
        "Андрей": "Андреев",
        "Сергей": "Сергеев",
        "Дмитрий": "Дмитриев",
        "Михаил": "Михайлов",
        "Василий": "Васильев",
        "Анатолий": "Анатольев",
        "Геннадий": "Геннадьев",
        "Валентин": "Валентинов",
        "Леонид": "Леонидов",
        "Павел": "Павлов",
    }.get(father, father + "ов")
    return stem + ("на" if female else "ич")


def random_phone(rng: random.Random) -> str:
    return f"+79{rng.choice(['12', '22', '02', '53', '61', '82', '97', '50'])}{rng.randrange(10**7):07d}"


@dataclass
class DemoContext:
    """What seeders of every area get: the generator, today, staff and clients made so far."""

    rng: random.Random
    today: dt.date
    staff: dict[str, int] = field(default_factory=dict)
    departments: list[int] = field(default_factory=list)
    clients: list[int] = field(default_factory=list)


def person(rng: random.Random, female: bool, elder: bool = False) -> tuple[str, str, str]:
    last = rng.choice(MALE_LAST)
    if female:
        first = rng.choice(ELDER_FEMALE_FIRST if elder else FEMALE_FIRST)
        return female_surname(last), first, patronymic(rng.choice(FATHER_NAMES), True)
    first = rng.choice(ELDER_MALE_FIRST if elder else MALE_FIRST)
    return last, first, patronymic(rng.choice(FATHER_NAMES), False)


def make_client(ctx: DemoContext, index: int) -> int:
    """One client with phones, representatives or relatives (no audit rows: bulk demo data)."""
    rng = ctx.rng
    today = ctx.today
    is_child = index % 3 != 2
    female = rng.random() < 0.5
    town, remote = rng.choice(TOWNS)
    address = f"{town}, {rng.choice(STREETS)}, д. {rng.randint(1, 120)}, кв. {rng.randint(1, 200)}"
    if is_child:
        last, first, patr = person(rng, female)
        birth = today - dt.timedelta(days=rng.randint(365 * 2, 365 * 17))
        category = "child"
        dep = ctx.departments[rng.choice([0, 1])]
    else:
        last, first, patr = person(rng, female, elder=True)
        birth = today - dt.timedelta(days=rng.randint(365 * 62, 365 * 92))
        category = "elderly" if rng.random() < 0.8 else "disabled_adult"
        dep = ctx.departments[2]
    dep_staff = {
        ctx.departments[0]: ["ivanova", "morozova"],
        ctx.departments[1]: ["petrova", "sokolov"],
        ctx.departments[2]: ["lebedeva"],
    }[dep]
    status = rng.choices(["served", "potential", "closed", "refused"], [70, 18, 8, 4])[0]
    ipra = dep == ctx.departments[1] or category == "disabled_adult"
    ipra_start = today - dt.timedelta(days=rng.randint(30, 700)) if ipra else None
    client = m.Client.create(
        last_name=last,
        first_name=first,
        patronymic=patr,
        name_key=f"{last} {first} {patr}".casefold().replace("ё", "е"),
        birth_date=birth,
        category=category,
        department=dep,
        address=address,
        remote_territory=remote,
        status=status,
        ipra_number=f"{rng.randint(100, 999)}.{rng.randint(1, 99)}.66/{today.year - 1}" if ipra else "",
        ipra_start=ipra_start,
        ipra_end=ipra_start + dt.timedelta(days=rng.choice([365, 730])) if ipra_start else None,
        consent_date=None if rng.random() < 0.07 else today - dt.timedelta(days=rng.randint(1, 900)),
        assigned_staff=ctx.staff[rng.choice(dep_staff)],
    )
    if not is_child or rng.random() < 0.3:
        m.ContactPoint.create(client=client, channel="phone", value=random_phone(rng))
    if is_child:
        mother_last = female_surname(last) if not last.endswith("а") else last
        rep = m.Representative.create(
            client=client,
            relation="мать",
            last_name=mother_last,
            first_name=rng.choice(FEMALE_FIRST),
            patronymic=patronymic(rng.choice(FATHER_NAMES), True),
            preferred_call_time=rng.choice(["", "после 14:00", "утром до 11:00", "в обед"]),
        )
        phone = random_phone(rng)
        m.ContactPoint.create(representative=rep, channel="phone", value=phone)
        m.ContactPoint.create(representative=rep, channel=rng.choice(MESSENGERS[:3]), value=phone)
        if rng.random() < 0.35:
            male_last = last[:-1] if last.endswith("а") and last[:-1] in MALE_LAST else last
            dad = m.Representative.create(
                client=client,
                relation="отец",
                last_name=male_last,
                first_name=rng.choice(FATHER_NAMES),
                patronymic=patronymic(rng.choice(FATHER_NAMES), False),
            )
            m.ContactPoint.create(representative=dad, channel="phone", value=random_phone(rng))
    else:
        for relation, rel_female in rng.sample(
            [("дочь", True), ("сын", False), ("внучка", True), ("сестра", True)], rng.randint(1, 2)
        ):
            r_last, r_first, r_patr = person(rng, rel_female)
            contact = m.Contact.create(
                client=client,
                kind="relative",
                relation=relation,
                last_name=r_last,
                first_name=r_first,
                patronymic=r_patr,
            )
            phone = random_phone(rng)
            m.ContactPoint.create(contact=contact, channel="phone", value=phone)
            m.ContactPoint.create(contact=contact, channel=rng.choice(MESSENGERS), value=phone)
        if rng.random() < 0.3:
            f_last, f_first, f_patr = person(rng, True, elder=True)
            friend = m.Contact.create(
                client=client,
                kind="friend",
                relation="подруга",
                last_name=f_last,
                first_name=f_first,
                patronymic=f_patr,
            )
            m.ContactPoint.create(contact=friend, channel="phone", value=random_phone(rng))
    clients.reindex(client.id)
    return client.id


def received_for_state(state: str, today: dt.date, rng: random.Random) -> dt.datetime:
    """A received time whose first-contact deadline is overdue / due today / still ahead."""
    day = today
    if state == "today":
        # step back working days until the deadline lands on today (or the nearest after)
        for back in range(1, 15):
            cand = today - dt.timedelta(days=back)
            if workdays.first_contact_deadline(cand) == today:
                day = cand
                break
    elif state == "overdue":
        day = today - dt.timedelta(days=rng.randint(7, 20))
    else:
        day = today - dt.timedelta(days=rng.randint(0, 1))
    return dt.datetime.combine(day, dt.time(rng.randint(9, 16), rng.choice([0, 10, 25, 40, 55])))


SEEDERS: list = []  # functions (ctx) -> None added by each area (calls, visits, groups)


def build_demo(n_clients: int = 300, today: dt.date | None = None, seed: int = 2026) -> DemoContext:
    """Fill an empty, bound store with the demo data, working as the head of the centre would."""
    from soptui.services import access

    with access.acting_as(access.centre_actor(None)):
        return _build_demo(n_clients, today, seed)


def fill_demo_store() -> None:
    """The first --demo run: the demo data, then a checkpoint, so that its thousands of rows go into the store
    file, not left in the WAL."""
    from soptui.db.connection import checkpoint

    build_demo()
    checkpoint()


def access_centre(staff_id: int):
    from soptui.services import access

    return access.centre_actor(staff_id)


def _build_demo(n_clients: int = 300, today: dt.date | None = None, seed: int = 2026) -> DemoContext:
    """Fill an empty, bound store with the demo institution, staff, clients and referrals."""
    today = today or clock.today()
    ctx = DemoContext(rng=random.Random(seed), today=today)
    institution.ensure(
        address="623700, Свердловская обл., г. Берёзовский, ул. Исакова, д. 10", phone="+7 (343) 694-00-00"
    )
    with write_transaction():
        for name, short in DEPARTMENTS:
            ctx.departments.append(m.Department.create(name=name, short_name=short).id)
    for login, last, first, patr, position, role, dep in DEMO_STAFF:
        ctx.staff[login] = auth.add_user(
            login, DEMO_PASSWORD, last, first, patr, position, role, DEPARTMENTS[dep][0] if dep is not None else None
        )
    from soptui.core import session

    session.set_actor(access_centre(ctx.staff["admin"]))  # restored by build_demo
    with write_transaction():
        for i in range(n_clients):
            ctx.clients.append(make_client(ctx, i))
    potential = [
        c.id
        for c in m.Client.select(m.Client.id)
        .where((m.Client.status == "potential") & (m.Client.category == "child"))
        .order_by(m.Client.id)
    ]
    states = ["overdue", "today", "ok"]
    for i, client_id in enumerate(potential[:18]):
        client = m.Client.get_by_id(client_id)
        received = received_for_state(states[i % 3], today, ctx.rng)
        grounds = ["prevention_request", "citizen_report", "personal_application", "ipra"]
        ref_id = referrals.create_referral(
            client_id,
            received,
            grounds[i % 4],
            ctx.rng.choice(SOURCES),
            ctx.rng.choice(SUMMARIES),
            intake_log=ctx.rng.choice(["reception", "incoming_calls"]),
            taken_by=ctx.staff["head"],
            assigned_staff=client.assigned_staff_id,
            registered=False,
        )
        if i % 6 != 5:  # registered within the hour it arrived; every sixth still waits for registration (Today)
            registered_at = received + dt.timedelta(hours=1)
            m.Referral.update(
                registered_at=registered_at, patronage_due=workdays.patronage_deadline(registered_at.date())
            ).where(m.Referral.id == ref_id).execute()
    for seeder in SEEDERS:
        seeder(ctx)
    return ctx


from soptui.demo import patronage as _patronage  # noqa: E402  (SOP 04 patronage demo data)

SEEDERS.append(_patronage.seed_demo)

from soptui.demo import groups as _groups  # noqa: E402  (SOP 05 clubs demo data)

SEEDERS.append(_groups.seed_demo)

from soptui.demo import calls as _calls  # noqa: E402  (SOP 01-03 calls, reminders, SMS waits)

SEEDERS.append(_calls.seed_demo)
