"""Login rate limiting: failed attempts counted per user name and per client address in a sliding window.

In memory, per process: enough to stop password guessing against one
server. Several web workers each keep their own count (see the README).
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable


class LoginThrottle:
    def __init__(
        self, max_failures: int, window_seconds: float, now: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_failures = max_failures
        self.window = window_seconds
        self._now = now
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str) -> deque[float]:
        stamps = self._failures[key]
        cutoff = self._now() - self.window
        while stamps and stamps[0] < cutoff:
            stamps.popleft()
        return stamps

    def retry_after(self, *keys: str) -> int:
        """Seconds until login is allowed again for these keys; 0 means allowed now."""
        with self._lock:
            waits = [
                stamps[0] + self.window - self._now()
                for key in keys
                if len(stamps := self._recent(key)) >= self.max_failures
            ]
        return max(1, int(max(waits)) + 1) if waits else 0

    def failed(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._recent(key).append(self._now())

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)
