"""A channel that records what it was sent and fails on request: for tests and dry runs."""

from __future__ import annotations

from duban.integrations.channel import DeliveryError, Notice

__all__ = ["RecordingChannel"]


class RecordingChannel:
    """Fails the first `fail_times` sends with `reason`, then accepts everything."""

    def __init__(self, fail_times: int = 0, reason: str = "模拟发送失败") -> None:
        self.fail_times = fail_times
        self.reason = reason
        self.attempts = 0
        self.sent: list[Notice] = []

    def send(self, notice: Notice) -> None:
        self.attempts += 1
        if self.attempts <= self.fail_times:
            raise DeliveryError(self.reason)
        self.sent.append(notice)
