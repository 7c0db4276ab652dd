"""Helpers for reading the pages of the dashboard, ranking, Gantt, org and admin tests."""

from __future__ import annotations

import json
import re
from typing import Any


def json_block(html: str, element_id: str) -> Any:
    """The data a page hands to its JavaScript in <script type="application/json" id=...>."""
    match = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', html, re.S)
    assert match, f"no JSON block #{element_id}"
    return json.loads(match.group(1))


def stat(html: str, label: str) -> int:
    """The figure on the stat card labelled `label`."""
    match = re.search(rf"<span>{re.escape(label)}</span><b>(\d+)</b>", html)
    assert match, f"no stat card {label}"
    return int(match.group(1))
