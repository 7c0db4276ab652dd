"""Tasks: the actionable clauses a document assigns or decides.

- minutes: each numbered clause under 会议决定 / 会议要求 (an unnumbered block is one task);
  会议指出 / 强调 only from the sentence where a unit is told what to do; owners default to the
  unit that reported the item (`会议听取了X关于…汇报`);
- meeting and inspection reports: a leader's or meeting's 要求/强调 (`一是…二是…`), owned by the
  unit visited (`到X调研`) or the body that held the meeting (`X召开…会议`);
- regulations: each standing duty with a rhythm (`市爱卫办每季度召开一次工作例会`);
- plans: each row of a 任务分工 table (task / lead / responsible units / deadline columns).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from duban.ingest.extract.dates import recurrence, task_period
from duban.ingest.extract.money import parse_money
from duban.ingest.extract.owners import find_owners
from duban.ingest.extract.people import ends_with_post, is_name
from duban.ingest.extract.units import UnitRegistry, find_units
from duban.ingest.types import DocView, Span, Task

_NUMERALS = "一二三四五六七八九十"
_SECTION = re.compile(r"^[一二三四五六七八九十]{1,3}、", re.M)
_SECTION_END = re.compile(r"^(?:与会人员|出席人员|参会人员|列席人员|出席|列席|抄送|分送|附件)[：:]?", re.M)
_REPORTER = re.compile(r"听取了?(?:[\u4e00-\u9fff]{0,4}的)?")
_MARKER = re.compile(r"(?:会议|会上)(?P<verb>决定|同意|明确|研究决定|要求|指出|强调|提出)[，,：:]?")
_SPEECH = re.compile(r"(?P<verb>要求|强调|指出|提出|表示|说)[，,：:]")
_HEADING_LINE = re.compile(r"^[（(][一二三四五六七八九十]{1,3}[）)][^\n]*[^。！？；\n]$", re.M)
# `要` as a modal verb, not inside 重要/主要/需要/要求/要点…
_MODAL = re.compile(r"(?<![重主需纲摘概首紧必显扼只])(?:要|应|须|务必)(?![求点素害闻件案务])")
_DECISION_VERBS = {"决定", "同意", "明确", "研究决定"}
_DUTY = re.compile(r"要|应|须|负责|牵头|务必|确保")
_VISIT = re.compile(
    r"(?:到|赴|深入|来到|走进)(?P<unit>[^，。；]{2,30}?)(?:实地)?(?:调研|视察|检查|考察|督导|指导|走访)"
)
_HOST = re.compile(r"召开[^，。]{0,30}?(?:会议|会)")
_SENTENCE = re.compile(r"[^。！？]*[。！？]?")
_TABLE_HEAD = re.compile(r"任务|事项|工作内容|重点工作|工作措施|具体工作")


@dataclass(frozen=True)
class _Item:
    span: Span
    marker: str


def _enumerators(n: int) -> list[tuple[str, str]]:
    """The ways of writing item n: （一） 一是 一要 (1) 1."""
    num = _NUMERALS[n - 1] if n <= 10 else str(n)
    return [
        (f"（{num}）", "paren"),
        (f"({num})", "paren"),
        (f"{num}是", "shi"),
        (f"{num}要", "yao"),
        (f"（{n}）", "arabic"),
    ]


def enumerated_items(text: str, start: int, end: int) -> list[Span]:
    """Sequential items (（一）（二）…, 一是 二是 …) in text[start:end]; fewer than two → none."""
    best: list[Span] = []
    for style in ("paren", "shi", "yao", "arabic"):
        firsts = [m for m, s in _enumerators(1) if s == style]
        pos = min((p for p in (text.find(f, start, end) for f in firsts) if p >= 0), default=-1)
        if pos < 0:
            continue
        starts = [pos]
        n = 2
        while n <= 30:
            markers = [m for m, s in _enumerators(n) if s == style]
            nxt = min((p for p in (text.find(m, starts[-1] + 1, end) for m in markers) if p >= 0), default=-1)
            if nxt < 0:
                break
            starts.append(nxt)
            n += 1
        if len(starts) >= 2 and len(starts) > len(best):
            best = [Span(s, e) for s, e in zip(starts, [*starts[1:], end], strict=True)]
    return best


def _trim(text: str, span: Span) -> Span | None:
    s, e = span.start, span.end
    while s < e and text[s] in " \n，,：:；;":
        s += 1
    while e > s and text[e - 1] in " \n；;，,":
        e -= 1
    return Span(s, e) if e - s >= 4 else None


def _clause_text(text: str, span: Span) -> str:
    return re.sub(r"\s+", "", text[span.start : span.end])


def _amount(clause: str) -> float | None:
    m = re.search(r"(?:共计|合计|总计|共|计)\s*([0-9.]+\s*(?:亿|万|千)?元)", clause)
    if m:
        return parse_money(m.group(1))
    found = re.findall(r"[0-9]+(?:\.[0-9]+)?\s*(?:亿|万|千)?元", clause)
    return parse_money(found[-1]) if found else None


@dataclass
class _Context:
    view: DocView
    known_units: tuple[str, ...]

    @property
    def text(self) -> str:
        return self.view.text

    @property
    def year(self) -> int | None:
        return self.view.year


def _make_task(ctx: _Context, span: Span, kind: str, default_owner: str | None) -> Task:
    text = ctx.text
    found = find_owners(text, span.start, span.end, ctx.known_units)
    owners = found.owners or ((default_owner,) if default_owner else ())
    clause = _clause_text(text, span)
    period = task_period(clause, ctx.year)
    return Task(
        text=clause,
        span=span,
        kind=kind,
        owners=owners,
        lead=found.lead,
        start=period.start,
        deadline=period.deadline,
        recurrence=recurrence(clause) if kind == "rule" else None,
        amount_yuan=_amount(clause),
    )


def _duty_sentences(text: str, start: int, end: int, known: tuple[str, ...]) -> Span | None:
    """From the first sentence that tells a unit to act (`招商局会同财政局要…`) to the block's end."""
    for m in _SENTENCE.finditer(text, start, end):
        if not m.group().strip():
            continue
        for clause in re.finditer(r"[^，,；;]+", m.group()):
            cs = m.start() + clause.start()
            owners = find_owners(text, cs, m.end(), known).owners
            if owners and _DUTY.search(clause.group()):
                unit_pos = min(text.find(o, cs, m.end()) for o in owners)
                return _trim(text, Span(unit_pos, end))
    return None


