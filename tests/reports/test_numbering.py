"""发文字号 counters: per series and year, restarting each year, never the same number twice."""

from __future__ import annotations

import threading
import time

from sqlalchemy import Engine

from duban.db.session import write_session
from duban.reports.numbering import allocate, doc_number, last_number

WORKERS = 6


def test_numbers_count_up_from_one_per_series() -> None:
    assert doc_number("督办", 2026, 3) == "督办〔2026〕3号"


def test_allocation_counts_up_and_each_series_has_its_own_counter(engine: Engine) -> None:
    with write_session(engine) as session:
        assert [allocate(session, "督办", 2026) for _ in range(3)] == [1, 2, 3]
        assert allocate(session, "督通", 2026) == 1
    with write_session(engine) as session:
        assert allocate(session, "督办", 2026) == 4
        assert last_number(session, "督通", 2026) == 1


def test_a_new_year_starts_again_at_one(engine: Engine) -> None:
    with write_session(engine) as session:
        allocate(session, "督办", 2026)
        allocate(session, "督办", 2026)
        assert allocate(session, "督办", 2027) == 1
        assert allocate(session, "督办", 2026) == 3
        assert last_number(session, "督办", 2028) == 0


def test_a_rolled_back_issue_gives_its_number_back(engine: Engine) -> None:
    with write_session(engine) as session:
        assert allocate(session, "督办", 2026) == 1
    try:
        with write_session(engine) as session:
            assert allocate(session, "督办", 2026) == 2
            raise RuntimeError("the document could not be built")
    except RuntimeError:
        pass
    with write_session(engine) as session:
        assert allocate(session, "督办", 2026) == 2


def _race(engine: Engine, series: str) -> list[int]:
    """WORKERS threads allocate at the same moment, each in its own transaction held a little while."""
    start = threading.Barrier(WORKERS)
    got: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work() -> None:
        try:
            start.wait(timeout=30)
            with write_session(engine) as session:
                number = allocate(session, series, 2026)
                time.sleep(0.02)  # hold the counter so the others must wait for this commit
            with lock:
                got.append(number)
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return got


def test_concurrent_first_allocations_of_a_year_get_distinct_numbers(engine: Engine) -> None:
    # No counter row yet: the racers also race to create it.
    assert sorted(_race(engine, "督办")) == list(range(1, WORKERS + 1))


def test_concurrent_allocations_on_an_existing_counter_get_distinct_numbers(engine: Engine) -> None:
    with write_session(engine) as session:
        allocate(session, "督通", 2026)
    assert sorted(_race(engine, "督通")) == list(range(2, WORKERS + 2))
