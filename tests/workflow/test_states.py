"""The transition table: every (action, state, role) combination, and the journeys people take.

SPEC below is written out by hand from PRODUCT.md, independently of the
table in duban.workflow.states, so a change to either one fails here until
the other agrees.
"""

from __future__ import annotations

import dataclasses
import itertools
import subprocess
import sys
from collections import deque

import pytest

from duban.errors import Forbidden, InvalidTransition, Rejected
from duban.workflow.states import (
    EXTENSION_TRANSITIONS,
    TRANSITIONS,
    Action,
    ExtensionAction,
    ExtensionState,
    Role,
    State,
    allowed_actions,
    allowed_extension_actions,
    check,
    check_extension,
    require_reason,
)

OPEN = {"draft", "assigned", "in_progress", "submitted"}

# action: (the one role that may do it, from-states, to-state or None, reason required)
SPEC: dict[str, tuple[str, set[str], str | None, bool]] = {
    "confirm": ("supervisor", {"draft"}, None, False),
    "edit": ("supervisor", OPEN, None, False),
    "assign": ("supervisor", {"draft"}, "assigned", False),
    "acknowledge": ("unit", {"assigned"}, "in_progress", False),
    "report_progress": ("unit", {"in_progress"}, None, False),
    "request_extension": ("unit", {"in_progress"}, None, True),
    "decide_extension": ("supervisor", {"in_progress", "submitted"}, None, False),
    "submit": ("unit", {"in_progress"}, "submitted", False),
    "accept": ("supervisor", {"submitted"}, "done", False),
    "return": ("supervisor", {"submitted"}, "in_progress", True),
    "remind": ("supervisor", {"assigned", "in_progress"}, None, False),
    "instruct": ("leader", {"assigned", "in_progress", "submitted", "done"}, None, False),
    "cancel": ("supervisor", OPEN, "cancelled", True),
}

EXTENSION_SPEC: dict[str, tuple[str, set[str], str, bool]] = {
    "approve": ("supervisor", {"requested"}, "approved", False),
    "refuse": ("supervisor", {"requested"}, "refused", True),
}


def _allowed(action: Action, state: State, role: Role) -> bool:
    spec_role, spec_from, _, _ = SPEC[action.value]
    return role.value == spec_role and state.value in spec_from


# --- exhaustive -----------------------------------------------------------------------


def test_the_spec_names_every_action_and_the_table_has_a_row_for_each() -> None:
    assert set(SPEC) == {a.value for a in Action}
    assert set(TRANSITIONS) == set(Action)
    assert all(t.action is a for a, t in TRANSITIONS.items())


@pytest.mark.parametrize(
    ("action", "state", "role"),
    list(itertools.product(Action, State, Role)),
    ids=lambda v: str(v),
)
def test_check_allows_a_combination_exactly_when_the_spec_does(
    action: Action, state: State, role: Role
) -> None:
    spec_role, _, spec_to, spec_reason = SPEC[action.value]
    if _allowed(action, state, role):
        transition = check(action, state, role)
        assert transition.action is action
        assert (transition.to_state.value if transition.to_state else None) == spec_to
        assert transition.reason_required is spec_reason
    elif role.value != spec_role:
        with pytest.raises(Forbidden) as forbidden:
            check(action, state, role)
        assert role.label in forbidden.value.message_zh
        assert action.label in forbidden.value.message_zh
    else:
        with pytest.raises(InvalidTransition) as invalid:
            check(action, state, role)
        assert action.label in invalid.value.message_zh
        assert state.label in invalid.value.message_zh


@pytest.mark.parametrize(("state", "role"), list(itertools.product(State, Role)), ids=lambda v: str(v))
def test_allowed_actions_lists_exactly_the_allowed_ones_in_declaration_order(
    state: State, role: Role
) -> None:
    assert allowed_actions(state, role) == [a for a in Action if _allowed(a, state, role)]


@pytest.mark.parametrize(
    ("action", "state", "role"),
    list(itertools.product(ExtensionAction, ExtensionState, Role)),
    ids=lambda v: str(v),
)
def test_check_extension_allows_a_combination_exactly_when_the_spec_does(
    action: ExtensionAction, state: ExtensionState, role: Role
) -> None:
    spec_role, spec_from, spec_to, spec_reason = EXTENSION_SPEC[action.value]
    if role.value == spec_role and state.value in spec_from:
        transition = check_extension(action, state, role)
        assert (transition.action, transition.to_state.value) == (action, spec_to)
        assert transition.reason_required is spec_reason
    elif role.value != spec_role:
        with pytest.raises(Forbidden):
            check_extension(action, state, role)
    else:
        with pytest.raises(InvalidTransition) as invalid:
            check_extension(action, state, role)
        assert state.label in invalid.value.message_zh
    expected = [
        a
        for a in ExtensionAction
        if EXTENSION_SPEC[a.value][0] == role.value and state.value in EXTENSION_SPEC[a.value][1]
    ]
    assert allowed_extension_actions(state, role) == expected


