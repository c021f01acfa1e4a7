"""Planning a visit: new, edit, reschedule, or confirm one drafted by the call teleprompter."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Label, RadioButton, RadioSet, Select, SelectionList, Static

from soptui.core import clock
from soptui.domain import patronage
from soptui.domain.labels import GROUNDS, VISIT_KINDS
from soptui.screens.form_base import EditFlow
from soptui.widgets.fields import FieldError, LabeledInput
from soptui.widgets.workers import db_work

if TYPE_CHECKING:
    from soptui.services.patronage import ClientPrefill, VisitPlan
    from soptui.services.staff import StaffOption

TITLES = {
    "new": "Новый визит",
    "edit": "Изменить визит",
    "reschedule": "Перенести визит",
    "confirm": "Подтвердить визит из звонка",
}


def _minutes(text: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise ValueError("Введите число минут.") from None
    if value < 0:
        raise ValueError("Не может быть меньше нуля.")
    return value


TEXT_FIELDS = ("day", "start", "end", "prep", "completion", "address", "purpose", "documents", "late_reason")


def plan_values(plan: VisitPlan) -> dict:
    """A stored plan in the form's raw_values shape (the conflict review compares them)."""
    return {
        "day": f"{plan.day:%d.%m.%Y}",
        "start": f"{plan.start:%H:%M}",
        "end": f"{plan.end:%H:%M}",
        "prep": str(plan.prep_minutes),
        "completion": str(plan.completion_minutes),
        "address": plan.address,
        "purpose": plan.purpose,
        "documents": plan.documents_to_prepare,
        "late_reason": plan.late_reason,
        "kind": plan.kind,
        "ground": plan.ground,
        "transport": plan.transport_needed,
        "staff": sorted(plan.staff_ids),
    }


