"""Call scripts of SOP 01-03 as data: loading, validation and filling the names in.

The scripts live in `soptui/domain/calls/sop/sopNN.toml` (shipped as package data). They are
loaded and fully validated before a call starts, so a broken file is reported at
the start of the teleprompter with its file name and line, never in mid-call.
Plain Python: no Textual, no database.
"""

from __future__ import annotations

import re
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

SCRIPTS_DIR = Path(__file__).parent / "sop"
SOP_CODES = ("01", "02", "03")
PHASES = ("prep", "call", "doc")
PHASE_LABELS = {"prep": "подготовка", "call": "разговор", "doc": "документирование"}
ASKS = ("", "visit", "callback", "sessions")
STEP_ASKS = ("", "details", "client_sessions")  # what a step records before moving on (SOP 01 / SOP 02)

# Every variable a script may use, with the words shown in a visible gap when it has no value.
VARIABLES: dict[str, str] = {
    "greeting": "приветствие",
    "person_io": "имя и отчество собеседника",
    "person_fio": "ФИО собеседника",
    "person_relation": "кем приходится клиенту",
    "person_phone": "телефон собеседника",
    "person_messengers": "мессенджеры собеседника",
    "staff_fio": "ваши фамилия, имя, отчество",
    "staff_io": "ваши имя и отчество",
    "staff_position": "должность",
    "staff_position_ins": "должность",
    "staff_phone": "ваш телефон",
    "staff_sent": "сбросил(а)",
    "institution": "название учреждения с формой собственности",
    "working_hours": "режим работы",
    "source_body": "учреждение, орган",
    "summary": "суть полученной информации",
    "child_name": "имя ребенка",
    "child_fio": "ФИО ребенка",
    "client_io": "имя и отчество клиента",
    "client_fio": "ФИО клиента",
    "purpose": "цель звонка",
    "visit_at": "дата и время визита",
    "documents": "документы",
    "notice_sent_at": "время отправки сообщения",
    "notice_call_at": "время, которое назовёт клиент",
    "sessions": "дата и время сеанса",
    "notice_status": "уведомление",
    "meeting_place": "место встречи",
    "meeting_docs_for": "к встрече",
    "call_channel": "способ связи",
    "call_ground": "основание звонка",
    "client_sessions": "сеансы, согласованные с клиентом",
    "sessions_channel": "приложение",
}


class ScriptError(Exception):
    """A script file that cannot be used; str() is one Russian sentence naming file and line."""

    def __init__(self, path: Path, message: str, line: int | None = None, column: int | None = None):
        self.path = Path(path)
        self.line = line
        self.column = column
        self.detail = message
        where = f"Файл сценария «{self.path.name}»"
        if line is not None:
            where += f", строка {line}"
            if column is not None:
                where += f", столбец {column}"
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Step:
    id: str
    phase: str  # prep / call / doc
    title: str
    say: str
    hint: str = ""
    examples: tuple[str, ...] = ()
    branch: str = ""  # shown only when this branch was chosen
    variants: tuple[tuple[str, str], ...] = ()  # (branch, say) replacing `say` on that branch
    choice: bool = False  # the person's answer here decides the route: "next" asks for it
    ask: str = ""  # details / client_sessions: "next" records these first (SOP 01 channel+ground, SOP 02)

    def say_for(self, branch: str) -> str:
        return dict(self.variants).get(branch, self.say)


@dataclass(frozen=True)
class Branch:
    id: str
    label: str
    goto: str
    outcome: str
    ask: str = ""  # visit / callback / sessions: what the branch asks for at once
    from_steps: tuple[str, ...] = ()  # empty = offered at every call step


@dataclass(frozen=True)
class Norms:
    """SOP norms, minutes."""

    prep: int
    call: int
    doc: int

    def seconds(self, phase: str) -> int:
        return int(getattr(self, phase)) * 60


