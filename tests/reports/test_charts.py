"""The 周报's charts: valid PNGs of the set size, the same bytes for the same data, nothing left on disk."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest

from duban.reports import charts
from tests.reports.docx_checks import png_size

STATUSES = [("待确认", 3), ("待签收", 5), ("办理中", 7), ("待验收", 2), ("已办结", 10), ("已撤销", 1)]
UNITS = [("区财政局", 5, 3, 1), ("区住建局", 2, 1, 3), ("区教育局", 0, 2, 0)]
WEEKS = [("10/5", 3, 1, 0), ("10/12", 4, 2, 1), ("10/19", 2, 5, 2), ("10/26", 6, 3, 1)]
EXPECTED_SIZE = (round(charts.SIZE_IN[0] * charts.DPI), round(charts.SIZE_IN[1] * charts.DPI))


def _all() -> list[bytes]:
    return [charts.status_chart(STATUSES), charts.unit_chart(UNITS), charts.trend_chart(WEEKS)]


def test_each_chart_is_a_png_of_the_set_size() -> None:
    for png in _all():
        assert png_size(png) == EXPECTED_SIZE


def test_the_same_data_gives_the_same_bytes() -> None:
    assert _all() == _all()
    assert charts.unit_chart(UNITS) != charts.unit_chart([*UNITS, ("区民政局", 1, 1, 1)])


def test_no_timestamp_or_software_chunk_in_the_png() -> None:
    png = charts.trend_chart(WEEKS)
    assert b"tIME" not in png and b"Software" not in png


def test_drawing_leaves_no_file_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _all()
    assert os.listdir(tmp_path) == []


def test_the_chinese_font_is_wenquanyi_when_installed() -> None:
    font = charts.chinese_font()
    if not Path(charts.FONT_FILES[0]).is_file():
        pytest.skip("fonts-wqy-zenhei is not installed")
    assert font is not None and font.get_file() == charts.FONT_FILES[0]


def test_without_a_chinese_font_the_charts_are_still_drawn_quietly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(charts, "chinese_font", lambda: None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pngs = _all()
    assert all(png_size(png) == EXPECTED_SIZE for png in pngs)


def test_empty_data_still_draws() -> None:
    assert png_size(charts.status_chart([("已办结", 0)])) == EXPECTED_SIZE
    assert png_size(charts.unit_chart([])) == EXPECTED_SIZE
    assert png_size(charts.trend_chart([("10/5", 0, 0, 0)])) == EXPECTED_SIZE


def test_at_most_fifteen_units_are_drawn() -> None:
    many = [(f"单位{i}", i, 1, 0) for i in range(30)]
    assert charts.unit_chart(many) == charts.unit_chart(many[: charts.MAX_UNITS])
