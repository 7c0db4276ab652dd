from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import time_machine
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from duban.db.models import (
    AuditEvent,
    ExtensionRequest,
    Instruction,
    OutboxMessage,
    OwnerRole,
    ProgressReport,
    Reminder,
    Task,
)
from duban.db.session import read_session, write_session
from duban.errors import Conflict, DomainError, Forbidden, InvalidTransition, NotFound, Rejected
from duban.workflow import service
from duban.workflow.audit import verify
from duban.workflow.principal import Principal
from duban.workflow.service import AttachmentIn, OwnerIn, TaskChanges
from duban.workflow.states import TRANSITIONS, Action, Role, State
from tests.personas import World, add_task

FAR = dt.date(2099, 12, 31)


def _perform(session: Session, who: Principal, action: Action, task_id: int, tmp: Path) -> Any:
    """One representative call per action, with valid arguments."""
    calls: dict[Action, Callable[[], Any]] = {
        Action.CONFIRM: lambda: service.confirm(session, who, task_id),
        Action.EDIT: lambda: service.edit(session, who, task_id, TaskChanges(text="改后的任务内容")),
        Action.ASSIGN: lambda: service.assign(session, who, task_id),
        Action.ACKNOWLEDGE: lambda: service.acknowledge(session, who, task_id),
        Action.REPORT_PROGRESS: lambda: service.report_progress(session, who, task_id, "已完成选址"),
        Action.REQUEST_EXTENSION: lambda: service.request_extension(
            session, who, task_id, FAR, "施工受雨季影响"
        ),
        Action.DECIDE_EXTENSION: lambda: service.decide_extension(
            session, who, _pending_request(session, task_id), approve=True
        ),
        Action.SUBMIT: lambda: service.submit(session, who, task_id, "已全部完成"),
        Action.ACCEPT: lambda: service.accept(session, who, task_id),
        Action.RETURN: lambda: service.return_task(session, who, task_id, "佐证材料不全"),
        Action.REMIND: lambda: service.remind(session, who, task_id),
        Action.INSTRUCT: lambda: service.instruct(session, who, task_id, "请加快进度"),
        Action.CANCEL: lambda: service.cancel(session, who, task_id, "任务已调整"),
    }
    return calls[action]()


def _pending_request(session: Session, task_id: int) -> int:
    from duban import clock

    request = ExtensionRequest(
        task_id=task_id,
        new_deadline=FAR,
        reason="需要更多时间",
        state="requested",
        created_at=clock.now(),
    )
    session.add(request)
    session.flush()
    return request.id


def _persona(world: World, role: Role) -> Principal:
    return {
        Role.SUPERVISOR: world.supervisor,
        Role.UNIT: world.unit_a_user,
        Role.LEADER: world.leader,
        Role.OTHER: world.unit_b_user,
    }[role]


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(Action))
def test_every_action_in_every_state_for_every_role(
    db: Session, world: World, action: Action, role: Role, tmp_path: Path
) -> None:
    who = _persona(world, role)
    transition = TRANSITIONS[action]
    for state in State:
        task = add_task(
            db,
            status=state.value,
            owners=[(world.unit_a, OwnerRole.LEAD), (world.unit_c, OwnerRole.SUPPORTING)],
            deadline=dt.date(2099, 6, 30),
        )
        events_before = db.scalar(select(func.count(AuditEvent.id)))
        allowed = role in transition.roles and state in transition.from_states
        if role is Role.OTHER:
            # Another unit's user cannot even see the task: 404, not 403, so ids leak nothing.
            with pytest.raises(NotFound):
                _perform(db, who, action, task.id, tmp_path)
        elif not allowed:
            expected = Forbidden if role not in transition.roles else InvalidTransition
            with pytest.raises(expected):
                _perform(db, who, action, task.id, tmp_path)
            db.refresh(task)
            assert (task.status, task.version) == (state.value, 1)
        else:
            _perform(db, who, action, task.id, tmp_path)
            db.refresh(task)
            assert task.status == (transition.to_state or state).value, (action, state)
            assert task.version == 2
            assert db.scalar(select(func.count(AuditEvent.id))) == (events_before or 0) + 1
        db.rollback()


