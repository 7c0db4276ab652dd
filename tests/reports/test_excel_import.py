"""Reading and checking a ledger workbook: valid files, bad rows, wrong columns, merged cells, huge and fake files."""

from __future__ import annotations

import datetime as dt
import io
import time
import zipfile

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine

from duban.db.models import OwnerRole
from duban.db.session import read_session, write_session
from duban.errors import CorruptFile, EmptyFile, FileTooLarge
from duban.reports import excel_read
from duban.reports.excel_read import MissingColumns, TooManyRows, read_ledger
from duban.reports.ledger_columns import Field
from duban.reports.ledger_import import LedgerCheck, check_file
from duban.reports.ledger_values import parse_schedule
from duban.workflow.states import State
from tests.personas import World, add_unit
from tests.reports.excel_ledger import HEADER, TODAY, workbook

ROW = [
    "1",
    "第5次党工委会议纪要",
    "完成老旧小区改造一期工程。",
    "区财政局",
    "区住建局、区教育局（配合）",
    "李区长",
]


def _check(engine: Engine, data: bytes, max_rows: int = 5000) -> LedgerCheck:
    with read_session(engine) as s:
        return check_file(s, data, "台账.xlsx", max_rows=max_rows, today=TODAY)


def test_a_valid_ledger_is_read_with_every_value_parsed(engine: Engine, world: World) -> None:
    data = workbook(
        [
            [*ROW, "2026-03-31 完成设计\n完成时限：2026-12-31", "2026-06-01：主体已开工", "办理中", "重点"],
            ["2", "", "报送资金使用情况。", "住建局", "", "", dt.datetime(2026, 7, 10), "", "", ""],
            ["3", "", "研究制定教师培训方案。", "", "区教育局", "", "", "", "", ""],
        ]
    )
    check = _check(engine, data)
    assert (check.sheet.sheet, check.sheet.header_row) == ("台账", 2)
    assert [r.row for r in check.rows] == [3, 4, 5] and check.can_import_all and check.prior is None
    first, second, third = (r.parsed for r in check.rows)
    assert first is not None and second is not None and third is not None
    assert first.text == "完成老旧小区改造一期工程。" and first.source == "第5次党工委会议纪要"
    assert [(o.name, o.role) for o in first.owners] == [
        ("区财政局", OwnerRole.LEAD),
        ("区住建局", OwnerRole.RESPONSIBLE),
        ("区教育局", OwnerRole.SUPPORTING),
    ]
    assert first.leader == "李区长" and first.state is State.IN_PROGRESS and first.note == "重点"
    assert first.deadline == dt.date(2026, 12, 31) and first.milestones == [
        (dt.date(2026, 3, 31), "完成设计")
    ]
    assert (first.progress_date, first.progress) == (dt.date(2026, 6, 1), "主体已开工")
    # A short name resolves through the unit registry; an Excel date cell is a date.
    assert [o.name for o in second.owners] == ["区住建局"] and second.deadline == dt.date(2026, 7, 10)
    assert second.state is State.DRAFT and third.deadline is None


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2026年12月31日", dt.date(2026, 12, 31)),
        ("2026/9/30", dt.date(2026, 9, 30)),
        ("2026年底", dt.date(2026, 12, 31)),
        ("12月底前", dt.date(2026, 12, 31)),
        ("三季度", dt.date(2026, 9, 30)),
        ("2026.10", dt.date(2026, 10, 31)),
        (46022, dt.date(2025, 12, 31)),  # a date typed into a cell formatted as a number
    ],
)
def test_deadlines_are_read_as_offices_write_them(written: object, expected: dt.date) -> None:
    sheet = read_ledger(workbook([["1", "", "任务", "区财政局", "", "", written]]), max_rows=10)
    assert parse_schedule(sheet.rows[0].values[Field.SCHEDULE], 2026).deadline == expected


