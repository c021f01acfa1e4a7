"""Who may do what, checked in the services (issue 10, point 3).

1. Discovery: every public function of the area services either checks the actor through
   services/access.py or is listed below as open (pure helpers, labels, the actor's own scope), so a
   new function without a policy fails this test.
2. The matrix: each function that touches one family's records is called as the specialist of the
   client's department (allowed), a specialist of another department, the head of another department
   and the administrator (all three refused with AccessDenied).
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect

import pytest
from test_groups import _club

from soptui.core import session
from soptui.db import models as m
from soptui.services import access, auth, calls, clients, drafts, groups, patronage, referrals
from soptui.services.clients import ClientData, PersonData
from soptui.services.errors import AccessDenied

from calls_helpers import make_family
from conftest import PASSWORD
from patronage_helpers import THU, plan

AREAS = ["clients", "referrals", "calls", "patronage", "groups", "journal", "drafts"]

# Public functions that need no check, and why. Anything else must call access.require_*.
OPEN = {
    # pure: work on values handed to them, read nothing of anyone's
    "clients": {
        "form_values",
        "index_terms",
        "parse_query",
        "person_changes",
        "referral_info",
        "can_see",
        # the index rebuild the services call
        "reindex",
    },
    "referrals": {
        "compute_deadlines",
        "late_registration_message",
        # the institution's SOP 04 wait (a setting, nobody's record)
        "wait_days",
    },
    "calls": {
        "call_hours_problem",
        "check_future_working_time",
        "default_person",
        "messengers_text",
        "notice_label",
        "scope_for",
        "session_times",
        "sms_text",
        "validate_outcome",
        "work_window",
        "staff_values",
        # pure: the kind of a phone number; a call record the caller already read with access
        "is_mobile",
        "notice_required",
        "notice_missing",
    },
    "patronage": {
        "progress_key",
        "validate_outcome",
        "visiting_staff",
        "first_free_slot",
        "free_start",
        "referral_patronage_due",
        "service_kind_of",
    },
    "groups": {"quoted", "schedule_text", "leader_options", "leader_full_names"},
    "journal": {
        "filter_choices",
        "record_print",
        # the head's and administrators' audit log checks the role inside
        "audit_page",
    },
    "drafts": set(),  # every draft function is the signed-in person's own (drafts._staff)
}


def _public(area: str):
    """The area's own public functions (for an area split into a package: those its submodules define)."""
    module = importlib.import_module(f"soptui.services.{area}")
    package = f"{module.__name__}." if hasattr(module, "__path__") else None
    for name, fn in inspect.getmembers(module, inspect.isfunction):
        mine = fn.__module__ == module.__name__ or (package is not None and fn.__module__.startswith(package))
        if not name.startswith("_") and mine:
            yield name, fn


@pytest.mark.parametrize("area", AREAS)
def test_every_public_service_function_has_a_policy(area):
    unchecked = []
    for name, fn in _public(area):
        source = inspect.getsource(fn)
        checks = "access.require" in source or "_staff(" in source or "_visibility(" in source
        if not checks and name not in OPEN[area]:
            unchecked.append(name)
    assert unchecked == [], f"{area}: add an access check or list the function as open with a reason"


def test_the_open_list_names_only_real_functions():
    for area in AREAS:
        names = {n for n, _ in _public(area)}
        assert OPEN[area] <= names, OPEN[area] - names


# --- the matrix --------------------------------------------------------------------------------------------


@pytest.fixture
def world(staff):
    """One family of the specialist's department with a call, a visit, an act draft, a club and a session."""
    auth.add_user(
        "headhome",
        PASSWORD,
        "Белова",
        "Ирина",
        "Олеговна",
        "head",
        "head",
        "Отделение социального обслуживания на дому",
    )
    with access.acting_as(access.centre_actor(staff["head"])):
        fam = make_family(staff)
        fam["spec"] = staff["spec"]
        visit = patronage.save_plan(plan(fam, day=THU, late_reason="семья в отъезде"))
        club = _club("Клуб «Матрица»", staff["spec"])
        department = m.Staff.get_by_id(staff["spec"]).department_id
        m.Club.update(department=department).where(m.Club.id == club).execute()
        session_id = groups.club_sessions(club)[0].id
        member = groups.add_member(club, fam["client"], dt.date(2026, 9, 1), reason="согласие оформляется")
    session.set_actor(auth.sign_in("spec", PASSWORD))
    call = calls.start_call("03", fam["client"], "representative", fam["mother"], "+79123456789")
    patronage.save_act_draft(visit, "housing", {"conditions": "чисто"})
    session.set_actor(None)
    return {**fam, "visit": visit, "club": club, "session": session_id, "member": member, "call": call}


