"""The ranking page: units in score order for the chosen period, a clear message for a bad period."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import Engine

from duban.db.models import OwnerRole
from duban.db.session import write_session
from tests.personas import World, add_task
from tests.web.page_data import json_block
from tests.webclient import ClientFactory


def _ranked_units(html: str) -> list[str]:
    table = html[html.index('<table class="ranking">') :]
    return re.findall(r'<td><a href="/units/\d+\?period=[^"]+">([^<]+)</a></td>', table)


def _ledger(engine: Engine, world: World) -> None:
    """2025 Q2: unit B on time twice, unit A once on time and once overdue, unit C overdue only."""
    with write_session(engine) as s:
        for unit, status in (
            (world.unit_b, "done"),
            (world.unit_b, "done"),
            (world.unit_a, "done"),
            (world.unit_a, "in_progress"),
            (world.unit_c, "assigned"),
        ):
            add_task(s, status=status, owners=[(unit, OwnerRole.LEAD)], deadline=dt.date(2025, 5, 20))
        # Due in another quarter: not part of 2025Q2.
        add_task(
            s, status="in_progress", owners=[(world.unit_b, OwnerRole.LEAD)], deadline=dt.date(2025, 8, 1)
        )


def test_units_are_ranked_by_on_time_rate_for_the_period(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    _ledger(engine, world)
    page = client_for(world.leader).get("/ranking?period=2025Q2")
    assert page.status_code == 200
    assert "2025年第二季度" in page.text
    assert _ranked_units(page.text) == ["区住建局", "区财政局", "区教育局"]
    assert "100.0%" in page.text and "50.0%" in page.text and "0.0%" in page.text
    chart = json_block(page.text, "ranking-data")["rate"]
    assert chart["labels"] == ["区住建局", "区财政局", "区教育局"] and chart["values"] == [100.0, 50.0, 0.0]


def test_a_period_with_nothing_due_says_so(client_for: ClientFactory, engine: Engine, world: World) -> None:
    _ledger(engine, world)
    page = client_for(world.unit_a_user).get("/ranking?period=2024-03")
    assert page.status_code == 200 and "2024年3月" in page.text
    assert "该期间没有到期的已交办任务" in page.text


def test_a_bad_period_gets_a_clear_message_and_the_current_quarter(
    client_for: ClientFactory, world: World
) -> None:
    page = client_for(world.supervisor).get("/ranking?period=2026Q5")
    assert page.status_code == 422
    assert "无法识别的考核期间“2026Q5”" in page.text
    assert "季度" in page.text


def test_the_picker_offers_years_halves_quarters_and_months(client_for: ClientFactory, world: World) -> None:
    page = client_for(world.supervisor).get("/ranking?period=2025H1").text
    for key in ("2025", "2025H1", "2025Q3", "2025-11"):
        assert f'value="{key}"' in page
    assert '<option value="2025H1" selected>' in page