def _new_task(engine: Engine, world: World, status: str = "draft", **kwargs: Any) -> int:
    with write_session(engine) as s:
        return add_task(s, status=status, owners=[(world.unit_a, OwnerRole.LEAD)], **kwargs).id


def test_full_journey_from_draft_to_done(engine: Engine, world: World, tmp_path: Path) -> None:
    task_id = _new_task(engine, world, deadline=dt.date(2099, 3, 31))
    with write_session(engine) as s:
        service.assign(
            s,
            world.supervisor,
            task_id,
            TaskChanges(
                owners=[OwnerIn(world.unit_a, OwnerRole.LEAD), OwnerIn(world.unit_b, OwnerRole.SUPPORTING)],
                leader_name="张建国",
                milestones=[(dt.date(2099, 1, 31), "完成方案")],
            ),
        )
    with write_session(engine) as s:
        service.acknowledge(s, world.unit_a_user, task_id)
        service.report_progress(
            s,
            world.unit_a_user,
            task_id,
            "方案已报批",
            [AttachmentIn("方案.docx", b"PK\x03\x04 fake docx bytes")],
            attachments_dir=tmp_path,
        )
        request = service.request_extension(
            s, world.unit_a_user, task_id, dt.date(2099, 6, 30), "审批流程较长"
        )
    with write_session(engine) as s:
        service.decide_extension(s, world.supervisor, request.id, approve=True)
        service.submit(s, world.unit_a_user, task_id, "已完成")
        service.return_task(s, world.supervisor, task_id, "缺少验收报告")
        service.submit(s, world.unit_a_user, task_id, "已补充验收报告")
        service.instruct(s, world.leader, task_id, "办得好")
        task = service.accept(s, world.supervisor, task_id)
        assert task.status == "done" and task.done_at is not None
    with read_session(engine) as s:
        task = s.get_one(Task, task_id)
        assert task.deadline == dt.date(2099, 6, 30)
        assert task.leader_name == "张建国"
        assert [m.text for m in task.milestones] == ["完成方案"]
        reports = s.scalars(select(ProgressReport).where(ProgressReport.task_id == task_id)).all()
        assert [r.is_completion for r in reports] == [False, True, True]
        kept = reports[0].attachments[0]
        assert Path(kept.stored_path).read_bytes() == b"PK\x03\x04 fake docx bytes"
        assert s.scalar(select(func.count(Instruction.id))) == 1
        actions = s.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()
        assert actions == [
            "assign",
            "acknowledge",
            "report_progress",
            "request_extension",
            "decide_extension",
            "submit",
            "return",
            "submit",
            "instruct",
            "accept",
        ]
        kinds = s.scalars(select(OutboxMessage.kind).where(OutboxMessage.unit_id == world.unit_b)).all()
        assert kinds[0] == "assigned" and "returned" in kinds and "accepted" in kinds
        assert verify(s).ok


def test_assign_needs_a_lead_or_responsible_unit(engine: Engine, world: World) -> None:
    with write_session(engine) as s:
        task_id = add_task(s, owners=[(world.unit_a, OwnerRole.SUPPORTING)]).id
    with pytest.raises(Rejected), write_session(engine) as s:
        service.assign(s, world.supervisor, task_id)


def test_assign_refuses_two_lead_units(engine: Engine, world: World) -> None:
    task_id = _new_task(engine, world)
    owners = [OwnerIn(world.unit_a, OwnerRole.LEAD), OwnerIn(world.unit_b, OwnerRole.LEAD)]
    with pytest.raises(Rejected), write_session(engine) as s:
        service.assign(s, world.supervisor, task_id, TaskChanges(owners=owners))


