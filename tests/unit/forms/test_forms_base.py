"""The shared PDF base: every helper rendered, read back with pypdf."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import date, datetime

import pytest
from pypdf import PdfReader

from soptui.forms.base import (
    CHECK_MARKS,
    FONT,
    TABLE_PAD_X,
    SoptuiDocument,
    format_date,
    format_datetime,
)

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
    doc.add_signatures([("Специалист по социальной работе", "Петрова А. С."), ("Законный представитель", None)])
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


def test_landscape() -> None:
    page = PdfReader(io.BytesIO(build_act("L").to_bytes())).pages[0]
    assert page.mediabox.width > page.mediabox.height


def test_table_rejects_mismatched_columns() -> None:
    doc = SoptuiDocument("Журнал", INSTITUTION)
    with pytest.raises(ValueError):
        doc.add_table(["А", "Б"], [["1"]], col_widths=[1, 2, 3])
    with pytest.raises(ValueError):
        doc.add_table(["А", "Б"], [["1", "2", "3"]])
    doc.add_table(["А", "Б"], [["1"]])  # a short row is padded; the document is still usable
    assert "Журнал" in PdfReader(io.BytesIO(doc.to_bytes())).metadata.title


def _page_texts(doc: SoptuiDocument) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(doc.to_bytes())).pages]


def _fragments(doc: SoptuiDocument, size: float = 9) -> list[tuple[int, str, float, str]]:
    """(page number, text, x in mm, font name) of every text of font `size` on the pages."""
    found: list[tuple[int, str, float, str]] = []
    reader = PdfReader(io.BytesIO(doc.to_bytes()))
    for number, page in enumerate(reader.pages, start=1):

        def visit(text, cm, tm, font, font_size, number=number) -> None:
            if text.strip() and font_size == size:
                found.append((number, text.strip(), tm[4] / doc.k, str(font and font.get("/BaseFont"))))

        page.extract_text(visitor_text=visit)
    return found


@pytest.mark.parametrize("orientation", ["P", "L"])
def test_table_rows_are_never_split_across_pages(orientation: str) -> None:
    doc = SoptuiDocument("Журнал", INSTITUTION, orientation, creation_date=PRINTED_AT)
    doc.add_paragraph("Вступление. " * 40)
    # rows of 2 to 8 lines: the first and the last line carry the row's number
    rows = [[n, "\n".join([f"начало{n:03d}", *["середина"] * (n % 7), f"конец{n:03d}"])] for n in range(1, 121)]
    doc.add_table(["№", "Запись"], rows, col_widths=[1, 5])
    pages = _page_texts(doc)
    assert len(pages) >= 4
    for n in range(1, 121):
        start = [i for i, text in enumerate(pages) if f"начало{n:03d}" in text]
        assert len(start) == 1, n
        assert f"конец{n:03d}" in pages[start[0]], f"row {n} is split across pages"
    for text in pages[1:]:  # the headings on top of every following page
        assert text.index("Запись") < text.index("начало")


def test_table_moves_to_the_next_page_when_its_first_row_does_not_fit() -> None:
    doc = SoptuiDocument("Журнал", INSTITUTION, creation_date=PRINTED_AT)
    while doc.page <= 1 and doc.get_y() < 200:
        doc.add_paragraph("Вступление перед таблицей.")
    doc.add_table(["№", "Запись"], [[1, "\n".join(["начало", *["середина"] * 28, "конец"])]])
    pages = _page_texts(doc)
    assert len(pages) == 2
    assert "начало" not in pages[0] and "Запись" not in pages[0]
    assert pages[1].index("Запись") < pages[1].index("начало") < pages[1].index("конец")


def test_table_row_taller_than_a_page_continues_under_the_headings() -> None:
    doc = SoptuiDocument("Журнал", INSTITUTION, creation_date=PRINTED_AT)
    note = "\n".join(f"примечание {n:03d}" for n in range(1, 151))
    doc.add_table(["Дата", "Примечание"], [[date(2026, 11, 24), "до"], [date(2026, 11, 25), note], [None, "после"]])
    pages = _page_texts(doc)
    assert len(pages) >= 3
    text = "\n".join(pages)
    positions = [text.index(f"примечание {n:03d}") for n in range(1, 151)]
    assert positions == sorted(positions)  # every line printed, in order
    assert text.index("до") < positions[0] and positions[-1] < text.index("после")
    for page in pages[1:]:
        assert page.index("Примечание") < page.index("примечание")
    assert "25.11.2026" in pages[0] + pages[1]


def test_table_wraps_long_words_and_cyrillic_inside_the_cell() -> None:
    doc = SoptuiDocument("Журнал", INSTITUTION, creation_date=PRINTED_AT)
    word = "Реабилитационнообразовательномедицинскосоциальный"
    phrase = "Консультирование законного представителя по вопросам получения мер социальной поддержки"
    doc.add_table(["№", "Слово", "Фраза"], [[1, word, phrase]], col_widths=[10, 15, 20])
    left_edges = [doc.l_margin, doc.l_margin + doc.epw * 10 / 45, doc.l_margin + doc.epw * 25 / 45]
    right_edges = [*left_edges[1:], doc.l_margin + doc.epw]
    probe = SoptuiDocument("p", "i")
    probe._body_font()
    probe.set_font(FONT, "", 9)
    body = [f for f in _fragments(doc) if f[3].endswith("Book")]  # the headings are bold
    pieces = {1: [], 2: []}
    for _, text, x, _ in body:
        column = max(i for i, edge in enumerate(left_edges) if x >= edge - 0.01)
        if column:
            pieces[column].append(text)
            assert x + probe.get_string_width(text) <= right_edges[column] - TABLE_PAD_X + 0.01, text
    assert len(pieces[1]) >= 2 and "".join(pieces[1]) == word
    assert len(pieces[2]) >= 2 and " ".join(pieces[2]) == phrase


def test_a_character_the_font_cannot_draw_shows_as_a_box_not_nothing() -> None:
    """An emoji typed into a note (👍) was dropped from the printed page without a trace; one the font has (😊)
    is printed as it is."""
    doc = SoptuiDocument("Отчёт о занятии", INSTITUTION, creation_date=PRINTED_AT)
    doc.add_paragraph("Отзыв: понравилось 👍 очень 😊")
    doc.add_table(["№", "Отзыв"], [[1, "спасибо 🙏"]], col_widths=[10, 80])
    text = "\n".join(_page_texts(doc))
    assert "понравилось □ очень 😊" in text and "спасибо □" in text


def test_table_alignment_and_bold_rows() -> None:
    doc = SoptuiDocument("Итоги", INSTITUTION, "L", creation_date=PRINTED_AT)
    rows = [["Петрова А. С.", 5], ["Соколов И. И.", 12345], ["Итого", 12350]]
    doc.add_table(["Исполнитель", "Минут"], rows, col_widths=[3, 1], align=["L", "R"], bold_rows={-1})
    found = {text: (x, font) for _, text, x, font in _fragments(doc)}
    assert found["Петрова А. С."][0] == pytest.approx(doc.l_margin + TABLE_PAD_X, abs=0.05)
    probe = SoptuiDocument("p", "i")
    probe._body_font()
    for text, style in (("5", ""), ("12345", ""), ("12350", "B")):
        probe.set_font(FONT, style, 9)
        right = found[text][0] + probe.get_string_width(text)
        assert right == pytest.approx(doc.w - doc.r_margin - TABLE_PAD_X, abs=0.05), text
    assert found["Итого"][1].endswith("Bold") and found["12350"][1].endswith("Bold")
    assert found["Соколов И. И."][1].endswith("Book") and found["Исполнитель"][1].endswith("Bold")
    with pytest.raises(ValueError):
        doc.add_table(["А", "Б"], [], align=["L"])
    with pytest.raises(ValueError):
        doc.add_table(["А", "Б"], [], align="X")


def test_table_of_500_rows_runs_over_pages_with_every_row() -> None:
    """500 long rows over as many pages as they need, none lost. Its speed (fpdf2's own table() took about 5 s)
    is a benchmark figure, bench/bench_journal.py's journal_print_specialist_month_s: timed here, under a loaded
    machine it failed a run for nothing."""
    rows = [
        [
            n,
            date(2026, 11, n % 28 + 1),
            f"Иванова Мария Петровна {n}",
            "Обсудили ход реабилитации, договорились о патронаже. " * 3,
        ]
        for n in range(1, 501)
    ]
    doc = SoptuiDocument("Журнал", INSTITUTION, "L", creation_date=PRINTED_AT)
    doc.add_table(HEADINGS, rows, col_widths=[8, 20, 60, 120], font_size=8)
    reader = PdfReader(io.BytesIO(doc.to_bytes()))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert len(reader.pages) > 10
    assert all(f"Иванова Мария Петровна {n} " in text + " " for n in (1, 250, 499, 500))
    assert "Иванова Мария Петровна 500" in reader.pages[-1].extract_text()


def test_format_date_and_datetime() -> None:
    assert format_date(date(2026, 11, 25)) == "25.11.2026"
    assert format_date(None) == ""
    assert format_datetime(datetime(2026, 11, 25, 14, 5)) == "25.11.2026 14:05"
    assert format_datetime(date(2026, 1, 2)) == "02.01.2026"
    assert format_datetime(None) == ""


def test_package_import_does_not_load_fpdf() -> None:
    code = "import sys, soptui, soptui.forms; sys.exit('fpdf' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
