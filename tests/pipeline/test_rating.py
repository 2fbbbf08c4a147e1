"""Tests for critica.pipeline.rating: parsing, finding in prose, and the pipeline component."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from critica.document import Rating, ReviewDoc
from critica.errors import InputError, RatingError
from critica.pipeline import Component, registry
from critica.pipeline.rating import RatingComponent, find_rating, make_rating, parse_rating


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # fractions and "out of"
        ("3/4", 75.0),
        ("7/10", 70.0),
        ("3.5/5", 70.0),
        ("4 out of 5 stars", 80.0),
        ("4 stars out of 5", 80.0),
        ("2.5 out of 4", 62.5),
        ("8 / 10", 80.0),
        ("85/100", 85.0),
        ("0/4", 0.0),
        ("4/4", 100.0),
        ("1/2", 50.0),
        ("7/20", 35.0),
        ("3 / 4 stars", 75.0),
        ("  3/4  ", 75.0),
        ("3 OUT OF 4", 75.0),
        ("(3 out of 4 stars)", 75.0),
        ("3/4.", 75.0),
        ("Rating: 3/4", 75.0),
        ("Score = 7/10", 70.0),
        # mixed numbers and Unicode fractions
        ("3½/4", 87.5),
        ("3 ½ / 4", 87.5),
        ("2¼/4", 56.2),
        ("3¾ out of 5", 75.0),
        ("3 1/2 out of 4", 87.5),
        ("3-1/2 / 4", 87.5),
        ("3–1/2 out of 4", 87.5),
        ("½/4", 12.5),
        # stars
        ("★★★½", 70.0),
        ("★★★★★", 100.0),
        ("★★★☆☆", 60.0),
        ("★★½☆", 62.5),
        ("★★★ out of ★★★★", 75.0),
        ("★★★½ out of 5", 70.0),
        ("⭐⭐⭐⭐", 80.0),
        ("⭐️⭐️⭐️", 60.0),
        ("****", 100.0),
        ("***", 75.0),
        ("***½", 87.5),
        ("***1/2", 87.5),
        ("*** 1/2", 87.5),
        ("***1/2 out of ****", 87.5),
        ("**** out of 5", 80.0),
        ("*****", 100.0),
        ("3.5 stars", 70.0),
        ("4 stars", 80.0),
        ("1 star", 20.0),
        ("3 and a half stars", 70.0),
        ("2.5 stars out of 4", 62.5),
        ("half a star", 10.0),
        ("Half a star out of 4", 12.5),
        ("1/2 star", 10.0),
        ("½ star", 10.0),
        # letter grades, 12 even steps
        ("A+", 100.0),
        ("A", 100.0),
        ("A-", 91.7),
        ("B+", 83.3),
        ("B", 75.0),
        ("B-", 66.7),
        ("C+", 58.3),
        ("C", 50.0),
        ("C-", 41.7),
        ("D+", 33.3),
        ("D", 25.0),
        ("D-", 16.7),
        ("F+", 8.3),
        ("F", 0.0),
        ("F-", 0.0),
        ("b+", 83.3),
        ("B–", 66.7),
        ("B—", 66.7),
        ("A−", 91.7),
        ("Grade: B+", 83.3),
        ("grade:c", 50.0),
        ("GRADE - A-", 91.7),
        ("B plus", 83.3),
        ("c minus", 41.7),
        (" B + ", 83.3),
    ],
)
def test_parse_rating(raw: str, expected: float) -> None:
    assert parse_rating(raw) == expected


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("85", "ambiguous"),
        ("3.5", "ambiguous"),
        ("3 1/2", "ambiguous"),
        ("half", "ambiguous"),
        ("5/4", "above its scale"),
        ("24/7", "above its scale"),
        ("6 out of 5", "above its scale"),
        ("★★★★★★", "above its scale"),
        ("******", "above its scale"),
        ("3/0", "zero denominator"),
        ("0 out of 0", "zero denominator"),
        ("3 5/2 out of 4", "not a proper fraction"),
        ("3 1/0 out of 4", "not a proper fraction"),
        ("E", "cannot parse"),
        ("G+", "cannot parse"),
        ("A++", "cannot parse"),
        ("great", "cannot parse"),
        ("5/2/2019", "cannot parse"),
        ("10:30", "cannot parse"),
        ("-3/4", "cannot parse"),
        ("3/4/5", "cannot parse"),
        ("three out of four", "cannot parse"),
    ],
)
def test_parse_rating_errors(raw: str, why: str) -> None:
    with pytest.raises(RatingError, match=why) as info:
        parse_rating(raw)
    message = str(info.value)
    assert "accepted formats" in message
    assert "3/4" in message and "★★★½" in message and "B+" in message
    assert isinstance(info.value, InputError)


@pytest.mark.parametrize(
    ("text", "raw", "normalized"),
    [
        ("A lovely film.\n\nRating: 3/4", "3/4", 75.0),
        ("Grade: B+", "B+", 83.3),
        ("Grade: B–", "B–", 66.7),
        ("Final grade: A- for a rousing debut.", "A-", 91.7),
        ("Grade: B – a fun ride.", "B", 75.0),
        ("It drags in the middle.\n★★★½", "★★★½", 70.0),
        ("Verdict: ★★★☆☆ overall", "★★★☆☆", 60.0),
        ("A fun ride (3 out of 4 stars).", "3 out of 4 stars", 75.0),
        ("I give it 7/10.", "7/10", 70.0),
        ("I give it 3.5 out of 5", "3.5 out of 5", 70.0),
        ("I'd give it 3.5 stars.", "3.5 stars", 70.0),
        ("I give it an A-.", "A-", 91.7),
        ("We gave it a B for effort.", "B", 75.0),
        ("***1/2 out of ****", "***1/2 out of ****", 87.5),
        ("Some fun.\n***1/2\n", "***1/2", 87.5),
        ("Rating: ***", "***", 75.0),
        ("The acting shines.\nB+\n", "B+", 83.3),
        ("The acting shines.\n(B-)", "B-", 66.7),
        ("It is long.\n\n3/4\n", "3/4", 75.0),
        ("Rated 4/5 by our panel.", "4/5", 80.0),
        ("Score: 85/100", "85/100", 85.0),
        ("Score: 7/20", "7/20", 35.0),
        ("My rating is 3 1/2 out of 4.", "3 1/2 out of 4", 87.5),
        ("Rating: 3-1/2 / 4", "3-1/2 / 4", 87.5),
        ("Rating: 3½/4", "3½/4", 87.5),
        ("It earns 4 stars.", "4 stars", 80.0),
        ("Somehow 2.5 stars feels right.", "2.5 stars", 50.0),
        ("I give it half a star.", "half a star", 10.0),
        ("It deserves 0/4 stars", "0/4 stars", 0.0),
        ("⭐⭐⭐⭐ — go see it", "⭐⭐⭐⭐", 80.0),
        # the last rating wins: critics end on the verdict
        ("Rating: 2/4 on first viewing.\nI give it 3/4 now.", "3/4", 75.0),
        ("Its 9/11 scene is moving.\nRating: 3/4", "3/4", 75.0),
        # asterisks typed with spaces between them
        ("I give it * * * 1/2.", "* * * 1/2", 87.5),
        ("i give it * * *.", "* * *", 75.0),
        ("Rating: * * 1/2", "* * 1/2", 62.5),
        # the critic's own rating after one reported for someone else
        ("My son, age 11, gave it * * 1/2. I give it * * *.", "* * *", 75.0),
        ("Critics gave it 2/5 but I give it 4/5.", "4/5", 80.0),
        ("The boy in it is great. I gave it 3/4.", "3/4", 75.0),
    ],
)
def test_find_rating(text: str, raw: str, normalized: float) -> None:
    rating = find_rating(text)
    assert rating is not None
    assert (rating.raw, rating.normalized, rating.source) == (raw, normalized, "text")
    assert rating.start is not None and rating.end is not None
    assert text[rating.start : rating.end] == raw


@pytest.mark.parametrize(
    "text",
    [
        "",
        "A quiet, assured drama.",
        "On 9/11 the city changed.",
        "The diner is open 24/7.",
        "Released 5/2/2019 to little fanfare.",
        "Released on 5/2/2019, its rating was PG-13.",
        "The show starts at 10:30 and ends at 11/12.",
        "One of the 2/3 of the cast who return.",
        "About 3/4 of the film is flashback, rating aside.",
        "3 out of 4 doctors agree it is long.",
        "Nine out of 10 times it works.",
        "The Lakers won 104/100 in overtime.",
        "He went 7/10 from the line.",
        "She scored 3/4 in the quiz.",
        "A film. A great one, with A-list stars.",
        "Rating: A solid film with flaws.",
        "Grade: B-movie thrills, nothing more.",
        "Grade: B- movie thrills.",
        "It is a B movie.",
        "A\u00a0mess from start to finish.",
        "**Bold** claims, *italic* doubts.",
        "Chapter one\n***\nChapter two",
        "It stars 2 actors, Pitt and Clooney.",
        "The 2 stars of the film shine.",
        "He knocked off half a star for the ending.",
        "Score: 85",
        "The 1/2 hour pilot drags.",
        "Mix 3/4 cup of sugar.",
        "The ratio was 3/8, rating it hardly matters.",
        # someone else's rating, reported by the critic, is not the critic's
        "My son jeffrey, age 11, gave it * * 1/2, complaining about the plot.",
        "He gave it 0 stars and said that he found nothing in it.",
        "His friend nickolas, age 8, said he'd give the movie * * * 1/2.",
        "Chapter one\n* * *\nChapter two",
    ],
)
def test_find_rating_negative(text: str) -> None:
    assert find_rating(text) is None


def test_component_uses_given_rating() -> None:
    doc = ReviewDoc(raw="x", meta={"rating": "3/4"}, text="Rating: 1/4")
    out = make_rating()(doc)
    assert out is doc
    assert doc.rating == Rating("3/4", 75.0, source="given")


@pytest.mark.parametrize("given_rating", [None, "", "   ", 3])
def test_component_falls_back_to_text(given_rating: object) -> None:
    doc = ReviewDoc(raw="x", meta={"rating": given_rating}, text="Good.\nRating: 1/4")
    make_rating()(doc)
    assert doc.rating == Rating("1/4", 25.0, source="text", start=14, end=17)


def test_component_no_rating_anywhere() -> None:
    doc = ReviewDoc(raw="x", text="Nothing rated here.")
    assert make_rating()(doc).rating is None


def test_component_bad_given_rating_raises() -> None:
    with pytest.raises(RatingError, match="accepted formats"):
        make_rating()(ReviewDoc(raw="x", meta={"rating": "great"}, text="Rating: 3/4"))


def test_component_protocol() -> None:
    component = make_rating()
    assert isinstance(component, RatingComponent)
    assert isinstance(component, Component)
    declared = registry()["rating"]  # declared where the component is defined
    assert (component.name, declared.requires, declared.assigns) == (
        "rating",
        ("text", "meta"),
        ("rating",),
    )


@given(
    den=st.integers(min_value=1, max_value=1000),
    frac=st.fractions(min_value=0, max_value=1, max_denominator=20),
    decimals=st.integers(min_value=0, max_value=2),
    spaces=st.sampled_from(["", " ", "  "]),
)
def test_fraction_property(den: int, frac: Fraction, decimals: int, spaces: str) -> None:
    value = min(round(float(frac) * den, decimals), den)
    raw = f"{value:.{decimals}f}{spaces}/{spaces}{den}"
    assert abs(parse_rating(raw) - 100 * value / den) <= 0.05 + 1e-9


_FRAGMENTS = st.sampled_from(
    [
        "Rating: ", "Grade: ", "I give it ", "score ", "3/4", "7/10", "9/11", "24/7", "1/2",
        "2", "0", ".", "5/", " out of ", "4", " stars", "★", "½", "☆", "*", "B+", "A", "-",
        "–", " of ", "\n", " ", "(", ")", "half a star", "the film", ":", "+",
    ]
)  # fmt: skip


@given(st.lists(_FRAGMENTS, max_size=25).map("".join) | st.text(max_size=60))
def test_find_rating_offsets_slice_the_text(text: str) -> None:
    rating = find_rating(text)
    if rating is not None:
        assert rating.start is not None and rating.end is not None
        assert text[rating.start : rating.end] == rating.raw
        assert rating.normalized == parse_rating(rating.raw)
        assert 0.0 <= rating.normalized <= 100.0
