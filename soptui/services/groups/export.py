"""CSV export for «Социальное обслуживание населения» (`export_csv`).

UTF-8 with a byte-order mark (Excel in Russian opens it without an import dialog), `;` as the
separator, CRLF line ends, a heading row, then one row per client per service
(one attended session = one service, SOP 05), ordered by date, time, club, ФИО:

    ФИО получателя      Фамилия Имя Отчество of the client
    Дата рождения       ДД.ММ.ГГГГ (empty if unknown)
    Наименование услуги «Проведение занятий в группах взаимоподдержки, клубах общения»
    Дата оказания       ДД.ММ.ГГГГ, the session date
    Количество          units of service, always 1 per session attended
    Исполнитель         Фамилия Имя Отчество of the staff member who took the roll-call
    Клуб / группа       the club's name, to check the rows against the attendance sheets
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

import peewee as pw

from soptui.core import clock
from soptui.db import models as m
from soptui.db import store
from soptui.services import access, printing
from soptui.services.groups._common import GroupError, person_name
from soptui.services.output import output_dir

CSV_COLUMNS = [
    "ФИО получателя",
    "Дата рождения",
    "Наименование услуги",
    "Дата оказания",
    "Количество",
    "Исполнитель",
    "Клуб / группа",
]


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: int


def export_rows(start: dt.date, end: dt.date, department_id: int | None = None) -> list[list[str]]:
    """The CSV rows (without the heading) of attended sessions between start and end inclusive: of one
    department's clubs, or of every department's for those who see every department (anyone else asking for
    «every department» gets their own: its clubs, and in the clubs of no department its own clients and those of
    no department, whom every member of staff may see)."""
    department_id = access.require_department_scope(None, department_id)  # access: department, scoped
    if end < start:
        raise GroupError("Конец периода раньше начала.", "end")
    Leader = m.Staff.alias()
    q = (
        m.ServiceEntry.select(m.ServiceEntry, m.Client, Leader, m.GroupSession, m.Club)
        .join(m.Client, on=(m.ServiceEntry.client == m.Client.id))
        .switch(m.ServiceEntry)
        .join(Leader, pw.JOIN.LEFT_OUTER, on=(m.ServiceEntry.staff == Leader.id))
        .switch(m.ServiceEntry)
        .join(m.Attendance, on=(m.ServiceEntry.source_id == m.Attendance.id))
        .join(m.GroupSession, on=(m.Attendance.session == m.GroupSession.id))
        .join(m.Club, on=(m.GroupSession.club == m.Club.id))
        .where(
            (m.ServiceEntry.source_type == "attendance") & (m.ServiceEntry.date >= start) & (m.ServiceEntry.date <= end)
        )
        .order_by(m.ServiceEntry.date, m.GroupSession.start_time, m.Club.name, m.Client.name_key)
    )
    if department_id is not None:
        q = q.where(
            (m.Club.department == department_id)
            | (
                m.Club.department.is_null()
                & ((m.Client.department == department_id) | m.Client.department.is_null())  # no one's: anyone's
            )
        )
    if access.own_clients_only():  # a specialist of no department: their own clients and nobody's
        q = q.where(access.own_clients_condition(m.Client))
    rows = []
    for e in q:
        client = e.client
        staff = e.staff if e.staff_id else None
        rows.append(
            [
                person_name(client),
                clock.fmt_date(client.birth_date),
                e.service_kind,
                clock.fmt_date(e.date),
                str(e.units),
                person_name(staff) if staff else "",
                e.attendance.session.club.name,
            ]
        )
    return rows


def export_csv(
    start: dt.date, end: dt.date, path: Path | None = None, department_id: int | None = None
) -> ExportResult:
    """Write the CSV for the regional information system (see the module docstring for columns)."""
    department_id = access.require_department_scope(None, department_id)  # access: department, scoped
    rows = export_rows(start, end, department_id)
    path = path or printing.private_folder(output_dir()) / f"СОН_занятия_{start:%Y-%m-%d}_{end:%Y-%m-%d}.csv"
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(rows)
    printing.write_private(path, text.getvalue().encode("utf-8-sig"))  # personal data: owner only
    printing.announce(path)
    store.audit("export", "service_entry", None, {"what": "csv_groups", "from": start, "to": end, "rows": len(rows)})
    return ExportResult(path, len(rows))
