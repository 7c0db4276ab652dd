"""The worker's log: the every-minute delivery job does not fill it; other jobs and all failures still show."""

from __future__ import annotations

import logging

from duban.worker import RoutineJobLines


def _record(level: int, message: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("huey", level, __file__, 1, message, args, None)


def test_routine_delivery_runs_are_dropped_but_document_jobs_are_kept() -> None:
    lines = RoutineJobLines()
    assert not lines.filter(_record(logging.INFO, "Executing %s", "duban.jobs.deliver_notifications: 3f2a"))
    assert not lines.filter(
        _record(logging.INFO, "%s executed in %0.3fs", "duban.jobs.deliver_notifications: 3f2a", 0.004)
    )
    assert not lines.filter(
        _record(logging.INFO, "Enqueueing periodic task %s.", "duban.jobs.deliver_notifications: 3f2a")
    )
    assert lines.filter(_record(logging.INFO, "Executing %s", "duban.jobs.process_document: 9c1d"))


def test_a_failing_delivery_run_is_still_logged() -> None:
    lines = RoutineJobLines()
    assert lines.filter(
        _record(logging.ERROR, "Unhandled exception in task %s", "duban.jobs.deliver_notifications: 3f2a")
    )
