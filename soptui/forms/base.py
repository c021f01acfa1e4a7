"""Shared base of every printed form: page layout, fonts and building blocks.

A form module subclasses or instantiates `SoptuiDocument` and composes it from
the `add_*` helpers; it never sets fonts or coordinates for ordinary content.
Importing this module loads fpdf2 (about half a second), so only form code
imports it, and only when a form is printed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from fpdf import FPDF, FontFace
from fpdf.enums import TableHeadingsDisplay, XPos, YPos

__all__ = ["SoptuiDocument", "format_date", "format_datetime"]

FONTS_DIR = Path(__file__).parent / "fonts"
FONT = "DejaVu"  # DejaVu Sans covers Cyrillic, «», № and the ballot boxes

MARGIN = 15.0  # mm, left/top/right
BREAK_MARGIN = 18.0  # mm kept free at the bottom for the footer
BODY_SIZE = 10  # pt
SMALL_SIZE = 8  # pt, header and footer
LINE = 5.0  # mm, line height of body text
GREY = 90  # header/footer text

BLANK = "_" * 10  # a blank to fill in by hand
DATE_BLANK = "«___» __________ 20__ г."
CHECK_MARKS = ("☑", "☐")
CHECK_MARKS_ASCII = ("[x]", "[ ]")

_NEXT_LINE = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}


def _local_now() -> datetime:
    from .. import clock

    return clock.now()


def format_date(d: date | None) -> str:
    """Russian short date, 25.11.2026; "" for None."""
    return "" if d is None else f"{d:%d.%m.%Y}"


def format_datetime(dt: datetime | date | None) -> str:
    """Russian date and time, 25.11.2026 14:05; "" for None.

    The value is printed as given: convert it to the institution's time zone
    first. A plain date is printed without a time.
    """
    if not isinstance(dt, datetime):
        return format_date(dt)
    return f"{dt:%d.%m.%Y %H:%M}"


def _as_text(value: object) -> str:
    """Cell/field text: dates in Russian format, None as empty."""
    if value is None:
        return ""
    if isinstance(value, date):  # datetime included
        return format_datetime(value)
    return str(value)


class SoptuiDocument(FPDF):
    """An A4 document of the centre: running header, "Страница N из M" footer.

    Args:
        title: document title; printed by `add_title` on the first page and
            in the running header of the following pages.
        institution: full name of the institution, on top of every page.
        orientation: "P" portrait, "L" landscape for wide grids.
        creation_date: print date in the footer and PDF metadata; pin it to
            make the output byte-for-byte reproducible.

    The first page opens with the first `add_*` call, so a subclass may set
    its own attributes after `super().__init__()` and use them in `header()`.
    """

    def __init__(
        self,
        title: str,
        institution: str,
        orientation: str = "P",
        creation_date: datetime | None = None,
    ) -> None:
        super().__init__(orientation=orientation, unit="mm", format="A4")
        self.document_title = title
        self.institution = institution
        self.print_date = creation_date or _local_now()
        if creation_date is not None:
            self.set_creation_date(creation_date)

        self.add_font(FONT, "", FONTS_DIR / "DejaVuSans.ttf")
        self.add_font(FONT, "B", FONTS_DIR / "DejaVuSans-Bold.ttf")
        regular = self.fonts[FONT.lower()]
        has_boxes = all(ord(mark) in regular.cmap for mark in CHECK_MARKS)
        self.check_marks = CHECK_MARKS if has_boxes else CHECK_MARKS_ASCII

        self.set_title(title)
        self.set_author(institution)
        self.set_creator("soptui")
        self.set_lang("ru-RU")
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=BREAK_MARGIN)
        self.alias_nb_pages("{nb}")

    # -- page furniture -------------------------------------------------

    def header(self) -> None:
        """Institution name on every page; the title too after page 1."""
        lines = [self.institution]
        if self.page_no() > 1:
            lines.append(self.document_title)
        lines = [line for line in lines if line]
        if not lines:
            return
        self.set_y(8)
        self.set_font(FONT, "", SMALL_SIZE)
        self.set_text_color(GREY)
        for line in lines:
            self.multi_cell(0, 3.5, line, align="C", **_NEXT_LINE)
        rule_y = self.get_y() + 1
        self.set_draw_color(160)
        self.line(self.l_margin, rule_y, self.w - self.r_margin, rule_y)
        self.set_draw_color(0)
        self.set_text_color(0)
        self.set_y(max(rule_y + 4, self.t_margin))

    def footer(self) -> None:
        """ "Страница N из M" on the left, the print date on the right."""
        self.set_y(-12)
        self.set_font(FONT, "", SMALL_SIZE)
        self.set_text_color(GREY)
        half = self.epw / 2
        self.cell(half, 5, f"Страница {self.page_no()} из {{nb}}", align="L")
        self.cell(half, 5, f"Дата печати: {format_date(self.print_date)}", align="R")
        self.set_text_color(0)

    # -- content helpers ------------------------------------------------

    def add_title(self, text: str, subtitle: str | None = None) -> None:
        """Centred bold title of the document, optionally a smaller subtitle."""
        self._body_font()
        self.set_font(FONT, "B", 14)
        self.multi_cell(0, 7, text, align="C", **_NEXT_LINE)
        if subtitle:
            self.set_font(FONT, "", BODY_SIZE)
            self.multi_cell(0, LINE, subtitle, align="C", **_NEXT_LINE)
        self.ln(4)
        self._body_font()

    def add_section(self, heading: str) -> None:
        """Bold section heading, moved to the next page rather than left alone at the bottom."""
        self._body_font()
        if self.will_page_break(6 + 3 * LINE):
            self.add_page()
        self.ln(2)
        self.set_font(FONT, "B", 11)
        self.multi_cell(0, 6, heading, align="L", **_NEXT_LINE)
        self.ln(1)
        self._body_font()

    def add_field(self, label: str, value: object) -> None:
        """ "Label: value" with a bold label; the value wraps under the label.

        An empty or None value prints underscores to the end of the line, so
        the paper form can be filled in by hand.
        """
        self._body_font()
        self.set_x(self.l_margin)
        self.set_font(FONT, "B", BODY_SIZE)
        self.write(LINE, f"{label.rstrip(': ')}: ")
        self.set_font(FONT, "", BODY_SIZE)
        text = _as_text(value).strip()
        if not text:
            # write() keeps a cell margin on both sides of the remaining room
            room = self.w - self.r_margin - self.get_x() - 2 * self.c_margin
            if room < 30:  # too little left after a long label: blank on its own line
                self.ln(LINE)
                room = self.epw - 2 * self.c_margin
            text = "_" * (int(room / self.get_string_width("_")) - 1)
        self.write(LINE, text)
        self.ln(LINE + 1)

    def add_paragraph(self, text: str) -> None:
        """Justified body text; long lines and explicit newlines wrap."""
        self._body_font()
        self.multi_cell(0, LINE, text, align="J", **_NEXT_LINE)
        self.ln(2)

    def add_checklist(self, items: Sequence[tuple[str, bool]]) -> None:
        """One line per (text, done) with ☑/☐ (or [x]/[ ] without the glyphs)."""
        self._body_font()
        done, open_ = self.check_marks
        mark_width = max(map(self.get_string_width, self.check_marks)) + 2
        for text, checked in items:
            self.set_x(self.l_margin)
            self.cell(mark_width, LINE, done if checked else open_)
            self.multi_cell(0, LINE, text, align="L", **_NEXT_LINE)
        self.ln(2)

    def add_table(
        self,
        headings: Sequence[str],
        rows: Sequence[Sequence[object]],
        col_widths: Sequence[float] | None = None,
        font_size: float = 9,
    ) -> None:
        """A bordered grid over the full text width; headings repeat on every page.

        `col_widths` are relative (fpdf2 scales them to the page width), so
        millimetres or fractions both work. Short rows are padded with blanks;
        None and dates are printed as for `add_field`.
        """
        self._body_font()
        columns = len(headings)
        if col_widths is not None and len(col_widths) != columns:
            raise ValueError(f"{len(col_widths)} column widths for {columns} columns")
        self.set_font(FONT, "", font_size)
        with self.table(
            col_widths=tuple(col_widths) if col_widths else None,
            width=self.epw,
            text_align="LEFT",
            v_align="TOP",
            line_height=font_size * 0.45,
            padding=(0.8, 1.2),
            headings_style=FontFace(emphasis="BOLD", fill_color=(230, 230, 230)),
            repeat_headings=TableHeadingsDisplay.ON_TOP_OF_EVERY_PAGE,
        ) as table:
            heading_row = table.row()
            for heading in headings:
                heading_row.cell(heading, align="C", v_align="M")
            for number, values in enumerate(rows, start=1):
                if len(values) > columns:
                    raise ValueError(f"row {number} has {len(values)} cells for {columns} columns")
                row = table.row()
                for value in [*values, *[""] * (columns - len(values))]:
                    row.cell(_as_text(value))
        self.ln(3)
        self._body_font()

    def add_signatures(self, lines: Sequence[tuple[str, str | None]], date_line: bool = True) -> None:
        """Signature block: "role   __________ / ФИО /" per signer, then a date line.

        A missing ФИО leaves a blank for it. The block is kept on one page.
        """
        self._body_font()
        block_height = len(lines) * 2 * LINE + (2 * LINE if date_line else 0) + 4
        if self.will_page_break(block_height):
            self.add_page()
        self.ln(4)
        role_width = self.epw * 0.45
        for role, name in lines:
            top = self.get_y()
            self.multi_cell(role_width - 3, LINE, role, align="L", **_NEXT_LINE)
            bottom = self.get_y()
            self.set_xy(self.l_margin + role_width, top)
            self.cell(0, LINE, f"{BLANK} / {name or BLANK * 2} /")
            self.set_y(max(bottom, top + LINE) + LINE)
        if date_line:
            self.cell(0, LINE, DATE_BLANK, **_NEXT_LINE)

    # -- output -----------------------------------------------------------

    def to_bytes(self) -> bytes:
        """The finished PDF."""
        return bytes(self.output())

    def save(self, path: str | Path) -> Path:
        """Write the PDF to `path` and return it."""
        path = Path(path)
        path.write_bytes(self.to_bytes())
        return path

    def _body_font(self) -> None:
        """Body font, opening the first page if none is open yet."""
        if self.page == 0:
            self.add_page()
        self.set_font(FONT, "", BODY_SIZE)