def _client_data(w) -> ClientData:
    return ClientData(
        "Новикова", "Ольга", "", dt.date(2014, 1, 1), department_id=m.Client.get_by_id(w["client"]).department_id
    )


CASES = {
    "clients.get_client_card": lambda w: clients.get_client_card(w["client"]),
    "clients.get_client_summary": lambda w: clients.get_client_summary(w["client"]),
    "clients.update_client": lambda w: clients.update_client(w["client"], 1, _client_data(w), {}),
    "clients.change_status": lambda w: clients.change_status(w["client"], "served"),
    "clients.get_person": lambda w: clients.get_person(w["client"], "representative", w["mother"]),
    "clients.save_person": lambda w: clients.save_person(
        w["client"], PersonData("representative", "мать", "Котова", "Дарья"), w["mother"]
    ),
    "clients.create_client": lambda w: clients.create_client(_client_data(w)),
    "clients.take_referral": lambda w: clients.take_referral(
        w["client"], None, dt.datetime(2026, 11, 25, 9, 0), "prevention_request", "ТКДН", "", "reception", None
    ),
    "referrals.create_referral": lambda w: referrals.create_referral(
        w["client"], dt.datetime(2026, 11, 25, 9, 0), "personal_application"
    ),
    "calls.call_context": lambda w: calls.call_context(w["client"]),
    "calls.start_call": lambda w: calls.start_call("03", w["client"], "representative", w["mother"], "+79123456789"),
    "calls.get_call": lambda w: calls.get_call(w["call"]),
    "calls.log_entry": lambda w: calls.log_entry(w["call"]),
    "calls.save_progress": lambda w: calls.save_progress(w["call"], {}, "", "", "заметка", 0, 0, 0),
    "calls.record_notice_sent": lambda w: calls.record_notice_sent(w["call"]),
    "calls.set_notice_state": lambda w: calls.set_notice_state(w["call"], "read"),
    "calls.abandon_call": lambda w: calls.abandon_call(w["call"], "ошибка"),
    "calls.skip_notice": lambda w: calls.skip_notice(w["call"], "номер стационарный"),
    "calls.set_details": lambda w: calls.set_details(w["call"], channel="phone"),
    "calls.check_meeting": lambda w: calls.check_meeting(w["call"], dt.datetime(2026, 11, 27, 11, 0)),
    "patronage.get_visit": lambda w: patronage.get_visit(w["visit"]),
    "patronage.plan_of": lambda w: patronage.plan_of(w["visit"]),
    "patronage.client_prefill": lambda w: patronage.client_prefill(w["client"]),
    "patronage.open_recommendations": lambda w: patronage.open_recommendations(w["client"]),
    "patronage.check_plan": lambda w: patronage.check_plan(plan(w, day=THU, late_reason="семья в отъезде")),
    "patronage.save_plan": lambda w: patronage.save_plan(
        plan(w, day=THU, start=dt.time(15, 0), end=dt.time(15, 40), late_reason="семья в отъезде")
    ),
    "patronage.load_act": lambda w: patronage.load_act(w["visit"], "housing"),
    "patronage.act_prefill": lambda w: patronage.act_prefill(w["visit"], "housing"),
    "patronage.act_document": lambda w: patronage.act_document(w["visit"], "housing"),
    "patronage.save_act_draft": lambda w: patronage.save_act_draft(w["visit"], "housing", {"conditions": "x"}),
    "patronage.load_progress": lambda w: patronage.load_progress(w["visit"]),
    "patronage.save_progress": lambda w: patronage.save_progress(w["visit"], {"x": 1}),
    "patronage.set_status": lambda w: patronage.set_status(w["visit"], "cancelled", "болезнь"),
    "groups.get_club": lambda w: groups.get_club(w["club"]),
    "groups.club_sessions": lambda w: groups.club_sessions(w["club"]),
    "groups.get_session": lambda w: groups.get_session(w["session"]),
    "groups.roll_call": lambda w: groups.roll_call(w["session"]),
    "groups.attendance_sheet": lambda w: groups.attendance_sheet(w["club"], 2026, 11),
    "groups.set_informed": lambda w: groups.set_informed(w["member"], dt.date(2026, 11, 1)),
    "groups.add_feedback": lambda w: groups.add_feedback(w["session"], "guest", "Котова", "понравилось", 5),
    "groups.informing": lambda w: groups.informing(w["session"]),
    "groups.mark_informed": lambda w: groups.mark_informed(
        w["session"], w["client"], "call", dt.datetime(2026, 9, 1, 10, 0)
    ),
    "groups.clear_informed": lambda w: groups.clear_informed(w["session"], w["client"], 1),
    "groups.informing_list": lambda w: groups.informing_list(w["session"]),
    "groups.membership_warnings": lambda w: groups.membership_warnings(w["club"], w["client"]),
    "groups.cancel_session": lambda w: groups.cancel_session(w["session"], "болезнь ведущего"),
    "groups.set_club_active": lambda w: groups.set_club_active(w["club"], False),
    "groups.remove_member": lambda w: groups.remove_member(w["member"], dt.date(2026, 11, 20), "переезд"),
    "clients.delete_person": lambda w: clients.delete_person(w["client"], "representative", w["mother"]),
    "clients.delete_client": lambda w: clients.delete_client(w["client"]),
}

