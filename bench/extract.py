"""Extraction throughput on one core: characters/s and documents/s, peak memory, OCR pages/minute.

The demo corpus is repeated until the text reaches --mb megabytes (default 5). Each copy is a new
file for the pipeline, and the NER sentence cache is cleared between copies so repeats cost what
new text would. Run: `.venv/bin/python bench/extract.py [--mb 5] [--ocr-pages 2]`.
"""

from __future__ import annotations

import os

# One core: pin thread pools before numpy/onnxruntime load.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "ORT_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import resource  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "examples" / "corpus"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_text(megabytes: float) -> None:
    from duban.ingest.extract import ner
    from duban.ingest.pipeline import run_text

    texts = [(p.name, p.read_text(encoding="utf-8")) for p in sorted(CORPUS.glob("*.txt"))]
    run_text(texts[0][1], texts[0][0])  # load models once, outside the timing
    target = megabytes * 1_000_000
    chars = docs = files = 0
    started = time.perf_counter()
    while chars < target:
        for name, text in texts:
            ner.cache_clear()
            extraction = run_text(text, name)
            chars += len(text)
            docs += len(extraction.documents)
            files += 1
    elapsed = time.perf_counter() - started
    print(f"text: {chars / 1e6:.2f} M characters, {files} files, {docs} documents in {elapsed:.1f} s")
    print(f"throughput: {chars / elapsed:,.0f} characters/s, {docs / elapsed:,.1f} documents/s (one core)")
    print(f"peak memory (RSS): {_peak_mb():,.0f} MB")


def bench_ocr(pages: int) -> None:
    from PIL import Image, ImageDraw, ImageFont

    from duban.ingest.read.ocr import RapidOcrEngine

    font_path = next(
        (
            p
            for p in (
                "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
                "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
            )
            if Path(p).exists()
        ),
        None,
    )
    if font_path is None:
        print("ocr: skipped (no CJK font; install fonts-wqy-zenhei)")
        return
    text = (CORPUS / "000_3c233771d51cc4fd.txt").read_text(encoding="utf-8")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    font = ImageFont.truetype(font_path, 28)
    page = Image.new("RGB", (1240, 1754), "white")  # A4 at 150 dpi
    draw = ImageDraw.Draw(page)
    y = 80
    for line in lines:
        for k in range(0, len(line), 38):
            if y > 1680:
                break
            draw.text((80, y), line[k : k + 38], font=font, fill="black")
            y += 44
    engine = RapidOcrEngine()
    engine.recognize(page.crop((0, 0, 400, 200)))  # model load outside the timing
    started = time.perf_counter()
    recognized = 0
    for _ in range(pages):
        recognized += sum(len(s) for s in engine.recognize(page))
    elapsed = time.perf_counter() - started
    print(
        f"ocr: {pages} A4 pages in {elapsed:.1f} s = {pages / elapsed * 60:.1f} pages/minute, {recognized // pages} characters/page"
    )
    print(f"peak memory (RSS) with OCR: {_peak_mb():,.0f} MB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--mb", type=float, default=5.0, help="megabytes of text to process")
    ap.add_argument("--ocr-pages", type=int, default=2, help="scanned pages to OCR (0 skips)")
    a = ap.parse_args()
    bench_text(a.mb)
    if a.ocr_pages:
        bench_ocr(a.ocr_pages)


if __name__ == "__main__":
    main()
