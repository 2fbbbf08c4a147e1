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


HOSTILE_NAME = "\x1b]0;PWNED\x07\x1b[2J Evil [link=http://evil.example]x[/link] \u202egnp.exe"


def _terminal_output(renderable) -> str:  # type: ignore[no-untyped-def]
    from rich.console import Console

    console = Console(force_terminal=True, width=500, record=True, color_system="truecolor")
    with console.capture() as captured:
        console.print(renderable)
    return captured.get()


def test_stored_text_cannot_drive_the_terminal():
    """A hostile title, critic or quote prints as text: no escape sequence of its own, no
    live hyperlink, no Rich markup, no bidi override."""
    from critica.cli.render import summary_table, title_view

    page = {
        "title": HOSTILE_NAME, "kind": "film", "info": {}, "reviews": 1,
        "percent_positive": None, "percent_positive_interval": None,
        "consensus": {"text": HOSTILE_NAME, "claims": []},
        "aspects": [{"name": HOSTILE_NAME, "mentions": 1, "percent_positive": 50.0}],
    }  # fmt: skip
    analysis = critica.analyze("A fine, gripping film with a superb cast.")
    outputs = [
        _terminal_output(title_view(page)),
        _terminal_output(summary_table([(HOSTILE_NAME, HOSTILE_NAME, analysis)])),
    ]
    for out in outputs:
        assert "PWNED" in out and "[link=http://evil.example]" in out  # shown, as text
        assert "\x1b]0;" not in out and "\x1b]8;" not in out and "\x1b[2J" not in out
        assert "\x07" not in out and "\u202e" not in out