class VisitFormScreen(EditFlow, ModalScreen[int | None]):
    """Plan / edit / reschedule / confirm; dismisses with the visit id, or None."""

    CONFLICT_TITLE = "Визит изменил другой сотрудник, пока форма была открыта"
    FIELD_LABELS = {
        "kind": "Вид патронажа",
        "ground": "Основание",
        "purpose": "Цель посещения",
        "day": "Дата",
        "start": "Начало",
        "end": "Окончание",
        "prep": "Подготовка, мин",
        "completion": "Оформление, мин",
        "address": "Адрес",
        "transport": "Транспорт",
        "staff": "Сотрудники",
        "documents": "Подготовить документы",
        "late_reason": "Причина визита позже срока",
    }

    BINDINGS = [
        Binding("ctrl+s", "save", "Сохранить", id="visit_form.save", tooltip="Сохранить визит", priority=True),
        Binding("escape", "leave", "Закрыть", id="visit_form.close", tooltip="Закрыть (спросит о несохранённом)"),
    ]
    DEFAULT_CSS = """
    VisitFormScreen { align: center middle; }
    VisitFormScreen #form-box { width: 100; max-width: 100%; height: 100%; max-height: 40;
                                border: round $primary; background: $panel; padding: 0 1; }
    VisitFormScreen #form-scroll { height: 1fr; }
    VisitFormScreen .row { height: auto; }
    VisitFormScreen .row > * { width: 1fr; }
    VisitFormScreen .row > LabeledInput { margin-right: 1; }
    VisitFormScreen Select { margin: 0 1 0 0; }
    VisitFormScreen #staff { height: auto; max-height: 8; }
    VisitFormScreen #deadline { padding: 0 1; height: auto; }
    VisitFormScreen #conflicts { padding: 0 1; color: $warning; height: auto; }
    VisitFormScreen #form-error { padding: 0 1; color: $error; height: auto; }
    VisitFormScreen .buttons { height: auto; padding: 1 0 0 0; }
    VisitFormScreen .buttons Button { margin-right: 2; width: auto; min-width: 16; }
    VisitFormScreen .hint { color: $text-muted; padding: 0 1; height: auto; }
    """

    def __init__(
        self,
        visit_id: int | None = None,
        client_id: int | None = None,
        staff_id: int | None = None,
        day: dt.date | None = None,
        start: dt.datetime | None = None,
        mode: str | None = None,
    ) -> None:
        super().__init__()
        self.visit_id = visit_id
        self.client_id = client_id
        self.staff_id = staff_id
        self.day = day
        self.start_at = start
        self.mode = mode or ("edit" if visit_id else "new")
        self.version: int | None = None
        self.prefill: ClientPrefill | None = None
        self.patronage_due: dt.date | None = None
        self.referral_id: int | None = None
        self.conflicts_confirmed: tuple[str, ...] = ()
        self.init_edit_flow(f"visit-plan:{visit_id}" if visit_id else f"visit-plan:new:{client_id}")

    def compose(self) -> ComposeResult:
        with Vertical(id="form-box"):
            yield Label(TITLES[self.mode], classes="dialog-title", id="form-title")
            with VerticalScroll(id="form-scroll"):
                yield Static("", id="deadline")
                with Horizontal(classes="row"):
                    yield Select(
                        [(v, k) for k, v in VISIT_KINDS.items()], prompt="Вид патронажа", allow_blank=False, id="kind"
                    )
                    yield Select(
                        [(v, k) for k, v in GROUNDS.items()], prompt="Основание", allow_blank=False, id="ground"
                    )
                yield FieldError(classes="-empty", id="ground-error")
                yield LabeledInput("Цель посещения", id="purpose")
                with Horizontal(classes="row"):
                    yield LabeledInput(
                        "Дата",
                        placeholder="ДД.ММ.ГГГГ",
                        required=True,
                        validator=clock.parse_date,
                        id="day",
                        input_id="day-input",
                    )
                    yield LabeledInput(
                        "Начало (прибытие)",
                        placeholder="ЧЧ:ММ",
                        required=True,
                        validator=clock.parse_time,
                        id="start",
                        input_id="start-input",
                    )
                    yield LabeledInput(
                        "Окончание работы",
                        placeholder="ЧЧ:ММ",
                        required=True,
                        validator=clock.parse_time,
                        id="end",
                        input_id="end-input",
                    )
                with Horizontal(classes="row"):
                    yield LabeledInput(
                        f"Подготовка, дорога: мин (до {patronage.PREP_NORM_MIN})",
                        value=str(patronage.PREP_NORM_MIN),
                        validator=_minutes,
                        required=True,
                        id="prep",
                    )
                    yield LabeledInput(
                        f"Завершение: мин (до {patronage.COMPLETION_NORM_MIN})",
                        value=str(patronage.COMPLETION_NORM_MIN),
                        validator=_minutes,
                        required=True,
                        id="completion",
                    )
                yield LabeledInput("Адрес", required=True, id="address")
                yield Checkbox("Нужен транспорт (удалённая территория)", id="transport")
                yield Label("Сотрудники (СОП 04: специалист, психолог, медсестра, соц. педагог) *", classes="hint")
                yield SelectionList[int](id="staff")
                yield FieldError(classes="-empty", id="staff-error")
                yield LabeledInput("Подготовить документы", id="documents")
                yield LabeledInput("Причина визита позже срока патронажа", id="late_reason", input_id="late-input")
                yield Static("", id="conflicts")
                yield Static("", id="form-error")
            with Horizontal(classes="buttons"):
                yield Button("Сохранить", variant="primary", id="save")
                yield Button("Отмена", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#late_reason").display = False
        self._load()

    @db_work()
    def _load(self) -> None:
        from soptui.services import drafts
        from soptui.services import patronage as visits

        plan = status = None
        if self.visit_id is not None:
            plan, version, status, client_name = visits.plan_of(self.visit_id)
            self.version = version
            self.client_id = plan.client_id
        prefill = visits.client_prefill(self.client_id)
        due = None
        ref_id = plan.referral_id if plan else prefill.referral_id
        if ref_id:
            due = visits.referral_patronage_due(ref_id)
        actor = getattr(self.app, "actor", None)
        dep = actor.department_id if actor else None
        include = list(plan.staff_ids) if plan else ([self.staff_id] if self.staff_id else [])
        staff = visits.visiting_staff(dep, include)
        start = None
        if plan is None and self.staff_id and self.start_at is None:
            if self.day:
                start = visits.free_start(self.staff_id, self.day)
            else:  # opened from the client card: the first free slot from today on
                start = visits.first_free_slot(self.staff_id, clock.today())
        if self.visit_id is None:
            self.draft_key = f"visit-plan:new:{self.client_id}"
        draft = drafts.load_draft(self.draft_key)
        self.app.call_from_thread(self._show, plan, status, prefill, due, staff, start, draft)

    def _show(
        self,
        plan: VisitPlan | None,
        status: str | None,
        prefill: ClientPrefill,
        due: dt.date | None,
        staff: list[StaffOption],
        free: dt.datetime | None,
        draft: dict | None = None,
    ) -> None:
        self.prefill = prefill
        self.patronage_due = due
        if status == "draft" and self.mode == "edit":
            self.mode = "confirm"
        title = f"{TITLES[self.mode]} — {prefill.client_name}"
        self.query_one("#form-title", Label).update(title)
        if plan is None:
            self.referral_id = prefill.referral_id
            self.query_one("#kind", Select).value = prefill.kind
            self.query_one("#ground", Select).value = prefill.ground
            self.query_one("#address", LabeledInput).value = prefill.address
            self.query_one("#transport", Checkbox).value = prefill.remote_territory
            start = self.start_at or free
            day = self.day or (start.date() if start else None)
            if day:
                self.query_one("#day", LabeledInput).value = f"{day:%d.%m.%Y}"
            if start:
                self.query_one("#start", LabeledInput).value = f"{start:%H:%M}"
                end = start + dt.timedelta(minutes=patronage.WORK_NORM_MIN)
                self.query_one("#end", LabeledInput).value = f"{end:%H:%M}"
            elif self.day:
                self.query_one("#end", LabeledInput).show_error(None)
                self.query_one("#conflicts", Static).update(
                    "В этот день нет свободного времени на весь визит (с подготовкой и актом)."
                )
            purpose = (
                "Первичный патронаж: знакомство с семьёй, выяснение ситуации"
                if prefill.kind == "primary"
                else "Плановый патронаж: контроль выполнения рекомендаций"
            )
            self.query_one("#purpose", LabeledInput).value = purpose
            if prefill.open_recommendations:
                self.query_one(
                    "#documents", LabeledInput
                ).value = f"открытые рекомендации прошлых визитов ({prefill.open_recommendations})"
            selected = (
                [self.staff_id] if self.staff_id else ([prefill.assigned_staff_id] if prefill.assigned_staff_id else [])
            )
        else:
            self.referral_id = plan.referral_id
            self.fill({k: v for k, v in plan_values(plan).items() if k != "staff"})
            selected = list(plan.staff_ids)
            if not selected and self.mode == "confirm" and getattr(self.app, "actor", None):
                selected = [self.app.actor.id]
        sel = self.query_one("#staff", SelectionList)
        sel.clear_options()
        for s in staff:
            sel.add_option((f"{s.short_name} — {s.position_label}", s.id, s.id in selected))
        self.mark_loaded()
        self._update_deadline()
        focus = {"reschedule": "#day-input"}.get(self.mode)
        if focus:
            self.query_one(focus).focus()
        else:
            self.query_one("#kind").focus()
        self.offer_draft(draft, "Есть несохранённый черновик этого визита. Восстановить его?", self._resume)

    # --- values and drafts -----------------------------------------------------------------

    def raw_values(self) -> dict:
        values = {name: self.query_one(f"#{name}", LabeledInput).value for name in TEXT_FIELDS}
        values["kind"] = self.query_one("#kind", Select).value
        values["ground"] = self.query_one("#ground", Select).value
        values["transport"] = self.query_one("#transport", Checkbox).value
        values["staff"] = sorted(self.query_one("#staff", SelectionList).selected)
        return values

    def fill(self, values: dict) -> None:
        for name in TEXT_FIELDS:
            if name in values:
                self.query_one(f"#{name}", LabeledInput).value = values[name] or ""
        if values.get("kind") in VISIT_KINDS:
            self.query_one("#kind", Select).value = values["kind"]
        if values.get("ground") in GROUNDS:
            self.query_one("#ground", Select).value = values["ground"]
        self.query_one("#transport", Checkbox).value = bool(values.get("transport"))
        staff = self.query_one("#staff", SelectionList)
        staff.deselect_all()
        for staff_id in values.get("staff", []):
            try:
                staff.select(staff_id)
            except Exception:  # no longer among the visiting staff
                pass

    def draft_payload(self) -> dict:
        return {"values": self.raw_values(), "version": self.version}

    def load_stored(self):
        from soptui.services import patronage as visits

        try:
            plan, version, _status, _name = visits.plan_of(self.visit_id)
        except Exception:  # noqa: BLE001 - deleted meanwhile (the review then says so)
            return None
        return plan_values(plan), version

    def _resume(self, draft: dict) -> None:
        self.fill(draft["values"])
        if draft.get("version") is not None:
            self.version = draft["version"]  # a visit changed since then gives the conflict, not a silent overwrite
        self._update_deadline()

    def on_select_changed(self, event) -> None:
        self.note_change()
        if getattr(event.select, "id", "") == "kind" and self.loaded:
            self._update_deadline()

    def on_checkbox_changed(self) -> None:
        self.note_change()

    def on_selection_list_selected_changed(self) -> None:
        self.note_change()

    # --- live deadline check ---------------------------------------------------------------

    def on_input_changed(self, event) -> None:
        self.note_change()
        if event.input.id == "day-input" and self.loaded:
            self._update_deadline()
        if self.conflicts_confirmed:
            self.conflicts_confirmed = ()
            save = self.query_one("#save", Button)
            save.label = "Сохранить"
            save.refresh(layout=True)

    def _planned_day(self) -> dt.date | None:
        try:
            return clock.parse_date(self.query_one("#day", LabeledInput).value)
        except ValueError:
            return None

    def _update_deadline(self) -> None:
        box = self.query_one("#deadline", Static)
        late_field = self.query_one("#late_reason", LabeledInput)
        if self.query_one("#kind", Select).value == "planned":
            # SOP 04: the wait after a referral ends with the first service; a repeat visit is not judged by it
            box.update(Text("Повторный патронаж: срок по обращению к нему не относится.", style="dim"))
            late_field.display = bool(late_field.value)
            return
        if not self.referral_id:
            box.update(Text("Обращение с контрольным сроком патронажа не найдено.", style="dim"))
            late_field.display = bool(late_field.value)
            return
        day = self._planned_day()
        if self.patronage_due is None:
            box.update(Text("Срок патронажа по обращению не установлен.", style="dim"))
            return
        check = patronage.check_deadline(self.patronage_due, day or clock.today(), clock.today())
        style = "bold red" if check.late else ("bold yellow" if self.patronage_due <= clock.today() else "green")
        box.update(
            Text(check.text if day else f"Срок патронажа по обращению — до {self.patronage_due:%d.%m.%Y}.", style=style)
        )
        late_field.display = check.late or bool(late_field.value)

    # --- saving -------------------------------------------------------------------------------

    def _collect(self) -> VisitPlan | None:
        from soptui.services.patronage import VisitPlan

        ok = True
        values = {}
        for name in ("day", "start", "end", "prep", "completion", "address", "purpose", "documents", "late_reason"):
            good, value = self.query_one(f"#{name}", LabeledInput).check()
            ok &= good
            values[name] = value
        staff = list(self.query_one("#staff", SelectionList).selected)
        err = self.query_one("#staff-error", FieldError)
        if not staff:
            err.show("Выберите хотя бы одного сотрудника, который пойдёт в семью.")
            ok = False
        else:
            err.show(None)
        if not ok:
            self._form_error("Исправьте поля, отмеченные красным.")
            bad = [w for w in self.query(LabeledInput) if w.has_class("-invalid")]
            if bad:
                bad[0].input.focus()
            elif not staff:
                self.query_one("#staff").focus()
            return None
        return VisitPlan(
            client_id=self.client_id,
            staff_ids=staff,
            day=values["day"],
            start=values["start"],
            end=values["end"],
            kind=self.query_one("#kind", Select).value,
            ground=self.query_one("#ground", Select).value,
            referral_id=self.referral_id,
            purpose=values["purpose"] or "",
            prep_minutes=values["prep"],
            completion_minutes=values["completion"],
            address=values["address"] or "",
            transport_needed=self.query_one("#transport", Checkbox).value,
            documents_to_prepare=values["documents"] or "",
            late_reason=values["late_reason"] or "",
        )

    def _form_error(self, message: str) -> None:
        self.query_one("#form-error", Static).update(message)

    def action_save(self) -> None:
        if not self.loaded:
            return
        plan = self._collect()
        if plan is None:
            return
        self._form_error("")
        self._save(plan, bool(self.conflicts_confirmed))

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_leave()

    @db_work(exclusive=True, group="visit-save")
    def _save(self, plan: VisitPlan, allow_conflicts: bool) -> None:
        from soptui.services import patronage as visits
        from soptui.services.errors import ConflictError, RecordGone

        try:
            check = visits.check_plan(plan, self.visit_id)
            if check.errors:
                self.app.call_from_thread(self._show_errors, check.errors)
                return
            if check.conflicts and not allow_conflicts:
                self.app.call_from_thread(self._show_conflicts, check.conflicts)
                return
            visit_id = visits.save_plan(
                plan, self.visit_id, self.version, allow_conflicts=True, confirm_draft=self.mode == "confirm"
            )
            self.drop_draft()
        except visits.VisitError as exc:
            self.app.call_from_thread(self._show_errors, exc.errors)
            return
        except ConflictError:
            self.conflict_found()
            return
        except RecordGone:
            self.app.call_from_thread(self._form_error, "Визит удалён другим сотрудником.")
            return
        self.app.call_from_thread(self._saved, visit_id)

    def _saved(self, visit_id: int) -> None:
        self.mark_saved()
        self.dismiss(visit_id)

    def _show_errors(self, errors: dict[str, str]) -> None:
        fields = {
            "day": "#day",
            "start": "#start",
            "end": "#end",
            "address": "#address",
            "prep": "#prep",
            "completion": "#completion",
            "late_reason": "#late_reason",
            "purpose": "#purpose",
        }
        other = []
        first = None
        for key, message in errors.items():
            if key in fields:
                widget = self.query_one(fields[key], LabeledInput)
                widget.display = True
                widget.show_error(message)
                first = first or widget.input
            elif key == "staff":
                self.query_one("#staff-error", FieldError).show(message)
                first = first or self.query_one("#staff")
            elif key in ("ground", "kind"):
                self.query_one("#ground-error", FieldError).show(message)
                first = first or self.query_one("#ground")
            else:
                other.append(message)
        self._form_error(" ".join(other) or "Исправьте поля, отмеченные красным.")
        if first is not None:
            first.focus()  # and scroll to the first field to fix

    def _show_conflicts(self, conflicts: tuple[str, ...]) -> None:
        self.conflicts_confirmed = conflicts
        text = Text("Внимание, конфликты в расписании:\n", style="bold")
        for c in conflicts:
            text.append(f"• {c}\n")
        text.append("Нажмите «Сохранить всё равно», чтобы сохранить с конфликтом, или измените время.")
        self.query_one("#conflicts", Static).update(text)
        save = self.query_one("#save", Button)
        save.label = "Сохранить всё равно"
        save.refresh(layout=True)
        scroll = self.query_one("#form-scroll")
        self.call_after_refresh(scroll.scroll_end, animate=False)


class CancelVisitScreen(ModalScreen[bool]):
    """Cancel a visit, or record that the family did not let the staff in; a reason is required."""

    BINDINGS = [Binding("escape", "close", "Закрыть", id="cancel_visit.close", tooltip="Закрыть, не отменяя визит")]
    DEFAULT_CSS = """
    CancelVisitScreen { align: center middle; }
    CancelVisitScreen .buttons { height: auto; padding: 1 0 0 0; }
    CancelVisitScreen .buttons Button { margin-right: 2; }
    """

    def __init__(self, visit_id: int, client_name: str) -> None:
        super().__init__()
        self.visit_id = visit_id
        self.client_name = client_name

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Визит: {self.client_name}", classes="dialog-title")
            with RadioSet(id="status"):
                yield RadioButton("Отменён", value=True, id="cancelled")
                yield RadioButton("Не впустили в квартиру", id="not_let_in")
            yield LabeledInput("Причина", required=True, id="reason", input_id="reason-input")
            yield Static("", id="cancel-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Сохранить", variant="primary", id="ok")
                yield Button("Отмена", id="no")

    def on_mount(self) -> None:
        self.query_one("#reason-input").focus()

    @on(Button.Pressed, "#no")
    def action_close(self) -> None:
        self.dismiss(False)

    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        good, reason = self.query_one("#reason", LabeledInput).check()
        if not good:
            return
        pressed = self.query_one("#status", RadioSet).pressed_button
        self._save(pressed.id if pressed else "cancelled", reason)

    def on_input_submitted(self) -> None:
        self._ok()

    @db_work()
    def _save(self, status: str, reason: str) -> None:
        from soptui.services import patronage as visits

        try:
            visits.set_status(self.visit_id, status, reason)
        except visits.VisitError as exc:
            self.app.call_from_thread(self.query_one("#cancel-error", Static).update, " ".join(exc.errors.values()))
            return
        self.app.call_from_thread(self.dismiss, True)
