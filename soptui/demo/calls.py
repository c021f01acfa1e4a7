"""Demo calls (SOP 01-03): calls of the last weeks, SMS waits, callbacks, control points, messenger sessions."""

from __future__ import annotations

import datetime as dt
import json

from soptui.core.phones import format_phone
from soptui.core.text import full_name
from soptui.db import models as m
from soptui.db.connection import write_transaction
from soptui.domain import workdays
from soptui.domain.calls.rules import session_times
from soptui.domain.labels import CHANNELS, SOPS
from soptui.domain.service_time import NOT_DELIVERED, StageTimes


def seed_demo(ctx) -> None:
    """Calls of the last weeks, SMS waits, callbacks, SOP 01 control points and SOP 02 sessions.

    Bulk demo rows (no audit); times relative to ctx.today so Today always has something due.
    """
    rng = ctx.rng
    today = ctx.today
    staff = ctx.staff

    def working_day_back(n: int) -> dt.date:
        d = today
        for _ in range(n):
            d -= dt.timedelta(days=1)
            while not workdays.is_working_day(d):
                d -= dt.timedelta(days=1)
        return d

    def person_with_phone(client_id: int, kind: str):
        model = m.Representative if kind == "representative" else m.Contact
        for p in model.select().where(model.client == client_id).order_by(model.id):
            cp = m.ContactPoint.get_or_none(
                (getattr(m.ContactPoint, kind) == p.id) & (m.ContactPoint.channel == "phone")
            )
            if cp is not None:
                return p, cp.value
        return None, ""

    def new_call(sop, client, staff_id, person, kind, phone, started, **fields):
        talk = fields.pop("talk", rng.randint(6, 18) * 60 + rng.randint(0, 59))
        call = m.PhoneCall.create(
            sop=sop,
            client=client.id,
            staff=staff_id,
            representative=person.id if kind == "representative" else None,
            contact=person.id if kind == "contact" else None,
            callee_name=f"{full_name(person.last_name, person.first_name, person.patronymic)} ({person.relation})",
            phone_number=phone,
            created_at=started,
            updated_at=started,
            **fields,
        )
        if call.state == "finished":
            norms = {"01": (15, 60, 20), "02": (5, 10, 10), "03": (20, 20, 20)}[sop]
            prep_s, doc_s = rng.randint(5, 15) * 60, rng.randint(5, 15) * 60
            m.PhoneCall.update(
                started_at=started,
                ended_at=started + dt.timedelta(seconds=talk),
                talk_seconds=talk,
                prep_seconds=prep_s,
                doc_seconds=doc_s,
            ).where(m.PhoneCall.id == call.id).execute()
            times = StageTimes.measured(prep_s, talk, doc_s, norms)  # what the teleprompter would measure
            if fields.get("outcome") in NOT_DELIVERED:
                return call  # not reached: the phone log only, no service
            m.ServiceEntry.create(
                date=started.date(),
                client=client.id,
                staff=staff_id,
                sop=sop,
                service_kind=SOPS[sop],
                **times.entry_fields(),
                source_type="call",
                source_id=call.id,
                note=f"{call.callee_name}: {fields.get('summary', '')}",
            )
        return call

    children = list(
        m.Client.select()
        .where((m.Client.category == "child") & (m.Client.status == "served") & m.Client.id.in_(ctx.clients))
        .order_by(m.Client.id)
        .limit(40)
    )
    elders = list(
        m.Client.select()
        .where((m.Client.category != "child") & (m.Client.status == "served") & m.Client.id.in_(ctx.clients))
        .order_by(m.Client.id)
        .limit(20)
    )
    summaries01 = [
        "Обсудили занятия с логопедом на дому, мать справляется с упражнениями.",
        "Мать сообщила об ухудшении сна у ребёнка, договорились о консультации психолога.",
        "Обсудили оформление путёвки в реабилитационный центр по ИПРА.",
    ]
    with write_transaction():
        for i, client in enumerate(children[:8]):
            rep, phone = person_with_phone(client.id, "representative")
            if rep is None:
                continue
            spec = staff["ivanova"] if client.department_id == ctx.departments[0] else staff["petrova"]
            day = working_day_back(rng.randint(1, 15))
            started = dt.datetime.combine(day, dt.time(rng.randint(9, 16), rng.choice([0, 15, 30, 45])))
            if i < 5:  # SOP 01 conversations with control points
                call = new_call(
                    "01",
                    client,
                    spec,
                    rep,
                    "representative",
                    phone,
                    started,
                    state="finished",
                    outcome="done",
                    purpose="контроль выполнения ИПРА",
                    summary=rng.choice(summaries01),
                    agreements="Периодичность контактов: раз в неделю.",
                    ground="ipra",  # SOP 01 §5: within the IPRA, mostly as a video call
                    channel=("whatsapp", "phone", "skype", "zoom", "viber")[i],
                )
                due = dt.datetime.combine(
                    today if i < 2 else today + dt.timedelta(days=7 * i), dt.time(rng.choice([10, 11, 14, 15]), 0)
                )
                m.Reminder.create(
                    kind="control_point",
                    client=client.id,
                    staff=spec,
                    due_at=due,
                    call=call.id,
                    channel="phone",
                    text=f"Контрольная точка (СОП 01): {call.callee_name} сообщает о ходе решения проблемы",
                )
            else:  # SOP 01 not convenient: a callback due today or overdue
                call = new_call(
                    "01",
                    client,
                    spec,
                    rep,
                    "representative",
                    phone,
                    started,
                    state="finished",
                    outcome="callback",
                    summary="неудобно, перезвонить",
                    talk=40,
                    ground="client_request",
                    channel="phone",
                )
                due = dt.datetime.combine(today if i < 7 else working_day_back(1), dt.time(15, 30))
                m.Reminder.create(
                    kind="callback",
                    client=client.id,
                    staff=spec,
                    due_at=due,
                    call=call.id,
                    channel="phone",
                    text=f"Перезвонить (СОП 01): {call.callee_name}, {format_phone(phone)}",
                )
        for i, client in enumerate(elders[:4]):
            contact, phone = person_with_phone(client.id, "contact")
            if contact is None:
                continue
            started = dt.datetime.combine(working_day_back(rng.randint(3, 10)), dt.time(11, 0))
            call = new_call(
                "02",
                client,
                staff["lebedeva"],
                contact,
                "contact",
                phone,
                started,
                state="finished",
                outcome="agreed",
                summary="Родственники согласны созваниваться с клиентом.",
                agreements="Сеансы связи раз в неделю.",
            )
            first = dt.datetime.combine(today - dt.timedelta(days=7 * 2 - i), dt.time(16, 0))
            channel = rng.choice(["whatsapp", "viber", "telegram"])
            # weekly, on working days only (a day off moves to the next working day, as finish_call does)
            for x in session_times(first, 7, (first + dt.timedelta(days=7 * 7)).date()):
                moment = x.at
                m.Reminder.create(
                    kind="messenger_session",
                    client=client.id,
                    staff=staff["lebedeva"],
                    due_at=moment,
                    call=call.id,
                    contact=contact.id,
                    channel=channel,
                    repeat_days=7,
                    repeat_until=(first + dt.timedelta(days=7 * 7)).date(),
                    done_at=moment + dt.timedelta(minutes=20) if moment.date() < today else None,
                    text=f"Сеанс связи с родственником: {call.callee_name} через {CHANNELS[channel]}"
                    + (f" ({x.note})" if x.note else ""),
                )
            # SOP 02: the sessions were agreed with the client first, then with the relatives
            m.PhoneCall.update(channel=channel, client_session_at=first, client_session_every_days=7).where(
                m.PhoneCall.id == call.id
            ).execute()
        # SOP 03: calls waiting for the answer to the pre-notification
        waiting = (
            m.Referral.select()
            .join(m.Client)
            .where(m.Referral.first_contact_at.is_null() & (m.Client.department == ctx.departments[0]))
            .order_by(m.Referral.first_contact_due)
            .limit(2)
        )
        for k, ref in enumerate(waiting):
            client = ref.client
            rep, phone = person_with_phone(client.id, "representative")
            if rep is None:
                continue
            sent = dt.datetime.combine(today, dt.time(9, 20 + 10 * k))
            new_call(
                "03",
                client,
                staff["ivanova"],
                rep,
                "representative",
                phone,
                sent,
                state="in_progress",
                referral=ref.id,
                notice_sent_at=sent,
                notice_state="sent" if k == 0 else "answered",
                notice_call_at=None if k == 0 else dt.datetime.combine(today, dt.time(14, 0)),
                step_id="answer",
                purpose="первичный контакт по обращению",
                state_json=json.dumps(
                    {
                        "step": "answer",
                        "notes": [f"{sent:%H:%M} [Предварительное информирование] SMS-уведомление отправлено"],
                        "timers": {"phases": {"prep": 540.0}, "phase": "prep", "step": "answer"},
                    },
                    ensure_ascii=False,
                ),
            )
