"""Field validators of the client forms: pure, the forms call them at the field.

Each takes the typed text and returns the stored value, or raises ValueError (PhoneError for phones)
with a Russian message naming what to fix.
"""

from __future__ import annotations

import datetime as dt
import re

from soptui.core import clock
from soptui.core.phones import PhoneError, parse_phone
from soptui.domain.labels import CHANNELS


def channel_label(code: str) -> str:
    """The Russian name of a contact channel (WhatsApp, Telegram, ...); an unknown code as it is."""
    return CHANNELS.get(code, code)


_NAME_PART_RE = re.compile(r"^[A-Za-zА-Яа-яЁё]+(?:[ '\-][A-Za-zА-Яа-яЁё]+)*$")


def validate_name_part(text: str) -> str:
    """A surname, first name or patronymic: letters, hyphen, apostrophe; capitalised on save."""
    value = " ".join(text.split())
    if len(value) > 60:
        raise ValueError("Слишком длинно: не больше 60 букв.")
    if not _NAME_PART_RE.match(value):
        raise ValueError("Только буквы, дефис и апостроф (например, Петрова-Водкина).")
    return "-".join(p[:1].upper() + p[1:] for p in value.split("-")) if value.islower() else value


def validate_birth_date(text: str) -> dt.date:
    d = clock.parse_date(text)
    today = clock.today()
    if d > today:
        raise ValueError("Дата рождения не может быть в будущем.")
    if d.year < today.year - 120:
        raise ValueError("Проверьте год: человеку получается больше 120 лет.")
    return d


def validate_past_date(text: str) -> dt.date:
    d = clock.parse_date(text)
    if d > clock.today():
        raise ValueError("Дата не может быть в будущем.")
    if d.year < 1990:
        raise ValueError("Проверьте год: дата слишком давняя.")
    return d


def validate_any_date(text: str) -> dt.date:
    d = clock.parse_date(text)
    if not 1990 <= d.year <= clock.today().year + 20:
        raise ValueError("Проверьте год.")
    return d


def parse_phones(text: str) -> list[str]:
    """Phones separated by commas or semicolons -> E.164 list; PhoneError names the bad one."""
    result = []
    for part in re.split(r"[,;]", text):
        if part.strip():
            result.append(parse_phone(part))
    return list(dict.fromkeys(result))


_TG_RE = re.compile(r"^@?[A-Za-z][A-Za-z0-9_]{4,31}$")
_VK_RE = re.compile(r"^(?:https?://)?(?:m\.)?(?:vk\.com/|vk\.ru/)?([A-Za-z0-9_.]{2,32})/?$")
_SKYPE_RE = re.compile(r"^(?:live:)?[A-Za-z][A-Za-z0-9_.,\-]{3,31}$")


def validate_messenger(channel: str, text: str) -> str:
    """The handle of a messenger account, checked by channel: phone for WhatsApp and Viber,
    @имя or phone for Telegram, page address or id for VK, login for Skype."""
    value = text.strip()
    if not value:
        raise ValueError("Укажите контакт.")
    if channel in ("whatsapp", "viber"):
        try:
            return parse_phone(value)
        except PhoneError:
            raise ValueError(f"Для {CHANNELS[channel]} укажите номер телефона, например +7 912 345-67-89.") from None
    if channel == "telegram":
        if re.fullmatch(r"[+\d\s()\-]+", value):
            try:
                return parse_phone(value)
            except PhoneError as exc:
                raise ValueError(str(exc)) from None
        if not _TG_RE.match(value):
            raise ValueError("Telegram: @имя (5–32 латинские буквы, цифры, _) или номер телефона.")
        return "@" + value.lstrip("@")
    if channel == "vk":
        mt = _VK_RE.match(value)
        if not mt:
            raise ValueError("VK: адрес страницы (vk.com/имя) или id, например id123456.")
        return f"vk.com/{mt.group(1)}"
    if channel == "skype":
        if not _SKYPE_RE.match(value):
            raise ValueError("Skype: логин латиницей (от 4 знаков) или live:…")
        return value
    return value[:200]


MESSENGER_CHANNELS = ["whatsapp", "telegram", "viber", "vk", "skype"]
