"""The title component: name, film or series, and network, from the caller or the text."""

from __future__ import annotations

from pathlib import Path

import pytest

from critica.document import ReviewDoc, TitleGuess
from critica.pipeline import registry
from critica.pipeline.entities import EntitiesComponent, make_entities
from critica.pipeline.title import TitleComponent, make_title

EXAMPLE = Path(__file__).resolve().parents[3] / "shared/examples/seven-seconds-review.txt"


@pytest.fixture(scope="module")
def entities() -> EntitiesComponent:
    return make_entities()


@pytest.fixture(scope="module")
def title() -> TitleComponent:
    return make_title()


def _guess(
    text: str, entities: EntitiesComponent, title: TitleComponent, given: str | None = None
) -> TitleGuess | None:
    meta = {"title": given} if given else {}
    return title(entities(ReviewDoc(raw=text, text=text, meta=meta))).title


CASES: list[tuple[str, str, str | None, str | None]] = [
    # text, name, kind, network
    ("“Seven Seconds” is a Netflix original. The first season drags.", "Seven Seconds",
     "series", "Netflix"),
    ("Succession is a new HBO series about a media family. Every episode stings.", "Succession",
     "series", "HBO"),
    ("HBO's new series The Last of Us follows two survivors.", "The Last of Us", "series", "HBO"),
    ("Past Lives, the new film from Celine Song, runs 105 minutes.", "Past Lives", "film", None),
    ("In Oppenheimer, director Christopher Nolan builds a film out of faces.", "Oppenheimer",
     "film", None),
    ('I watched "Dune" twice. "Dune" is a film of sand and the movie looks great.', "Dune",
     "film", None),
    ("“Severance” drags at first. By the fourth episode “Severance” sings. Streaming on "
     "Apple TV+.", "Severance", "series", "Apple TV+"),
    ("“Talk to Me” is an A24 horror film. The movie is lean.", "Talk to Me", "film", "A24"),
    ("The Crown is a Netflix drama about the royals. Season four is the best.", "The Crown",
     "series", "Netflix"),
    ("“Barbie” is a blast; Greta Gerwig's film was a box office hit.", "Barbie", "film", None),
    ("“Heat” is a series of superb set pieces, and the film runs 170 minutes.", "Heat", "film",
     None),
    ("Netflix’s “Seven Seconds” grips from the first episode.", "Seven Seconds", "series",
     "Netflix"),
    ("Sharper than “Mindhunter,” “Seven Seconds” is gripping. “Mindhunter” was slicker.",
     "Seven Seconds", None, None),
    ("“Shōgun” premieres on FX and Hulu; each episode is lavish. Unlike “Game of Thrones,” "
     "it is patient.", "Shōgun", "series", "FX"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "name", "kind", "network"), CASES)
def test_from_text(
    entities: EntitiesComponent,
    title: TitleComponent,
    text: str,
    name: str,
    kind: str | None,
    network: str | None,
) -> None:
    guess = _guess(text, entities, title)
    assert guess is not None
    assert (guess.name, guess.kind, guess.network) == (name, kind, network)
    assert guess.start is not None and text[guess.start : guess.end] == name
    assert guess.source in ("pattern", "quoted") and 0 < guess.confidence < 1


@pytest.mark.parametrize(
    "text",
    [
        "The acting is good and the movie is long.",
        "“It’s a mess,” she said, and she was right.",
        "Like AMC’s “The Killing,” it broods.",
        "Veena Sud is a film director of note.",
        "Regina King is a Netflix original star.",
    ],
)
def test_no_title(entities: EntitiesComponent, title: TitleComponent, text: str) -> None:
    assert _guess(text, entities, title) is None


def test_possessive_network_title_is_another_show(
    entities: EntitiesComponent, title: TitleComponent
) -> None:
    text = (
        "From the creator of AMC’s “The Killing,” “The Night Watch” is a slow burn. "
        "“The Killing” was better."
    )
    guess = _guess(text, entities, title)
    assert guess is not None and guess.name == "The Night Watch"
    assert guess.network is None


def test_given_title_wins_but_text_sets_kind(
    entities: EntitiesComponent, title: TitleComponent
) -> None:
    text = "“Seven Seconds” is a Netflix original. The season ends badly."
    guess = _guess(text, entities, title, given="Seven seconds")
    assert guess is not None
    assert (guess.name, guess.source, guess.confidence) == ("Seven seconds", "given", 1.0)
    assert (guess.kind, guess.network, guess.start) == ("series", "Netflix", 1)


def test_given_title_without_text(title: TitleComponent) -> None:
    doc = ReviewDoc(raw="x", text="", meta={"title": "Heat"}, unscored_reason="empty")
    guess = title(doc).title
    assert guess is not None and (guess.name, guess.kind, guess.start) == ("Heat", None, None)


def test_declares_its_fields(title: TitleComponent) -> None:
    declared = registry()["title"]  # declared where the component is defined
    assert declared.requires == ("text", "entities", "meta") and declared.assigns == ("title",)


@pytest.mark.skipif(not EXAMPLE.exists(), reason="worked example not present")
def test_worked_example(entities: EntitiesComponent, title: TitleComponent) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    guess = _guess(text, entities, title)
    assert guess is not None
    assert (guess.name, guess.kind, guess.network) == ("Seven Seconds", "series", "Netflix")
    assert guess.start is not None and text[guess.start : guess.end] == "Seven Seconds"
    assert guess.confidence >= 0.8
