"""The 督办 state machine as pure data: who may do what, from which state, to which state.

Nothing here touches a database or the clock. The service layer resolves the
acting user's `Role` for one task (a unit user of one of the task's owner
units is `UNIT`; a unit user of any other unit is `OTHER`), calls `check`,
and then does the compare-and-swap on the state it was given.

    draft ─assign─► assigned ─acknowledge─► in_progress ─submit─► submitted ─accept─► done
                                              ▲                      │
                                              └────────return────────┘
    draft | assigned | in_progress | submitted ─cancel─► cancelled

confirm, edit, report_progress, request_extension, decide_extension, remind
and instruct leave the state as it is.

Extension requests (申请延期) have their own small machine:
requested → approved | refused. Deciding one is DECIDE_EXTENSION on the
task (`check`) and APPROVE or REFUSE on the request (`check_extension`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from duban.errors import Forbidden, InvalidTransition, Rejected

__all__ = [
    "EXTENSION_TRANSITIONS",
    "TRANSITIONS",
    "Action",
    "ExtensionAction",
    "ExtensionState",
    "ExtensionTransition",
    "Role",
    "State",
    "Transition",
    "allowed_actions",
    "allowed_extension_actions",
    "check",
    "check_extension",
    "require_reason",
]


class State(StrEnum):
    """A task's state. The value is what the database stores; `label` is what users read."""

    DRAFT = "draft"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return _STATE_LABELS[self]

    @property
    def terminal(self) -> bool:
        return self in (State.DONE, State.CANCELLED)


_STATE_LABELS: Mapping[State, str] = MappingProxyType(
    {
        State.DRAFT: "待确认",
        State.ASSIGNED: "已交办（待签收）",
        State.IN_PROGRESS: "办理中",
        State.SUBMITTED: "待验收",
        State.DONE: "已办结（销号）",
        State.CANCELLED: "已撤销",
    }
)


class Role(StrEnum):
    """What the acting user is *for this task*, not a global user attribute."""

    SUPERVISOR = "supervisor"
    UNIT = "unit"
    LEADER = "leader"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _ROLE_LABELS[self]


_ROLE_LABELS: Mapping[Role, str] = MappingProxyType(
    {
        Role.SUPERVISOR: "督查室",
        Role.UNIT: "责任单位",
        Role.LEADER: "领导",
        Role.OTHER: "非责任单位人员",
    }
)


class Action(StrEnum):
    """Everything a user can do to a task. Declaration order is the order the UI lists them."""

    CONFIRM = "confirm"
    EDIT = "edit"
    ASSIGN = "assign"
    ACKNOWLEDGE = "acknowledge"
    REPORT_PROGRESS = "report_progress"
    REQUEST_EXTENSION = "request_extension"
    DECIDE_EXTENSION = "decide_extension"
    SUBMIT = "submit"
    ACCEPT = "accept"
    RETURN = "return"
    REMIND = "remind"
    INSTRUCT = "instruct"
    CANCEL = "cancel"

    @property
    def label(self) -> str:
        return _ACTION_LABELS[self]


_ACTION_LABELS: Mapping[Action, str] = MappingProxyType(
    {
        Action.CONFIRM: "确认",
        Action.EDIT: "修改",
        Action.ASSIGN: "交办",
        Action.ACKNOWLEDGE: "签收",
        Action.REPORT_PROGRESS: "反馈进展",
        Action.REQUEST_EXTENSION: "申请延期",
        Action.DECIDE_EXTENSION: "审批延期",
        Action.SUBMIT: "申请办结",
        Action.ACCEPT: "验收办结",
        Action.RETURN: "退回",
        Action.REMIND: "催办",
        Action.INSTRUCT: "批示",
        Action.CANCEL: "撤销",
    }
)


@dataclass(frozen=True, slots=True)
class Transition:
    """One row of the table. `to_state` None means the action leaves the state as it is."""

    action: Action
    from_states: frozenset[State]
    to_state: State | None
    roles: frozenset[Role]
    reason_required: bool = False


_S = State
_OPEN = frozenset({_S.DRAFT, _S.ASSIGNED, _S.IN_PROGRESS, _S.SUBMITTED})
_SUPERVISOR = frozenset({Role.SUPERVISOR})
_UNIT = frozenset({Role.UNIT})


def _row(
    action: Action,
    from_states: set[State] | frozenset[State],
    to_state: State | None,
    roles: frozenset[Role],
    *,
    reason: bool = False,
) -> tuple[Action, Transition]:
    return action, Transition(action, frozenset(from_states), to_state, roles, reason)


