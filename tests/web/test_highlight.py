"""Highlighting spans of untrusted text: escaped always, tags balanced, overlaps nested or split."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from hypothesis import given
from hypothesis import strategies as st

from duban.web.highlight import KINDS, Mark, highlight

TAG = re.compile(r"<[^>]*>")


def _plain(markup: str) -> str:
    return html.unescape(TAG.sub("", markup))


class _Balance(HTMLParser):
    """Fails on a closing tag that does not close the innermost open element, or on an <a> inside an <a>."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert not (tag == "a" and "a" in self.stack), "nested links"
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack.pop() == tag, f"unbalanced </{tag}>"


def _assert_balanced(markup: str) -> None:
    parser = _Balance()
    parser.feed(markup)
    parser.close()
    assert parser.stack == []


def test_a_single_mark_wraps_its_span_with_title_and_link() -> None:
    out = highlight("由区财政局负责", [Mark(1, 5, "task", "任务1", "/tasks/1")])
    assert str(out) == '由<mark class="hl-task" title="任务1"><a href="/tasks/1">区财政局</a></mark>负责'


def test_text_and_titles_are_escaped() -> None:
    out = str(highlight("<script>&</script>", [Mark(0, 8, "money", 'a"<b>')]))
    assert "<script>" not in out
    assert out == '<mark class="hl-money" title="a&#34;&lt;b&gt;">&lt;script&gt;</mark>&amp;&lt;/script&gt;'


def test_a_mark_inside_another_nests() -> None:
    out = str(highlight("abcdef", [Mark(0, 6, "task"), Mark(2, 4, "money")]))
    inner = '<mark class="hl-money" title="">cd</mark>'
    assert out == f'<mark class="hl-task" title="">ab{inner}ef</mark>'


def test_crossing_marks_are_split_so_tags_stay_balanced() -> None:
    out = str(highlight("abcdef", [Mark(0, 4, "task"), Mark(2, 6, "person")]))
    _assert_balanced(out)
    assert out.count('<mark class="hl-person"') == 2
    assert _plain(out) == "abcdef"


def test_adjacent_marks_do_not_merge() -> None:
    out = str(highlight("abcd", [Mark(0, 2, "task"), Mark(2, 4, "task")]))
    assert out == '<mark class="hl-task" title="">ab</mark><mark class="hl-task" title="">cd</mark>'


def test_out_of_range_empty_and_inverted_spans_are_clipped_or_dropped() -> None:
    out = str(
        highlight(
            "abc", [Mark(-5, 1, "task"), Mark(2, 99, "money"), Mark(2, 2, "person"), Mark(3, 1, "target")]
        )
    )
    assert out == '<mark class="hl-task" title="">a</mark>b<mark class="hl-money" title="">c</mark>'
    assert str(highlight("abc", [Mark(10, 20, "task")])) == "abc"


def test_a_link_inside_a_linked_mark_is_dropped_not_nested() -> None:
    out = str(highlight("abcdef", [Mark(0, 6, "task", href="/tasks/1"), Mark(1, 3, "task", href="/tasks/2")]))
    _assert_balanced(out)
    assert out.count("<a ") == 1


def test_empty_text_gives_empty_markup() -> None:
    assert str(highlight("", [Mark(0, 3, "task")])) == ""


_marks = st.lists(
    st.builds(
        Mark,
        start=st.integers(-3, 40),
        end=st.integers(-3, 40),
        kind=st.sampled_from(KINDS),
        title=st.text(max_size=5),
        href=st.one_of(st.none(), st.just("/tasks/1?a=1&b=2")),
    ),
    max_size=8,
)


@given(text=st.text(alphabet=st.sampled_from(list("甲乙<>&\"' ab\n")), max_size=30), marks=_marks)
def test_stripping_tags_and_unescaping_gives_back_the_text(text: str, marks: list[Mark]) -> None:
    out = str(highlight(text, marks))
    assert _plain(out) == text
    _assert_balanced(out)
