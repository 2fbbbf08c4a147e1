"""The credits component: actors with characters, and makers by role, from set phrases."""

from __future__ import annotations

from pathlib import Path

import pytest

from critica.document import ReviewDoc
from critica.pipeline.credits import CreditsComponent, find_credits, make_credits
from critica.pipeline.entities import EntitiesComponent, make_entities

EXAMPLE = Path(__file__).resolve().parents[3] / "shared/examples/seven-seconds-review.txt"

Triple = tuple[str, str, str | None]


@pytest.fixture(scope="module")
def entities() -> EntitiesComponent:
    return make_entities()


@pytest.fixture(scope="module")
def credits() -> CreditsComponent:
    return make_credits()


def _run(text: str, entities: EntitiesComponent, credits: CreditsComponent) -> ReviewDoc:
    return credits(entities(ReviewDoc(raw=text, text=text)))


def _triples(doc: ReviewDoc) -> set[Triple]:
    return {(c.person, c.role, c.character) for c in doc.credits}


POSITIVE: list[tuple[str, set[Triple]]] = [
    (
        "Peter Jablonski (played by Beau Knapp) panics.",
        {("Beau Knapp", "actor", "Peter Jablonski")},
    ),
    (
        "Isaiah and Latrice Butler (played by Russell Hornsby and Regina King) grieve.",
        {
            ("Russell Hornsby", "actor", "Isaiah Butler"),
            ("Regina King", "actor", "Latrice Butler"),
        },
    ),
    ("Walter White (Bryan Cranston) is back.", {("Bryan Cranston", "actor", "Walter White")}),
    ("Heath Ledger as the Joker is unforgettable.", {("Heath Ledger", "actor", "Joker")}),
    (
        "Jane Doe as Sarah Connor, John Roe as Kyle Reese.",
        {
            ("Jane Doe", "actor", "Sarah Connor"),
            ("John Roe", "actor", "Kyle Reese"),
        },
    ),
    (
        "Frances McDormand stars as Marge Gunderson.",
        {
            ("Frances McDormand", "actor", "Marge Gunderson"),
        },
    ),
    ("Later, Regina King plays Latrice.", {("Regina King", "actor", "Latrice")}),
    ("Cate Blanchett portrays Lydia Tár.", {("Cate Blanchett", "actor", "Lydia Tár")}),
    ("Kendall Roy, played by Jeremy Strong, spirals.", {("Jeremy Strong", "actor", "Kendall Roy")}),
    (
        "The cast, starring Tom Hanks, Meg Ryan and Bill Pullman, is fine.",
        {
            ("Tom Hanks", "actor", None),
            ("Meg Ryan", "actor", None),
            ("Bill Pullman", "actor", None),
        },
    ),
    ("It is a Netflix original created by Veena Sud.", {("Veena Sud", "creator", None)}),
    ("From creator Damon Lindelof comes a puzzle.", {("Damon Lindelof", "creator", None)}),
    ("The film was directed by Nora Ephron.", {("Nora Ephron", "director", None)}),
    ("Director Spike Lee keeps it moving.", {("Spike Lee", "director", None)}),
    ("It was written by Phoebe Waller-Bridge.", {("Phoebe Waller-Bridge", "writer", None)}),
    ("The screenplay by Aaron Sorkin crackles.", {("Aaron Sorkin", "writer", None)}),
    ("Showrunner Vince Gilligan plays it cool.", {("Vince Gilligan", "showrunner", None)}),
    (
        "It is produced by Shonda Rhimes & Betsy Beers.",
        {
            ("Shonda Rhimes", "producer", None),
            ("Betsy Beers", "producer", None),
        },
    ),
    ("The score by Hildur Guðnadóttir hums.", {("Hildur Guðnadóttir", "composer", None)}),
    ("Music by Dave Porter.", {("Dave Porter", "composer", None)}),
    (
        "Written and directed by Joel and Ethan Coen.",
        {
            ("Joel Coen", "writer", None),
            ("Joel Coen", "director", None),
            ("Ethan Coen", "writer", None),
            ("Ethan Coen", "director", None),
        },
    ),
]


@pytest.mark.parametrize(("text", "expected"), POSITIVE)
def test_patterns(
    entities: EntitiesComponent, credits: CreditsComponent, text: str, expected: set[Triple]
) -> None:
    assert _triples(_run(text, entities, credits)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "It visits cities such as Paris and Rome.",
        "Such as Paris, the city glows.",
        "The acting, as well as the score, is strong.",
        "Regina King works as a detective in the city.",
        "Paris as Helen of Troy would be odd casting.",
        "She plays the piano beautifully.",
        "Ashitey, who portrays one of the key characters, is superb.",
        "The show's creator of note has a lot of ideas.",
        "Brenton Butler (1984) was arrested in Jacksonville.",
        "It reunites the star Saoirse Ronan (Lady Bird) with her team.",
    ],
)
def test_negatives(entities: EntitiesComponent, credits: CreditsComponent, text: str) -> None:
    assert _run(text, entities, credits).credits == []


def test_evidence_span_points_at_phrase(
    entities: EntitiesComponent, credits: CreditsComponent
) -> None:
    text = "When a white officer, Peter Jablonski (played by Beau Knapp), crashes."
    (credit,) = _run(text, entities, credits).credits
    assert text[credit.start : credit.end] == "Peter Jablonski (played by Beau Knapp)"


def test_dedupes_and_prefers_a_character(
    entities: EntitiesComponent, credits: CreditsComponent
) -> None:
    text = "The film stars Jane Doe and Tom Roe. Later, Jane Doe plays Sarah Connor."
    found = _triples(_run(text, entities, credits))
    assert found == {("Jane Doe", "actor", "Sarah Connor"), ("Tom Roe", "actor", None)}


def test_surname_resolves_to_credited_full_name() -> None:
    text = "KJ Harper (played by Clare-Hope Ashitey) leads. Ashitey plays Harper with grace."
    assert [(c.person, c.character) for c in find_credits(text, [])] == [
        ("Clare-Hope Ashitey", "KJ Harper")
    ]


def test_works_without_entities() -> None:
    # With the entities step switched off, capitalisation alone finds the names.
    text = "When Beau Knapp plays Peter Jablonski, it works. Directed by Nora Ephron."
    found = {(c.person, c.role, c.character) for c in find_credits(text, [])}
    assert found == {("Beau Knapp", "actor", "Peter Jablonski"), ("Nora Ephron", "director", None)}


def test_skips_unscored(credits: CreditsComponent) -> None:
    doc = ReviewDoc(raw="x", text="Directed by Nora Ephron.", unscored_reason="not English")
    assert credits(doc).credits == []


@pytest.mark.skipif(not EXAMPLE.exists(), reason="worked example not present")
def test_worked_example(entities: EntitiesComponent, credits: CreditsComponent) -> None:
    doc = _run(EXAMPLE.read_text(encoding="utf-8"), entities, credits)
    actors = {(c.person, c.character) for c in doc.credits if c.role == "actor"}
    assert actors == {
        ("Beau Knapp", "Peter Jablonski"),
        ("Russell Hornsby", "Isaiah Butler"),
        ("Regina King", "Latrice Butler"),
        ("Clare-Hope Ashitey", "KJ Harper"),
    }
    assert [(c.person, c.role) for c in doc.credits if c.role != "actor"] == [
        ("Veena Sud", "creator")
    ]
    assert not any("Brenton" in c.person or "Brenton" in (c.character or "") for c in doc.credits)
    for c in doc.credits:
        assert c.person in doc.text[c.start : c.end]
