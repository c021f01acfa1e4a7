"""Shared base of every printed form: page layout, fonts and building blocks.

A form module subclasses or instantiates `SoptuiDocument` and composes it from
the `add_*` helpers; it never sets fonts or coordinates for ordinary content.
Importing this module loads fpdf2 (about half a second), so only form code
imports it, and only when a form is printed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

__all__ = ["SoptuiDocument", "format_date", "format_datetime", "format_document_date", "letterhead"]

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
MISSING_GLYPH = "□"  # printed for a character the font cannot draw (DejaVu has it)
CHECK_MARKS_ASCII = ("[x]", "[ ]")

_NEXT_LINE = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}


def _local_now() -> datetime:
    from soptui.core import clock

    return clock.now()


# The institution's address and phone under its name on every page; printing.build() sets it around a form.
_letterhead_contacts: ContextVar[str] = ContextVar("letterhead_contacts", default="")


@contextmanager
def letterhead(contacts: str) -> Iterator[None]:
    """Within the block, every document built prints `contacts` (address, phone) under the institution's name."""
    token = _letterhead_contacts.set(contacts)
    try:
        yield
    finally:
        _letterhead_contacts.reset(token)


def format_document_date(d: date | None) -> str:
    """The date where a document is signed, in the Russian document style: «02» декабря 2026 г.

    pendulum's Russian locale gives the month in the genitive case («декабря», «мая»); None gives the blank
    «___» __________ 20__ г. to fill in by hand.
    """
    if d is None:
        return DATE_BLANK
    import pendulum

    return pendulum.date(d.year, d.month, d.day).format("«DD» MMMM YYYY г.", locale="ru")


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
        self.contacts = _letterhead_contacts.get()
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
        self.content_top = self.t_margin

    def normalize_text(self, text: str) -> str:
        """A character the font has no glyph for (an emoji typed into a note) was dropped from the page without
        a word: it is printed as «□», so the reader sees that something stood there."""
        text = super().normalize_text(text)
        font = self.current_font
        cmap = getattr(font, "cmap", None) if self.is_ttf_font else None
        if not cmap:
            return text
        missing = {ch for ch in set(text) if ord(ch) not in cmap and ch not in "\n\r\t"}
        if not missing:
            return text
        return "".join(MISSING_GLYPH if ch in missing else ch for ch in text)

    # -- page furniture -------------------------------------------------

    def add_page(self, *args, **kwargs) -> None:
        super().add_page(*args, **kwargs)
        self.content_top = self.get_y()  # below the running header: a page with nothing on it yet

    def header(self) -> None:
        """Institution name, address and phone on every page; the title too after page 1."""
        lines = [self.institution, self.contacts]
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
        align: str | Sequence[str] | None = None,
        bold_rows: Iterable[int] = (),
    ) -> None:
        """A bordered grid over the full text width; headings repeat on every page.

        `col_widths` are relative (scaled to the text width), so millimetres
        or fractions both work. Short rows are padded with blanks; None and
        dates are printed as for `add_field`. Long texts and explicit newlines
        wrap inside their cell; a row is never split across pages unless it is
        taller than a whole page, then it continues on the next page under the
        repeated headings.

        `align` is "L", "C" or "R" for every column or one letter per column
        (body cells; the headings are always centred). `bold_rows` are indices
        into `rows` printed bold, e.g. {-1} for a totals line.

        Rows are checked before anything is drawn, so a ValueError leaves the
        document as it was. The grid is drawn with plain rectangles and text
        operators (see `_Grid`): fpdf2's table() took about 9 ms a row, so logs
        of a few hundred rows took seconds.
        """
        columns = len(headings)
        if not columns:
            raise ValueError("a table needs at least one column")
        if col_widths is not None and len(col_widths) != columns:
            raise ValueError(f"{len(col_widths)} column widths for {columns} columns")
        if col_widths is not None and any(w <= 0 for w in col_widths):
            raise ValueError("column widths must be positive")
        aligns = _column_aligns(align, columns)
        texts: list[list[str]] = []
        for number, values in enumerate(rows, start=1):
            if len(values) > columns:
                raise ValueError(f"row {number} has {len(values)} cells for {columns} columns")
            texts.append([_as_text(v) for v in values] + [""] * (columns - len(values)))
        bold = {i if i >= 0 else len(texts) + i for i in bold_rows}

        self._body_font()
        _Grid(self, col_widths or [1] * columns, font_size, aligns).draw([str(h) for h in headings], texts, bold)
        self.ln(3)
        self._body_font()

    def add_signatures(
        self, lines: Sequence[tuple[str, str | None]], date_line: bool = True, signed_on: date | None = None
    ) -> None:
        """Signature block: "role   __________ / ФИО /" per signer, then a date line.

        A missing ФИО leaves a blank for it. The date line reads «02» декабря 2026 г. when the day of signing
        is known (`signed_on`), else the blank to fill in by hand. The block is kept on one page.
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
            self.cell(0, LINE, format_document_date(signed_on), **_NEXT_LINE)

    # -- output -----------------------------------------------------------

    def to_bytes(self) -> bytes:
        """The finished PDF."""
        return bytes(self.output())

    def _body_font(self) -> None:
        """Body font, opening the first page if none is open yet."""
        if self.page == 0:
            self.add_page()
        self.set_font(FONT, "", BODY_SIZE)


# -- the table grid ---------------------------------------------------------

TABLE_PAD_X = 1.2  # mm between a cell's border and its text, left and right
TABLE_PAD_Y = 0.8  # mm above and below the text of a row
TABLE_LINE = 0.45  # line height of table text, mm per pt of font size
HEADING_FILL = 230
_ALIGNS = {"L": "L", "LEFT": "L", "C": "C", "CENTER": "C", "CENTRE": "C", "R": "R", "RIGHT": "R"}


def _column_aligns(align: str | Sequence[str] | None, columns: int) -> list[str]:
    """One of "L", "C", "R" per column from None, one value or one value per column."""
    if align is None:
        return ["L"] * columns
    values = [align] * columns if isinstance(align, str) else list(align)
    if len(values) != columns:
        raise ValueError(f"{len(values)} alignments for {columns} columns")
    try:
        return [_ALIGNS[str(getattr(a, "value", a)).upper()] for a in values]
    except KeyError as error:
        raise ValueError(f"unknown alignment {error.args[0]!r}: use L, C or R") from None


class _Grid:
    """Lays out and draws one `add_table` call.

    Every cell is measured once with get_string_width; only a text wider than
    its cell (or holding newlines) goes through fpdf2's line breaking
    (multi_cell dry run), and the result is cached, since logs repeat the same
    dates, names and services over and over. Cells are drawn with rect() and
    text(), the cheapest operators fpdf2 has.
    """

    def __init__(
        self, doc: SoptuiDocument, col_widths: Sequence[float], font_size: float, aligns: Sequence[str]
    ) -> None:
        self.doc = doc
        scale = doc.epw / sum(col_widths)
        self.widths = [w * scale for w in col_widths]
        self.aligns = aligns
        self.size = font_size
        self.line = font_size * TABLE_LINE
        # baseline below the top of a text line, as cell() places it
        self.ascent = 0.5 * self.line + 0.3 * font_size / doc.k
        self.style = ""
        self._width_cache: dict[tuple[str, str], float] = {}
        self._lines_cache: dict[tuple[str, int, str], list[str]] = {}

    # -- measuring ----------------------------------------------------------

    def _font(self, style: str) -> None:
        self.style = style
        self.doc.set_font(FONT, style, self.size)

    def _width(self, text: str) -> float:
        key = (text, self.style)
        width = self._width_cache.get(key)
        if width is None:
            width = self._width_cache[key] = self.doc.get_string_width(text)
        return width

    def _lines(self, text: str, column: int) -> list[str]:
        """The lines of `text` in `column` under the current font style."""
        key = (text, column, self.style)
        lines = self._lines_cache.get(key)
        if lines is None:
            room = self.widths[column] - 2 * TABLE_PAD_X
            lines = []
            for part in text.split("\n"):
                part = part.rstrip()
                if self._width(part) <= room:
                    lines.append(part)
                else:
                    wrapped = self.doc.multi_cell(
                        self.widths[column], self.line, part, dry_run=True, output="LINES", padding=(0, TABLE_PAD_X)
                    )
                    lines.extend(line.rstrip() for line in wrapped)
            self._lines_cache[key] = lines
        return lines

    def _layout(self, cells: Sequence[str], style: str) -> list[list[str]]:
        if style != self.style:
            self._font(style)
        return [self._lines(text, column) for column, text in enumerate(cells)]

    # -- drawing ------------------------------------------------------------

    def draw(self, headings: list[str], rows: list[list[str]], bold: set[int]) -> None:
        doc = self.doc
        heading = self._layout(headings, "B")
        heading_height = self._height(heading)
        first = self._height(self._layout(rows[0], "B" if 0 in bold else "")) if rows else 0
        # keep the headings with the first row; a row taller than a page starts on a page of its own
        if doc.get_y() > doc.content_top + 0.01 and doc.will_page_break(heading_height + first):
            self._new_page()
        self._draw_row(heading, "B", heading=True)
        fresh = True  # nothing but the headings on this page yet
        for index, cells in enumerate(rows):
            style = "B" if index in bold else ""
            lines = self._layout(cells, style)
            if not fresh and doc.will_page_break(self._height(lines)):
                self._new_page()
                self._draw_row(heading, "B", heading=True)
            while doc.will_page_break(self._height(lines)):
                # taller than a whole page: fill this one and go on under fresh headings
                room = int((doc.page_break_trigger - doc.get_y() - 2 * TABLE_PAD_Y) / self.line)
                room = max(room, 1)
                self._draw_row([cell[:room] for cell in lines], style)
                lines = [cell[room:] for cell in lines]
                self._new_page()
                self._draw_row(heading, "B", heading=True)
            self._draw_row(lines, style)
            fresh = False
        doc.set_xy(doc.l_margin, doc.get_y())

    def _height(self, lines: list[list[str]]) -> float:
        return max(map(len, lines), default=1) * self.line + 2 * TABLE_PAD_Y

    def _new_page(self) -> None:
        self.doc.add_page()
        self.style = "?"  # the page header changed the font: set it again before drawing

    def _draw_row(self, lines: list[list[str]], style: str, heading: bool = False) -> None:
        doc = self.doc
        if style != self.style:
            self._font(style)
        height = self._height(lines)
        x, y = doc.l_margin, doc.get_y()
        if heading:
            doc.set_fill_color(HEADING_FILL)
        for column, (cell, width) in enumerate(zip(lines, self.widths)):
            doc.rect(x, y, width, height, style="DF" if heading else "D")
            if heading:  # centred both ways
                top = y + (height - len(cell) * self.line) / 2
                align = "C"
            else:
                top = y + TABLE_PAD_Y
                align = self.aligns[column]
            for number, text in enumerate(cell):
                if not text:
                    continue
                if align == "L":
                    left = x + TABLE_PAD_X
                elif align == "R":
                    left = x + width - TABLE_PAD_X - self._width(text)
                else:
                    left = x + (width - self._width(text)) / 2
                doc.text(left, top + number * self.line + self.ascent, text)
            x += width
        if heading:
            # text() wraps every string in a colour change while fill and text colours differ
            doc.set_fill_color(0)
        doc.set_xy(doc.l_margin, y + height)
