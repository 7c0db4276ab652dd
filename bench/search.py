"""Full-text search benchmark on SQLite and PostgreSQL, one core.

For each database (a temporary SQLite file; a scratch PostgreSQL database `duban_bench_search`
created and dropped with the admin URL, skipped with a message when unreachable), migrated from
empty:

(a) index: --docs generated texts (seeded; 70% documents of 200–800 characters in the style of
    会议纪要 and 通知, 20% tasks, 10% progress reports; government phrases, 40 unit names, people,
    numbers, dates, amounts and ASCII such as 5G, GDP, PPP) written through
    `duban.search.index.write_entries` (tokenizing, the entries table and FTS5 / tsvector),
    500 per transaction: documents/s (text generation not timed) and the database size;
(b) queries: the full `duban.search.query.search` call as the supervision office (pools per type,
    ranking, per-type totals, snippets with highlights; 20 hits) for a mix of 2-, 3- and
    4-character words from rare to very common, `5G`, mixed Chinese/ASCII, several terms, no-hit
    queries, each with and without a type filter, plus a unit and a date filter: p50/p95/max.

The aim is p95 under 50 ms on both. Run:
`.venv/bin/python bench/search.py [--docs 100000] [--db sqlite|postgresql|both] [--repeats 5]`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

import vocabulary
from duban.db.migrate import upgrade
from duban.db.models.search import SearchKind
from duban.db.scratch import postgres_or_skip
from duban.db.session import make_engine, read_session, write_session
from duban.search.index import EntryText, write_entries
from duban.search.query import Filters, search
from duban.workflow.principal import OPERATOR
from vocabulary import PEOPLE, UNITS

PG_ADMIN_URL = "postgresql://root@127.0.0.1:5432/postgres"
PG_BENCH_DB = "duban_bench_search"
BATCH = 500

# The shared vocabulary plus words only search texts use (ASCII among them: 5G, PPP, GDP, AI).
PROJECTS = [
    *vocabulary.PROJECTS,
    "5G基站建设",
    "PPP项目清理",
    "GDP统计核算",
    "新能源汽车充电桩布局",
    "河长制落实",
    "垃圾分类推广",
    "背街小巷整治",
    "电商产业园运营",
    "科技孵化器认定",
    "公共停车场建设",
    "校园安全隐患排查",
    "食品安全专项检查",
    "森林防火巡查",
    "工业企业亩均效益评价",
    "规上工业企业培育",
    "外贸稳增长",
    "政务服务一网通办",
    "征迁安置房建设",
    "AI算力中心建设",
    "乡镇综合文化站提升",
]
ACTIONS = [
    *vocabulary.ACTIONS,
    "建立工作台账",
    "开展专项督查",
    "召开推进会",
    "完成年度目标任务",
]
REQUIREMENTS = [
    "要进一步提高政治站位，切实增强责任感和紧迫感", "要倒排工期、挂图作战，确保按期完成",
    "要加强统筹协调，形成工作合力", "要严格落实安全生产责任制，坚决防范重特大事故",
    "要强化督查考核，对工作不力的严肃问责", "要整改一块、验收一块、销号一块",
    "要坚持问题导向，清单化解决问题", "要规范资金使用，提高财政资金使用效益",
    "要优化营商环境，做好企业服务", "要加强宣传引导，营造良好氛围",
]  # fmt: skip
TITLES = ["第{n}次党工委会议纪要", "关于{p}的通知", "{u}关于{p}进展情况的报告", "关于印发{p}实施方案的通知"]

QUERIES = [
    "财政", "推进", "招商", "冷链", "文旅",  # 2 characters, common to rare
    "财政局", "产业园", "充电桩", "孵化器",  # 3
    "安全生产", "营商环境", "专项经费", "老旧小区", "背街小巷",  # 4
    "5G", "GDP", "5G基站", "AI算力",  # ASCII and mixed
    "财政 资金", "安全生产 检查 责任制", "5G 产业园 招商",  # several terms
    "乡村振兴", "量子计算机", "XYZ123",  # no hit
]  # fmt: skip


def _text(rng: random.Random, size: int) -> str:
    parts: list[str] = []
    length = 0
    while length < size:
        project = rng.choice(PROJECTS)
        lead, helper = rng.sample(UNITS, 2)
        sentence = rng.choice(
            [
                f"会议听取了{lead}关于{project}工作进展情况的汇报。",
                f"会议决定，由{lead}牵头负责{project}，{helper}配合，"
                f"于2026年{rng.randint(1, 12)}月{rng.randint(1, 28)}日前{rng.choice(ACTIONS)}。",
                f"同意拨付{lead}专项经费{rng.randint(5, 500)}万元，用于{project}。",
                f"会议强调，{rng.choice(REQUIREMENTS)}。",
                f"{rng.choice(PEOPLE)}同志指出，{project}{rng.choice(REQUIREMENTS)}。",
                f"全年经济增长{rng.choice(['6.5', '7', '5.5'])}%左右，新增规上工业企业{rng.randint(10, 120)}家。",
                f"截至{rng.randint(1, 12)}月底，{project}已完成投资{rng.randint(1, 90)}亿元，占年度计划的{rng.randint(10, 99)}%。",
            ]
        )
        parts.append(sentence)
        length += len(sentence)
    return "".join(parts)


def generate(n: int, seed: int) -> Iterator[EntryText]:
    rng = random.Random(seed)
    start = dt.date(2024, 1, 1)
    for i in range(1, n + 1):
        roll = rng.random()
        day = start + dt.timedelta(days=rng.randint(0, 1000))
        units = tuple(sorted(rng.sample(range(1, len(UNITS) + 1), rng.randint(1, 3))))
        if roll < 0.7:
            title = rng.choice(TITLES).format(n=i, p=rng.choice(PROJECTS), u=rng.choice(UNITS))
            yield EntryText(SearchKind.DOCUMENT, i, title, _text(rng, rng.randint(200, 800)), day, units)
        elif roll < 0.9:
            task = _text(rng, rng.randint(40, 120))
            body = f"牵头单位：{UNITS[units[0] - 1]}\n责任领导：{rng.choice(PEOPLE)}"
            yield EntryText(SearchKind.TASK, i, task, body, day, units)
        else:
            title = f"{UNITS[units[0] - 1]}进展反馈"
            yield EntryText(SearchKind.REPORT, i, title, _text(rng, rng.randint(80, 300)), day, units)


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def _size_mb(engine: Engine, path: Path | None) -> float:
    if path is not None:
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 1e6
    with engine.connect() as conn:
        return float(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one()) / 1e6


def bench_index(engine: Engine, docs: int, seed: int, path: Path | None) -> None:
    timed = 0.0
    batch: list[EntryText] = []
    chars = 0

    def flush() -> float:
        started = time.perf_counter()
        with write_session(engine) as session:
            write_entries(session, batch)
        return time.perf_counter() - started

    for entry in generate(docs, seed):
        batch.append(entry)
        chars += len(entry.title) + len(entry.body)
        if len(batch) == BATCH:
            timed += flush()
            batch = []
    if batch:
        timed += flush()
    if engine.dialect.name == "postgresql":
        # A bulk load has no planner statistics yet, and its GIN entries still sit in the index's
        # pending list, which every query scans; production has both done by autovacuum.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE search_entries"))
    print(
        f"index: {docs:,} texts ({chars / 1e6:.1f} M characters) in {timed:.1f} s = {docs / timed:,.0f} docs/s; "
        f"database {_size_mb(engine, path):,.0f} MB"
    )


def bench_queries(engine: Engine, repeats: int) -> None:
    cases: list[tuple[str, Filters]] = []
    for q in QUERIES:
        cases.append((q, Filters()))
        cases.append((q, Filters(kinds=frozenset({SearchKind.TASK}))))
    cases.append(("财政", Filters(unit_id=1)))
    cases.append(("安全生产", Filters(date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 3, 31))))
    samples: list[float] = []
    slowest: list[tuple[float, str]] = []
    with read_session(engine) as session:
        for q, filters in cases:  # warm the cache once, as a running server would be
            search(session, OPERATOR, q, filters)
        for q, filters in cases:
            times = []
            for _ in range(repeats):
                started = time.perf_counter()
                result = search(session, OPERATOR, q, filters)
                times.append(time.perf_counter() - started)
            samples += times
            label = f"{q}{' [' + ','.join(sorted(filters.kinds)) + ']' if filters.kinds else ''}"
            if filters.unit_id or filters.date_from:
                label += " [unit]" if filters.unit_id else " [date]"
            total = f"{result.total}{'+' if result.is_capped else ''}"
            slowest.append((statistics.median(times), f"{label}: {total} hits"))
    print(
        f"queries: {len(cases)} kinds × {repeats} runs: p50 {_pct(samples, 0.5) * 1000:.1f} ms, "
        f"p95 {_pct(samples, 0.95) * 1000:.1f} ms, max {max(samples) * 1000:.1f} ms"
    )
    for median, label in sorted(slowest, reverse=True)[:5]:
        print(f"  slowest (median {median * 1000:.1f} ms): {label}")


@contextmanager
def sqlite_database() -> Iterator[tuple[Engine, Path]]:
    with tempfile.TemporaryDirectory(prefix="duban-bench-search-") as tmp:
        path = Path(tmp) / "bench.db"
        engine = make_engine(f"sqlite:///{path}")
        try:
            yield engine, path
        finally:
            engine.dispose()


def run(name: str, engine: Engine, args: argparse.Namespace, path: Path | None) -> None:
    print(f"\n=== {name} ===")
    upgrade(engine)
    bench_index(engine, args.docs, args.seed, path)
    bench_queries(engine, args.repeats)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=100_000, help="generated texts to index")
    ap.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    ap.add_argument("--repeats", type=int, default=5, help="timed runs per query")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--pg-admin-url", default=os.environ.get("DUBAN_BENCH_PG_URL", PG_ADMIN_URL))
    args = ap.parse_args()
    if args.db in ("sqlite", "both"):
        with sqlite_database() as (engine, path):
            run("SQLite (WAL, temporary file)", engine, args, path)
    if args.db in ("postgresql", "both"):
        with postgres_or_skip(args.pg_admin_url, PG_BENCH_DB) as pg:
            if pg is not None:
                run(f"PostgreSQL ({PG_BENCH_DB} at {pg.url.host}:{pg.url.port})", pg, args, None)


if __name__ == "__main__":
    main()
