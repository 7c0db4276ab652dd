"""The Excel ledger: every generated file is opened again and its values and layout checked."""

from __future__ import annotations

import datetime as dt
import io
import time

from openpyxl import load_workbook
from sqlalchemy import Engine, insert, select

from duban import clock
from duban.db.models import OwnerRole, Task, TaskOwner, Unit
from duban.db.repositories.tasks import TaskQuery
from duban.db.session import read_session, write_session
from duban.reports.excel_export import (
    BODY_FONT,
    HEADER_FONT,
    LIGHT_FILLS,
    MAIN_SHEET,
    TITLE,
    build_workbook,
    export_ledger,
    sheet_name,
)
from duban.reports.ledger_columns import COLUMNS
from duban.workflow.principal import Principal
from duban.workflow.states import State
from duban.workflow.warnings import Light
from tests.personas import World, add_unit
from tests.reports.excel_ledger import FORMULA_TEXT, HEADER, TODAY, opened, seed

DATA = 4  # the first data row: title, note with legend, header


def _export(
    engine: Engine, who: Principal, query: TaskQuery | None = None, *, per_unit: bool = False
) -> bytes:
    with read_session(engine) as s:
        return export_ledger(s, who, query or TaskQuery(), today=TODAY, near_days=3, per_unit=per_unit)


def _rows_by_text(ws: object) -> dict[str, list[object]]:
    rows = list(ws.iter_rows(min_row=DATA, values_only=True))  # type: ignore[attr-defined]
    return {str(r[2]): list(r) for r in rows}


def test_sheet_has_title_note_header_frozen_below_it_widths_filter_and_print_setup(
    engine: Engine, world: World
) -> None:
    seed(engine, world)
    ws = opened(_export(engine, world.supervisor)).worksheets[0]
    assert ws.title == MAIN_SHEET
    assert ws["A1"].value == TITLE and ws["A1"].font.b and ws["A1"].font.sz == 18
    assert (
        "导出时间" in ws["A2"].value and "筛选条件：全部任务" in ws["A2"].value and "共5项" in ws["A2"].value
    )
    assert {str(r) for r in ws.merged_cells.ranges} == {"A1:J1", "A2:F2"}
    assert [c.value for c in ws[3]] == HEADER
    assert ws.freeze_panes == "A4"
    assert ws.auto_filter.ref == "A3:J8"
    assert [ws.column_dimensions[chr(65 + i)].width for i in range(10)] == [c.width for c in COLUMNS]
    header = ws["C3"]
    assert header.font.name == HEADER_FONT and header.font.b and header.fill.fgColor.rgb.endswith("D9D9D9")
    body = ws["C4"]
    assert body.font.name == BODY_FONT and body.alignment.wrap_text
    assert body.border.left.style == "thin" and body.border.bottom.style == "thin"
    assert ws["A4"].alignment.horizontal == "center"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$3:$3"
    assert "&P" in ws.oddFooter.center.text


def test_rows_show_source_units_schedule_latest_progress_and_state(engine: Engine, world: World) -> None:
    seeded = seed(engine, world)
    ws = opened(_export(engine, world.supervisor)).worksheets[0]
    rows = _rows_by_text(ws)
    red = rows["完成老旧小区改造一期工程。"]
    assert red[1] == "关于推进重点工作的会议纪要（区政办〔2026〕3号）\n二、关于老旧小区改造"
    assert red[3:6] == ["区财政局", "区住建局、区教育局（配合）", "李区长"]
    assert red[6] == "2026-03-31 完成设计\n2026-05-31 开工建设\n完成时限：2026-06-12"
    assert red[7] == "2026-06-01：主体已开工"
    assert red[8] == State.IN_PROGRESS.label
    assert red[9] == f"预警：逾期；系统编号{seeded.red}"
    yellow = rows["报送二季度资金使用情况。"]
    assert yellow[1] == "关于推进重点工作的会议纪要（区政办〔2026〕3号）"
    assert (yellow[6], yellow[7], yellow[8]) == ("2026-06-16", None, "已交办（待签收）")
    # Rows are as tall as their wrapped text: 任务来源 with its section takes four lines, without it three;
    # the green row has no source, but its 备注 wraps once.
    heights = {ws.cell(r, 3).value: ws.row_dimensions[r].height for r in range(DATA, DATA + 5)}
    red, yellow, green = (
        heights[t]
        for t in ("完成老旧小区改造一期工程。", "报送二季度资金使用情况。", "研究制定教师培训方案。")
    )
    assert (red, yellow, green) == (4 * 14.5 + 6, 3 * 14.5 + 6, 2 * 14.5 + 6)
    green = rows["研究制定教师培训方案。"]
    assert (green[1], green[4], green[5], green[6]) == (None, None, None, "待定")
    assert [r[0] for r in ws.iter_rows(min_row=DATA, values_only=True)] == [1, 2, 3, 4, 5]


def test_each_row_is_coloured_by_its_light_and_the_legend_names_the_colours(
    engine: Engine, world: World
) -> None:
    seed(engine, world)
    ws = opened(_export(engine, world.supervisor)).worksheets[0]
    expected = {
        "完成老旧小区改造一期工程。": Light.RED,
        "报送二季度资金使用情况。": Light.YELLOW,
        "研究制定教师培训方案。": Light.GREEN,
        "完成学校扩建验收。": Light.NONE,
    }
    for row in ws.iter_rows(min_row=DATA):
        light = expected.get(row[2].value)
        if light is None:
            continue
        assert {c.fill.fgColor.rgb[-6:] for c in row} == {LIGHT_FILLS[light]}, row[2].value
    legend = {ws.cell(2, col).value: ws.cell(2, col).fill.fgColor.rgb[-6:] for col in range(7, 11)}
    assert legend == {light.label: LIGHT_FILLS[light] for light in Light}


