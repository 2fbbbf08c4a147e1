from __future__ import annotations

import pytest

from critica.document import ReviewDoc, Sentence
from critica.models.aspects import ASPECTS, cue_features
from critica.pipeline.aspects import clauses, cue_clause, make_aspects
from critica.pipeline.sentiment import make_sentiment


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("The cast is superb.", ["The cast is superb."]),
        (
            "The cast is superb, but the script is a mess.",
            ["The cast is superb", "but the script is a mess."],
        ),
        (
            "Gorgeous to look at; dull to sit through.",
            ["Gorgeous to look at", "dull to sit through."],
        ),
        ("Funny though overlong.", ["Funny", "though overlong."]),
    ],
)
def test_clauses(text, parts):
    assert [text[a:b] for a, b in clauses(text)] == parts


def test_cue_clause_finds_where_an_aspect_is_named():
    text = "The cast is superb, but the script is a mess."
    spans = clauses(text)
    assert cue_clause("performances", text, spans) == 0
    assert cue_clause("writing", text, spans) == 1
    assert cue_clause("music_sound", text, spans) is None


def test_cue_features_columns():
    row = cue_features(["The score soars and the jokes land."])[0]
    assert row[ASPECTS.index("music_sound")] == 1 and row[ASPECTS.index("humor")] == 1
    assert row[ASPECTS.index("ending")] == 0


@pytest.fixture(scope="module")
def run():
    sentiment, aspects = make_sentiment(), make_aspects()

    def analyse(*sentences: str) -> list[Sentence]:
        pos, doc = 0, ReviewDoc(raw="", text=" ".join(sentences))
        for s in sentences:
            doc.sentences.append(Sentence(s, pos, pos + len(s)))
            pos += len(s) + 1
        return aspects(sentiment(doc)).sentences

    return analyse


def test_contrast_gives_each_aspect_its_own_polarity(run):
    s = run("The performances are superb, but the script is a clumsy mess.")[0]
    found = {m.name: m.polarity for m in s.aspects}
    assert found.get("performances", 0) > 0 and found.get("writing", 0) < 0


@pytest.mark.parametrize(
    ("sentence", "aspect"),
    [
        ("The score by the composer is lush and unforgettable.", "music_sound"),
        ("At nearly three hours, it drags badly in the middle.", "pacing"),
        ("It's hilarious, with a joke in every scene that lands.", "humor"),
    ],
)
def test_detects_clear_aspects(run, sentence, aspect):
    assert aspect in [m.name for m in run(sentence)[0].aspects]


def test_plot_sentences_get_no_aspects(run):
    s = run("In 1962, a teacher moves to a small town in Maine to work at the local school.")[0]
    assert s.aspects == []
