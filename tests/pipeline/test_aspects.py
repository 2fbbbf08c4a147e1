from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from critica.document import ReviewDoc, Sentence
from critica.models.aspects import ASPECTS, cue_features
from critica.models.encoder import TokenScores
from critica.pipeline.aspects import (
    aspect_polarity,
    aspect_span,
    clauses,
    make_aspects,
    phrases,
)
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


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("Great cast, terrible script.", ["Great cast", "terrible script."]),
        (
            "An enthralling watch that comes to unsatisfying conclusions.",
            ["An enthralling watch", "that comes to unsatisfying conclusions."],
        ),
        (
            "The leads - both superb - carry it (mostly).",
            ["The leads", "both superb", "carry it", "mostly", "."],
        ),
    ],
)
def test_phrases(text, parts):
    assert [text[a:b] for a, b in phrases(text)] == parts


def _scores(text: str, words: dict[str, float]) -> TokenScores:
    """Token scores that make each listed word lean its way (logit difference)."""
    offsets, pol = [(0, 0)], [[0.0, 0.0]]
    for word, lean in words.items():
        at = text.index(word)
        offsets.append((at, at + len(word)))
        pol.append([-lean, lean])
    offsets.append((0, 0))
    pol.append([0.0, 0.0])
    pol_arr = np.array(pol)
    fine = np.zeros((len(pol), 5))
    fine[:, 4], fine[:, 0] = pol_arr[:, 1], pol_arr[:, 0]
    return TokenScores(np.array(offsets), {"pol": pol_arr, "fine": fine})


def test_each_aspect_takes_the_polarity_of_its_own_phrase():
    text = "Great cast, terrible script."
    scores = _scores(text, {"Great": 4.0, "cast": 0.0, "terrible": -4.0, "script": 0.0})
    assert aspect_polarity("performances", text, scores, overall=-0.2) > 0.5
    assert aspect_polarity("writing", text, scores, overall=0.9) < -0.5


@pytest.mark.parametrize(
    ("aspect", "text", "span"),
    [
        ("performances", "Great cast, terrible script.", "Great cast"),
        ("ending", "A fine watch that comes to a hollow ending.", "that comes to a hollow ending."),
        # the phrase would be the whole sentence: the contrast clause decides
        ("writing", "The script sings but the pacing drags.", "The script sings"),
        # no cue word at all: the whole sentence
        ("music_sound", "A triumph.", "A triumph."),
    ],
)
def test_aspect_span_is_the_phrase_around_the_cue(aspect, text, span):
    a, b = aspect_span(aspect, text)
    assert text[a:b] == span


def test_without_token_scores_an_aspect_takes_the_sentence_polarity():
    assert aspect_polarity("performances", "Great cast.", None, overall=0.8) == 0.8


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


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Great cast, terrible script.", {"performances": 1, "writing": -1}),
        (
            "An enthralling watch that comes to unsatisfying conclusions.",
            {"ending": -1},
        ),
        (
            "The animation is gorgeous, but the story never gets going.",
            {"visuals": 1, "story": -1},
        ),
        ("At 147 minutes, the film tests the patience of even its admirers.", {"pacing": -1}),
    ],
)
def test_aspects_that_disagree_within_a_sentence(run, sentence, expected):
    found = {m.name: m.polarity for m in run(sentence)[0].aspects}
    for name, sign in expected.items():
        assert name in found, (name, found)
        assert found[name] * sign > 0, (name, found)


def test_token_states_are_let_go_once_the_aspects_are_scored(run):
    sentiment, aspects = make_sentiment(), make_aspects()
    text = "Great cast, terrible script."
    doc = ReviewDoc(raw=text, text=text, sentences=[Sentence(text, 0, len(text))])
    sentiment(doc)
    assert doc.token_scores[0].states is not None
    aspects(doc)
    assert doc.token_scores[0].states is None
    assert {m.name for m in doc.sentences[0].aspects} >= {"performances", "writing"}


_WORDS = [
    "cast",
    "CAST",
    "Acting",
    "script",
    "plot",
    "pace",
    "ending",
    "final act",
    "score",
    "funny",
    "İstanbul",
    "ß",
    "ﬁlm",
    "care about",
    "about",
    "Played by",
    "K",
    "K",
    "3-D",
    "beautifully shot",
    "running time",
    "the",
    ",",
    "but",
    "—",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_WORDS) | st.text(max_size=6), max_size=12))
def test_fast_cue_search_finds_what_the_case_blind_patterns_find(words):
    from critica.models.aspects import BROAD_PATTERNS, CUE_PATTERNS
    from critica.pipeline.aspects import cue_spans

    text = " ".join(words)
    expected = [
        1.0 if patterns[a].search(text) else 0.0
        for patterns in (CUE_PATTERNS, BROAD_PATTERNS)
        for a in ASPECTS
    ]
    assert cue_features([text])[0].tolist() == expected
    for aspect in ASPECTS:
        spans = next(
            (
                h
                for p in (CUE_PATTERNS, BROAD_PATTERNS)
                if (h := [m.span() for m in p[aspect].finditer(text)])
            ),
            [],
        )
        assert cue_spans(aspect, text) == spans