def test_stale_version_is_a_conflict_and_changes_nothing(engine: Engine, world: World) -> None:
    task_id = _new_task(engine, world, status="in_progress")
    with write_session(engine) as s:
        service.report_progress(s, world.unit_a_user, task_id, "第一次反馈", expected_version=1)
    with pytest.raises(Conflict), write_session(engine) as s:
        service.submit(s, world.unit_a_user, task_id, "办完了", expected_version=1)
    with read_session(engine) as s:
        task = s.get_one(Task, task_id)
        assert (task.status, task.version) == ("in_progress", 2)


def test_two_concurrent_edits_one_wins_the_other_conflicts(engine: Engine, world: World) -> None:
    task_id = _new_task(engine, world, status="submitted")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(fn: Callable[[Session], object]) -> None:
        barrier.wait()
        try:
            with write_session(engine) as s:
                fn(s)
            outcomes.append("ok")
        except DomainError as exc:
            outcomes.append(type(exc).__name__)

    threads = [
        threading.Thread(
            target=act, args=(lambda s: service.accept(s, world.supervisor, task_id, expected_version=1),)
        ),
        threading.Thread(
            target=act,
            args=(lambda s: service.return_task(s, world.supervisor, task_id, "不合格", expected_version=1),),
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["Conflict", "ok"]
    with read_session(engine) as s:
        task = s.get_one(Task, task_id)
        assert task.version == 2 and task.status in ("done", "in_progress")
        assert s.scalar(select(func.count(AuditEvent.id))) == 1
        assert verify(s).ok


def test_unit_user_cannot_see_other_units_task(engine: Engine, world: World) -> None:
    task_id = _new_task(engine, world, status="assigned")
    with read_session(engine) as s:
        with pytest.raises(NotFound):
            service.load_task(s, world.unit_b_user, task_id)
        assert service.load_task(s, world.unit_a_user, task_id).id == task_id
        assert service.load_task(s, world.leader, task_id).id == task_id


def test_available_actions_are_the_users_buttons(engine: Engine, world: World) -> None:
    task_id = _new_task(engine, world, status="in_progress")
    with read_session(engine) as s:
        task = service.load_task(s, world.unit_a_user, task_id)
        assert service.available_actions(task, world.unit_a_user) == [
            Action.REPORT_PROGRESS,
            Action.REQUEST_EXTENSION,
            Action.SUBMIT,
        ]
        assert service.available_actions(task, world.leader) == [Action.INSTRUCT]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s, w, t: service.return_task(s, w.supervisor, t, "  "), "退回须填写理由"),
        (lambda s, w, t: service.cancel(s, w.supervisor, t, None), "撤销须填写理由"),
    ],
)
def test_return_and_cancel_need_a_reason(
    engine: Engine, world: World, call: Callable[[Session, World, int], object], message: str
) -> None:
    task_id = _new_task(engine, world, status="submitted")
    with pytest.raises(Rejected, match=message), write_session(engine) as s:
        call(s, world, task_id)


def test_extension_rules(engine: Engine, world: World) -> None:
    task_id = _new_task(engine, world, status="in_progress", deadline=dt.date(2099, 3, 31))
    with pytest.raises(Rejected), write_session(engine) as s:
        service.request_extension(s, world.unit_a_user, task_id, dt.date(2099, 3, 1), "提前")
    with pytest.raises(Rejected), write_session(engine) as s:
        service.request_extension(s, world.unit_a_user, task_id, dt.date(2099, 5, 1), "")
    with write_session(engine) as s:
        request_id = service.request_extension(s, world.unit_a_user, task_id, dt.date(2099, 5, 1), "雨季").id
    with pytest.raises(Conflict), write_session(engine) as s:
        service.request_extension(s, world.unit_a_user, task_id, dt.date(2099, 6, 1), "再延")
    with pytest.raises(Rejected), write_session(engine) as s:
        service.decide_extension(s, world.supervisor, request_id, approve=False)
    with write_session(engine) as s:
        decided = service.decide_extension(
            s, world.supervisor, request_id, approve=False, reason="理由不充分"
        )
        assert decided.state == "refused"
    with pytest.raises(InvalidTransition), write_session(engine) as s:
        service.decide_extension(s, world.supervisor, request_id, approve=True)
    with read_session(engine) as s:
        assert s.get_one(Task, task_id).deadline == dt.date(2099, 3, 31)