REFUSED = ["other", "headhome", "admin"]  # a specialist and the head of another department; the administrator


@pytest.mark.parametrize("name", list(CASES))
def test_only_the_clients_department_may(world, name):
    call = CASES[name]
    for login in REFUSED:  # refused first: nothing they try may change what the next one sees
        session.set_actor(auth.sign_in(login, PASSWORD))
        with pytest.raises(AccessDenied):
            call(world)
    session.set_actor(auth.sign_in("spec", PASSWORD))
    try:
        call(world)
    except AccessDenied:  # pragma: no cover - the failure this test exists for
        pytest.fail(f"{name}: the specialist of the client's own department was refused")
    except Exception:  # noqa: BLE001 - a refused value is fine here: access was granted
        pass


def test_another_familys_representative_cannot_be_overwritten_through_ones_own_client(world, staff):
    with access.acting_as(access.centre_actor(staff["head"])):
        own = clients.create_client(_client_data(world))
    session.set_actor(auth.sign_in("spec", PASSWORD))
    foreign = world["mother"]
    with pytest.raises(AccessDenied):
        clients.save_person(own, PersonData("representative", "мать", "Чужая", "Мать"), foreign)
    with pytest.raises(AccessDenied):
        clients.delete_person(own, "representative", foreign)
    assert m.Representative.get_by_id(foreign).last_name == "Котова"


def test_a_files_access_log_is_for_the_head_of_its_department(world, staff):
    for login in ("spec", "other", "headhome", "admin"):
        session.set_actor(auth.sign_in(login, PASSWORD))
        with pytest.raises(AccessDenied):
            clients.client_audit(world["client"])
    session.set_actor(auth.sign_in("head", PASSWORD))
    assert isinstance(clients.client_audit(world["client"]), list)


def test_nobody_signed_in_sees_nothing(world):
    session.set_actor(None)
    with pytest.raises(AccessDenied):
        clients.search("котова")
    with pytest.raises(AccessDenied):
        clients.get_client_card(world["client"])
    assert drafts.load_draft("anything") is None


def test_a_leader_from_another_department_leads_the_clubs_sessions(staff):
    """SOP 05: a club's leaders may come from several departments (the demo's «Серебряный возраст» has one
    from the day-care department). Its leader opens the roll call; a colleague of the leader's department
    who does not lead it does not."""
    from soptui.domain.groups import Slot
    from soptui.services import groups as g

    other_dep = m.Staff.get_by_id(staff["other"]).department_id
    with access.acting_as(access.centre_actor(None)):
        club = g.save_club(
            g.ClubData(
                name="Клуб «Серебряный возраст»",
                start_date=dt.date(2026, 11, 2),
                end_date=dt.date(2026, 12, 25),
                leader_ids=[staff["other"], staff["spec"]],
                slots=[Slot(0, "11:00", "12:00")],
                department_id=other_dep,
            )
        )
        sid = g.club_sessions(club)[0].id
    session.set_actor(auth.sign_in("spec", PASSWORD))
    assert g.roll_call(sid).session_id == sid
    session.set_actor(auth.sign_in("head", PASSWORD))  # same department as spec, not a leader
    with pytest.raises(access.AccessDenied):
        g.roll_call(sid)
    session.set_actor(None)