TRANSITIONS: Mapping[Action, Transition] = MappingProxyType(
    dict(
        [
            # The supervisor marks a drafted item as a real task after checking it against its source.
            _row(Action.CONFIRM, {_S.DRAFT}, None, _SUPERVISOR),
            # Fixing owners, deadline or text; a changed deadline after assignment goes through the audit log.
            _row(Action.EDIT, _OPEN, None, _SUPERVISOR),
            _row(Action.ASSIGN, {_S.DRAFT}, _S.ASSIGNED, _SUPERVISOR),
            _row(Action.ACKNOWLEDGE, {_S.ASSIGNED}, _S.IN_PROGRESS, _UNIT),
            # 签收 comes first: a unit that has not signed for a task cannot report on it.
            _row(Action.REPORT_PROGRESS, {_S.IN_PROGRESS}, None, _UNIT),
            _row(Action.REQUEST_EXTENSION, {_S.IN_PROGRESS}, None, _UNIT, reason=True),
            # Also while submitted, so a request pending at submission is not stranded if the task is returned.
            _row(Action.DECIDE_EXTENSION, {_S.IN_PROGRESS, _S.SUBMITTED}, None, _SUPERVISOR),
            _row(Action.SUBMIT, {_S.IN_PROGRESS}, _S.SUBMITTED, _UNIT),
            _row(Action.ACCEPT, {_S.SUBMITTED}, _S.DONE, _SUPERVISOR),
            # The unit must be told what is missing.
            _row(Action.RETURN, {_S.SUBMITTED}, _S.IN_PROGRESS, _SUPERVISOR, reason=True),
            # Chasing only makes sense while the unit holds the task.
            _row(Action.REMIND, {_S.ASSIGNED, _S.IN_PROGRESS}, None, _SUPERVISOR),
            # Leaders comment on live and finished tasks (表扬 after 办结 is common), not on unreviewed drafts.
            _row(
                Action.INSTRUCT,
                {_S.ASSIGNED, _S.IN_PROGRESS, _S.SUBMITTED, _S.DONE},
                None,
                frozenset({Role.LEADER}),
            ),
            # Struck-off tasks vanish from unit records, so the why must be on file.
            _row(Action.CANCEL, _OPEN, _S.CANCELLED, _SUPERVISOR, reason=True),
        ]
    )
)


def check(action: Action, state: State, role: Role) -> Transition:
    """The transition for `action` by `role` on a task in `state`, or the error to show.

    The role is checked first: telling someone who may never accept a task
    that it is in the wrong state would invite them to try again later.
    """
    transition = TRANSITIONS[action]
    if role not in transition.roles:
        raise Forbidden(f"{role.label}无权{action.label}此任务", f"role {role} may not {action} a task")
    if state not in transition.from_states:
        raise InvalidTransition(
            f"任务当前状态为“{state.label}”，不能{action.label}",
            f"cannot {action} a task that is {state}",
        )
    return transition


def allowed_actions(state: State, role: Role) -> list[Action]:
    """What `role` may do to a task in `state`, in display order: the buttons the UI shows."""
    return [a for a, t in TRANSITIONS.items() if role in t.roles and state in t.from_states]


def require_reason(transition: Transition | ExtensionTransition, reason: str | None) -> str | None:
    """The stripped reason, or Rejected when the transition needs one and none was given."""
    text = (reason or "").strip() or None
    if transition.reason_required and text is None:
        raise Rejected(f"{transition.action.label}须填写理由", f"{transition.action} requires a reason")
    return text


# --- extension requests ----------------------------------------------------------


class ExtensionState(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REFUSED = "refused"

    @property
    def label(self) -> str:
        return _EXTENSION_STATE_LABELS[self]


_EXTENSION_STATE_LABELS: Mapping[ExtensionState, str] = MappingProxyType(
    {
        ExtensionState.REQUESTED: "待审批",
        ExtensionState.APPROVED: "已批准",
        ExtensionState.REFUSED: "不予批准",
    }
)


class ExtensionAction(StrEnum):
    """The two outcomes of DECIDE_EXTENSION on one request."""

    APPROVE = "approve"
    REFUSE = "refuse"

    @property
    def label(self) -> str:
        return _EXTENSION_ACTION_LABELS[self]


_EXTENSION_ACTION_LABELS: Mapping[ExtensionAction, str] = MappingProxyType(
    {ExtensionAction.APPROVE: "批准延期", ExtensionAction.REFUSE: "不批准延期"}
)


@dataclass(frozen=True, slots=True)
class ExtensionTransition:
    action: ExtensionAction
    from_states: frozenset[ExtensionState]
    to_state: ExtensionState
    roles: frozenset[Role]
    reason_required: bool = False


EXTENSION_TRANSITIONS: Mapping[ExtensionAction, ExtensionTransition] = MappingProxyType(
    {
        ExtensionAction.APPROVE: ExtensionTransition(
            ExtensionAction.APPROVE,
            frozenset({ExtensionState.REQUESTED}),
            ExtensionState.APPROVED,
            _SUPERVISOR,
        ),
        # A unit refused more time needs to know why, to plan or to escalate.
        ExtensionAction.REFUSE: ExtensionTransition(
            ExtensionAction.REFUSE,
            frozenset({ExtensionState.REQUESTED}),
            ExtensionState.REFUSED,
            _SUPERVISOR,
            reason_required=True,
        ),
    }
)


def check_extension(action: ExtensionAction, state: ExtensionState, role: Role) -> ExtensionTransition:
    """Like `check`, for one extension request: a decision is made once, by the supervisor."""
    transition = EXTENSION_TRANSITIONS[action]
    if role not in transition.roles:
        raise Forbidden(f"{role.label}无权{action.label}", f"role {role} may not {action} an extension")
    if state not in transition.from_states:
        raise InvalidTransition(
            f"延期申请当前状态为“{state.label}”，不能{action.label}",
            f"cannot {action} an extension request that is {state}",
        )
    return transition


def allowed_extension_actions(state: ExtensionState, role: Role) -> list[ExtensionAction]:
    return [a for a, t in EXTENSION_TRANSITIONS.items() if role in t.roles and state in t.from_states]
