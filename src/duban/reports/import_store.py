"""Import previews kept on disk until the supervisor confirms: `data_dir/imports/<id>/`.

Each preview folder holds the uploaded workbook as it came (`original.xlsx`)
and the rows read from it (`preview.json`: the raw cell text per field, not
the verdicts, which are worked out again against the database whenever the
preview is shown or committed). Whether a preview was imported is not kept
here but in the database: a Document with the file's SHA-256 exists. The
id is random (128 bits) and checked against its pattern before it touches
a path. Previews older than a week are removed when a new one is saved.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from duban import clock
from duban.errors import NotFound
from duban.reports.excel_read import RawRow, SheetData
from duban.reports.ledger_columns import Field
from duban.storage import write_atomic

__all__ = ["KEEP_DAYS", "StoredPreview", "load_preview", "save_preview"]

IMPORTS = "imports"
KEEP_DAYS = 7
_ID = re.compile(r"^[0-9a-f]{32}$")
ORIGINAL = "original.xlsx"
PREVIEW = "preview.json"


@dataclass(frozen=True)
class StoredPreview:
    id: str
    filename: str
    sha256: str
    size: int
    created_at: dt.datetime
    created_by: int | None
    sheet: SheetData
    original: Path


def _folder(data_dir: Path, preview_id: str) -> Path:
    if not _ID.match(preview_id):
        raise NotFound(f"导入预览 {preview_id[:40]} 不存在", "no such import preview")
    return data_dir / IMPORTS / preview_id


def _sheet_json(sheet: SheetData) -> dict[str, Any]:
    return {
        "sheet": sheet.sheet,
        "header_row": sheet.header_row,
        "headings": {f.value: h for f, h in sheet.headings.items()},
        "extra": sheet.extra,
        "rows": [[r.row, {f.value: v for f, v in r.values.items()}] for r in sheet.rows],
    }


def _sheet_of(body: dict[str, Any]) -> SheetData:
    return SheetData(
        sheet=body["sheet"],
        header_row=body["header_row"],
        headings={Field(f): h for f, h in body["headings"].items()},
        extra=list(body["extra"]),
        rows=[RawRow(row, {Field(f): v for f, v in values.items()}) for row, values in body["rows"]],
    )


def _prune(root: Path) -> None:
    cutoff = time.time() - KEEP_DAYS * 86400
    for folder in root.iterdir() if root.is_dir() else ():
        if _ID.match(folder.name) and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)


def save_preview(
    data_dir: Path, filename: str, sha256: str, data: bytes, sheet: SheetData, user_id: int | None
) -> str:
    """Keep the workbook and its rows; return the preview's id."""
    root = data_dir / IMPORTS
    root.mkdir(parents=True, exist_ok=True)
    _prune(root)
    preview_id = secrets.token_hex(16)
    folder = root / preview_id
    folder.mkdir()
    write_atomic(folder / ORIGINAL, data)
    body = {
        "id": preview_id,
        "filename": filename,
        "sha256": sha256,
        "size": len(data),
        "created_at": clock.now().isoformat(),
        "created_by": user_id,
        **_sheet_json(sheet),
    }
    write_atomic(folder / PREVIEW, json.dumps(body, ensure_ascii=False).encode())
    return preview_id


def load_preview(data_dir: Path, preview_id: str) -> StoredPreview:
    folder = _folder(data_dir, preview_id)
    try:
        body = json.loads((folder / PREVIEW).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise NotFound(
            f"导入预览 {preview_id} 不存在或已过期（预览保留{KEEP_DAYS}天），请重新上传",
            "no such import preview",
        ) from None
    return StoredPreview(
        id=preview_id,
        filename=body["filename"],
        sha256=body["sha256"],
        size=body["size"],
        created_at=dt.datetime.fromisoformat(body["created_at"]),
        created_by=body["created_by"],
        sheet=_sheet_of(body),
        original=folder / ORIGINAL,
    )
