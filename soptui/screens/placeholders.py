"""Sections still being built: each says what will be there, and nothing crashes."""

from __future__ import annotations

from .base import EmptySectionScreen


class ClientsPlaceholder(EmptySectionScreen):
    SECTION_TITLE = "Клиенты"
    PROMISE = ("Здесь будет реестр клиентов: поиск по ФИО, телефону и дате рождения, карточка клиента, "
               "законные представители, родственники и обращения со сроками.")


class CallsPlaceholder(EmptySectionScreen):
    SECTION_TITLE = "Звонки"
    PROMISE = ("Здесь будут звонки по СОП 01–03: суфлёр с шагами сценария, таймеры и журнал "
               "«Телефонные переговоры».")


class VisitsPlaceholder(EmptySectionScreen):
    SECTION_TITLE = "Патронаж"
    PROMISE = ("Здесь будет планировщик патронажа (СОП 04): первичные и плановые визиты, "
               "график выходов, акты и рекомендации.")


class GroupsPlaceholder(EmptySectionScreen):
    SECTION_TITLE = "Группы"
    PROMISE = ("Здесь будут клубы и группы взаимоподдержки (СОП 05): программа, расписание, "
               "участники, посещаемость.")


class JournalPlaceholder(EmptySectionScreen):
    SECTION_TITLE = "Журнал"
    PROMISE = "Здесь будет журнал учёта услуг и отчёты для заведующего отделением."
