"""The three SOP 04 acts and the field-visit schedule as PDFs, read back with pypdf."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from pypdf import PdfReader

from soptui.db import models as m
from soptui.domain import patronage
from soptui.services import patronage as visits
from soptui.services import printing
from soptui.services.patronage import NewRecommendation, VisitOutcome

from patronage_helpers import plan

NOW = dt.datetime(2026, 11, 25, 10, 30)


def pdf_text(data: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def done_visits(family):  # noqa: F811
    """A primary visit with recommendations, then a planned one that checked them."""
    first = visits.save_plan(plan(family))
    visits.complete_act(
        first,
        "housing",
        {
            **visits.act_prefill(first, "housing"),  # the child and the parents, as the form starts
            "address": "пос. Монетный, ул. Мира, д. 3",
            "dwelling_type": "квартира",
            "ownership": "социальный найм",
            "rooms": "2",
            "area": "44,5",
            "amenities": "отопление, вода",
            "sanitary": "удовлетворительное",
            "child_sleep": "отдельная кровать",
            "child_study": "письменный стол",
            "child_play": "игровой уголок",
            "family": "Петрова Анна Игоревна, мать",
            "income": "детское пособие",
            "child_document": "свидетельство о рождении IV-АИ № 512345",
            "present": "Петрова Анна Игоревна, мать",
            "clothing": "по сезону",
            "food": "регулярное",
            "hygiene": "в наличии",
            "safety": "розетки закрыты",
            "health": "здоров",
            "schooling": "1 класс МАОУ СОШ № 2",
            "adequacy": patronage.ADEQUACY_CHOICES[0],
            "conclusions": "Условия удовлетворительные",
        },
    )
    visits.complete_visit(
        first,
        VisitOutcome(
            methods=["observation", "housing_inspection"],
            problem_areas=["economic", "legal"],
            findings="Задолженность по ЖКУ",
            work_seconds=35 * 60,
            rights_explained="Право на субсидию",
            recommendations=[NewRecommendation("Оформить субсидию на ЖКУ", "мать", dt.date(2026, 12, 10))],
        ),
    )
    repeat = visits.save_plan(plan(family, day=dt.date(2026, 12, 11), kind="planned", late_reason="плановый"))
    rec = visits.get_visit(repeat).earlier[0]
    visits.complete_act(
        repeat,
        "patronage",
        {
            "family": "мать и сын",
            "present": "мать",
            "situation": "Стабильная",
            "child_state": "Здоров",
            "work_done": "Беседа с матерью",
            "conclusions": "Продолжить патронаж",
            "next_steps": "через месяц",
        },
    )
    visits.complete_act(
        repeat,
        "report",
        {
            "goal": "Контроль рекомендаций",
            "result": "Рекомендации выполнены",
            "effectiveness": "эффективна",
            "notes": "",
        },
    )
    visits.complete_visit(
        repeat,
        VisitOutcome(
            methods=["talk", "counselling"],
            problem_areas=["psychological"],
            findings="Семья справляется",
            work_seconds=30 * 60,
            checks={rec.id: ("partly", "документы поданы не все")},
            effectiveness="Работа частично эффективна.",
            recommendations=[NewRecommendation("Посетить психолога центра", "сын")],
        ),
    )
    return first, repeat


def render(visit_id: int, kind: str) -> tuple[str, int]:
    from soptui.forms import acts

    return pdf_text(printing.render(acts, visits.act_document(visit_id, kind), creation_date=NOW))


def test_housing_act_follows_the_official_form_of_the_ministry_order_no_4(done_visits):
    """SOP 04 / order of the Ministry of Education No. 4 of 10.01.2019, appendix 3: the sections in order."""
    text, pages = render(done_visits[0], "housing")
    t = flat(text)
    assert "Акт обследования условий жизни несовершеннолетнего гражданина и его семьи" in t
    headings = [
        "Дата: «26» ноября 2026 г.",
        "Время: с 11:00 до 11:35",
        "Место: пос. Монетный, ул. Мира, д. 3",
        "Обследование провели",
        "Иванова Марина Сергеевна, специалист по социальной работе",
        "1. Несовершеннолетний",
        "2. Родители (законные представители) и семья",
        "3. Жилое помещение",
        "4. Условия для ребёнка",
        "5. Здоровье и обучение",
        "6. Заключение",
        "Рекомендации",
        "Подписи",
        "С актом ознакомлен(а)",
    ]
    positions = [t.find(h) for h in headings]
    assert -1 not in positions, [h for h, p in zip(headings, positions, strict=True) if p == -1]
    assert positions == sorted(positions), "the sections follow the official form's order"
    for section in patronage.ACT_SECTIONS["housing"]:
        assert section.title in t
    for value in (
        "Петров Илья Сергеевич",  # the child, prefilled from the card
        "свидетельство о рождении IV-АИ № 512345",
        "социальный найм",
        "44,5",
        "отдельная кровать",
        "письменный стол",
        "розетки закрыты",
        "1 класс МАОУ СОШ № 2",
        "детское пособие",
        "обеспечивают надлежащее содержание и воспитание",
        "Условия удовлетворительные",
        "Оформить субсидию на ЖКУ",
        "10.12.2026",
    ):
        assert value in t, value
    # each member signs, dated the day the act was completed; the representative acknowledges it by hand
    signatures = t[t.find("Подписи") :]
    assert "Специалист по социальной работе" in signatures and "Иванова М.С." in signatures
    assert "«25» ноября 2026 г." in signatures  # completed on the fixed clock's day
    acknowledged = t[t.find("С актом ознакомлен(а)") :]
    assert "Законный представитель (мать)" in acknowledged and "Петрова А.И." in acknowledged
    assert "«___» __________ 20__ г." in acknowledged
    assert f"Страница 1 из {pages}" in t and "Дата печати: 25.11.2026" in t


def test_every_form_carries_the_institutions_name_address_and_phone(done_visits):
    from soptui.services import institution

    institution.ensure()
    info = institution.get()
    from soptui.db import models as mm

    mm.Institution.update(address="624000, пос. Монетный, ул. Центральная, 1", phone="+7 343 000-11-22").execute()
    for vid, kind in ((done_visits[0], "housing"), (done_visits[1], "patronage"), (done_visits[1], "report")):
        t = flat(render(vid, kind)[0])
        assert info.full_name in t
        assert "624000, пос. Монетный, ул. Центральная, 1 · тел. +7 343 000-11-22" in t, kind


def test_social_patronage_act_has_methods_problems_and_earlier_checks(done_visits):
    text, pages = render(done_visits[1], "patronage")
    t = flat(text)
    assert "Акт социального патронажа" in t
    for heading in (
        "1. Сведения о семье",
        "2. Ход патронажа",
        "3. Итоги",
        "Методы работы (СОП 04)",
        "Проблемное поле",
        "Выполнение ранее данных рекомендаций",
        "Рекомендации",
        "Подписи",
        "Посещение провели",  # the official form's header, members and acknowledgement (issue 13 point 16)
        "С актом ознакомлен(а)",
    ):
        assert heading in t, heading
    assert "беседа" in t and "консультирование" in t and "психологические" in t
    assert "Оформить субсидию на ЖКУ" in t and "выполнена частично" in t and "документы поданы не все" in t
    assert "Работа частично эффективна." in t
    assert "Посетить психолога центра" in t and "плановый (повторный)" in t
    assert f"Страница {pages} из {pages}" in t


def test_patronage_report_sections(done_visits):
    text, _ = render(done_visits[1], "report")
    t = flat(text)
    assert "Отчёт о патронаже" in t
    for heading in (
        "Сведения о посещении",
        "1. Цель и результат",
        "2. Оценка",
        "Методы работы (СОП 04)",
        "Рекомендации",
        "Подписи",
    ):
        assert heading in t, heading
    assert "Контроль рекомендаций" in t and "Рекомендации выполнены" in t


def test_draft_act_is_marked_and_blank_fields_printed_as_lines(family):  # noqa: F811
    vid = visits.save_plan(plan(family))
    visits.save_act_draft(vid, "housing", {"address": "ул. Мира, 3"})
    text, _ = render(vid, "housing")
    assert "(черновик)" in text and "____" in text


def test_an_act_printed_before_the_visit_is_done_leaves_lines_for_recommendations_not_a_none(family):  # noqa: F811
    """«Рекомендации не давались» is a statement of fact: only once the visit is done and gave none. Printed to
    take to the family, the act has numbered rows to write them in by hand."""
    vid = visits.save_plan(plan(family))
    visits.save_act_draft(vid, "housing", {"address": "ул. Мира, 3"})
    text, _ = render(vid, "housing")
    recommendations = flat(text.split("Рекомендации", 1)[1].split("Подписи", 1)[0])
    assert "не давались" not in recommendations
    assert recommendations.split()[:7] == ["№", "Рекомендация", "Кому", "Срок", "1", "2", "3"], recommendations
    # at the family's home, mid-visit: what has been typed so far is printed, the rest left to write in
    visits.save_progress(vid, {"methods": ["observation"], "recs": [["Оформить пособие", "мать", "20.12.2026"]]})
    text, _ = render(vid, "report")
    done_so_far = flat(text)
    assert "наблюдение" in done_so_far and "не отмечены" not in done_so_far and "не выявлено" not in done_so_far
    assert "Проблемы: ____" in done_so_far
    assert "1 Оформить пособие мать 20.12.2026 2 3 4" in done_so_far
    visits.complete_act(vid, "report", {"goal": "Знакомство", "result": "Семья обследована", "effectiveness": "-"})
    visits.complete_visit(
        vid, VisitOutcome(methods=["observation"], problem_areas=["economic"], findings="нет", work_seconds=1800)
    )
    text, _ = render(vid, "report")
    assert "Рекомендации не давались." in flat(text) and "Проблемное поле экономические" in flat(text)


def test_print_act_writes_to_the_output_folder(done_visits, tmp_path, monkeypatch):
    monkeypatch.setenv("SOPTUI_OUTPUT", str(tmp_path))
    path = visits.print_act(done_visits[0], "housing")
    assert path.parent == tmp_path and path.read_bytes().startswith(b"%PDF")
    assert path.name == f"Акт обследования ЖБУ №{done_visits[0]}-Ж Петров И.С. 26.11.2026.pdf"
    assert "Акт обследования условий жизни несовершеннолетнего" in pdf_text(path.read_bytes())[0]


def test_draft_act_file_name_says_draft(family, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setenv("SOPTUI_OUTPUT", str(tmp_path))
    vid = visits.save_plan(plan(family))
    visits.save_act_draft(vid, "report", {"goal": "Знакомство"})
    path = visits.print_act(vid, "report")
    assert path.name == f"Отчёт о патронаже №{vid}-О Петров И.С. 26.11.2026 черновик.pdf"


def test_field_visit_schedule_pdf(done_visits, tmp_path, monkeypatch, family):  # noqa: F811
    monkeypatch.setenv("SOPTUI_OUTPUT", str(tmp_path))
    visits.save_plan(
        plan(
            family, day=dt.date(2026, 12, 1), start=dt.time(14, 0), end=dt.time(14, 40), late_reason="по договорённости"
        )
    )
    path = visits.print_schedule(dt.date(2026, 12, 1), dt.date(2026, 12, 31), staff_id=family["spec"])
    text, pages = pdf_text(path.read_bytes())
    t = flat(text)
    assert "График выходов в семьи" in t and "с 01.12.2026 по 31.12.2026" in t
    assert "Петров Илья Сергеевич" in t and "нужен транспорт" in t
    assert "01.12.2026" in t and "13:00–14:50" in t and "11.12.2026" in t
    assert "Всего выходов: 2." in t and "Составил(а)" in t and "Утверждаю" in t
    assert f"Страница 1 из {pages}" in t
    assert path.name == "График выходов Иванова М.С. 01.12.2026-31.12.2026.pdf"


def _printouts(table: str) -> list[tuple[int | None, dict]]:
    rows = m.AuditLog.select().where((m.AuditLog.action == "print") & (m.AuditLog.table == table))
    return [(r.record_id, json.loads(r.changes)) for r in rows.order_by(m.AuditLog.id)]


def test_printing_an_act_saves_it_private_in_the_folder_and_audits_it(done_visits, tmp_path):
    vid = done_visits[0]
    before = _printouts("patronage_visit")
    path = visits.print_act(vid, "housing", folder=tmp_path)
    assert path.parent == tmp_path and path.stat().st_mode & 0o777 == 0o600
    assert "Акт обследования условий жизни несовершеннолетнего" in pdf_text(path.read_bytes())[0]
    assert _printouts("patronage_visit") == [*before, (vid, {"act": "housing", "draft": False})]


def test_printing_the_schedule_audits_whose_schedule_and_which_period(done_visits, tmp_path, family):  # noqa: F811
    from soptui.core import session

    path = visits.print_schedule(dt.date(2026, 11, 1), dt.date(2026, 12, 31), staff_id=family["spec"], folder=tmp_path)
    assert path.parent == tmp_path and path.stat().st_mode & 0o777 == 0o600
    assert _printouts("visit_schedule") == [
        (
            None,
            {
                "start": "2026-11-01",
                "end": "2026-12-31",
                "staff_id": family["spec"],
                # «every department» asked for; the signed-in specialist's own department is what was printed
                "department_id": session.current().department_id,
                "visits": 2,
            },
        )
    ]


def test_sop04_act_printed_during_the_repeat_visit_has_the_checks_and_effectiveness(family):
    """Issue 13 point 5: printed at the family's home, before the visit is completed, the act already carries
    the check of earlier recommendations and the effectiveness assessment marked so far."""
    first = visits.save_plan(plan(family))
    visits.complete_act(first, "report", {"goal": "Знакомство", "result": "Долг по ЖКУ", "present": "мать"})
    visits.complete_visit(
        first,
        VisitOutcome(
            methods=["observation"],
            findings="Задолженность по ЖКУ",
            work_seconds=30 * 60,
            recommendations=[NewRecommendation("Оформить субсидию на ЖКУ", "мать", dt.date(2026, 12, 10))],
        ),
    )
    repeat = visits.save_plan(plan(family, day=dt.date(2026, 12, 11), kind="planned", purpose="Проверка рекомендаций"))
    rec = visits.get_visit(repeat).earlier[0]
    # nothing marked yet: the act lists the recommendation as not checked
    t = flat(render(repeat, "patronage")[0])
    assert "Выполнение ранее данных рекомендаций" in t and "Оформить субсидию на ЖКУ" in t and "не проверена" in t
    visits.save_progress(
        repeat,
        {
            "checks": {str(rec.id): ["partly", "подана половина документов"]},
            "eff_level": "partly",
            "eff_comment": "Долг снижен",
        },
    )
    t = flat(render(repeat, "patronage")[0])
    assert "выполнена частично" in t and "подана половина документов" in t
    assert "Профилактическая работа частично эффективна. Долг снижен" in t
    assert m.PatronageVisit.get_by_id(repeat).status == "planned"  # printing completed nothing


@pytest.mark.parametrize(
    "day,printed",
    [
        (dt.date(2026, 12, 2), "«02» декабря 2026 г."),
        (dt.date(2027, 5, 9), "«09» мая 2027 г."),
        (None, "«___» __________ 20__ г."),
    ],
)
def test_signed_forms_date_in_the_russian_document_style(day, printed):
    from soptui.forms.base import format_document_date

    assert format_document_date(day) == printed
