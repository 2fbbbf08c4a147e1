from __future__ import annotations

import pytest

import critica
from critica.cli.render import badge_list, quoted, reviews


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("A triumph.", "“A triumph.”"),
        ("  A triumph. ", "“A triumph.”"),
        # opens with a quoted title: no second pair of marks around it
        ("“Seven Seconds” is an enthralling watch.", "“Seven Seconds” is an enthralling watch."),
        ("It is, in a word, “sublime”", "It is, in a word, “sublime”"),
        ('"Toy Story" soars.', '"Toy Story" soars.'),
    ],
)
def test_quotes_are_not_doubled(text, shown):
    assert quoted(text) == shown


def test_counts_and_badges_read_as_words():
    assert reviews(1) == "1 review" and reviews(0) == "0 reviews" and reviews(7) == "7 reviews"
    assert badge_list(["certified_fresh", "must_see"]) == "certified fresh, must see"


def test_the_rating_warning_quotes_the_text_score_that_is_shown():
    a = critica.analyze(
        "A dreadful, boring mess. The acting is wooden and the script is lazy. Avoid it.",
        rating="5/5",
    )
    assert a.text_score is not None
    assert any(f"the text ({a.text_score:.0f})" in w for w in a.warnings), a.warnings
