"""Generated files as downloads: the Chinese file name in `filename*=` (RFC 6266), an ASCII one for old clients."""

from __future__ import annotations

from urllib.parse import quote

from fastapi.responses import Response

__all__ = ["download"]


def download(body: bytes, media_type: str, filename: str, fallback: str) -> Response:
    """`body` as an attachment named `filename` (UTF-8), `fallback` for clients that only read `filename=`."""
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
    return Response(
        body, media_type=media_type, headers={"Content-Disposition": disposition, "Cache-Control": "no-store"}
    )
