"""Doing a visit (SOP 04): stage timers against the norms, methods, problem areas, findings,
recommendations, the check of earlier recommendations, the act, completion.

Everything typed is kept as a draft («visit:<id>») while typing, so a dropped
SSH session loses nothing: reopening the visit resumes it, timers included.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, DataTable, Input, Label, Select, SelectionList, Static, TextArea

from soptui.core import clock
from soptui.domain import patronage
from soptui.domain.labels import (
    ACT_KINDS,
    DIAGNOSTIC_METHODS,
    PROBLEM_AREAS,
    RECOMMENDATION_STATUSES,
    VISIT_KINDS,
    VISIT_STATUSES,
)
from soptui.domain.patronage import EFFECTIVENESS, effectiveness_text
from soptui.widgets.fields import FieldError, LabeledInput, TextInput
from soptui.widgets.footer import KeysFooter
from soptui.widgets.header import AppHeader
from soptui.widgets.paged_table import RowTable
from soptui.widgets.stage_timers import StageTimers
from soptui.widgets.textbox import TextBox, boxes_ok
from soptui.widgets.workers import db_work

if TYPE_CHECKING:
    from soptui.services.patronage import VisitDetail

CHECK_CHOICES = [(label, code) for code, label in RECOMMENDATION_STATUSES.items()]
SAVE_DELAY = 1.0  # seconds of quiet typing before the draft is written


class VisitDoScreen(Screen):
    """One visit: doing a planned one, reading a done one, confirming a call-drafted one."""

    # priority: these must work while the cursor is in a text field (Input takes ctrl+d, ctrl+e)
    BINDINGS = [
        Binding("escape", "back", "Назад", id="visit_do.back", tooltip="Вернуться к планировщику"),
        Binding("ctrl+t", "next_stage", "Этап ›", id="visit_do.stage", tooltip="Следующий этап визита", priority=True),
        Binding("ctrl+g", "pause", "Пауза", id="visit_do.pause", tooltip="Пауза / продолжить таймер", priority=True),
        Binding(
            "ctrl+r",
            "add_recommendation",
            "+ Рекоменд.",
            id="visit_do.rec",
            tooltip="Добавить рекомендацию",
            priority=True,
        ),
        Binding("ctrl+d", "complete", "Завершить", id="visit_do.complete", tooltip="Завершить визит", priority=True),
        Binding(
            "ctrl+e", "edit", "Изменить", id="visit_do.edit", tooltip="Изменить / подтвердить визит", priority=True
        ),
        Binding(
            "f8",
            "cancel_visit",
            "Отмена/не впустили",
            id="visit_do.cancel",
            tooltip="Отменить визит или отметить, что не впустили",
        ),
        Binding("f9", "reschedule", "Перенести", id="visit_do.reschedule", tooltip="Перенести визит"),
    ]
    DEFAULT_CSS = """
    VisitDoScreen #do-scroll { height: 1fr; padding: 0 1; }
    VisitDoScreen #do-scroll Vertical { height: auto; }
    VisitDoScreen #visit-head { height: auto; padding: 0 1; }
    VisitDoScreen .section { text-style: bold; color: $accent; padding: 1 1 0 1; height: auto; width: 100%; }
    VisitDoScreen .actions { height: auto; }
    VisitDoScreen .actions Button { margin-right: 1; }
    VisitDoScreen SelectionList { height: auto; max-height: 10; }
    VisitDoScreen TextArea { height: 5; }
    VisitDoScreen .check-row { height: auto; }
    VisitDoScreen .check-row Static { width: 1fr; padding: 1 1 0 1; }
    VisitDoScreen .check-row Select { width: 40; }
    VisitDoScreen .check-row Input { width: 1fr; }
    VisitDoScreen #recs { height: auto; max-height: 8; }
    VisitDoScreen .rec-row { height: auto; }
    VisitDoScreen .rec-row > LabeledInput { width: 1fr; }
    VisitDoScreen #rec-text-box { width: 3fr; }
    VisitDoScreen .rec-row Button { margin-top: 1; }
    VisitDoScreen #do-error { color: $error; padding: 0 1; height: auto; }
    VisitDoScreen #done-summary { height: auto; padding: 0 1; }
    VisitDoScreen #eff-row { height: auto; }
    VisitDoScreen #eff-row Select { width: 30; }
    VisitDoScreen #eff-row LabeledInput { width: 1fr; }
    """

    def __init__(self, visit_id: int) -> None:
        super().__init__()
        self.visit_id = visit_id
        self.detail: VisitDetail | None = None
        self.new_recs: list[tuple[str, str, str]] = []  # text, for whom, due (ДД.ММ.ГГГГ or "")
        self._save_timer = None
        self._restoring = False
        self._doing_built = False

    def compose(self) -> ComposeResult:
        yield AppHeader()
        with VerticalScroll(id="do-scroll"):
            yield Static("Загрузка…", id="visit-head")
            with Horizontal(classes="actions", id="plan-actions"):
                yield Button("Изменить (Ctrl+E)", id="edit")
                yield Button("Перенести (F9)", id="reschedule")
                yield Button("Отменить / не впустили (F8)", id="cancel-visit", variant="warning")
            yield Static("", id="done-summary")
            with Vertical(id="doing"):
                # the norms themselves stand beside each timer (00:00 / 60:00): the heading fits 80 columns
                yield Label("Этапы визита: время по нормам СОП 04", classes="section")
                yield StageTimers((60, 40, 10), id="timers")
                with Vertical(id="earlier-box"):
                    yield Label("Выполнение ранее данных рекомендаций", classes="section")
                    yield Vertical(id="earlier")
                    with Horizontal(id="eff-row"):
                        yield Select(
                            [(v.capitalize(), k) for k, v in EFFECTIVENESS.items()],
                            prompt="Эффективность работы",
                            id="eff-level",
                        )
                        yield LabeledInput(
                            "Оценка эффективности профилактической работы: комментарий", id="eff-comment"
                        )
                    yield FieldError(classes="-empty", id="eff-error")
                yield Label(
                    "Методы (диагностика, анализ документов, консультирование, обследование)", classes="section"
                )
                yield SelectionList[str](*[(label, code) for code, label in DIAGNOSTIC_METHODS.items()], id="methods")
                yield Label("Проблемное поле", classes="section")
                yield SelectionList[str](*[(label, code) for code, label in PROBLEM_AREAS.items()], id="areas")
                yield Label("Выявлено (ситуация, проблемы семьи)", classes="section")
                yield TextBox(id="findings")
                yield Label("Разъяснены права и возможности, пути решения", classes="section")
                yield TextBox(id="rights")
                yield Label("Рекомендации", classes="section")
                yield RowTable(id="recs", cursor_type="row")
                with Horizontal(classes="rec-row"):
                    yield LabeledInput("Текст рекомендации", id="rec-text", input_id="rec-text-input")
                    yield LabeledInput("Кому", id="rec-whom", input_id="rec-whom-input")
                    yield LabeledInput(
                        "Срок",
                        placeholder="ДД.ММ.ГГГГ",
                        validator=clock.parse_date,
                        id="rec-due",
                        input_id="rec-due-input",
                    )
                    yield Button("Добавить", id="rec-add")
                yield Static("Del — удалить выбранную рекомендацию из списка.", classes="muted")
            with Vertical(id="acts-box"):
                yield Label("Документ о посещении (нужен хотя бы один завершённый)", classes="section")
                with Horizontal(classes="actions", id="act-buttons"):
                    for kind in ACT_KINDS:
                        yield Button(ACT_KINDS[kind], id=f"act-{kind}")
            yield Static("", id="do-error")
            with Horizontal(classes="actions", id="complete-box"):
                yield Button("Завершить визит (Ctrl+D)", variant="success", id="complete")
                yield Button("Назад (Esc)", id="back")
        yield KeysFooter()

    def on_mount(self) -> None:
        header = self.query_one(AppHeader)
        header.section = "Патронаж · визит"
        header.institution = getattr(self.app, "institution_short", "")
        actor = getattr(self.app, "actor", None)
        header.person = f"{actor.short_name} ({actor.position_label})" if actor else ""
        table = self.query_one("#recs", DataTable)
        table.add_columns("№", "Рекомендация", "Кому", "Срок")
        # inline: the app stylesheet's `DataTable { height: 1fr }` outranks DEFAULT_CSS
        table.styles.height = "auto"
        table.styles.max_height = 10
        self._refresh_recs()
        self._load()

    # --- loading ------------------------------------------------------------------------------

    @db_work(exclusive=True, group="visit-load")
    def _load(self) -> None:
        from soptui.services import patronage as visits
        from soptui.services.errors import RecordGone

        try:
            detail = visits.get_visit(self.visit_id)
        except RecordGone:
            self.app.call_from_thread(
                self.query_one("#visit-head", Static).update, "Визит не найден: возможно, его удалили."
            )
            return
        progress = visits.load_progress(self.visit_id) if detail.card.status == "planned" else None
        self.app.call_from_thread(self._show, detail, progress)

    def _show(self, detail: VisitDetail, progress: dict | None) -> None:
        self.detail = detail
        card = detail.card
        self.query_one("#visit-head", Static).update(self._head_text(detail))
        planned = card.status == "planned"
        self.query_one("#plan-actions").display = card.status in ("planned", "draft")
        self.query_one("#edit", Button).label = (
            "Подтвердить и назначить (Ctrl+E)" if card.status == "draft" else "Изменить (Ctrl+E)"
        )
        self.query_one("#doing").display = planned
        self.query_one("#complete-box").display = planned
        self.query_one("#acts-box").display = card.status in ("planned", "done")
        self.query_one("#done-summary").display = not planned
        self.query_one("#done-summary", Static).update("" if planned else self._summary_text(detail))
        self._update_act_buttons()
        timers = self.query_one("#timers", StageTimers)
        # SOP 04 norms (60/40/10), not the planned durations: the plan may be longer, the norm stays
        timers.norms = (patronage.PREP_NORM_MIN, patronage.WORK_NORM_MIN, patronage.COMPLETION_NORM_MIN)
        if not planned and card.status == "done":
            done_kinds = [k for k, a in detail.acts.items() if not a.is_draft]
            self.query_one(f"#act-{done_kinds[0] if done_kinds else 'housing'}", Button).focus()
        elif card.status == "draft":
            self.query_one("#edit", Button).focus()
        self.refresh_bindings()
        if planned and not self._doing_built:
            self._doing_built = True
            self._build_earlier(detail)
            self.query_one("#earlier-box").display = bool(detail.earlier) or card.kind == "planned"
            if progress:
                self._restore(progress)
                self.notify("Восстановлен черновик визита: всё введённое на месте.")
            self.query_one("#methods").focus(scroll_visible=False)  # keep the visit's head in view
        timers.refresh_text()

    def _head_text(self, d: VisitDetail) -> Text:
        c = d.card
        t = Text()
        t.append(f"{c.client_full_name}\n", style="bold")
        t.append(
            f"{VISIT_KINDS.get(c.kind, c.kind).capitalize()} патронаж · {VISIT_STATUSES.get(c.status, c.status)}",
            style="bold",
        )
        if d.status_reason:
            t.append(f" ({d.status_reason})")
        t.append(
            f"\n{c.start:%d.%m.%Y} в {c.start:%H:%M} (выход в {c.busy_from:%H:%M}, "
            f"освобождение в {c.busy_to:%H:%M}) · {c.address}"
        )
        if c.transport_needed:
            t.append(" · нужен транспорт", style="bold cyan")
        t.append(f"\nОснование: {d.ground_label} · Сотрудники: {', '.join(c.staff_names) or 'не назначены'}")
        if d.patronage_due and c.kind == "primary":  # a repeat visit is not judged by the referral's wait
            late = c.start.date() > d.patronage_due
            t.append(f"\nСрок патронажа по обращению: до {d.patronage_due:%d.%m.%Y}", style="bold red" if late else "")
            if d.late_reason:
                t.append(f" · причина позже срока: {d.late_reason}")
        if c.purpose:
            t.append(f"\nЦель: {c.purpose}")
        if c.documents_to_prepare:
            t.append(f"\nПодготовить документы: {c.documents_to_prepare}")
        if d.representatives:
            t.append(f"\n{'; '.join(d.representatives)}", style="dim")
        if c.status == "draft":
            t.append(
                "\nВизит согласован в звонке. Подтвердите время и назначьте сотрудников (Ctrl+E).", style="bold yellow"
            )
        for conflict in c.conflicts:
            t.append(f"\n! {conflict}", style="bold red")
        return t

    def _summary_text(self, d: VisitDetail) -> Text:
        t = Text()
        if d.card.status != "done":
            return t
        t.append("Итоги визита\n", style="bold")
        t.append(
            f"Этапы: подготовка {patronage.fmt_duration(d.actual_prep_seconds)}, работа "
            f"{patronage.fmt_duration(d.actual_work_seconds)}, завершение "
            f"{patronage.fmt_duration(d.actual_completion_seconds)}\n"
        )
        t.append("Методы: " + (", ".join(DIAGNOSTIC_METHODS.get(x, x) for x in d.methods) or "—") + "\n")
        t.append("Проблемное поле: " + (", ".join(PROBLEM_AREAS.get(x, x) for x in d.problem_areas) or "—") + "\n")
        if d.findings:
            t.append(f"Выявлено: {d.findings}\n")
        if d.rights_explained:
            t.append(f"Разъяснено: {d.rights_explained}\n")
        if d.earlier:
            t.append("Проверка прежних рекомендаций:\n", style="bold")
            for r in d.earlier:
                t.append(
                    f"  • {r.text} — {RECOMMENDATION_STATUSES.get(r.status, r.status)}"
                    f"{': ' + r.comment if r.comment else ''}\n"
                )
        if d.effectiveness:
            t.append(f"Эффективность: {d.effectiveness}\n")
        t.append("Рекомендации:\n", style="bold")
        for r in d.recommendations:
            t.append(
                f"  • {r.text}"
                + (f" (кому: {r.for_whom})" if r.for_whom else "")
                + (f", срок {r.due_date:%d.%m.%Y}" if r.due_date else "")
                + "\n"
            )
        if not d.recommendations:
            t.append("  не давались\n")
        return t

    def _build_earlier(self, d: VisitDetail) -> None:
        box = self.query_one("#earlier", Vertical)
        box.remove_children()
        if not d.earlier:
            box.mount(Static("Открытых рекомендаций прошлых визитов нет.", classes="muted"))
            return
        rows = []
        for r in d.earlier:
            label = f"{r.visit_date:%d.%m.%Y}: {r.text}" + (f" (кому: {r.for_whom})" if r.for_whom else "")
            if r.due_date:
                label += f", срок {r.due_date:%d.%m.%Y}"
            rows.append(
                Horizontal(
                    Static(label),
                    Select(CHECK_CHOICES, value="open", allow_blank=False, id=f"check-{r.id}"),
                    TextInput(placeholder="комментарий", id=f"comment-{r.id}"),
                    classes="check-row",
                )
            )
        box.mount_all(rows)

    def _update_act_buttons(self) -> None:
        if self.detail is None:
            return
        for kind in ACT_KINDS:
            act = self.detail.acts.get(kind)
            short = {"housing": "Акт ЖБУ", "patronage": "Акт патронажа", "report": "Отчёт"}[kind]  # fits 120 cols
            if act is None:
                state, variant = "нет", "default"
            elif act.is_draft:
                state, variant = "черновик", "warning"
            else:
                state, variant = "готов ✓", "success"
            button = self.query_one(f"#act-{kind}", Button)
            button.label = f"{short}: {state}"
            button.tooltip = ACT_KINDS[kind]  # the full name
            button.variant = variant

    # --- the draft ----------------------------------------------------------------------------

    def _payload(self) -> dict[str, Any]:
        checks = {}
        if self.detail:
            for r in self.detail.earlier:
                try:
                    status = self.query_one(f"#check-{r.id}", Select).value
                    comment = self.query_one(f"#comment-{r.id}", Input).value
                except Exception:
                    continue
                checks[str(r.id)] = [status if isinstance(status, str) else "open", comment]
        level = self.query_one("#eff-level", Select).value
        return {
            "methods": list(self.query_one("#methods", SelectionList).selected),
            "areas": list(self.query_one("#areas", SelectionList).selected),
            "findings": self.query_one("#findings", TextArea).text,
            "rights": self.query_one("#rights", TextArea).text,
            "eff_level": level if isinstance(level, str) else None,
            "eff_comment": self.query_one("#eff-comment", LabeledInput).value,
            "recs": [list(r) for r in self.new_recs],
            "rec_input": [
                self.query_one("#rec-text", LabeledInput).value,
                self.query_one("#rec-whom", LabeledInput).value,
                self.query_one("#rec-due", LabeledInput).value,
            ],
            "checks": checks,
            "timers": self.query_one("#timers", StageTimers).state(),
        }

    def _restore(self, p: dict[str, Any]) -> None:
        self._restoring = True
        try:
            methods = self.query_one("#methods", SelectionList)
            for code in p.get("methods", []):
                if code in DIAGNOSTIC_METHODS:
                    methods.select(code)
            areas = self.query_one("#areas", SelectionList)
            for code in p.get("areas", []):
                if code in PROBLEM_AREAS:
                    areas.select(code)
            self.query_one("#findings", TextArea).text = p.get("findings", "")
            self.query_one("#rights", TextArea).text = p.get("rights", "")
            if p.get("eff_level") in EFFECTIVENESS:
                self.query_one("#eff-level", Select).value = p["eff_level"]
            self.query_one("#eff-comment", LabeledInput).value = p.get("eff_comment", "")
            self.new_recs = [tuple(r) for r in p.get("recs", []) if len(r) == 3]
            self._refresh_recs()
            text, whom, due = (list(p.get("rec_input", [])) + ["", "", ""])[:3]
            self.query_one("#rec-text", LabeledInput).value = text
            self.query_one("#rec-whom", LabeledInput).value = whom
            self.query_one("#rec-due", LabeledInput).value = due
            for rid, (status, comment) in p.get("checks", {}).items():
                try:
                    if status in RECOMMENDATION_STATUSES:
                        self.query_one(f"#check-{rid}", Select).value = status
                    self.query_one(f"#comment-{rid}", Input).value = comment
                except Exception:
                    continue  # that recommendation was checked elsewhere meanwhile
            if p.get("timers"):
                self.query_one("#timers", StageTimers).restore(p["timers"])
        finally:
            self.call_after_refresh(self._restored)

    def _restored(self) -> None:
        self._restoring = False

    def _changed(self) -> None:
        if self._restoring or self.detail is None or self.detail.card.status != "planned":
            return
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_timer = self.set_timer(SAVE_DELAY, self._save_draft_now)

    def _save_draft_now(self) -> None:
        if self.detail is not None and self.detail.card.status == "planned":
            self._write_draft(self._payload())

    @db_work(group="visit-draft")
    def _write_draft(self, payload: dict[str, Any]) -> None:
        from soptui.services import patronage as visits

        visits.save_progress(self.visit_id, payload)

    def on_input_changed(self, event: Input.Changed) -> None:
        self._changed()

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self._changed()

    def on_selection_list_selected_changed(self, event) -> None:
        self._changed()

    def on_select_changed(self, event: Select.Changed) -> None:
        self._changed()

    # --- recommendations ----------------------------------------------------------------------------

    def _refresh_recs(self) -> None:
        table = self.query_one("#recs", DataTable)
        table.clear()
        for i, (text, whom, due) in enumerate(self.new_recs, 1):
            table.add_row(str(i), text, whom, due, key=str(i))
        # the table stays shown even when empty: hiding a focused widget throws the focus elsewhere

    def action_add_recommendation(self) -> None:
        if self.detail is None or self.detail.card.status != "planned":
            return
        text_field = self.query_one("#rec-text", LabeledInput)
        due_field = self.query_one("#rec-due", LabeledInput)
        ok_due, due = due_field.check()
        if not text_field.value.strip():
            text_field.show_error("Введите текст рекомендации: без текста её нельзя добавить.")
            text_field.input.focus()
            return
        text_field.show_error(None)
        day = self.detail.card.start.date()
        if ok_due and due is not None and due < day:  # the service refuses it too (validate_outcome)
            due_field.show_error(f"Срок не может быть раньше дня визита ({day:%d.%m.%Y}).")
            ok_due = False
        if not ok_due:
            due_field.input.focus()
            return
        whom = self.query_one("#rec-whom", LabeledInput)
        self.new_recs.append((text_field.value.strip(), whom.value.strip(), f"{due:%d.%m.%Y}" if due else ""))
        text_field.value = ""
        whom.value = ""
        due_field.value = ""
        self._refresh_recs()
        text_field.input.focus()
        self._changed()

    @on(Button.Pressed, "#rec-add")
    def _rec_add(self) -> None:
        self.action_add_recommendation()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id in ("rec-text-input", "rec-whom-input", "rec-due-input"):
            self.action_add_recommendation()

    def on_key(self, event) -> None:
        table = self.query_one("#recs", DataTable)
        if event.key == "delete" and table.has_focus and self.new_recs:
            row = table.cursor_row
            if 0 <= row < len(self.new_recs):
                del self.new_recs[row]
                self._refresh_recs()
                self._changed()
                event.stop()

    # --- timers --------------------------------------------------------------------------------------

    def action_next_stage(self) -> None:
        if self.detail and self.detail.card.status == "planned":
            self.query_one("#timers", StageTimers).next_stage()
            self._changed()

    def action_pause(self) -> None:
        if self.detail and self.detail.card.status == "planned":
            self.query_one("#timers", StageTimers).toggle_pause()
            self._changed()

    # --- acts --------------------------------------------------------------------------------------------

    @on(Button.Pressed, "#act-buttons Button")
    def _open_act(self, event: Button.Pressed) -> None:
        if self.detail is None:
            return
        kind = event.button.id.removeprefix("act-")
        from soptui.screens.patronage.act_form import ActFormScreen

        readonly = self.detail.card.status != "planned"
        self.app.push_screen(ActFormScreen(self.visit_id, kind, readonly=readonly), lambda _: self._reload_acts())

    def _reload_acts(self) -> None:
        self.query_one("#do-error", Static).update("")
        self._load()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """Timer, recommendation and completion keys only while the visit is being done."""
        status = self.detail.card.status if self.detail else None
        if action in ("next_stage", "pause", "add_recommendation", "complete"):
            return status == "planned"
        if action in ("edit", "cancel_visit", "reschedule"):
            return status in ("planned", "draft")
        return True

    # --- plan actions ---------------------------------------------------------------------------------

    def action_edit(self) -> None:
        if self.detail is None or self.detail.card.status not in ("planned", "draft"):
            return
        from soptui.screens.patronage.visit_form import VisitFormScreen

        self.app.push_screen(VisitFormScreen(visit_id=self.visit_id), lambda _: self._load())

    @on(Button.Pressed, "#edit")
    def _edit(self) -> None:
        self.action_edit()

    @on(Button.Pressed, "#reschedule")
    def action_reschedule(self) -> None:
        from soptui.screens.patronage.visit_form import VisitFormScreen

        self.app.push_screen(VisitFormScreen(visit_id=self.visit_id, mode="reschedule"), lambda _: self._load())

    @on(Button.Pressed, "#cancel-visit")
    def action_cancel_visit(self) -> None:
        from soptui.screens.patronage.visit_form import CancelVisitScreen

        if self.detail:
            self.app.push_screen(
                CancelVisitScreen(self.visit_id, self.detail.card.client_full_name), lambda _: self._load()
            )

    # --- completing -----------------------------------------------------------------------------------

    def _outcome(self):
        from soptui.services.patronage import NewRecommendation, VisitOutcome

        p = self._payload()
        timers = p["timers"]["seconds"]
        recs = []
        for text, whom, due in self.new_recs:
            recs.append(NewRecommendation(text, whom, clock.parse_date(due) if due else None))
        checks = {int(rid): (status, comment) for rid, (status, comment) in p["checks"].items()}
        return VisitOutcome(
            methods=p["methods"],
            problem_areas=p["areas"],
            findings=p["findings"],
            rights_explained=p["rights"],
            effectiveness=effectiveness_text(p["eff_level"], p["eff_comment"]),
            recommendations=recs,
            checks=checks,
            prep_seconds=timers[0],
            work_seconds=timers[1],
            completion_seconds=timers[2],
        )

    def action_complete(self) -> None:
        if self.detail is None or self.detail.card.status != "planned" or not boxes_ok(self):
            return
        pending = self.query_one("#rec-text", LabeledInput).value.strip()
        if pending:
            self.query_one("#rec-text", LabeledInput).show_error(
                "Рекомендация не добавлена в список: нажмите «Добавить» или очистите поле."
            )
            self.query_one("#do-error", Static).update("Есть недобавленная рекомендация.")
            return
        timers = self.query_one("#timers", StageTimers)
        if timers.running:
            timers._stop()
        self._save_draft_now()
        self._ask_recording(self._outcome())

    @db_work(exclusive=True, group="visit-complete")
    def _ask_recording(self, outcome) -> None:
        """The visit was not the signed-in person's, or its day has passed: ask who did it and when."""
        from soptui.services import patronage as visits

        needed, performers, planned = visits.recording_needed(self.visit_id)
        if not needed:
            self.app.call_from_thread(self._complete, outcome, None)
            return
        self.app.call_from_thread(self._recording_dialog, outcome, performers, planned)

    def _recording_dialog(self, outcome, performers, planned) -> None:
        from soptui.screens.patronage.recording import RecordingDialog

        actor = getattr(self.app, "actor", None)

        def chosen(answer) -> None:
            if answer is None:
                self.query_one("#do-error", Static).update("Визит не завершён: не указано, кто и когда его провёл.")
                return
            from soptui.services.patronage import Recording

            performer, day, reason, minutes = answer
            self._complete(outcome, Recording(performer, day, reason, minutes))

        measured = (outcome.prep_seconds, outcome.work_seconds, outcome.completion_seconds)
        self.app.push_screen(
            RecordingDialog(
                performers, actor.id if actor else None, planned, bool(actor and actor.is_head), measured=measured
            ),
            chosen,
        )

    @on(Button.Pressed, "#complete")
    def _complete_pressed(self) -> None:
        self.action_complete()

    @db_work(exclusive=True, group="visit-complete")
    def _complete(self, outcome, recording=None) -> None:
        from soptui.services import patronage as visits
        from soptui.services.errors import ConflictError

        try:
            visits.complete_visit(self.visit_id, outcome, recording)
        except visits.VisitError as exc:
            self.app.call_from_thread(self._complete_errors, exc.errors)
            return
        except ConflictError:
            self.app.call_from_thread(
                self.query_one("#do-error", Static).update,
                "Визит изменил другой сотрудник: введённое сохранено в черновике, откройте визит заново.",
            )
            return
        self.app.call_from_thread(self._completed)

    def _complete_errors(self, errors: dict[str, str]) -> None:
        eff = errors.pop("effectiveness", None)
        self.query_one("#eff-error", FieldError).show(eff)
        messages = list(errors.values()) + ([eff] if eff else [])
        self.query_one("#do-error", Static).update(Text("\n".join(messages), style="bold"))
        self.query_one("#do-error").scroll_visible()

    def _completed(self) -> None:
        self.notify("Визит завершён, услуга записана в журнал учёта услуг.")
        self.query_one("#do-error", Static).update("")
        self.detail = None
        self._load()

    # --- leaving ---------------------------------------------------------------------------------------

    def action_back(self) -> None:
        if self.detail is not None and self.detail.card.status == "planned":
            if self._save_timer is not None:
                self._save_timer.stop()
            self._save_draft_now()
        self.app.pop_screen()

    @on(Button.Pressed, "#back")
    def _back(self) -> None:
        self.action_back()
