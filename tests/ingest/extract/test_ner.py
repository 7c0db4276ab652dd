"""The LAC wrapper: one sentence per call, offsets that point back into the sentence, a cache."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from duban.ingest.extract import ner


def test_person_after_a_title_is_tagged_per() -> None:
    sentence = "市政协副主席、高新区党工委书记吕沛主持召开党政联席会议。"
    assert [t.word for t in ner.persons(sentence)] == ["吕沛"]


def test_token_offsets_point_at_the_word_in_the_sentence() -> None:
    sentence = "开发区管委会主任刘涛、区纪委书记杨建国等出席会议。"
    for tok in ner.tokens(sentence):
        assert sentence[tok.start : tok.end] == tok.word
    assert "".join(t.word for t in ner.tokens(sentence)) == sentence


def test_same_sentence_is_tagged_once() -> None:
    sentence = "县委书记李明、县长王强出席会议。"
    ner.tokens(sentence)
    hits = ner.tokens.cache_info().hits
    again = ner.tokens(sentence)
    assert ner.tokens.cache_info().hits == hits + 1
    assert again == ner.tokens(sentence)


def test_model_is_loaded_once_per_process() -> None:
    assert ner._load() is ner._load()


def test_blank_sentence_gives_no_tokens() -> None:
    assert ner.tokens("   ") == ()


@settings(max_examples=25, deadline=None)
@given(
    st.text(alphabet="区市县委书记主任局长王李张刘出席会议，。、（）和及在的下调研", min_size=1, max_size=40)
)
def test_offsets_are_increasing_and_inside_the_sentence(sentence: str) -> None:
    toks = ner.tokens(sentence)
    ends = [0] + [t.end for t in toks]
    for prev_end, tok in zip(ends, toks, strict=False):
        assert prev_end <= tok.start <= tok.end <= len(sentence)