def _blocks(text: str, start: int, end: int, marker: re.Pattern[str]) -> Iterator[tuple[str, Span]]:
    found = list(marker.finditer(text, start, end))
    for i, m in enumerate(found):
        stop = found[i + 1].start() if i + 1 < len(found) else end
        yield m.group("verb"), Span(m.end(), stop)


def _block_tasks(
    ctx: _Context, verb: str, block: Span, default_owner: str | None, strict: bool
) -> list[Task]:
    kind = "decision" if verb in _DECISION_VERBS else "requirement"
    text = ctx.text
    items = enumerated_items(text, block.start, block.end)
    out: list[Task] = []
    if items:
        intro = _trim(text, Span(block.start, items[0].start))
        if (
            intro
            and (kind == "requirement")
            and find_owners(text, intro.start, intro.end, ctx.known_units).owners
        ):
            out.append(_make_task(ctx, intro, kind, default_owner))
        for item in items:
            span = _trim(text, item)
            if span:
                out.append(_make_task(ctx, span, kind, default_owner))
        return out
    if kind == "requirement" and (strict or verb in ("指出", "强调", "表示")):
        span = _duty_sentences(text, block.start, block.end, ctx.known_units)
    else:
        span = _trim(text, block)
    if span:
        out.append(_make_task(ctx, span, kind, default_owner))
    return out


def _reporting_unit(ctx: _Context, start: int, end: int) -> str | None:
    text = ctx.text
    m = _REPORTER.search(text, start, end)
    if not m:
        return None
    units = find_units(text, m.end(), min(end, m.end() + 40))
    if units and units[0].span.start == m.end():
        return units[0].name
    for name in ctx.known_units:
        if text.startswith(name, m.end()):
            return name
    return None


