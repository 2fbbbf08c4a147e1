"""Tests for the rule-based sentence splitter."""

from __future__ import annotations

import math
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from critica.document import ReviewDoc
from critica.pipeline.clean import make_clean
from critica.pipeline.segment import make_segment, split_sentences


def _split(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


# Each case is the text with "|" where it must split; the splitter sees a space there.
CASES = [
    "Mr. Smith went to Washington.|He liked it.",
    "Dr. Jones and Mrs. Doe met on St. Mark's.|Nice.",
    "J. J. Abrams directed.|M. Night Shyamalan did not.",
    "It scored 3.5 out of 5.|Not bad.",
    "He said “no.”|Then he left.",
    "“Why?” she asked.|Nobody knew.",
    "Wait... what?|Really?!|Yes!!",
    "It ends…|Then credits roll… slowly.",
    "It was shot in the U.S.|The crew was British.",
    "The U.S. government hated it.",
    "Tense, e.g. the finale, i.e. the end.",
    "Prince, a.k.a. the Artist, vs. the world.",
    "It was No. 1 for weeks.|No.|It was not.",
    "Airplane! is a comedy.|I loved it.",
    "Ocean's 11 is fun.|“Seven Seconds’” drags.",
    "Cats, dogs, etc.|The list goes on.",
    "Neither did I.|The end.",
    "Robert Downey Jr. shines.|Jr.|The end.",
    "(It works.)|Mostly.",
    "No final period here",
]


@pytest.mark.parametrize("case", CASES)
def test_tricky_cases(case: str) -> None:
    assert _split(case.replace("|", " ")) == case.split("|")


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("One.\n\nTwo without period\n\nThree", ["One.", "Two without period", "Three"]),
        ("  Padded.   Spaces.  ", ["Padded.", "Spaces."]),
        ("  \n ", []),
    ],
)
def test_blank_lines_and_padding(text: str, sentences: list[str]) -> None:
    assert _split(text) == sentences


def test_start_offset_shifts_spans() -> None:
    assert split_sentences("Hi there. Bye now.", 10) == [(10, 19), (20, 28)]


def test_worked_example(example_text: str) -> None:
    raw = example_text
    doc = make_segment()(make_clean()(ReviewDoc(raw=raw, meta={"content_type": "text"})))
    texts = [s.text for s in doc.sentences]
    assert all(doc.text[s.start : s.end] == s.text for s in doc.sentences)
    assert (
        "“Seven Seconds” is an enthralling watch that comes to unsatisfying conclusions." in texts
    )
    assert "Despite not being based on a real person, the character feels real" in texts
    assert texts[0].endswith("creator of AMC’s “The Killing.”")
    assert texts[1].startswith("Loosely based on a real story")
    assert texts[9].endswith("settling on $775,000.")
    assert len(texts) == 25


def test_component_respects_paragraphs() -> None:
    doc = ReviewDoc(
        raw="", text="Ends without a stop\n\nNext one. Last.", paragraphs=[(0, 19), (21, 36)]
    )
    doc = make_segment()(doc)
    assert [(s.text, s.start) for s in doc.sentences] == [
        ("Ends without a stop", 0),
        ("Next one.", 21),
        ("Last.", 31),
    ]


@given(st.text(alphabet=st.sampled_from(list("aZ .!?…”“’'()\n\t3J")), max_size=200))
def test_spans_slice_ordered_and_cover(text: str) -> None:
    spans = split_sentences(text)
    previous_end = 0
    for start, end in spans:
        piece = text[start:end]
        assert previous_end <= start < end <= len(text)
        assert piece == piece.strip() and piece
        previous_end = end
    covered = "".join(text[s:e] for s, e in spans)
    assert "".join(covered.split()) == "".join(text.split())


def test_throughput_grows_linearly() -> None:
    """Four times the text takes about four times as long, never sixteen (no quadratic scan).
    A ratio in one process, not a fixed speed: the machine may be busy (bench/ measures speed)."""

    def seconds(n: int) -> float:
        text = " ".join(
            f"Mr. Smith saw film No. {i} in the U.S. It was 3.5 stars… fine!" for i in range(n)
        )
        best = math.inf
        for _ in range(3):
            start = time.perf_counter()
            split_sentences(text)
            best = min(best, time.perf_counter() - start)
        return best

    assert seconds(8_000) / seconds(2_000) < 8
