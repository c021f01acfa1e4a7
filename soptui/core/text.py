"""Text helpers shared by the store and the UI: search folding and Russian names."""

from __future__ import annotations

import re

_WORD_RE = re.compile(r"[0-9a-zа-я]+")

CONTROL_MESSAGE = "Текст содержит недопустимые управляющие символы: уберите их."
# C0 control characters and DEL. A multi-line text may hold tab and line breaks; a one-line field none.
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_MULTILINE_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ControlCharacters(ValueError):
    """Text holding NUL or another control character: refused with one Russian message on every engine.

    A ValueError, so a form that shows a refused value at its field shows this one the same way."""

    def __init__(self, message: str = CONTROL_MESSAGE) -> None:
        super().__init__(message)


def has_control_characters(text: str | None, *, multiline: bool = False) -> bool:
    """True if text holds a control character not allowed in such a field (tab and line breaks are allowed
    in a multi-line one)."""
    if not text:
        return False
    return (_CONTROL_MULTILINE_RE if multiline else _CONTROL_RE).search(text) is not None


def check_text(text: str, *, multiline: bool = False) -> str:
    """The text unchanged, or ControlCharacters if it holds a control character (NUL, escape, ...)."""
    if has_control_characters(text, multiline=multiline):
        raise ControlCharacters()
    return text


def fold(text: str | None) -> str:
    """Fold text for searching: lower case, ё→е, й kept, everything else as is.

    SQLite's lower()/LIKE/NOCASE do not fold Cyrillic, so every search key is
    stored folded by this one function and queried with index ranges.
    """
    if not text:
        return ""
    return text.casefold().replace("ё", "е")


def search_words(text: str | None) -> list[str]:
    """Split folded text into search words (letters and digits only)."""
    return _WORD_RE.findall(fold(text))


def full_name(last: str | None, first: str | None, patronymic: str | None) -> str:
    """Фамилия Имя Отчество, skipping empty parts."""
    return " ".join(p for p in (last, first, patronymic) if p)


def short_name(last: str | None, first: str | None, patronymic: str | None) -> str:
    """Фамилия И. О."""
    initials = "".join(f"{p[0]}." for p in (first, patronymic) if p)
    return f"{last or ''} {initials}".strip()


_FULL_NAME = re.compile(r"^([А-ЯЁ][а-яё-]+) ([А-ЯЁ])[а-яё-]+(?: ([А-ЯЁ])[а-яё-]+)?$")


def short_of_full(full: str) -> str:
    """«Сорокин М.Ю.» from «Сорокин Максим Юрьевич» (a name already joined, as lists carry it); anything that is
    not one person's name («Клуб «Серебряный возраст»») stays as it is."""
    match = _FULL_NAME.match(full.strip())
    if not match:
        return full
    last, first, patronymic = match.groups()
    return f"{last} {first}." + (f"{patronymic}." if patronymic else "")


def name_patronymic(first: str | None, patronymic: str | None) -> str:
    """Имя Отчество: the polite form of address used in every call script."""
    return " ".join(p for p in (first, patronymic) if p)


def plural_ru(n: int, one: str, few: str, many: str) -> str:
    """Russian plural form for n: 1 день, 2 дня, 5 дней."""
    n = abs(n)
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many