def _minutes_tasks(ctx: _Context) -> list[Task]:
    text, view = ctx.text, ctx.view
    body_start, body_end = view.body_start, view.span.end
    stop = _SECTION_END.search(text, body_start, body_end)
    body_end = stop.start() if stop else body_end
    starts = [m.start() for m in _SECTION.finditer(text, body_start, body_end)] or [body_start]
    out: list[Task] = []
    for s, e in zip(starts, [*starts[1:], body_end], strict=True):
        reporter = _reporting_unit(ctx, s, e)
        # Sub-headings (`（二）学习…精神` without a full stop) start sub-items with their own blocks.
        subs = [s, *(m.start() for m in _HEADING_LINE.finditer(text, s, e)), e]
        for ss, se in itertools.pairwise(subs):
            for verb, block in _blocks(text, ss, se, _MARKER):
                out.extend(_block_tasks(ctx, verb, block, reporter, strict=verb != "要求"))
    return out


def _speech_owner(ctx: _Context) -> str | None:
    """The unit visited (`到X调研`) or the body that held the meeting (`X召开…会议`)."""
    text, view = ctx.text, ctx.view
    head_end = min(view.span.end, view.body_start + 300)
    m = _VISIT.search(text, view.body_start, head_end)
    if m:
        units = find_units(text, m.start("unit"), m.end("unit"))
        if units:
            return units[0].name
    h = _HOST.search(text, view.body_start, head_end)
    if h:
        units = [u for u in find_units(text, view.body_start, h.start()) if u.span.end == h.start()]
        if units:
            return units[-1].name
    return None


def _speech_blocks(text: str, start: int, end: int) -> Iterator[tuple[str, Span]]:
    """A 要求/强调 and what follows it to the end of its paragraph, or of its enumeration."""
    for marker in (_MARKER, _SPEECH):
        for m in marker.finditer(text, start, end):
            if marker is _SPEECH and not _speaker_before(text, start, m.start()):
                continue
            para_end = text.find("\n", m.end(), end)
            para_end = end if para_end < 0 else para_end
            # An enumeration may run on into the next paragraphs (`…；\n二是…`).
            while para_end < end:
                nxt = text[para_end + 1 : para_end + 4]
                if not any(nxt.startswith(f"{n}是") or nxt.startswith(f"（{n}）") for n in _NUMERALS):
                    break
                following = text.find("\n", para_end + 1, end)
                para_end = end if following < 0 else following
            yield m.group("verb"), Span(m.end(), para_end)


def _speaker_before(text: str, start: int, pos: int) -> bool:
    """`王德敏要求：` / `吕沛说，`: the verb's subject is a name or a title, not a longer clause."""
    clause_start = max(text.rfind(ch, start, pos) for ch in "，。；：！？\n,;:")
    subject = text[max(clause_start + 1, start) : pos]
    if subject in ("会议", "会上"):
        return False
    return is_name(subject) or bool(ends_with_post(subject) and len(subject) <= 24)


def _speech_tasks(ctx: _Context) -> list[Task]:
    text, view = ctx.text, ctx.view
    owner = _speech_owner(ctx)
    out: list[Task] = []
    seen: set[int] = set()
    for verb, block in sorted(_speech_blocks(text, view.body_start, view.span.end), key=lambda b: b[1].start):
        if verb == "表示" or block.start in seen:
            continue
        seen.add(block.start)
        items = enumerated_items(text, block.start, block.end)
        if items:
            out.extend(_block_tasks(ctx, "要求", block, owner, strict=True))
            continue
        for span in _yao_groups(text, block):
            out.append(_make_task(ctx, span, "requirement", owner))
    return out


def _yao_groups(text: str, block: Span) -> Iterator[Span]:
    """Sentence groups that each begin with a requirement (`要…。…`), as leaders' speeches run."""
    starts: list[int] = []
    for m in _SENTENCE.finditer(text, block.start, block.end):
        sentence = m.group()
        head = _MODAL.search(sentence, 0, 24)
        if sentence.strip() and head and not re.search(r"[，,]", sentence[: head.start()]):
            starts.append(m.start())
    if not starts:
        return
    for s, e in zip(starts, [*starts[1:], block.end], strict=True):
        span = _trim(text, Span(s, e))
        if span:
            yield span