@dataclass(frozen=True)
class CallScript:
    sop: str
    title: str
    purpose: str
    service_kind: str
    documents: tuple[str, ...]
    rules: tuple[str, ...]
    norms: Norms
    steps: tuple[Step, ...]
    branches: tuple[Branch, ...]
    outcomes: dict[str, str]
    default_outcome: str
    sms_template: str = ""
    suggested_documents: tuple[str, ...] = ()
    path: Path = field(default=Path(), compare=False)

    def step(self, step_id: str) -> Step:
        for s in self.steps:
            if s.id == step_id:
                return s
        raise KeyError(step_id)

    def index(self, step_id: str) -> int:
        for i, s in enumerate(self.steps):
            if s.id == step_id:
                return i
        raise KeyError(step_id)

    def branch(self, branch_id: str) -> Branch:
        for b in self.branches:
            if b.id == branch_id:
                return b
        raise KeyError(branch_id)

    def route(self, branch: str = "") -> list[Step]:
        """The steps of a call in order: common steps plus those of the chosen branch."""
        return [s for s in self.steps if not s.branch or s.branch == branch]

    def choice_answered(self, step_id: str, branch: str) -> bool:
        """A choice step is answered when the current branch is one that starts at it."""
        return any(b.id == branch and step_id in b.from_steps for b in self.branches)

    def branches_at(self, step_id: str) -> list[Branch]:
        step = self.step(step_id)
        return [b for b in self.branches if (step_id in b.from_steps) or (not b.from_steps and step.phase == "call")]

    def step_norm_seconds(self, step_id: str) -> int:
        """Guide time of one step: the phase norm shared by the steps of that phase."""
        step = self.step(step_id)
        same = [s for s in self.route("") if s.phase == step.phase] or [step]
        return max(30, self.norms.seconds(step.phase) // len(same))


# --- loading and validation ---------------------------------------------------------

_TOML_POS = re.compile(r"\(at line (\d+), column (\d+)\)")
_FORMATTER = string.Formatter()


def _line_of(text: str, needle: str, start_line: int = 1) -> int | None:
    """Line number (1-based) of the first line at/after start_line containing needle."""
    for number, line in enumerate(text.splitlines(), start=1):
        if number >= start_line and needle in line:
            return number
    return None


def _variables(template: str) -> list[str]:
    try:
        return [name for _, name, _, _ in _FORMATTER.parse(template) if name is not None]
    except ValueError as exc:
        raise ValueError(f"непарная фигурная скобка ({exc})") from None


_PARSED: dict[Path, tuple[tuple[int, int], CallScript]] = {}


def load_script(path: str | Path) -> CallScript:
    """Read and validate one script file; raise ScriptError naming the file and line.

    A parsed script is kept while its file is unchanged (same modification time and size): a call is started
    and finished many times a day, and parsing the TOML each time was most of a short transaction's time.
    """
    path = Path(path)
    try:
        stat = path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        stamp = None
    cached = _PARSED.get(path)
    if stamp is not None and cached is not None and cached[0] == stamp:
        return cached[1]
    script = _parse_script(path)
    if stamp is not None:
        _PARSED[path] = (stamp, script)
    return script


def _parse_script(path: Path) -> CallScript:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScriptError(path, "файл не найден.") from None
    except UnicodeDecodeError as exc:
        raise ScriptError(path, f"файл не в кодировке UTF-8 (байт {exc.start}).") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _TOML_POS.search(message)
        line = int(match.group(1)) if match else getattr(exc, "lineno", None)
        column = int(match.group(2)) if match else getattr(exc, "colno", None)
        detail = _TOML_POS.sub("", message).strip()
        raise ScriptError(path, f"ошибка синтаксиса TOML ({detail}).", line, column) from None
    return _build(path, text, data)


def _build(path: Path, text: str, data: dict) -> CallScript:
    def fail(message: str, needle: str | None = None, after: int = 1) -> ScriptError:
        return ScriptError(path, message, _line_of(text, needle, after) if needle else None)

    head = data.get("script")
    if not isinstance(head, dict):
        raise fail("нет раздела [script].")
    for key in ("sop", "title", "service_kind"):
        if not isinstance(head.get(key), str) or not head.get(key).strip():
            raise fail(f"в разделе [script] нет поля «{key}».", "[script]")
    norms_raw = data.get("norms")
    if not isinstance(norms_raw, dict):
        raise fail("нет раздела [norms] с нормами времени (prep, call, doc).")
    for key in PHASES:
        value = norms_raw.get(key)
        if not isinstance(value, int) or value <= 0:
            raise fail(f"норма «{key}» в разделе [norms] должна быть целым числом минут.", "[norms]")
    norms = Norms(norms_raw["prep"], norms_raw["call"], norms_raw["doc"])

    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise fail("нет ни одного шага [[steps]].")
    steps: list[Step] = []
    seen: set[str] = set()
    step_lines: list[int] = []
    cursor = 1
    for number, raw in enumerate(raw_steps, start=1):
        line = _line_of(text, "[[steps]]", cursor) or cursor
        step_lines.append(line)
        cursor = line + 1
        sid = raw.get("id") if isinstance(raw, dict) else None
        name = f"шаг №{number}" + (f" «{sid}»" if isinstance(sid, str) else "")
        if not isinstance(sid, str) or not sid.strip():
            raise ScriptError(path, f"{name}: нет поля «id».", line)
        if sid in seen:
            raise ScriptError(path, f"{name}: такой id уже есть у другого шага.", line)
        seen.add(sid)
        for key in ("title", "say"):
            if not isinstance(raw.get(key), str) or (key == "title" and not raw[key].strip()):
                raise ScriptError(path, f"{name}: нет поля «{key}».", line)
        if raw.get("ask", "") not in STEP_ASKS:
            raise ScriptError(path, f"{name}: неизвестное значение ask «{raw['ask']}».", line)
        phase = raw.get("phase", "call")
        if phase not in PHASES:
            raise ScriptError(path, f"{name}: фаза «{phase}» неизвестна (prep, call или doc).", line)
        examples = raw.get("examples", [])
        if not isinstance(examples, list) or not all(isinstance(e, str) for e in examples):
            raise ScriptError(path, f"{name}: «examples» должен быть списком строк.", line)
        variants = raw.get("variants", {})
        if not isinstance(variants, dict) or not all(isinstance(v, str) for v in variants.values()):
            raise ScriptError(path, f"{name}: «variants» должен быть таблицей ветка = текст.", line)
        for key in ("say", "hint"):
            template = raw.get(key, "")
            if not isinstance(template, str):
                raise ScriptError(path, f"{name}: «{key}» должен быть строкой.", line)
            for item in [template, *examples, *(variants.values() if key == "say" else [])]:
                try:
                    names = _variables(item)
                except ValueError as exc:
                    raise ScriptError(path, f"{name}: {exc}.", _line_of(text, item[:30], line) or line) from None
                for var in names:
                    if var not in VARIABLES:
                        raise ScriptError(
                            path,
                            f"{name}: неизвестная переменная {{{var}}}.",
                            _line_of(text, "{" + var + "}", line) or line,
                        )
        steps.append(
            Step(
                sid,
                phase,
                raw["title"].strip(),
                raw["say"].strip(),
                raw.get("hint", "").strip(),
                tuple(examples),
                raw.get("branch", ""),
                tuple((b, v.strip()) for b, v in variants.items()),
                bool(raw.get("choice", False)),
                raw.get("ask", ""),
            )
        )

    outcomes = data.get("outcomes", {})
    if not isinstance(outcomes, dict) or not outcomes:
        raise fail("нет раздела [outcomes] с исходами звонка.")
    branches: list[Branch] = []
    cursor = 1
    for number, raw in enumerate(data.get("branches", []), start=1):
        line = _line_of(text, "[[branches]]", cursor) or cursor
        cursor = line + 1
        bid = raw.get("id", "")
        name = f"ветка №{number} «{bid}»"
        for key in ("id", "label", "goto", "outcome"):
            if not isinstance(raw.get(key), str) or not raw.get(key):
                raise ScriptError(path, f"{name}: нет поля «{key}».", line)
        if raw["goto"] not in seen:
            raise ScriptError(path, f"{name}: переход на несуществующий шаг «{raw['goto']}».", line)
        if raw["outcome"] not in outcomes:
            raise ScriptError(path, f"{name}: исход «{raw['outcome']}» не описан в [outcomes].", line)
        if raw.get("ask", "") not in ASKS:
            raise ScriptError(path, f"{name}: неизвестное значение ask «{raw['ask']}».", line)
        from_steps = tuple(raw.get("from", []))
        for sid in from_steps:
            if sid not in seen:
                raise ScriptError(path, f"{name}: в «from» указан несуществующий шаг «{sid}».", line)
        branches.append(Branch(bid, raw["label"], raw["goto"], raw["outcome"], raw.get("ask", ""), from_steps))
    branch_ids = {b.id for b in branches}
    for step, line in zip(steps, step_lines):
        if step.choice and not any(step.id in b.from_steps for b in branches):
            raise ScriptError(path, f"шаг «{step.id}»: choice = true, но ни одна ветка не начинается с него.", line)
    for step, line in zip(steps, step_lines):
        for used in filter(None, [step.branch, *(b for b, _ in step.variants)]):
            if used not in branch_ids:
                raise ScriptError(path, f"шаг «{step.id}»: ветка «{used}» не описана в [[branches]].", line)
    default_outcome = head.get("default_outcome", "")
    if default_outcome not in outcomes:
        raise fail(f"исход по умолчанию «{default_outcome}» не описан в [outcomes].", "default_outcome")

    sms = data.get("sms", {}).get("template", "")
    if sms:
        for var in _variables(sms):
            if var not in VARIABLES:
                raise fail(f"в шаблоне сообщения неизвестная переменная {{{var}}}.", "{" + var + "}")
    return CallScript(
        sop=head["sop"],
        title=head["title"],
        purpose=head.get("purpose", ""),
        service_kind=head["service_kind"],
        documents=tuple(head.get("documents", [])),
        rules=tuple(head.get("rules", [])),
        norms=norms,
        steps=tuple(steps),
        branches=tuple(branches),
        outcomes=dict(outcomes),
        default_outcome=default_outcome,
        sms_template=sms,
        suggested_documents=tuple(data.get("documents", {}).get("suggested", [])),
        path=path,
    )


def script_path(sop: str) -> Path:
    return SCRIPTS_DIR / f"sop{sop}.toml"


def load_sop(sop: str) -> CallScript:
    """The shipped script of SOP `sop` ("01", "02" or "03")."""
    if sop not in SOP_CODES:
        raise ScriptError(script_path(sop), f"нет сценария для СОП {sop}.")
    return load_script(script_path(sop))


def load_all() -> dict[str, CallScript]:
    """Every shipped script, validated; the first broken file raises ScriptError."""
    return {sop: load_sop(sop) for sop in SOP_CODES}


# --- filling the variables ----------------------------------------------------------


def gap(name: str) -> str:
    """The visible mark of a value nobody entered: «[имя и отчество — не указано]»."""
    return f"[{VARIABLES.get(name, name)} — не указано]"


class _Filler(dict):
    def __missing__(self, key: str) -> str:
        return gap(key)


def fill(template: str, values: Mapping[str, object]) -> str:
    """Put the case's values into a script text; a missing or empty one becomes a visible gap."""
    clean = _Filler()
    for key, value in values.items():
        text = "" if value is None else str(value).strip()
        if text and text != "None":
            clean[key] = text
    return template.format_map(clean)


def missing(template: str, values: Mapping[str, object]) -> list[str]:
    """Names of the variables of `template` that have no value (for the «fill the gap» notice)."""
    out = []
    for var in _variables(template):
        value = values.get(var)
        if value is None or not str(value).strip():
            out.append(var)
    return out


# --- words that depend on the speaker ---------------------------------------------

# «я работаю <должность>»: the position in the instrumental case
POSITION_INSTRUMENTAL = {
    "social_work_specialist": "специалистом по социальной работе",
    "social_worker": "социальным работником",
    "district_social_worker": "участковым социальным работником",
    "psychologist": "психологом",
    "social_pedagogue": "социальным педагогом",
    "nurse": "медицинской сестрой",
    "head": "заведующим отделением",
    "admin": "администратором",
}


def is_female(patronymic: str) -> bool:
    """Russian patronymics end in -вна/-чна/-шна/-кызы for women."""
    p = (patronymic or "").strip().casefold()
    return p.endswith(("на", "кызы"))


def sent_verb(patronymic: str) -> str:
    """SOP 03 «Я Вам сбросила смс»: the verb agreed with the speaker."""
    return "сбросила" if is_female(patronymic) or not patronymic else "сбросил"