def test_the_extension_spec_names_every_extension_action() -> None:
    assert set(EXTENSION_SPEC) == {a.value for a in ExtensionAction}
    assert set(EXTENSION_TRANSITIONS) == set(ExtensionAction)


# --- journeys ------------------------------------------------------------------------


def test_unit_user_acknowledges_an_assigned_task() -> None:
    assert check(Action.ACKNOWLEDGE, State.ASSIGNED, Role.UNIT).to_state is State.IN_PROGRESS


def test_unit_user_of_another_unit_cannot_acknowledge_the_task() -> None:
    with pytest.raises(Forbidden) as forbidden:
        check(Action.ACKNOWLEDGE, State.ASSIGNED, Role.OTHER)
    assert forbidden.value.message_zh == "非责任单位人员无权签收此任务"
    assert forbidden.value.status == 403


def test_supervisor_cannot_acknowledge_on_behalf_of_a_unit() -> None:
    with pytest.raises(Forbidden):
        check(Action.ACKNOWLEDGE, State.ASSIGNED, Role.SUPERVISOR)


def test_leader_cannot_accept() -> None:
    with pytest.raises(Forbidden) as forbidden:
        check(Action.ACCEPT, State.SUBMITTED, Role.LEADER)
    assert forbidden.value.message_zh == "领导无权验收办结此任务"


@pytest.mark.parametrize("state", list(State))
def test_leader_can_do_nothing_but_instruct(state: State) -> None:
    assert set(allowed_actions(state, Role.LEADER)) <= {Action.INSTRUCT}


def test_leader_instructs_on_a_task_in_progress_and_its_state_stays() -> None:
    assert check(Action.INSTRUCT, State.IN_PROGRESS, Role.LEADER).to_state is None


@pytest.mark.parametrize("state", list(State))
def test_anyone_else_can_do_nothing_at_all(state: State) -> None:
    assert allowed_actions(state, Role.OTHER) == []


def test_a_task_cannot_be_accepted_before_it_is_submitted() -> None:
    with pytest.raises(InvalidTransition) as invalid:
        check(Action.ACCEPT, State.IN_PROGRESS, Role.SUPERVISOR)
    assert invalid.value.message_zh == "任务当前状态为“办理中”，不能验收办结"
    assert invalid.value.status == 409


def test_a_unit_must_acknowledge_before_reporting_progress() -> None:
    with pytest.raises(InvalidTransition):
        check(Action.REPORT_PROGRESS, State.ASSIGNED, Role.UNIT)
    assert check(Action.REPORT_PROGRESS, State.IN_PROGRESS, Role.UNIT).to_state is None


def test_return_sends_a_submitted_task_back_to_in_progress() -> None:
    assert check(Action.RETURN, State.SUBMITTED, Role.SUPERVISOR).to_state is State.IN_PROGRESS


def test_return_requires_a_reason() -> None:
    transition = check(Action.RETURN, State.SUBMITTED, Role.SUPERVISOR)
    assert transition.reason_required
    for missing in (None, "", "  \u3000 "):
        with pytest.raises(Rejected) as rejected:
            require_reason(transition, missing)
        assert rejected.value.message_zh == "退回须填写理由"
    assert require_reason(transition, "  佐证材料不全 ") == "佐证材料不全"


def test_cancel_and_extension_requests_require_a_reason_too() -> None:
    for action in (Action.CANCEL, Action.REQUEST_EXTENSION):
        with pytest.raises(Rejected):
            require_reason(TRANSITIONS[action], None)


def test_accept_takes_an_optional_remark_instead_of_a_required_reason() -> None:
    transition = check(Action.ACCEPT, State.SUBMITTED, Role.SUPERVISOR)
    assert require_reason(transition, None) is None
    assert require_reason(transition, "按期办结") == "按期办结"


def test_the_usual_journey_from_draft_to_done_with_one_return() -> None:
    journey = [
        (Action.CONFIRM, Role.SUPERVISOR),
        (Action.ASSIGN, Role.SUPERVISOR),
        (Action.REMIND, Role.SUPERVISOR),
        (Action.ACKNOWLEDGE, Role.UNIT),
        (Action.REPORT_PROGRESS, Role.UNIT),
        (Action.INSTRUCT, Role.LEADER),
        (Action.SUBMIT, Role.UNIT),
        (Action.RETURN, Role.SUPERVISOR),
        (Action.SUBMIT, Role.UNIT),
        (Action.ACCEPT, Role.SUPERVISOR),
    ]
    state = State.DRAFT
    seen = [state]
    for action, role in journey:
        state = check(action, state, role).to_state or state
        seen.append(state)
    assert seen[-1] is State.DONE
    assert seen.count(State.SUBMITTED) == 2


