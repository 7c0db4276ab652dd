"""发文字号: numbers counted per series (督办, 督通) and year, `督办〔2026〕3号`, never handed out twice.

`allocate` increments the series' counter row with one UPDATE in the
caller's transaction. The UPDATE takes the row's write lock, so a
concurrent allocation of the same series waits until this transaction ends
and then counts on from the committed value (PostgreSQL re-reads the row
under READ COMMITTED; SQLite writers are already serialized by BEGIN
IMMEDIATE). The first number of a year inserts the row inside a savepoint:
if another transaction inserted it first, the unique constraint on
(series, year) refuses ours and the UPDATE is tried again. A transaction
that rolls back gives its number back, so the issued numbers have no gaps.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from duban.db.models import ReportCounter
from duban.errors import Conflict, Rejected

__all__ = ["allocate", "doc_number", "last_number"]

_ATTEMPTS = 3


def doc_number(prefix: str, year: int, number: int) -> str:
    """`督办〔2026〕3号`: the year in 六角括号 〔〕, no leading zeros (GB/T 9704-2012 7.2.4)."""
    return f"{prefix}〔{year}〕{number}号"


def allocate(session: Session, series: str, year: int) -> int:
    """The next number of `series` in `year` (1 for the year's first), reserved until the caller commits."""
    if not series.strip():
        raise Rejected("文号前缀不能为空", "a number series needs a name")
    for _ in range(_ATTEMPTS):
        bumped = session.execute(
            update(ReportCounter)
            .where(ReportCounter.series == series, ReportCounter.year == year)
            .values(last_number=ReportCounter.last_number + 1)
            .returning(ReportCounter.last_number)
            .execution_options(synchronize_session=False)
        ).scalar_one_or_none()
        if bumped is not None:
            return int(bumped)
        try:
            with session.begin_nested():
                session.add(ReportCounter(series=series, year=year, last_number=1))
            return 1
        except IntegrityError:
            continue  # someone else started the year's counter first: count on from theirs
    raise Conflict("文号分配冲突，请稍后重试", f"could not allocate a number in {series!r} {year}")


def last_number(session: Session, series: str, year: int) -> int:
    """The last number issued in `series` and `year`; 0 before the first."""
    value = session.scalar(
        select(ReportCounter.last_number).where(ReportCounter.series == series, ReportCounter.year == year)
    )
    return int(value or 0)