def test_the_call_lists_show_only_the_calls_one_may_see(world):
    """The call list and the «Телефонные переговоры» log are scoped in the service by who asks: the specialist
    and the head of the client's department see the family's call; a specialist and the head of another
    department do not; the administrator (no staff position) is refused, where the list once showed them every
    call of the centre with the families' names and phones."""
    day = dt.date(2026, 11, 25)
    seen = {}
    for login in ("spec", "head", "other", "headhome"):
        session.set_actor(auth.sign_in(login, PASSWORD))
        seen[login] = world["call"] in [row.id for row in calls.list_calls()]
    assert seen == {"spec": True, "head": True, "other": False, "headhome": False}
    session.set_actor(auth.sign_in("admin", PASSWORD))
    with pytest.raises(AccessDenied):
        calls.list_calls()
    with pytest.raises(AccessDenied):
        calls.phone_log(day, day)
    with pytest.raises(AccessDenied):
        calls.list_calls(access.resolve(None))  # naming oneself as the actor changes nothing


def test_todays_referral_deadlines_are_scoped_by_who_asks(world, staff):
    """Today's referral deadlines come from the services scoped by the actor, as the call lists do."""
    with access.acting_as(access.centre_actor(staff["head"])):
        referrals.create_referral(world["client"], dt.datetime(2026, 11, 25, 9, 0), "personal_application")
    seen = {}
    for login in ("spec", "head", "other", "headhome"):
        session.set_actor(auth.sign_in(login, PASSWORD))
        clients_seen = {r.client_id for r in referrals.open_referrals()} | {
            s.client_id for s in referrals.pending_steps()
        }
        seen[login] = world["client"] in clients_seen
    assert seen == {"spec": True, "head": True, "other": False, "headhome": False}
    session.set_actor(auth.sign_in("admin", PASSWORD))
    for listing in (referrals.open_referrals, referrals.pending_steps):
        with pytest.raises(AccessDenied):
            listing()


def test_department_wide_listings_cover_only_ones_own_department(world):
    """The visit planner and the field-visit schedule asked for «every department» (None, the default) give
    someone who does not see every department their own department only: a specialist of another department
    once got every department's visits, with the families' names and addresses."""
    surname = m.Client.get_by_id(world["client"]).last_name
    seen = {}
    for login in ("spec", "head", "other", "headhome"):
        session.set_actor(auth.sign_in(login, PASSWORD))
        planner = patronage.planner_week(THU)
        schedule = patronage.schedule(THU, THU)
        seen[login] = (
            world["visit"] in [v.id for v in planner.visits],
            any(surname in " ".join(row) for row in schedule.rows),
        )
    assert seen == {"spec": (True, True), "head": (True, True), "other": (False, False), "headhome": (False, False)}


def test_the_groups_export_and_a_colleagues_week_stay_within_ones_department(world):
    """The CSV of attended sessions for the regional system, asked for «every department» (what the clubs screen
    asks), and the planner's week of one named colleague: someone of another department gets nothing of this
    department's families (the export once listed every department's children with their dates of birth)."""
    surname = m.Client.get_by_id(world["client"]).last_name
    session.set_actor(auth.sign_in("spec", PASSWORD))
    groups.save_roll_call(world["session"], {world["client"]: (True, "")})
    day = m.GroupSession.get_by_id(world["session"]).date
    exported = {}
    for login in ("spec", "head", "other", "headhome"):
        session.set_actor(auth.sign_in(login, PASSWORD))
        exported[login] = any(surname in " ".join(row) for row in groups.export_rows(day, day))
    assert exported == {"spec": True, "head": True, "other": False, "headhome": False}
    with access.acting_as(access.centre_actor(None)):  # the centre's view: every department
        assert any(surname in " ".join(row) for row in groups.export_rows(day, day))
    session.set_actor(auth.sign_in("other", PASSWORD))
    with pytest.raises(access.AccessDenied, match="другого отделения"):
        patronage.planner_week(THU, staff_id=world["spec"])
    session.set_actor(auth.sign_in("head", PASSWORD))
    assert world["visit"] in [v.id for v in patronage.planner_week(THU, staff_id=world["spec"]).visits]