def test_text_a_spreadsheet_would_run_is_stored_as_text(engine: Engine, world: World) -> None:
    seed(engine, world)
    ws = opened(_export(engine, world.supervisor)).worksheets[0]
    cell = next(row[2] for row in ws.iter_rows(min_row=DATA) if row[2].value == FORMULA_TEXT)
    assert cell.data_type == "s" and cell.quotePrefix


def test_filter_limits_the_rows_and_is_written_on_the_sheet(engine: Engine, world: World) -> None:
    seed(engine, world)
    query = TaskQuery(statuses=[State.IN_PROGRESS], unit_id=world.unit_a)
    ws = opened(_export(engine, world.supervisor, query)).worksheets[0]
    assert set(_rows_by_text(ws)) == {"完成老旧小区改造一期工程。", FORMULA_TEXT}
    assert "筛选条件：状态：办理中；责任单位：区财政局" in ws["A2"].value and "共2项" in ws["A2"].value


def test_unit_user_exports_only_their_units_tasks(engine: Engine, world: World) -> None:
    seed(engine, world)
    ws = opened(_export(engine, world.unit_b_user)).worksheets[0]
    assert set(_rows_by_text(ws)) == {"完成老旧小区改造一期工程。", "报送二季度资金使用情况。"}


def test_per_unit_adds_one_sheet_per_lead_unit(engine: Engine, world: World) -> None:
    seed(engine, world)
    book = opened(_export(engine, world.supervisor, per_unit=True))
    assert book.sheetnames == [MAIN_SHEET, "区住建局", "区财政局", "未定牵头单位"]
    caizheng = book["区财政局"]
    assert caizheng["A1"].value == f"{TITLE}（区财政局）" and caizheng.freeze_panes == "A4"
    assert [c.value for c in caizheng[3]] == HEADER
    assert set(_rows_by_text(caizheng)) == {
        "完成老旧小区改造一期工程。",
        "研究制定教师培训方案。",
        FORMULA_TEXT,
    }
    assert [r[0] for r in caizheng.iter_rows(min_row=DATA, values_only=True)] == [1, 2, 3]
    assert set(_rows_by_text(book["未定牵头单位"])) == {"完成学校扩建验收。"}


def test_sheet_names_are_valid_short_and_unique() -> None:
    taken = {MAIN_SHEET.casefold()}
    assert sheet_name("区/市:联合[专班]*?\\", taken) == "区市联合专班"
    long = "某某市某某区人民政府办公室关于某某专项工作领导小组办公室（联合）"
    first, second = sheet_name(long, taken), sheet_name(long, taken)
    assert len(first) == 31 and len(second) == 31 and first != second and second.endswith("（2）")
    assert sheet_name("督办台账", taken) == "督办台账（2）"
    assert sheet_name("'引号'", taken) == "引号"
    assert sheet_name("///", taken) == "未命名"


def test_unit_sheet_names_stay_unique_when_long_names_share_31_characters(
    engine: Engine, world: World
) -> None:
    stem = "某某市某某区人民政府某某某某某某某某某某某某某某某某某某"
    with write_session(engine) as s:
        ids = [add_unit(s, stem + suffix).id for suffix in ("甲局", "乙局")]
        for unit_id in ids:
            s.add(
                Task(
                    text="长名称单位的任务。", status="draft", created_at=clock.now(), updated_at=clock.now()
                )
            )
            s.flush()
            task = s.scalars(select(Task).order_by(Task.id.desc())).first()
            assert task is not None
            s.add(TaskOwner(task_id=task.id, unit_id=unit_id, role="lead", position=0))
    names = opened(_export(engine, world.supervisor, per_unit=True)).sheetnames
    assert len(names) == 3 and len(set(names)) == 3 and all(len(n) <= 31 for n in names)


def test_an_empty_ledger_is_a_header_only_template() -> None:
    ws = opened(build_workbook([], total=0, described="空白模板", exported_at=clock.now())).worksheets[0]
    assert [c.value for c in ws[3]] == HEADER and ws.max_row == 3 and ws.auto_filter.ref == "A3:J3"


def test_ten_thousand_rows_export_in_seconds(engine: Engine, world: World) -> None:
    now = clock.now()
    with write_session(engine) as s:
        units = [s.get(Unit, world.unit_a), s.get(Unit, world.unit_b)]
        assert all(units)
        s.execute(
            insert(Task),
            [
                {
                    "text": f"第{i}项重点任务：推进项目建设。",
                    "status": "in_progress",
                    "deadline": TODAY + dt.timedelta(days=i % 200 - 100),
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(10_000)
            ],
        )
        ids = s.scalars(select(Task.id)).all()
        s.execute(
            insert(TaskOwner),
            [
                {
                    "task_id": t,
                    "unit_id": world.unit_a if t % 2 else world.unit_b,
                    "role": OwnerRole.LEAD.value,
                }
                for t in ids
            ],
        )
    started = time.perf_counter()
    data = _export(engine, world.supervisor)
    elapsed = time.perf_counter() - started
    # Read-only (streaming) opening: the full load of 10,000 rows would take longer than the export.
    book = load_workbook(io.BytesIO(data), read_only=True)
    rows = list(book.worksheets[0].iter_rows(min_row=DATA, values_only=True))
    book.close()
    assert len(rows) == 10_000 and rows[-1][0] == 10_000 and rows[-1][8] == State.IN_PROGRESS.label
    assert elapsed < 30, elapsed
