"""Content-addressed file keeping: uploads and attachments are stored once, by sha256, never altered."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["StoredFile", "keep_bytes", "write_atomic"]


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    path: Path
    size: int


def keep_bytes(root: Path, data: bytes) -> StoredFile:
    """Write `data` under root/ab/abcdef… unless it is already there; atomic (temp file + rename)."""
    digest = hashlib.sha256(data).hexdigest()
    path = root / digest[:2] / digest
    if not path.exists():
        write_atomic(path, data)
    return StoredFile(digest, path, len(data))


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` (folders made) via a temp file and a rename: no reader sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