def test_a_specialist_of_no_department_gets_only_their_own_in_department_wide_listings(world):
    """A specialist whom the administrator left without a department works only with the clients assigned to
    them (services/access.py). The planner, the field-visit schedule and the groups export asked for «every
    department» once gave them the whole centre (None meant every department)."""
    surname = m.Client.get_by_id(world["client"]).last_name
    session.set_actor(auth.sign_in("spec", PASSWORD))
    groups.save_roll_call(world["session"], {world["client"]: (True, "")})
    day = m.GroupSession.get_by_id(world["session"]).date
    drafted = m.PatronageVisit.create(  # a visit a call drafted, nobody assigned yet: shown for confirmation
        client=world["client"], status="draft", planned_start=dt.datetime.combine(THU, dt.time(11, 0))
    ).id
    session.set_actor(auth.sign_in("head", PASSWORD))
    assert drafted in [v.id for v in patronage.planner_week(THU).drafts]  # the department sees it
    loner = auth.add_user("loner", PASSWORD, "Одинокова", "Вера", "", "social_work_specialist", "specialist", None)
    session.set_actor(auth.sign_in("loner", PASSWORD))
    planner = patronage.planner_week(THU)
    assert world["visit"] not in [v.id for v in planner.visits]
    assert [s.id for s in planner.staff] in ([loner], [])  # their own row at most, nobody else's
    assert drafted not in [v.id for v in planner.drafts]
    assert not any(surname in " ".join(row) for row in patronage.schedule(THU, THU).rows)
    assert not any(surname in " ".join(row) for row in groups.export_rows(day, day))
    with pytest.raises(AccessDenied):
        patronage.planner_week(THU, staff_id=world["spec"])  # a named colleague's week: not theirs to read


def test_a_specialist_of_no_department_finds_what_they_may_open_and_nothing_else(world):
    """Search and the intake register follow may_see_client for a specialist of no department: their own
    clients and a fresh referral nobody has claimed yet (the rule lets anyone open it, so that it can be
    routed), never a department's client. Search once showed only their own, the register only referrals
    assigned to them."""
    loner = auth.add_user("loner", PASSWORD, "Одинокова", "Вера", "", "social_work_specialist", "specialist", None)
    session.set_actor(auth.sign_in("loner", PASSWORD))
    received = dt.datetime(2026, 11, 25, 9, 0)
    unclaimed, _ = clients.take_referral(  # routed to no department, assigned to nobody
        None, ClientData("Ничейная", "Анна", ""), received, "personal_application", "", "", "reception", None
    )
    mine, _ = clients.take_referral(
        None, ClientData("Своя", "Мария", ""), received, "personal_application", "", "", "reception", loner
    )
    with access.acting_as(access.centre_actor(world["spec"])):  # a referral of the department's family
        clients.take_referral(world["client"], None, received, "ipra", "", "", "reception", loner)
    surname = m.Client.get_by_id(world["client"]).last_name
    assert (
        m.Client.get_by_id(unclaimed).department_id is None and m.Client.get_by_id(unclaimed).assigned_staff_id is None
    )
    assert [r.id for r in clients.search("Ничейная").rows] == [unclaimed]
    assert [r.id for r in clients.search("Своя").rows] == [mine]
    assert clients.search(surname).rows == []
    register = referrals.intake_register("reception", received.date(), received.date())
    assert sorted(r.client_id for r in register.rows) == sorted([unclaimed, mine])
    assert register.total == 2
    for row in clients.search("").rows + [clients.search("Ничейная").rows[0]]:
        clients.get_client_card(row.id)  # whatever they find, they may open


def test_a_refusal_says_why_the_file_is_closed(world, staff):
    """Their own call of a family since moved to another department: the call form is refused with the reason,
    not a bare «нет доступа» (the message the screen shows carries the service's sentence)."""
    from soptui.services.calls.documents import call_form_data

    session.set_actor(auth.sign_in("spec", PASSWORD))
    elsewhere = m.Staff.get_by_id(staff["other"]).department_id
    m.Client.update(department=elsewhere).where(m.Client.id == world["client"]).execute()  # moved meanwhile
    with pytest.raises(AccessDenied, match="^Клиент относится к другому отделению, его дело вам недоступно.$"):
        call_form_data(world["call"])
    # not yet routed, but assigned to a colleague
    with pytest.raises(AccessDenied, match="^Клиент закреплён за другим специалистом, его дело вам недоступно.$"):
        access.require_client(None, None, staff["head"])
