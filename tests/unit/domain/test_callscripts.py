"""The shipped call scripts: every SOP step present, in the SOP's wording; broken files name file and line."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from soptui.core import clock
from soptui.domain.calls import scripts as callscripts
from soptui.domain.calls.scripts import ScriptError, fill, gap, load_script
from soptui.domain.calls.timer import CallTimers, Stopwatch, fmt_seconds, level, minutes_rounded

# Each SOP's steps, as the SOP text names them (titles must contain these words)
SOP_STEPS = {
    "01": [
        "Представиться и поприветствовать",
        "Выяснить удобно ли разговаривать",
        "Установить доверительные отношения",
        "Изложить первичное сообщение",
        "Активно выслушать собеседника",
        "задать вопросы на прояснение",
        "Выработать задачи совместной работы",
        "Установить контроль над дальнейшими действиями собеседника",
        "Завершить диалог",
    ],
    "02": [
        "Оговорить с получателем услуг проблему или вопросы",
        "Определить дату, время и периодичность проведения сессии",
        "Выяснить контакты и ФИО родственников",
        "Предварительный звонок (сообщение)",
        "Выяснить удобно ли разговаривать",
        "Изложить цель звонка/сообщения",
        "Согласовать с родственниками дату, время и периодичность проведения сессий",
        "Завершить диалог",
    ],
    "03": [
        "Предварительное информирование о звонке",
        "Ответ",
        "Приветствие",
        "Выяснение обстоятельств",
        "Уточняем",
        "Налаживаем контакты и подводим к цели звонка",
        "Презентация услуги",
        "Если клиент соглашается",
        "Если клиент отказывается",
        "Фиксируем результат и прощаемся",
        "Документирование звонка",
    ],
}

# Phrases of the SOP texts that must appear word for word (say, hint or examples)
SOP_PHRASES = {
    "01": [
        "«Доброе утро» (до 12.00) или «Добрый день» (с 12.00 до 18.00)",
        "поблагодарить собеседника за уделенное ему время",
        "договариваются, в какие именно моменты собеседник будет звонить",
        "сообщение режима работы учреждения, отделения, специалиста",
    ],
    "02": [
        "заранее оговаривает с получателем социальных услуг его проблему",
        "если пожилой человек самостоятельно не имеет возможности позвонить",
    ],
    "03": [
        "Вам удобно сейчас разговаривать?",
        "Мы получили информацию от",
        "сохраните их, пожалуйста, и обращайтесь в любое время",
        "Услуги согласно Областного стандарта бесплатные",
        "Я с удовольствием помогу Вам собрать эти документы",
        "возможно, Ваше мнение изменится в будущем",
        "спасибо, что нашли время!",
        "Прощаемся, называя собеседника по имени отчеству",
        "внесение визита в семью в график выходов",
        "Если Клиент прочитал сообщение, но не ответил",
    ],
}

NORMS = {"01": (15, 60, 20), "02": (5, 10, 10), "03": (20, 20, 20)}


@pytest.mark.parametrize("sop", ["01", "02", "03"])
def test_every_shipped_script_loads_with_each_sop_step(sop):
    script = callscripts.load_sop(sop)
    assert script.sop == sop
    titles = [s.title for s in script.steps]
    for wanted in SOP_STEPS[sop]:
        assert any(wanted in t for t in titles), f"СОП {sop}: нет шага «{wanted}» среди {titles}"
    text = "\n".join(
        f"{s.say}\n{s.hint}\n" + "\n".join(s.examples) + "\n".join(v for _, v in s.variants) for s in script.steps
    )
    for phrase in SOP_PHRASES[sop]:
        assert phrase in text, f"СОП {sop}: нет фразы «{phrase}»"
    assert (script.norms.prep, script.norms.call, script.norms.doc) == NORMS[sop]
    phases = [s.phase for s in script.steps]
    assert phases[-1] == "doc" and "call" in phases
    assert script.documents  # the SOP's documents to fill
    assert callscripts.load_all()[sop] == script


def test_sop03_sms_template_is_the_sop_text_and_branches_exist():
    script = callscripts.load_sop("03")
    values = {
        "person_io": "Дарья Сергеевна",
        "staff_fio": "Иванова Марина Сергеевна",
        "staff_position": "специалист по социальной работе",
        "institution": "ГАУ «КЦСОН»",
    }
    assert fill(script.sms_template, values) == (
        "Добрый день, Дарья Сергеевна. Меня зовут Иванова Марина Сергеевна. Я специалист по социальной "
        "работе учреждения ГАУ «КЦСОН». Могу ли я позвонить Вам сейчас по поводу возможности помочь Вам "
        "и Вашему ребенку и оказания социальных услуг"
    )
    assert {b.id for b in script.branches} == {"agrees", "refuses", "not_convenient", "no_answer"}
    assert [s.id for s in script.route("agrees")].count("refuses") == 0
    assert [s.id for s in script.route("refuses")].count("agrees") == 0


def test_missing_value_is_a_visible_gap_never_none():
    text = fill("{person_io}, мы получили информацию от {source_body}.", {"person_io": None, "source_body": ""})
    assert (
        text == "[имя и отчество собеседника — не указано], мы получили информацию от [учреждение, орган — не указано]."
    )
    assert "None" not in text
    assert gap("child_name") == "[имя ребенка — не указано]"
    assert callscripts.missing("{person_io} {child_name}", {"person_io": "Анна"}) == ["child_name"]


def copy_script(tmp_path, sop="03"):
    target = tmp_path / f"sop{sop}.toml"
    shutil.copy(callscripts.script_path(sop), target)
    return target


def test_broken_toml_names_file_and_line(tmp_path):
    path = copy_script(tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[20] = 'title = "незакрытая строка'
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(ScriptError) as info:
        load_script(path)
    message = str(info.value)
    assert message.startswith("Файл сценария «sop03.toml», строка 21")
    assert info.value.line == 21
    assert "ошибка синтаксиса TOML" in message


def test_schema_error_names_the_step_and_its_line(tmp_path):
    path = copy_script(tmp_path)
    text = path.read_text(encoding="utf-8")
    text = text.replace('title = "Уточняем"\n', "", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScriptError) as info:
        load_script(path)
    err = info.value
    assert "шаг №5 «clarify»: нет поля «title»" in str(err)
    assert path.read_text(encoding="utf-8").splitlines()[err.line - 1] == "[[steps]]"
    assert 'id = "clarify"' in path.read_text(encoding="utf-8").splitlines()[err.line]


def test_unknown_variable_and_bad_goto_are_reported(tmp_path):
    path = copy_script(tmp_path, "01")
    text = path.read_text(encoding="utf-8").replace("{person_io}, Вам удобно", "{persn_io}, Вам удобно", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScriptError) as info:
        load_script(path)
    assert "неизвестная переменная {persn_io}" in str(info.value)
    assert "{persn_io}" in path.read_text(encoding="utf-8").splitlines()[info.value.line - 1]

    path = copy_script(tmp_path, "02")
    text = path.read_text(encoding="utf-8").replace('goto = "close"', 'goto = "nowhere"', 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScriptError, match="переход на несуществующий шаг «nowhere»"):
        load_script(path)


def test_missing_file_and_bad_norms(tmp_path):
    with pytest.raises(ScriptError, match="файл не найден"):
        load_script(tmp_path / "sop09.toml")
    path = copy_script(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace("prep = 20", 'prep = "двадцать"'), encoding="utf-8")
    with pytest.raises(ScriptError, match="норма «prep»"):
        load_script(path)


@pytest.mark.parametrize(
    "hour,minute,expected",
    [(11, 59, "Доброе утро"), (12, 0, "Добрый день"), (17, 59, "Добрый день"), (9, 0, "Доброе утро")],
)
def test_greeting_by_local_time(hour, minute, expected):
    assert clock.greeting(dt.datetime(2026, 11, 25, hour, minute)) == expected


# --- timers --------------------------------------------------------------------------


class FakeMonotonic:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_stopwatch_is_monotonic_and_pausable():
    mono = FakeMonotonic()
    watch = Stopwatch(clock=mono)
    watch.start()
    mono.t += 30
    watch.pause()
    mono.t += 100  # paused: not counted
    watch.start()
    mono.t += 15
    assert watch.elapsed() == 45


def test_call_timers_phases_steps_and_levels():
    mono = FakeMonotonic()
    timers = CallTimers(mono)
    timers.begin("prep", "notice")
    mono.t += 60
    timers.enter_step("call", "greeting")
    mono.t += 120
    timers.enter_step("call", "clarify")
    mono.t += 10
    assert timers.seconds("prep") == 60 and timers.seconds("call") == 130
    assert timers.step_seconds() == 10
    timers.pause()
    mono.t += 500
    assert timers.total() == 190
    snap = timers.snapshot()
    restored = CallTimers.restore(snap, mono)
    restored.begin(snap["phase"], snap["step"])
    mono.t += 5
    assert restored.seconds("call") == 135 and restored.step_seconds() == 15
    # colour levels: below 80 %, from 80 %, past the norm (SOP 03 call norm 20 min)
    assert level(15 * 60, 20 * 60) == "ok"
    assert level(16 * 60, 20 * 60) == "warn"
    assert level(20 * 60 + 1, 20 * 60) == "over"
    assert fmt_seconds(3725) == "1:02:05" and fmt_seconds(65) == "01:05"
    assert minutes_rounded(0) == 0 and minutes_rounded(20) == 1 and minutes_rounded(150) == 3


def test_a_step_that_records_something_names_a_known_kind(tmp_path):
    """SOP 01 «prepare» records the ground and channel, SOP 02 «schedule» the client's sessions; a typo is caught."""
    assert callscripts.load_sop("01").step("prepare").ask == "details"
    assert callscripts.load_sop("02").step("schedule").ask == "client_sessions"
    path = copy_script(tmp_path, "02")
    text = path.read_text(encoding="utf-8").replace('ask = "client_sessions"', 'ask = "client_session"', 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScriptError, match="неизвестное значение ask «client_session»") as info:
        load_script(path)
    assert info.value.line is not None
