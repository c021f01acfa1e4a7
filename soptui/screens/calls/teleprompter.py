"""The call teleprompter: what to say now (names filled in), what comes next, timers and notes.

The notes field keeps the focus during the whole call, so every step key is a
priority binding that an Input does not use (Ctrl+N/Ctrl+B, PageDown/PageUp, F8, F9,
F12, Ctrl+T, Ctrl+R). The state is saved to the call on every step change and
every few seconds of typing, so a dropped SSH link loses nothing.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Input, Static

from soptui.core import clock
from soptui.core.phones import format_phone
from soptui.domain.calls import scripts as callscripts
from soptui.domain.calls.rules import CALL_CHANNELS, CALL_GROUND_CHOICES, ground_text, session_times
from soptui.domain.calls.scripts import PHASE_LABELS, CallScript, Step
from soptui.domain.calls.timer import CallTimers, fmt_seconds, level
from soptui.domain.labels import CHANNELS
from soptui.screens.base import SectionScreen
from soptui.screens.calls.dialogs import (
    BranchScreen,
    CallbackScreen,
    CallConflictScreen,
    DetailsAnswer,
    DetailsScreen,
    NoticeAnswer,
    NoticeResult,
    NoticeScreen,
    NoticeSendScreen,
    OffHoursScreen,
    OutcomeAnswer,
    OutcomeScreen,
    SessionsAnswer,
    SessionsScreen,
    VisitAnswer,
    VisitScreen,
)
from soptui.services.calls import CallOutcome, CallRecord, call_hours_problem, is_mobile
from soptui.widgets.fields import TextInput
from soptui.widgets.keyorder import after_keys
from soptui.widgets.workers import db_work

LEVEL_STYLE = {"ok": "green", "warn": "bold yellow", "over": "bold white on red"}
SAVE_EVERY_S = 3.0  # typing is saved this often
SAVE_TIMERS_EVERY_S = 15.0  # timers alone are saved this often


def _dt(value: Any) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None


class TeleprompterScreen(SectionScreen):
    """One call, step by step."""

    SECTION_TITLE = "Звонок"
    DEFAULT_CSS = """
    TeleprompterScreen #tp-who { height: auto; max-height: 2; padding: 0 1; background: $boost; text-style: bold; }
    TeleprompterScreen #tp-timers { height: auto; padding: 0 1; }
    TeleprompterScreen #tp-main { height: 1fr; }
    TeleprompterScreen #tp-steps { width: 26; border-right: vkey $primary-darken-2; padding: 0 1 0 0; }
    TeleprompterScreen.-wide #tp-steps { width: 38; }
    TeleprompterScreen.-wide #tp-say { padding: 1 2; }
    TeleprompterScreen #tp-right { width: 1fr; padding: 0 1; }
    TeleprompterScreen #tp-title { height: auto; color: $accent; text-style: bold; }
    TeleprompterScreen #tp-say { height: auto; padding: 1 1; margin: 0 0 1 0; text-style: bold;
                                  background: $primary 20%; color: $text; }
    TeleprompterScreen #tp-examples { height: auto; color: $text; }
    TeleprompterScreen #tp-hint { height: auto; color: $text-muted; }
    TeleprompterScreen #tp-next { height: auto; color: $text-muted; margin: 1 0 0 0; }
    TeleprompterScreen #tp-notes { height: 2; padding: 0 1; color: $text-muted; }
    TeleprompterScreen #tp-note { margin: 0; border: none; height: 1; padding: 0 1; background: $boost; }
    TeleprompterScreen #tp-note:focus { background: $primary 30%; }
    """
    BINDINGS = [
        Binding(
            "ctrl+n,pagedown",
            "next_step",
            "Дальше",
            priority=True,
            id="call.next",
            tooltip="Следующий шаг (Ctrl+N или PageDown)",
        ),
        Binding(
            "ctrl+b,pageup",
            "prev_step",
            "Назад",
            priority=True,
            id="call.prev",
            tooltip="Предыдущий шаг (Ctrl+B или PageUp)",
        ),
        Binding("f8", "branch", "Ответ", priority=True, id="call.branch", tooltip="Ответ собеседника: ветка сценария"),
        Binding(
            "f9", "finish", "Итог", priority=True, id="call.finish", tooltip="Завершить разговор и записать результат"
        ),
        Binding("f12,ctrl+space", "pause", "Пауза", priority=True, id="call.pause", tooltip="Пауза таймеров"),
        Binding(
            "escape",
            "leave",
            "Отложить",
            id="call.leave",
            tooltip="Выйти из звонка; продолжить можно из списка звонков",
        ),
        # the SMS keys come last in the footer: the step that needs them names them
        Binding(
            "ctrl+t",
            "sms",
            "SMS",
            priority=True,
            id="call.sms",
            tooltip="SMS-уведомление: текст, «отправлено» или почему не отправлено",
        ),
        Binding(
            "ctrl+r",
            "notice",
            "Ответ SMS",
            priority=True,
            id="call.notice",
            tooltip="Отметить ответ на SMS-уведомление",
        ),
    ]

    def __init__(
        self, record: CallRecord, script: CallScript, window: tuple[dt.time, dt.time], channels: list[str] | None = None
    ) -> None:
        super().__init__()
        self.record = record
        self.script = script
        self.window = window
        self.channels = channels or ["whatsapp"]
        st = record.teleprompter or {}
        self.resumed = bool(st.get("step"))
        self.step_id = st.get("step") or (record.step_id if record.step_id else script.steps[0].id)
        try:
            script.step(self.step_id)
        except KeyError:
            self.step_id = script.steps[0].id
        self.branch = st.get("branch", record.branch or "")
        self.outcome = st.get("outcome", "")
        self.notes: list[str] = list(st.get("notes", []))
        self.visited: list[str] = list(st.get("visited", [])) or [self.step_id]
        self.reminder_id = st.get("reminder_id")
        self.talk_started = bool(st.get("talk_started")) or record.started_at is not None
        # the moment the conversation began, kept in the state: resumed after a crash, the call keeps it (the
        # first save after the resume once wrote the resume's time as the call's start)
        self.talk_started_at: str | None = st.get("talk_started_at") or (
            record.started_at.isoformat() if record.started_at else None
        )
        self.off_hours_reason = record.off_hours_reason
        self.notice_sent_at = record.notice_sent_at
        self.notice_state = record.notice_state
        self.notice_call_at = record.notice_call_at
        self.notice_skip_reason = record.notice_skip_reason
        self.mobile = is_mobile(record.phone_number)
        self.version = record.version
        self._lock = threading.Lock()
        self.conflicted = False
        self.details = (
            DetailsAnswer(record.ground, record.ground_note, record.channel or "phone") if record.ground else None
        )
        self.client_sessions = (
            SessionsAnswer(
                record.client_session_at,
                record.client_session_every_days,
                record.client_session_until,
                self.channels[0] if self.channels else "whatsapp",
            )
            if record.client_session_at
            else None
        )
        visit = st.get("visit")
        self.visit = (
            VisitAnswer(
                _dt(visit["at"]),
                list(visit.get("documents", [])),
                visit.get("place", "home"),
                int(visit.get("minutes", 40)),
                bool(visit.get("allow_conflicts", False)),
                visit.get("late_reason", ""),
            )
            if visit and _dt(visit.get("at"))
            else None
        )
        self.callback_at = _dt(st.get("callback_at"))
        sess = st.get("sessions")
        self.sessions = (
            SessionsAnswer(
                _dt(sess["start"]),
                int(sess["every_days"]),
                dt.date.fromisoformat(sess["until"]) if sess.get("until") else None,
                sess["channel"],
            )
            if sess and _dt(sess.get("start"))
            else None
        )
        self.timers = CallTimers.restore(st.get("timers") or {})
        self._draft = st.get("draft", "")
        self._dirty = False
        self._since_save = 0.0
        self._greeting_shown = ""
        self.finished = False

    # --- layout -------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        yield Static("", id="tp-who")
        yield Static("", id="tp-timers")
        with Horizontal(id="tp-main"):
            yield Static("", id="tp-steps")
            with VerticalScroll(id="tp-right"):
                yield Static("", id="tp-title")
                yield Static("", id="tp-say")
                yield Static("", id="tp-examples")
                yield Static("", id="tp-hint")
                yield Static("", id="tp-next")
        yield Static("", id="tp-notes")
        yield TextInput(
            value=self._draft,
            placeholder="Заметка по ходу разговора — Enter добавляет в запись",
            id="tp-note",
            classes="-compact",
        )

    def on_resize(self, event) -> None:
        wide = event.size.width >= 110
        if wide != self.has_class("-wide"):
            self.set_class(wide, "-wide")
            if self.is_mounted:
                self.render_all()

    def on_mount(self) -> None:
        super().on_mount()
        self.set_class(self.app.size.width >= 110, "-wide")
        step = self.script.step(self.step_id)
        self.timers.begin(step.phase, self.step_id)
        self.query_one("#tp-note", Input).focus()
        self.render_all()
        self.set_interval(0.5, self._tick)
        self.save_now()
        if self.resumed:
            self.notify(f"Звонок продолжен с шага «{step.title}».", timeout=4)

    def palette_commands(self):
        from textual.app import SystemCommand

        yield SystemCommand("Звонок: следующий шаг", "Ctrl+N или PageDown", self.action_next_step)
        yield SystemCommand("Звонок: предыдущий шаг", "Ctrl+B или PageUp", self.action_prev_step)
        yield SystemCommand("Звонок: ответ собеседника", "Ветка сценария (F8)", self.action_branch)
        yield SystemCommand("Звонок: записать результат", "Завершить разговор (F9)", self.action_finish)
        yield SystemCommand("Звонок: пауза таймеров", "F12", self.action_pause)
        if self.script.sop == "03":
            yield SystemCommand(
                "Звонок: SMS-уведомление", "Текст; отметить «отправлено» или почему нет (Ctrl+T)", self.action_sms
            )
        yield SystemCommand("Звонок: отложить", "Вернуться к списку звонков (Esc)", self.action_leave)

    # --- values and rendering ------------------------------------------------------

    @property
    def route(self) -> list[Step]:
        return self.script.route(self.branch)

    @property
    def step(self) -> Step:
        return self.script.step(self.step_id)

    def values(self) -> dict[str, str]:
        values = dict(self.record.values)
        values["greeting"] = clock.greeting(clock.now())
        if self.visit:
            values["visit_at"] = clock.fmt_datetime(self.visit.at)
            values["documents"] = "; ".join(self.visit.documents) or "паспорт"
            values["meeting_place"] = self.visit.place_text
            values["meeting_docs_for"] = "моему визиту" if self.visit.place == "home" else "встрече"
        if self.sessions:
            # the first session as it will be held: a non-working day moves to the next working day
            first = session_times(self.sessions.start, self.sessions.every_days, self.sessions.until)[0]
            values["sessions"] = clock.fmt_datetime(first.at) + (f" ({first.note})" if first.note else "")
            values["sessions_channel"] = CHANNELS.get(self.sessions.channel, self.sessions.channel)
        if self.client_sessions:
            values["client_sessions"] = clock.fmt_datetime(self.client_sessions.start)
        if self.details:
            values["call_ground"] = ground_text(self.details.ground, self.details.ground_note)
            values["call_channel"] = CALL_CHANNELS.get(self.details.channel, self.details.channel)
        if self.notice_sent_at:
            values["notice_sent_at"] = f"{self.notice_sent_at:%H:%M}"
        if self.notice_call_at:
            values["notice_call_at"] = clock.fmt_datetime(self.notice_call_at)
        values["notice_status"] = self.notice_status()
        return values

    def notice_status(self) -> str:
        """SOP 03 «Ответ»: the notice as it stands, in words (never a blank)."""
        if self.notice_skip_reason and not self.notice_sent_at:
            return f"не отправлено — {self.notice_skip_reason}. Можно звонить"
        if not self.notice_sent_at:
            return "ещё не отправлено — Ctrl+T" if self.mobile else "не требуется (номер не сотовый)"
        sent = f"отправлено в {self.notice_sent_at:%H:%M}"
        if self.notice_call_at:
            return f"{sent}; просили позвонить {clock.fmt_datetime(self.notice_call_at)}"
        if self.notice_state == "read":
            return f"{sent}; прочитано, ответа нет — позвоните через некоторое время"
        return f"{sent}; ответа нет — позвоните через некоторое время (Ctrl+R — отметить ответ)"

    def current_text(self) -> str:
        """The filled text of the current step (what the specialist says now)."""
        return callscripts.fill(self.step.say_for(self.branch), self.values())

    def render_all(self) -> None:
        values = self.values()
        self._greeting_shown = values["greeting"]
        route = self.route
        step = self.step
        ids = [s.id for s in route]
        index = ids.index(step.id) if step.id in ids else 0
        # who
        who = Text()
        who.append(f"СОП {self.script.sop} · {self.record.callee_name} · {format_phone(self.record.phone_number)}")
        if self.script.sop == "03" and self.notice_skip_reason and not self.notice_sent_at:
            who.append(" · SMS не отправлено", style="yellow")
        elif self.script.sop == "03" and self.notice_state:
            from soptui.services.calls import notice_label

            who.append(
                f" · SMS: {notice_label(self.notice_state, self.notice_sent_at, self.notice_call_at)}", style="yellow"
            )
        self.query_one("#tp-who", Static).update(who)
        # steps list
        lines = Text()
        for i, s in enumerate(route):
            done = s.id in self.visited
            mark = ("✓" if done else "–") if i < index else ("▶" if i == index else " ")
            width = 32 if self.has_class("-wide") else 20
            title = s.title if len(s.title) <= width else s.title[: width - 1] + "…"
            style = "bold reverse" if i == index else ("dim" if i < index else "")
            lines.append(f"{mark}{i + 1:>2} {title}\n", style=style)
        passed = sum(1 for s in route[:index] if s.id in self.visited)
        lines.append(f"\nПройдено {passed} из {len(route)}", style="dim")
        self.query_one("#tp-steps", Static).update(lines)
        # current step
        self.query_one("#tp-title", Static).update(
            f"Шаг {index + 1} из {len(route)} · {PHASE_LABELS[step.phase]} · {step.title}"
        )
        self.query_one("#tp-say", Static).update(self.current_text())
        examples = [callscripts.fill(e, values) for e in step.examples]
        self.query_one("#tp-examples", Static).update("\n".join(f"• {e}" for e in examples))
        self.query_one("#tp-examples", Static).display = bool(examples)
        hint = callscripts.fill(step.hint, values) if step.hint else ""
        recorded = self.recorded_line(step)
        if recorded:
            hint = recorded + ("\n" + hint if hint else "")
        if step.phase == "doc" and self.script.documents:
            hint += "\nДокументы по СОП: " + ", ".join(self.script.documents) + "."
        if index == 0 and self.script.rules:
            hint += "\n" + "\n".join(f"• {rule}" for rule in self.script.rules)
        self.query_one("#tp-hint", Static).update(hint.strip())
        # next
        if step.choice and not self.script.choice_answered(step.id, self.branch):
            labels = " / ".join(
                b.label.split(" —")[0] for b in self.script.branches_at(step.id) if step.id in b.from_steps
            )
            nxt = f"Далее: F8 — ответ собеседника ({labels})"
        elif index + 1 < len(route):
            following = route[index + 1]
            preview = callscripts.fill(following.say_for(self.branch), values)
            preview = preview if len(preview) <= 90 else preview[:89] + "…"
            nxt = f"Далее: {following.title} — «{preview}»"
        else:
            nxt = "Последний шаг: F9 — записать результат звонка."
        self.query_one("#tp-next", Static).update(nxt)
        self._render_notes()
        self._render_timers()

    def _render_notes(self) -> None:
        tail = self.notes[-2:]
        text = Text("\n".join(tail) if tail else "Заметок пока нет.", no_wrap=True, overflow="ellipsis")
        self.query_one("#tp-notes", Static).update(text)

    def _render_timers(self) -> None:
        norms = self.script.norms
        t = self.timers
        out = Text()
        step_s = t.step_seconds()
        step_norm = self.script.step_norm_seconds(self.step_id)
        out.append(f"Шаг {fmt_seconds(step_s)}/{fmt_seconds(step_norm)}", style=LEVEL_STYLE[level(step_s, step_norm)])
        for phase, short in (("prep", "Подг"), ("call", "Разг"), ("doc", "Док")):
            seconds = t.seconds(phase)
            norm = norms.seconds(phase)
            out.append("  ")
            style = LEVEL_STYLE[level(seconds, norm)]
            if phase == t.current_phase:
                style += " underline"
            out.append(f"{short} {fmt_seconds(seconds)}/{getattr(norms, phase)}м", style=style)
        total_norm = norms.seconds("prep") + norms.seconds("call") + norms.seconds("doc")
        out.append(f"  Σ {fmt_seconds(t.total())}/{total_norm // 60}м", style=LEVEL_STYLE[level(t.total(), total_norm)])
        if t.paused:
            out.append("  ⏸ ПАУЗА", style="bold reverse")
        self.query_one("#tp-timers", Static).update(out)

    def timer_levels(self) -> dict[str, str]:
        """Colour level of each phase timer and the step timer (for tests and the header)."""
        norms = self.script.norms
        levels = {p: level(self.timers.seconds(p), norms.seconds(p)) for p in ("prep", "call", "doc")}
        levels["step"] = level(self.timers.step_seconds(), self.script.step_norm_seconds(self.step_id))
        return levels

    def _tick(self) -> None:
        if self.finished:
            return
        if clock.greeting(clock.now()) != self._greeting_shown:
            # SOP 01: «Доброе утро» turns into «Добрый день» at 12:00 on the step being read
            self.render_all()
        self._render_timers()
        self._since_save += 0.5
        if (self._dirty and self._since_save >= SAVE_EVERY_S) or self._since_save >= SAVE_TIMERS_EVERY_S:
            self.save_now()

    # --- state and saving -------------------------------------------------------------

    def state(self) -> dict:
        return {
            "step": self.step_id,
            "branch": self.branch,
            "outcome": self.outcome,
            "notes": self.notes,
            "visited": self.visited,
            "draft": self.query_one("#tp-note", Input).value if self.is_mounted else self._draft,
            "timers": self.timers.snapshot(),
            "talk_started": self.talk_started,
            "talk_started_at": self.talk_started_at,
            "reminder_id": self.reminder_id,
            "visit": {
                "at": self.visit.at.isoformat(),
                "documents": self.visit.documents,
                "place": self.visit.place,
                "minutes": self.visit.minutes,
                "allow_conflicts": self.visit.allow_conflicts,
                "late_reason": self.visit.late_reason,
            }
            if self.visit
            else None,
            "callback_at": self.callback_at.isoformat() if self.callback_at else None,
            "sessions": {
                "start": self.sessions.start.isoformat(),
                "every_days": self.sessions.every_days,
                "until": self.sessions.until.isoformat() if self.sessions.until else None,
                "channel": self.sessions.channel,
            }
            if self.sessions
            else None,
        }

    def notes_text(self) -> str:
        return "\n".join(self.notes)

    def save_now(self) -> None:
        if self.finished or self.conflicted:
            return
        self._dirty = False
        self._since_save = 0.0
        t = self.timers
        self._write(
            "save_progress",
            dict(
                teleprompter=self.state(),
                step_id=self.step_id,
                branch=self.branch,
                notes=self.notes_text(),
                prep_seconds=t.seconds("prep"),
                talk_seconds=t.seconds("call"),
                doc_seconds=t.seconds("doc"),
                talk_started=self.talk_started,
                off_hours_reason=self.off_hours_reason or None,
            ),
        )

    @db_work(group="tp-write", action="сохранить звонок")
    def _write(self, operation: str, kwargs: dict, then=None) -> None:
        """Every write of the teleprompter, one at a time, each carrying the version it read.

        Another workstation's save in between raises ConflictError: the teleprompter stops writing and
        shows what they saved; nothing typed here is lost.
        """
        from soptui.services import calls
        from soptui.services import errors as store

        with self._lock:
            if self.conflicted:
                return
            try:
                self.version = getattr(calls, operation)(self.record.id, version=self.version, **kwargs)
            except store.ConflictError as exc:
                self.conflicted = True
                self.app.call_from_thread(after_keys, self.app, self._conflict, exc.current)
                return
            except calls.CallError as exc:
                self.app.call_from_thread(self.notify, f"Не записано: {exc}", severity="error", timeout=8)
                return
        if then is not None:
            self.app.call_from_thread(then)

    # --- two workstations, one call -----------------------------------------------------------

    def _conflict(self, theirs: dict) -> None:
        """Show what the other workstation saved and what is typed here; keep both."""
        import json

        from soptui.services.calls import CALL_STATES, OUTCOME_LABELS

        self.timers.pause()
        try:
            their_state = json.loads(theirs.get("state_json") or "{}")
        except ValueError:
            their_state = {}
        self._their_notes = list(their_state.get("notes", [])) if isinstance(their_state, dict) else []
        self._theirs = theirs
        state = theirs.get("state", "")
        parts = [f"Состояние: {CALL_STATES.get(state, state)}"]
        if theirs.get("outcome"):
            parts.append(f"Исход: {OUTCOME_LABELS.get(theirs['outcome'], theirs['outcome'])}")
        try:
            parts.append(f"Шаг: {self.script.step(theirs.get('step_id') or '').title}")
        except KeyError:
            pass
        saved = _dt(theirs.get("updated_at"))
        if saved is not None:
            parts.append(f"Сохранено: {clock.fmt_datetime(saved)}")
        their_notes = [n for n in self._their_notes if n not in self.notes] or (
            [theirs["notes"]] if theirs.get("notes") and state != "in_progress" else []
        )
        parts.append("Их заметки: " + ("; ".join(their_notes) if their_notes else "—"))
        draft = self.query_one("#tp-note", Input).value.strip()
        mine = [n for n in self.notes if n not in self._their_notes]
        mine_text = "Заметки: " + ("; ".join(mine) if mine else "—")
        if draft:
            mine_text += f"\nНе добавленная заметка: {draft}"
        mine_text += f"\nШаг: {self.step.title}"
        for screen in self.app.screen_stack:  # the result dialog still open: what is typed there
            if isinstance(screen, OutcomeScreen) and screen.is_mounted:
                typed = [
                    screen.query_one(f"#{name}-input", Input).value.strip()
                    for name in ("out-summary", "out-agreements")
                ]
                if any(typed):
                    mine_text += "\nИтог (не записан): " + "; ".join(t for t in typed if t)
                break
        pending = getattr(self, "_pending_outcome", None)
        if pending is not None and "Итог (не записан)" not in mine_text:
            label = OUTCOME_LABELS.get(pending.outcome, pending.outcome)
            mine_text += f"\nИтог (не записан): {label}" + "".join(
                f"; {part}" for part in (pending.summary, pending.agreements) if part
            )
        open_elsewhere = state == "in_progress"

        def decided(choice: str | None) -> None:
            self._resolve_conflict(choice or "leave", open_elsewhere)

        self.app.push_screen(CallConflictScreen("\n".join(parts), mine_text, open_elsewhere), decided)

    def _merged_notes(self) -> list[str]:
        merged = list(self._their_notes)
        merged += [n for n in self.notes if n not in merged]
        return merged

    def _resolve_conflict(self, choice: str, open_elsewhere: bool) -> None:
        if open_elsewhere:
            # both ways keep every note: theirs first, then the ones typed here
            self.notes = self._merged_notes()
            self.version = int(self._theirs.get("version") or self.version)
            self.conflicted = False
            self._render_notes()
            if choice == "mine":
                self.timers.resume()
                self.save_now()
                self.notify("Продолжаем здесь: заметки обоих рабочих мест сохранены.", timeout=5)
                return
            self._write("save_progress", self._their_progress(), then=self._leave_after_conflict)
            return
        self.finished = True  # finished or cancelled elsewhere: nothing more is written here
        self._leave_after_conflict()

    def _their_progress(self) -> dict:
        """Their teleprompter state with the notes typed here added (their step, timers and branch stay)."""
        import json

        theirs = self._theirs
        try:
            state = json.loads(theirs.get("state_json") or "{}")
        except ValueError:
            state = {}
        state["notes"] = self.notes
        draft = self.query_one("#tp-note", Input).value.strip()
        if draft:
            state["draft"] = ((state.get("draft") or "") + " " + draft).strip()
        return dict(
            teleprompter=state,
            step_id=theirs.get("step_id") or "",
            branch=theirs.get("branch") or "",
            notes="\n".join(self.notes),
            prep_seconds=theirs.get("prep_seconds") or 0,
            talk_seconds=theirs.get("talk_seconds") or 0,
            doc_seconds=theirs.get("doc_seconds") or 0,
        )

    def _leave_after_conflict(self) -> None:
        self.finished = True
        while self in self.app.screen_stack and self.app.screen is not self:
            self.app.pop_screen()  # a dialog of this call (the result) left open under the conflict
        if self.app.screen is self:
            self.app.pop_screen()
        self.app.notify("Звонок остался в версии другого рабочего места; ваши заметки добавлены к нему.", timeout=6)

    @on(Input.Changed, "#tp-note")
    def _typed(self) -> None:
        self._dirty = True

    @on(Input.Submitted, "#tp-note")
    def _add_note(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            return
        self.add_note(text)
        event.input.value = ""

    def add_note(self, text: str) -> None:
        self.notes.append(f"{clock.now():%H:%M} [{self.step.title[:30]}] {text}")
        self._render_notes()
        self.save_now()

    # --- moving between steps ----------------------------------------------------------

    def recorded_line(self, step: Step) -> str:
        """What a step has recorded (SOP 01 ground and channel, SOP 02 sessions agreed with the client)."""
        if step.ask == "details" and self.details:
            return (
                f"Записано: основание — {ground_text(self.details.ground, self.details.ground_note)}; "
                f"способ связи — {CALL_CHANNELS.get(self.details.channel, self.details.channel)}."
            )
        if step.ask == "client_sessions" and self.client_sessions:
            c = self.client_sessions
            return f"Согласовано с клиентом: {self._sessions_words(c)}."
        return ""

    @staticmethod
    def _sessions_words(c: SessionsAnswer) -> str:
        from soptui.domain.calls.rules import every_text

        return f"с {clock.fmt_datetime(c.start)}, {every_text(c.every_days)}" + (
            f" до {clock.fmt_date(c.until)}" if c.until else ""
        )

    def ask_details(self, then=None) -> None:
        """SOP 01 §5: the ground (IPRA; visit impossible; client's request) and the channel, recorded."""

        def got(answer: DetailsAnswer | None) -> None:
            if answer is None:
                return
            self.details = answer
            self.add_note(
                f"Основание: {ground_text(answer.ground, answer.ground_note)}; "
                f"способ связи: {CALL_CHANNELS.get(answer.channel, answer.channel)}"
            )
            self.render_all()
            self._write(
                "set_details",
                dict(channel=answer.channel, ground=answer.ground, ground_note=answer.ground_note),
                then=then,
            )

        self.app.push_screen(DetailsScreen(CALL_GROUND_CHOICES, CALL_CHANNELS, self.details), got)

    def ask_client_sessions(self, then=None) -> None:
        """SOP 02: the date, time and frequency agreed with the client, recorded before calling relatives."""

        def got(answer: SessionsAnswer | None) -> None:
            if answer is None:
                return
            self.client_sessions = answer
            self.add_note(f"С клиентом согласовано: {self._sessions_words(answer)}")
            self.render_all()
            self._write("set_details", dict(client_session=(answer.start, answer.every_days, answer.until)), then=then)

        self.app.push_screen(
            SessionsScreen(self.channels, self.client_sessions, "Сеансы: дата, время и периодичность с клиентом"), got
        )

    def notice_missing(self) -> bool:
        return self.script.sop == "03" and self.mobile and self.notice_sent_at is None and not self.notice_skip_reason

    def go_to(self, step_id: str) -> None:
        target = self.script.step(step_id)
        if target.phase in ("call", "doc") and self.notice_missing():
            # SOP 03 §5: a mobile number gets the notice first — sent, or not sent with the reason
            self.notify(
                "Сначала уведомление о звонке (СОП 03, п. 5): отметьте отправку или укажите, почему не отправлено.",
                severity="warning",
                timeout=6,
            )
            self.action_sms(then=lambda: self.go_to(step_id))
            return
        if target.phase in ("call", "doc") and not self.talk_started:
            problem = call_hours_problem(clock.now(), self.window)
            if target.phase == "call" and problem and not self.off_hours_reason:

                def confirmed(reason: str | None) -> None:
                    if reason:
                        self.off_hours_reason = reason
                        self.add_note(f"Звонок вне рабочего времени, причина: {reason}")
                        self.go_to(step_id)

                self.app.push_screen(OffHoursScreen(problem), confirmed)
                return
            self.talk_started = target.phase == "call" or self.talk_started
            if self.talk_started and self.talk_started_at is None:
                self.talk_started_at = clock.now().isoformat(timespec="seconds")
        self.step_id = step_id
        if step_id not in self.visited:
            self.visited.append(step_id)
        self.timers.enter_step(target.phase, step_id)
        self.render_all()
        self.save_now()

    def action_next_step(self) -> None:
        route = self.route
        ids = [s.id for s in route]
        step = self.step
        if step.choice and not self.script.choice_answered(step.id, self.branch):
            self.action_branch()
            return
        if step.ask == "details" and self.details is None:
            self.ask_details(then=self.action_next_step)
            return
        if step.ask == "client_sessions" and self.client_sessions is None:
            self.ask_client_sessions(then=self.action_next_step)
            return
        index = ids.index(step.id) if step.id in ids else 0
        if index + 1 >= len(route):
            self.action_finish()
            return
        self.go_to(route[index + 1].id)

    def action_prev_step(self) -> None:
        ids = [s.id for s in self.route]
        index = ids.index(self.step_id) if self.step_id in ids else 0
        if index > 0:
            self.go_to(ids[index - 1])

    def action_pause(self) -> None:
        paused = self.timers.toggle()
        self._render_timers()
        self.notify("Таймеры на паузе." if paused else "Таймеры снова идут.", timeout=2)
        self.save_now()

    # --- branches -------------------------------------------------------------------------

    def action_branch(self) -> None:
        options = self.script.branches_at(self.step_id)
        if not options:
            self.notify("На этом шаге ветвлений нет: Ctrl+N — дальше.", severity="warning", timeout=3)
            return

        def chosen(branch_id: str | None) -> None:
            if branch_id:
                self.choose_branch(branch_id)

        self.app.push_screen(BranchScreen(self.step.title, [(b.id, b.label) for b in options]), chosen)

    def choose_branch(self, branch_id: str) -> None:
        """Apply a branch; a branch that asks for a date asks now, as the SOP step does."""
        branch = self.script.branch(branch_id)

        def apply(detail: str = "") -> None:
            self.branch = branch.id
            self.outcome = branch.outcome
            self.add_note(f"Ответ: {branch.label}" + (f" — {detail}" if detail else ""))
            self.go_to(branch.goto)

        if branch.ask == "visit":

            def got_visit(answer: VisitAnswer | None) -> None:
                if answer is not None:
                    self.visit = answer
                    where = "на дому" if answer.place == "home" else "в учреждении"
                    apply(f"встреча {where} {clock.fmt_datetime(answer.at)}")

            self.app.push_screen(
                VisitScreen(
                    self.window,
                    list(self.script.suggested_documents),
                    checker=self.check_meeting,
                    previous=self.visit,
                ),
                got_visit,
            )
        elif branch.ask == "callback":

            def got_callback(answer: dt.datetime | None) -> None:
                if answer is not None:
                    self.callback_at = answer
                    apply(f"перезвонить {clock.fmt_datetime(answer)}")

            self.app.push_screen(CallbackScreen("Когда перезвонить", self.window, self.callback_at), got_callback)
        elif branch.ask == "sessions":

            def got_sessions(answer: SessionsAnswer | None) -> None:
                if answer is not None:
                    self.sessions = answer
                    apply(f"первый сеанс {clock.fmt_datetime(answer.start)}")

            title = (
                "Сеансы по договорённости с клиентом"
                if branch.id == "self"
                else "Сеансы, согласованные с родственниками"
            )
            self.app.push_screen(
                SessionsScreen(self.channels, self.sessions or self.client_sessions, title), got_sessions
            )
        else:
            apply()

    def check_meeting(self, at: dt.datetime, minutes: int, late_reason: str):
        """(In the dialog's worker) the planner's check of a home visit agreed on this call."""
        from soptui.services import calls

        return calls.check_meeting(self.record.id, at, minutes, late_reason)

    # --- pre-notification (SOP 03) ------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in ("sms", "notice") and self.script.sop != "03":
            return False
        return True

    def sms_text(self) -> str:
        return callscripts.fill(self.script.sms_template, self.values())

    def action_sms(self, then=None) -> None:
        """SOP 03 §5: the notice text to copy (or copy by hand); «отправлено» when the user says so, or why not."""
        if not self.script.sms_template:
            return
        problem = call_hours_problem(clock.now(), self.window)

        def done(result: NoticeResult | None) -> None:
            if result is None:
                return
            if result.sent:
                when = clock.now()
                self.notice_sent_at, self.notice_state, self.notice_call_at = when, "sent", None
                self.notice_skip_reason = ""
                self.add_note(
                    "SMS-уведомление отправлено"
                    + (f" (вне рабочего времени: {result.reason})" if result.reason else "")
                )
                self._write("record_notice_sent", dict(when=when, off_hours_reason=result.reason), then=then)
                self.notify(f"Отправка уведомления отмечена в {when:%H:%M}.", timeout=4)
            else:
                self.notice_skip_reason = result.reason
                self.add_note(f"SMS-уведомление не отправлено: {result.reason}")
                self._write("skip_notice", dict(reason=result.reason), then=then)
            self.render_all()

        self.app.push_screen(
            NoticeSendScreen(
                self.sms_text(), format_phone(self.record.phone_number), self.mobile, problem, self.notice_sent_at
            ),
            done,
        )

    def action_notice(self) -> None:
        def answered(answer: NoticeAnswer | None) -> None:
            if answer is not None:
                self._set_notice(answer)

        self.app.push_screen(NoticeScreen(self.notice_sent_at), answered)

    def _set_notice(self, answer: NoticeAnswer) -> None:
        self._write(
            "set_notice_state", dict(state=answer.state, call_at=answer.call_at), then=lambda: self._notice_set(answer)
        )

    def _notice_set(self, answer: NoticeAnswer) -> None:
        from soptui.services.calls import notice_label

        self.notice_state = answer.state
        self.notice_call_at = answer.call_at
        self.add_note(f"Ответ на уведомление: {notice_label(answer.state, self.notice_sent_at, answer.call_at)}")
        self.render_all()

    # --- leaving and finishing --------------------------------------------------------------

    def action_leave(self) -> None:
        self.save_now()
        self.timers.pause()
        self.app.pop_screen()
        self.app.notify("Звонок отложен: продолжить можно из раздела «Звонки» (Enter на звонке).", timeout=4)

    def action_finish(self) -> None:
        if any(step.ask == "details" for step in self.script.steps) and self.details is None:
            self.ask_details(then=self.action_finish)  # SOP 01: no result without the ground and the channel
            return
        if self.step.phase != "doc":
            doc_steps = [s for s in self.route if s.phase == "doc"]
            if doc_steps:
                self.go_to(doc_steps[0].id)
                if self.step.phase != "doc":  # the off-hours dialog is in the way
                    return
        summary = "; ".join(
            n.split("] ", 1)[-1]
            for n in self.notes
            if not n.split("] ", 1)[-1].startswith(
                ("Ответ", "SMS", "Звонок вне", "С клиентом согласовано", "Основание")
            )
        )
        draft = self.query_one("#tp-note", Input).value.strip()
        if draft:
            summary = "; ".join(p for p in (summary, draft) if p)
        selected = self.outcome or self.script.default_outcome

        def recorded(answer: OutcomeAnswer | None) -> None:
            if answer is not None:
                self._finish(answer)

        self.app.push_screen(
            OutcomeScreen(
                self.script.sop,
                self.script.outcomes,
                selected,
                summary,
                "",
                self.window,
                list(self.script.suggested_documents),
                self.channels,
                self.visit,
                self.callback_at,
                self.sessions or (self.client_sessions if self.script.sop == "02" else None),
                self.check_meeting,
            ),
            recorded,
        )

    def build_outcome(self, answer: OutcomeAnswer) -> CallOutcome:
        t = self.timers
        state = self.state()
        return CallOutcome(
            outcome=answer.outcome,
            summary=answer.summary,
            agreements=answer.agreements,
            notes=self.notes_text(),
            teleprompter=state,
            branch=self.branch,
            step_id=self.step_id,
            prep_seconds=t.seconds("prep"),
            talk_seconds=t.seconds("call"),
            doc_seconds=t.seconds("doc"),
            visit_at=answer.visit.at if answer.visit else None,
            documents=answer.visit.documents if answer.visit else [],
            meeting_place=answer.visit.place if answer.visit else "",
            visit_minutes=answer.visit.minutes if answer.visit else 40,
            allow_conflicts=answer.visit.allow_conflicts if answer.visit else False,
            late_reason=answer.visit.late_reason if answer.visit else "",
            callback_at=answer.callback_at,
            refusal_reason=answer.refusal_reason,
            control_points=answer.control_points or [],
            contact_frequency=answer.contact_frequency,
            sessions_start=answer.sessions.start if answer.sessions else None,
            sessions_every_days=answer.sessions.every_days if answer.sessions else 0,
            sessions_until=answer.sessions.until if answer.sessions else None,
            sessions_channel=answer.sessions.channel if answer.sessions else "",
        )

    def _finish(self, answer: OutcomeAnswer) -> None:
        self._pending_outcome = answer
        self.timers.pause()
        self._finish_worker(self.build_outcome(answer))

    @db_work(exclusive=True, group="tp-finish", action="записать результат звонка")
    def _finish_worker(self, outcome: CallOutcome) -> None:
        from soptui.services import calls
        from soptui.services import errors as store

        with self._lock:
            if self.conflicted:
                return
            try:
                result = calls.finish_call(self.record.id, outcome, version=self.version)
            except store.ConflictError as exc:
                self.conflicted = True
                self.app.call_from_thread(after_keys, self.app, self._conflict, exc.current)
                return
            except calls.CallError as exc:
                self.app.call_from_thread(self._finish_failed, str(exc))
                return
            self.finished = True
        self.app.call_from_thread(self._finished, result)

    def _finish_failed(self, message: str) -> None:
        self._pending_outcome = None
        self.timers.resume()
        self.notify(f"Результат не записан: {message}", severity="error", timeout=8)

    def _finished(self, result) -> None:
        self.finished = True
        parts = ["Звонок записан в «Телефонные переговоры» и журнал учета услуг."]
        if result.referral_marked:
            parts.append(
                "Первичный контакт по обращению отмечен"
                + (" (с опозданием)." if result.first_contact_late else " в срок.")
            )
        if result.visit_id:
            parts.append("Визит внесён в график выходов.")
        elif result.meeting_place == "institution":
            parts.append("Встреча в учреждении — на «Сегодня» в её день.")
        if result.moved_sessions:
            parts.append(f"Сеансов перенесено с нерабочих дней: {result.moved_sessions}.")
        if result.reminder_ids:
            parts.append(f"Напоминаний на «Сегодня»: {len(result.reminder_ids)}.")
        self.app.notify(" ".join(parts), timeout=8)
        self.dismiss_call(result)

    def dismiss_call(self, result) -> None:
        """Leave the teleprompter after finishing; the calls list prints the form."""
        calls_screen = self.app.screen_stack[0] if self.app.screen_stack else None
        self.app.pop_screen()
        if calls_screen is not None and hasattr(calls_screen, "call_finished"):
            calls_screen.call_finished(result.call_id)
