"""Phone numbers: parsed with phonenumbers, stored as E.164, shown as +7 (912) 345-67-89."""

from __future__ import annotations

import re

_DIGITS = re.compile(r"\D+")


class PhoneError(ValueError):
    """Not a phone number; the message is Russian and shown at the field."""


def parse_phone(text: str, region: str = "RU") -> str:
    """Return the E.164 form of a Russian (or international) number; raise PhoneError."""
    import phonenumbers

    raw = text.strip()
    if not raw:
        raise PhoneError("Укажите номер телефона.")
    if raw.startswith("8") and len(_DIGITS.sub("", raw)) == 11:
        raw = "+7" + _DIGITS.sub("", raw)[1:]  # Russian trunk prefix 8
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise PhoneError(f"«{text.strip()}» — не номер телефона. Пример: +7 912 345-67-89.") from None
    if not phonenumbers.is_valid_number(number):
        raise PhoneError(f"«{text.strip()}» — такого номера не бывает. Пример: +7 912 345-67-89.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str | None) -> str:
    """+79123456789 -> +7 (912) 345-67-89; other countries as the library formats them."""
    if not e164:
        return ""
    digits = _DIGITS.sub("", e164)
    if e164.startswith("+7") and len(digits) == 11:
        d = digits[1:]
        return f"+7 ({d[:3]}) {d[3:6]}-{d[6:8]}-{d[8:]}"
    return e164


def digits(text: str | None) -> str:
    return _DIGITS.sub("", text or "")


def national_digits(e164: str) -> str:
    """The 10 national digits of a Russian number (the whole digit string otherwise)."""
    d = digits(e164)
    return d[1:] if e164.startswith("+7") and len(d) == 11 else d