def test_bad_rows_are_reported_with_row_numbers_and_reasons(engine: Engine, world: World) -> None:
    data = workbook(
        [
            [*ROW, "2026-12-31", "", "办理中", ""],
            ["2", "", "", "区财政局", "", "", "2026-12-31", "", "", ""],
            ["3", "", "推进项目。", "区财政厅", "", "", "2026-12-31", "", "", ""],
            ["4", "", "推进项目二。", "区财政局", "", "", "尽快", "", "", ""],
            ["5", "", "推进项目三。", "区财政局", "", "", "2026-12-31", "", "搁置", ""],
            ["6", "", "推进项目四。", "", "", "", "2026-12-31", "", "已交办", ""],
        ]
    )
    check = _check(engine, data)
    assert not check.can_import_all and check.can_import_valid
    assert [r.row for r in check.valid_rows] == [3]
    errors = {r.row: [(p.field, p.message) for p in r.errors] for r in check.invalid_rows}
    assert errors[4] == [(Field.TEXT, "任务内容为空")]
    ((field, message),) = errors[5]
    assert field is Field.LEAD and "区财政厅" in message and "是否为：区财政局" in message
    assert errors[6][0][0] is Field.SCHEDULE and "无法识别的日期" in errors[6][0][1]
    assert errors[7][0][0] is Field.STATUS and "搁置" in errors[7][0][1]
    assert errors[8] == [(None, "状态为“已交办（待签收）”的任务须有牵头单位或责任单位")]


def test_warnings_do_not_block_but_are_shown(engine: Engine, world: World) -> None:
    data = workbook(
        [
            ["1", "", "推进项目。", "区财政局、区住建局", "", "", "12月底", "", "", ""],
            ["2", "", "推进项目。", "区财政局", "", "", "", "", "", ""],
        ]
    )
    check = _check(engine, data)
    assert check.can_import_all
    first, second = check.rows
    messages = [p.message for p in first.warnings]
    assert "牵头单位只能有一个：区住建局按责任单位导入" in messages and "未写年份，按2026年理解" in messages
    assert first.parsed is not None and [o.role for o in first.parsed.owners] == [
        OwnerRole.LEAD,
        OwnerRole.RESPONSIBLE,
    ]
    assert [p.message for p in second.warnings] == ["与第3行的任务内容相同"]


def test_columns_in_any_order_with_synonyms_extra_columns_and_merged_cells(
    engine: Engine, world: World
) -> None:
    header = ["督办事项", "备注", "联系人", "牵头部门", "来源", "完成时间", "分管领导", "推进情况"]
    rows = [
        ["任务一。", "", "张三", "区财政局", "第5次会议", "2026-06-30", "李区长", ""],
        ["任务二。", "", "李四", None, None, "2026-07-31", "李区长", ""],
        ["任务三。", "", "王五", None, None, "2026-08-31", "王区长", ""],
        ["任务四。", "", "赵六", "区住建局", "第6次会议", "2026-09-30", "王区长", ""],
    ]
    # 来源 merged down the first three rows, 牵头部门 likewise; the title row merged across.
    data = workbook(rows, header, merges=["A1:H1", "E3:E5", "D3:D5"])
    check = _check(engine, data)
    assert check.sheet.extra == ["联系人"] and check.can_import_all
    parsed = [r.parsed for r in check.rows]
    assert [(p.source, p.owners[0].name, p.leader) for p in parsed if p] == [
        ("第5次会议", "区财政局", "李区长"),
        ("第5次会议", "区财政局", "李区长"),
        ("第5次会议", "区财政局", "王区长"),
        ("第6次会议", "区住建局", "王区长"),
    ]


def test_separate_milestone_and_deadline_columns(engine: Engine, world: World) -> None:
    header = ["工作任务", "责任单位", "时间节点", "完成时限"]
    data = workbook(
        [["任务。", "区财政局", "3月底前完成设计；6月底前开工", "2026年12月31日"]], header, title=None
    )
    (row,) = _check(engine, data).rows
    assert row.parsed is not None and row.parsed.deadline == dt.date(2026, 12, 31)
    assert row.parsed.milestones == [(dt.date(2026, 3, 31), "完成设计"), (dt.date(2026, 6, 30), "开工")]
    assert row.parsed.owners[0].role is OwnerRole.RESPONSIBLE


def test_missing_columns_are_named_with_the_headers_found() -> None:
    data = workbook([["推进项目。", "张三"]], ["任务内容", "联系人"])
    with pytest.raises(MissingColumns) as raised:
        read_ledger(data, max_rows=10)
    assert raised.value.message_zh == "缺少列：牵头单位或责任单位。工作表“台账”中找到的列：任务内容、联系人"


def test_a_sheet_without_any_ledger_header_is_refused() -> None:
    data = workbook([["甲", "乙"], ["丙", "丁"]], ["姓名", "电话"])
    with pytest.raises(MissingColumns, match="没有找到台账表头"):
        read_ledger(data, max_rows=10)


