"""Decode the bytes of a text file: BOMs and strict UTF-8 first, then the most plausible candidate.

Detectors guess badly on short GBK text (charset-normalizer calls 会议决定 or 财政局负责 CP949 and
区长 Big5), so a strict GB18030 decode that reads as Chinese is taken at once, charset-normalizer is
one candidate among others for the rest, and every candidate is scored by
how much it looks like Chinese (or plain ASCII) text: the share of characters from the most common
simplified Chinese characters, CJK punctuation and printable ASCII.
"""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass

# (BOM, codec of the bytes after it). UTF-32 LE must be tried before UTF-16 LE: FF FE 00 00 starts with FF FE.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# The 500 most frequent characters of modern simplified Chinese: real text is mostly made of them,
# mis-decoded bytes almost never are.
_COMMON = frozenset(
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面"
    "而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性"
    "好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第"
    "向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管"
    "特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处"
    "队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单"
    "风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土"
    "许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省"
    "列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置"
    "派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严"
)

_SAMPLE = 20_000  # characters looked at from the head, middle and tail of a long text
_MAX_BAD_SHARE = 0.05  # more control/unassigned/private characters than this: not text
_FAST_PATH_SCORE = 0.6  # a strict GB18030 decode this plausible needs no detector
_MIN_SCORE = 0.3  # below this every candidate is mis-decoded bytes (random bytes score about 0.2)
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v")


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # Python codec name; a UTF-8 BOM is reported as utf-8-sig
    replaced: int = 0  # undecodable bytes shown as U+FFFD (a file cut mid-character, one bad byte)


def decode_text(data: bytes) -> Decoded | None:
    """The decoded text (a BOM stripped, nothing else changed), or None when the bytes are not text."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = _strict(data[len(bom) :], codec)
            if text is not None and looks_like_text(text):
                return Decoded(text, "utf-8-sig" if bom == codecs.BOM_UTF8 else codec)
    text = _strict(data, "utf-8")
    if text is not None and looks_like_text(text):
        return Decoded(text, "utf-8")

    gb = _strict(data, "gb18030")
    if gb is not None and looks_like_text(gb) and plausibility(gb) >= _FAST_PATH_SCORE:
        return Decoded(gb, "gb18030")

    candidates: list[Decoded] = []
    if gb is not None:
        candidates.append(Decoded(gb, "gb18030"))
    if len(data) % 2 == 0:  # BOM-less UTF-16
        for codec in ("utf-16-le", "utf-16-be"):
            text = _strict(data, codec)
            if text is not None:
                candidates.append(Decoded(text, codec))
    detected = _detect(data)
    if detected is not None:
        candidates.append(detected)
    candidates.extend(_lenient(data))
    return _most_plausible(candidates)


def _most_plausible(candidates: list[Decoded]) -> Decoded | None:
    best: tuple[float, int, Decoded] | None = None
    for candidate in candidates:
        clean = candidate.text.replace("\ufffd", "") if candidate.replaced else candidate.text
        if not looks_like_text(clean):
            continue
        key = (plausibility(clean), -candidate.replaced, candidate)
        if key[0] >= _MIN_SCORE and (best is None or key[:2] > best[:2]):
            best = key
    return best[2] if best else None


def _lenient(data: bytes) -> list[Decoded]:
    """Text with a few bad bytes (a last character cut in half, one corrupt byte) is still text:
    decoded with U+FFFD for the bad bytes, if there are at most 1 per 200 characters (at least 4)."""
    attempts = [(bom, codec) for bom, codec in _BOMS if data.startswith(bom)][:1]  # a BOM names the codec
    attempts = attempts or [(b"", "utf-8"), (b"", "gb18030")]
    found = []
    for bom, codec in attempts:
        text = data[len(bom) :].decode(codec, errors="replace")
        replaced = text.count("\ufffd")
        if replaced <= max(4, len(text) // 200):
            found.append(Decoded(text, "utf-8-sig" if bom == codecs.BOM_UTF8 else codec, replaced))
    return found


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _detect(data: bytes) -> Decoded | None:
    from charset_normalizer import from_bytes  # imported late: only the hard cases need it

    best = from_bytes(data).best()
    if best is None:
        return None
    codec = codecs.lookup(best.encoding).name
    text = _strict(data, codec)
    return None if text is None else Decoded(text, codec)


def _sample(text: str) -> str:
    if len(text) <= 3 * _SAMPLE:
        return text
    mid = len(text) // 2
    return text[:_SAMPLE] + text[mid : mid + _SAMPLE] + text[-_SAMPLE:]


def looks_like_text(text: str) -> bool:
    """False for binary garbage: NUL bytes, other control characters, unassigned or private code points."""
    sample = _sample(text)
    if not sample:
        return True
    bad = sum(1 for ch in sample if _is_bad(ch))
    return bad <= _MAX_BAD_SHARE * len(sample)


def _is_bad(ch: str) -> bool:
    if ch == "\ufffd":
        return True
    return unicodedata.category(ch) in ("Cc", "Cn", "Co", "Cs") and ch not in _ALLOWED_CONTROLS


def plausibility(text: str) -> float:
    """0..1: how much the text looks like Chinese or plain text rather than mis-decoded bytes."""
    total = 0.0
    count = 0
    for ch in _sample(text):
        if ch.isspace():
            continue
        count += 1
        if ch in _COMMON:
            total += 1.0
        elif "\u4e00" <= ch <= "\u9fff":
            total += 0.4
        elif "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef":
            total += 0.9
        elif ch.isascii() and ch.isprintable():
            total += 0.7
        elif "\u00c0" <= ch <= "\u024f":  # accented Latin letters
            total += 0.5
        else:
            total += 0.1
    return total / count if count else 0.0