def test_manual_reminder_once_a_day(engine: Engine, world: World) -> None:
    task_id = _new_task(engine, world, status="assigned")
    with time_machine.travel(dt.datetime(2026, 5, 6, 9, tzinfo=dt.UTC), tick=False):
        with write_session(engine) as s:
            service.remind(s, world.supervisor, task_id)
        with pytest.raises(Conflict), write_session(engine) as s:
            service.remind(s, world.supervisor, task_id)
    with (
        time_machine.travel(dt.datetime(2026, 5, 7, 9, tzinfo=dt.UTC), tick=False),
        write_session(engine) as s,
    ):
        service.remind(s, world.supervisor, task_id, "明天前报送进展")
    with read_session(engine) as s:
        assert s.scalar(select(func.count(Reminder.id))) == 2


@pytest.mark.parametrize(
    ("today", "workdays", "deadline", "confirmed"),
    [
        # 春节 2026: 2月14日 (Saturday) is a 调休 working day, 2月15日–23日 are off.
        (dt.date(2026, 2, 12), 3, dt.date(2026, 2, 24), True),
        # 国庆 2025: 9月28日 (Sunday) and 10月11日 (Saturday) are 调休 working days.
        (dt.date(2025, 9, 27), 3, dt.date(2025, 9, 30), True),
        (dt.date(2025, 9, 30), 3, dt.date(2025, 10, 11), True),
        # 2027's holidays are not published in chinese-calendar 1.11: Mon–Fri, flagged.
        (dt.date(2026, 12, 30), 3, dt.date(2027, 1, 4), False),
    ],
)
def test_working_day_deadlines_count_holidays_and_make_up_days(
    engine: Engine, world: World, today: dt.date, workdays: int, deadline: dt.date, confirmed: bool
) -> None:
    task_id = _new_task(engine, world)
    noon = dt.datetime.combine(today, dt.time(4), tzinfo=dt.UTC)
    with time_machine.travel(noon, tick=False), write_session(engine) as s:
        task = service.assign(s, world.supervisor, task_id, TaskChanges(deadline_workdays=workdays))
        assert (task.deadline, task.deadline_workdays, task.deadline_from) == (deadline, workdays, today)
        assert task.deadline_confirmed is confirmed


def test_edit_records_before_and_after_of_what_changed(engine: Engine, world: World) -> None:
    task_id = _new_task(engine, world, deadline=dt.date(2099, 1, 1))
    with write_session(engine) as s:
        service.edit(
            s, world.supervisor, task_id, TaskChanges(deadline=dt.date(2099, 2, 1)), reason="会议调整"
        )
    with read_session(engine) as s:
        event = s.scalars(select(AuditEvent)).one()
        assert event.before == {"deadline": "2099-01-01", "version": 1}
        assert event.after == {"deadline": "2099-02-01", "version": 2}
        assert event.reason == "会议调整"


def test_empty_text_is_rejected(engine: Engine, world: World) -> None:
    task_id = _new_task(engine, world)
    with pytest.raises(Rejected), write_session(engine) as s:
        service.edit(s, world.supervisor, task_id, TaskChanges(text="   "))


def test_missing_task_is_not_found(engine: Engine, world: World) -> None:
    with pytest.raises(NotFound), write_session(engine) as s:
        service.accept(s, world.supervisor, 999_999)