def _rule_tasks(ctx: _Context) -> list[Task]:
    """Standing duties with a rhythm: `市爱卫办每季度召开一次工作例会，…。`"""
    text, view = ctx.text, ctx.view
    out: list[Task] = []
    for m in _SENTENCE.finditer(text, view.body_start, view.span.end):
        sentence = m.group()
        if not sentence.strip() or recurrence(sentence) is None:
            continue
        span = _trim(text, Span(m.start(), m.end()))
        if span is None:
            continue
        task = _make_task(ctx, span, "rule", None)
        if task.owners and task.recurrence:
            out.append(task)
    return out


def _table_tasks(ctx: _Context) -> list[Task]:
    """Rows of a 任务分工 table, one line per row with tab-separated cells."""
    text, view = ctx.text, ctx.view
    out: list[Task] = []
    columns: dict[str, int] | None = None
    pos = view.body_start
    for line in text[view.body_start : view.span.end].split("\n"):
        line_start = pos
        pos += len(line) + 1
        cells = line.split("\t")
        if len(cells) < 3:
            columns = None
            continue
        if columns is None:
            if any(_TABLE_HEAD.search(c) for c in cells):
                columns = _table_columns(cells)
            continue
        task_col = columns.get("task")
        if task_col is None or task_col >= len(cells) or len(cells[task_col].strip()) < 4:
            continue
        cell_start = line_start + sum(len(c) + 1 for c in cells[:task_col])
        span = Span(cell_start, cell_start + len(cells[task_col]))
        task = _make_task(ctx, span, "requirement", None)
        owners = _split_units(cells, columns.get("lead")) + _split_units(cells, columns.get("owners"))
        lead = _split_units(cells, columns.get("lead"))
        deadline_cell = (
            cells[columns["deadline"]] if "deadline" in columns and columns["deadline"] < len(cells) else ""
        )
        period = task_period(deadline_cell, ctx.year) if deadline_cell else None
        out.append(
            Task(
                text=task.text,
                span=task.span,
                kind=task.kind,
                owners=tuple(dict.fromkeys(owners)) or task.owners,
                lead=lead[0] if lead else task.lead,
                start=period.start if period and period.start else task.start,
                deadline=period.deadline if period and period.deadline else task.deadline,
                amount_yuan=task.amount_yuan,
            )
        )
    return out


def _table_columns(cells: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for i, c in enumerate(cells):
        if "领导" in c:
            continue  # 牵头领导/责任领导 name people, not units
        if "牵头" in c:
            columns.setdefault("lead", i)
        elif "责任" in c or "配合" in c or "单位" in c:
            columns.setdefault("owners", i)
        elif "时限" in c or "时间" in c or "期限" in c:
            columns.setdefault("deadline", i)
        elif _TABLE_HEAD.search(c):
            columns.setdefault("task", i)
    return columns


def _split_units(cells: list[str], col: int | None) -> list[str]:
    if col is None or col >= len(cells):
        return []
    return [u.strip() for u in re.split(r"[、，,；;\s]+", cells[col]) if u.strip()]


def extract_tasks(view: DocView, registry: UnitRegistry | None = None) -> list[Task]:
    """Every task the document assigns, in reading order."""
    known = tuple(
        sorted({a for u in (registry.units if registry else []) for a in u.aliases}, key=len, reverse=True)
    )
    ctx = _Context(view, known)
    kind = view.header.doc_type
    tasks: list[Task] = []
    if "\t" in view.body:
        tasks.extend(_table_tasks(ctx))
    if kind == "minutes":
        tasks.extend(_minutes_tasks(ctx))
    elif kind in ("news", "commentary"):
        tasks.extend(_speech_tasks(ctx))
    elif kind != "work_report":
        tasks.extend(_rule_tasks(ctx))
    return _without_overlaps(tasks)


def _without_overlaps(tasks: list[Task]) -> list[Task]:
    """One task per stretch of text: a clause found twice (two markers) is kept once."""
    kept: list[Task] = []
    for task in sorted(tasks, key=lambda t: (t.span.start, -len(t.span))):
        if kept and task.span.start < kept[-1].span.end:
            continue
        kept.append(task)
    return kept