def test_an_empty_workbook_and_a_header_without_rows_are_refused() -> None:
    empty = io.BytesIO()
    Workbook().save(empty)
    with pytest.raises(EmptyFile, match="工作簿是空的"):
        read_ledger(empty.getvalue(), max_rows=10)
    with pytest.raises(EmptyFile, match="表头下没有数据行"):
        read_ledger(workbook([]), max_rows=10)
    with pytest.raises(EmptyFile):
        read_ledger(b"", max_rows=10)


def test_a_huge_file_is_refused_quickly_with_the_limit_named() -> None:
    book = Workbook(write_only=True)
    ws = book.create_sheet("台账")
    ws.append(HEADER)
    for i in range(20_000):
        ws.append([i, "会议纪要", f"第{i}项任务。", "区财政局", "", "", "2026-12-31", "", "", ""])
    out = io.BytesIO()
    book.save(out)
    started = time.perf_counter()
    with pytest.raises(TooManyRows) as raised:
        read_ledger(out.getvalue(), max_rows=5000)
    assert time.perf_counter() - started < 10
    assert raised.value.message_zh == "表中数据超过5000行的上限，请拆分成几个文件分批导入"
    assert raised.value.status == 422


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in members.items():
            archive.writestr(name, body)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"%PDF-1.4 not a workbook at all", "不是有效的 Excel"),
        ("序号,任务内容\n1,推进项目".encode(), "不是有效的 Excel"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "旧版 Excel（.xls）"),
        (_zip({"word/document.xml": b"<w:document/>", "[Content_Types].xml": b"<Types/>"}), "Word 文档"),
        (_zip({"xl/workbook.xml": b"<workbook>broken", "[Content_Types].xml": b"<Types/>"}), "文件已损坏"),
    ],
    ids=["pdf", "csv", "xls", "docx", "broken-xlsx"],
)
def test_a_file_that_is_no_xlsx_is_refused_with_a_reason(data: bytes, says: str) -> None:
    with pytest.raises(CorruptFile) as raised:
        read_ledger(data, max_rows=10)
    assert says in raised.value.message_zh and raised.value.status == 422


def test_a_zip_bomb_is_refused_before_it_is_unpacked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(excel_read, "MAX_UNPACKED_BYTES", 100_000)
    data = _zip({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b" " * 200_000})
    with pytest.raises(FileTooLarge):
        read_ledger(data, max_rows=10)


def test_the_first_sheet_with_a_ledger_header_is_read_and_later_ones_ignored() -> None:
    book = Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "填表说明"
    notes.append(["请按模板填写"])
    for title, text in (("台账", "主表任务。"), ("区财政局", "分表任务。")):
        ws = book.create_sheet(title)
        ws.append(["任务内容", "牵头单位"])
        ws.append([text, "区财政局"])
    out = io.BytesIO()
    book.save(out)
    sheet = read_ledger(out.getvalue(), max_rows=10)
    assert sheet.sheet == "台账" and [r.values[Field.TEXT] for r in sheet.rows] == ["主表任务。"]


def test_blank_rows_are_skipped_and_row_numbers_kept() -> None:
    data = workbook(
        [["1", "", "任务一。", "区财政局"], [None] * 4, ["", "", "", ""], ["4", "", "任务二。", "区财政局"]]
    )
    sheet = read_ledger(data, max_rows=10)
    assert [(r.row, r.values[Field.TEXT]) for r in sheet.rows] == [(3, "任务一。"), (6, "任务二。")]


def test_a_unit_added_after_the_preview_counts_when_checked_again(engine: Engine, world: World) -> None:
    data = workbook([["1", "", "任务。", "区发改委"]])
    assert not _check(engine, data).can_import_all
    with write_session(engine) as s:
        add_unit(s, "区发改委")
    assert _check(engine, data).can_import_all


def test_merged_cells_in_a_sheet_too_big_to_load_whole_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(excel_read, "MAX_MERGED_SHEET_BYTES", 100)
    data = workbook(
        [["1", "会议", "任务一。", "区财政局"], ["2", None, "任务二。", "区财政局"]], merges=["B3:B4"]
    )
    with pytest.raises(TooManyRows, match="请取消合并单元格"):
        read_ledger(data, max_rows=10)
    monkeypatch.setattr(excel_read, "MAX_MERGED_SHEET_BYTES", 10**6)
    assert [r.values[Field.SOURCE] for r in read_ledger(data, max_rows=10).rows] == ["会议", "会议"]
