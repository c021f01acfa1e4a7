"""The shared PDF base: every helper rendered, read back with pypdf."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import date, datetime

import pytest
from pypdf import PdfReader

from soptui.forms.base import CHECK_MARKS, SoptuiDocument, format_date, format_datetime

INSTITUTION = (
    "Государственное автономное учреждение социального обслуживания Свердловской области "
    "«Комплексный центр социального обслуживания населения»"
)
PRINTED_AT = datetime(2026, 11, 25, 14, 5)
HEADINGS = ["№", "Дата услуги", "Наименование услуги", "Исполнитель"]


def build_act(orientation: str = "P") -> SoptuiDocument:
    """A patronage act using every helper, with a service log spanning pages."""
    doc = SoptuiDocument("Акт социального патронажа", INSTITUTION, orientation, creation_date=PRINTED_AT)
    doc.add_title("Акт социального патронажа", "№ 17 от 25.11.2026")
    doc.add_section("1. Сведения о семье")
    doc.add_field("ФИО получателя социальных услуг", "Иванова Мария Петровна")
    doc.add_field("Дата рождения", date(2015, 3, 8))
    doc.add_field(
        "Адрес",
        "620000, Свердловская область, г. Екатеринбург, ул. Первомайская, д. 100, кв. 25, "
        "подъезд 3, этаж 5 — длинный адрес переносится на следующую строку",
    )
    doc.add_field("Телефон", None)
    doc.add_section("2. Выводы и рекомендации")
    doc.add_paragraph("Жилое помещение находится в удовлетворительном санитарном состоянии. " * 5)
    doc.add_checklist(
        [
            ("Рекомендации предыдущего патронажа выполнены", True),
            ("Ребёнок получает услуги, предусмотренные ИПРА", False),
        ]
    )
    doc.add_section("3. Журнал учёта услуг")
    rows = [
        [n, date(2026, 11, n % 28 + 1), f"Социальный патронаж семьи, консультирование {n}", "Петрова А. С."]
        for n in range(1, 61)
    ]
    doc.add_table(HEADINGS, rows, col_widths=[12, 25, 95, 45])
    doc.add_signatures(
        [("Специалист по социальной работе", "Петрова А. С."), ("Законный представитель", None)]
    )
    return doc


@pytest.fixture(scope="module")
def pages() -> list[str]:
    reader = PdfReader(io.BytesIO(build_act().to_bytes()))
    return [page.extract_text() for page in reader.pages]


def test_cyrillic_text_fields_and_blanks(pages: list[str]) -> None:
    first = pages[0]
    assert INSTITUTION.split()[0] in first
    assert "Акт социального патронажа" in first
    assert "1. Сведения о семье" in first
    assert "ФИО получателя социальных услуг: Иванова Мария Петровна" in first
    assert "Дата рождения: 08.03.2015" in first
    assert "длинный адрес переносится" in first
    assert "Телефон: ________" in first
    assert "удовлетворительном санитарном состоянии" in first


def test_checklist_uses_ballot_boxes(pages: list[str]) -> None:
    doc = SoptuiDocument("t", "i")
    assert doc.check_marks == CHECK_MARKS  # DejaVu has the glyphs
    doc.to_bytes()  # output closes the font files
    assert "☑ Рекомендации предыдущего патронажа выполнены" in pages[0]
    assert "☐ Ребёнок получает услуги" in pages[0]


def test_footer_numbers_pages_and_prints_date(pages: list[str]) -> None:
    total = len(pages)
    assert total >= 2
    for number, text in enumerate(pages, start=1):
        assert f"Страница {number} из {total}" in text
        assert "Дата печати: 25.11.2026" in text


def test_table_spans_pages_with_headings_repeated(pages: list[str]) -> None:
    text = "\n".join(pages)
    assert "консультирование 1 Петрова А. С." in text
    assert "консультирование 60 Петрова А. С." in pages[-1]
    second = pages[1]
    for heading in HEADINGS:
        assert heading in second
    assert second.index("Наименование услуги") < second.index("консультирование")
    # the running header repeats the title after page 1
    assert "Акт социального патронажа" in second


def test_signature_block(pages: list[str]) -> None:
    last = pages[-1]
    assert "Специалист по социальной работе" in last
    assert "__________ / Петрова А. С. /" in last
    assert "__________ / ____________________ /" in last  # no ФИО: blank to fill in
    assert "«___» __________ 20__ г." in last


def test_pinned_creation_date_is_reproducible() -> None:
    assert build_act().to_bytes() == build_act().to_bytes()


def test_landscape_and_save(tmp_path) -> None:
    path = build_act("L").save(tmp_path / "act.pdf")
    page = PdfReader(path).pages[0]
    assert page.mediabox.width > page.mediabox.height


def test_table_rejects_mismatched_columns() -> None:
    doc = SoptuiDocument("Журнал", INSTITUTION)
    with pytest.raises(ValueError):
        doc.add_table(["А", "Б"], [["1"]], col_widths=[1, 2, 3])
    with pytest.raises(ValueError):
        doc.add_table(["А", "Б"], [["1", "2", "3"]])
    doc.add_table(["А", "Б"], [["1"]])  # a short row is padded; the document is still usable
    assert "Журнал" in PdfReader(io.BytesIO(doc.to_bytes())).metadata.title


def test_format_date_and_datetime() -> None:
    assert format_date(date(2026, 11, 25)) == "25.11.2026"
    assert format_date(None) == ""
    assert format_datetime(datetime(2026, 11, 25, 14, 5)) == "25.11.2026 14:05"
    assert format_datetime(date(2026, 1, 2)) == "02.01.2026"
    assert format_datetime(None) == ""


def test_package_import_does_not_load_fpdf() -> None:
    code = "import sys, soptui, soptui.forms; sys.exit('fpdf' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