def test_only_a_leader_instruction_is_possible_on_a_finished_task() -> None:
    assert {a for r in Role for a in allowed_actions(State.DONE, r)} == {Action.INSTRUCT}


def test_a_cancelled_task_is_closed_to_everyone() -> None:
    assert all(allowed_actions(State.CANCELLED, r) == [] for r in Role)
    with pytest.raises(InvalidTransition) as invalid:
        check(Action.CANCEL, State.CANCELLED, Role.SUPERVISOR)
    assert invalid.value.message_zh == "任务当前状态为“已撤销”，不能撤销"


def _successors(state: State) -> set[State]:
    return {t.to_state for t in TRANSITIONS.values() if state in t.from_states and t.to_state is not None}


def _reachable(start: State) -> set[State]:
    seen, queue = {start}, deque([start])
    while queue:
        for nxt in _successors(queue.popleft()) - seen:
            seen.add(nxt)
            queue.append(nxt)
    return seen


def test_every_state_is_reachable_from_draft() -> None:
    assert _reachable(State.DRAFT) == set(State)


@pytest.mark.parametrize("state", [s for s in State if not s.terminal])
def test_every_open_task_can_still_be_finished_or_cancelled(state: State) -> None:
    assert {State.DONE, State.CANCELLED} <= _reachable(state)


def test_done_and_cancelled_are_the_only_terminal_states() -> None:
    assert (
        {s for s in State if not _successors(s)}
        == {s for s in State if s.terminal}
        == {State.DONE, State.CANCELLED}
    )


# --- extension requests -----------------------------------------------------------------


def test_unit_requests_an_extension_without_changing_the_task_state() -> None:
    assert check(Action.REQUEST_EXTENSION, State.IN_PROGRESS, Role.UNIT).to_state is None


def test_supervisor_approves_a_requested_extension() -> None:
    assert check_extension(ExtensionAction.APPROVE, ExtensionState.REQUESTED, Role.SUPERVISOR).to_state is (
        ExtensionState.APPROVED
    )


def test_refusing_an_extension_requires_a_reason() -> None:
    transition = check_extension(ExtensionAction.REFUSE, ExtensionState.REQUESTED, Role.SUPERVISOR)
    assert transition.to_state is ExtensionState.REFUSED
    with pytest.raises(Rejected) as rejected:
        require_reason(transition, " ")
    assert rejected.value.message_zh == "不批准延期须填写理由"


def test_a_unit_cannot_approve_its_own_extension() -> None:
    with pytest.raises(Forbidden) as forbidden:
        check_extension(ExtensionAction.APPROVE, ExtensionState.REQUESTED, Role.UNIT)
    assert forbidden.value.message_zh == "责任单位无权批准延期"


def test_an_extension_is_decided_only_once() -> None:
    with pytest.raises(InvalidTransition) as invalid:
        check_extension(ExtensionAction.REFUSE, ExtensionState.APPROVED, Role.SUPERVISOR)
    assert invalid.value.message_zh == "延期申请当前状态为“已批准”，不能不批准延期"


# --- the table as data ----------------------------------------------------------------


def test_the_table_cannot_be_changed_at_run_time() -> None:
    with pytest.raises(TypeError):
        TRANSITIONS[Action.ACCEPT] = TRANSITIONS[Action.CANCEL]  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        TRANSITIONS[Action.ACCEPT].roles = frozenset(Role)  # type: ignore[misc]
    assert isinstance(TRANSITIONS[Action.ACCEPT].from_states, frozenset)
    with pytest.raises(TypeError):
        EXTENSION_TRANSITIONS[ExtensionAction.APPROVE] = EXTENSION_TRANSITIONS[ExtensionAction.REFUSE]  # type: ignore[index]


def test_stored_values_are_stable_strings() -> None:
    assert [s.value for s in State] == ["draft", "assigned", "in_progress", "submitted", "done", "cancelled"]
    assert State("in_progress") is State.IN_PROGRESS
    assert [r.value for r in Role] == ["supervisor", "unit", "leader", "other"]
    assert [s.value for s in ExtensionState] == ["requested", "approved", "refused"]


def test_users_read_chinese_labels() -> None:
    assert State.DRAFT.label == "待确认"
    assert State.SUBMITTED.label == "待验收"
    assert Role.SUPERVISOR.label == "督查室"
    assert Action.INSTRUCT.label == "批示"
    assert Action.ACKNOWLEDGE.label == "签收"
    labelled = [*State, *Role, *Action, *ExtensionState, *ExtensionAction]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in member.label) for member in labelled)


def test_the_workflow_core_imports_no_web_framework() -> None:
    code = (
        "import sys, duban.clock, duban.workflow.states, duban.workflow.warnings;"
        "bad = {'fastapi', 'starlette', 'jinja2', 'typer', 'rich', 'sqlalchemy'} & set(sys.modules);"
        "print(sorted(bad)); sys.exit(bool(bad))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
