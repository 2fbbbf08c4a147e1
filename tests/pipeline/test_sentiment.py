from __future__ import annotations

import numpy as np
import pytest

from critica.document import ReviewDoc, Sentence
from critica.pipeline.sentiment import make_sentiment, sentence_polarity


def test_polarity_blend_is_bounded_and_signed():
    pol = np.array([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]])
    fine = np.array([[0, 0, 0, 0, 1], [1, 0, 0, 0, 0], [0, 0, 1, 0, 0]], dtype=float)
    assert sentence_polarity(pol, fine).tolist() == [1.0, -1.0, 0.0]


@pytest.fixture(scope="module")
def sentiment():
    return make_sentiment()


def doc_of(*sentences: str) -> ReviewDoc:
    text = " ".join(sentences)
    doc, pos = ReviewDoc(raw=text, text=text), 0
    for s in sentences:
        doc.sentences.append(Sentence(s, pos, pos + len(s)))
        pos += len(s) + 1
    return doc


@pytest.mark.parametrize(
    ("sentence", "sign", "opinion"),
    [
        ("A gorgeous, deeply moving film with superb performances.", 1, True),
        ("The script is lazy, the jokes are stale and it drags on forever.", -1, True),
        (
            "In 1962, a young teacher moves to a small town in Maine to take a job at the school.",
            0,
            False,
        ),
    ],
)
def test_real_model(sentiment, sentence, sign, opinion):
    s = sentiment(doc_of(sentence)).sentences[0]
    if sign:
        assert s.polarity * sign > 0.3
    assert (s.opinion >= 0.5) == opinion
    assert len(s.fine) == 5 and abs(sum(s.fine) - 1) < 1e-3


def test_batch_over_many_docs_keeps_sentences_apart(sentiment):
    docs = [doc_of("Wonderful.", "Dreadful and boring."), doc_of("Dreadful and boring.")]
    out = sentiment.pipe(docs)
    assert out[0].sentences[1].polarity == pytest.approx(out[1].sentences[0].polarity, abs=1e-3)
    assert sentiment.version.startswith("sentence-")  # the pipeline stamps it on each doc


def test_unscored_docs_are_skipped(sentiment):
    doc = doc_of("Wonderful.")
    doc.unscored_reason = "not English"
    assert sentiment(doc).sentences[0].polarity == 0.0


@pytest.mark.parametrize(
    "text",
    [
        "The Salt Orchard is rated PG-13.",
        "Rated R for violence and language.",
        "Rated PG-13 (for some peril).",
        "Running time: 147 minutes.",
        "Runtime: 1 hr 52 min.",
        "In theaters now.",
        "Now streaming on Netflix.",
        "From Fernhill Pictures.",
        "Directed by Jane Doe.",
        "Written and directed by Sam Fell.",
        "Starring Tom Hanks, Tim Allen and Don Rickles.",
        "With the voices of Tom Hanks and Tim Allen.",
        "Rating: 4/4",
        "★★★½",
        "Grade: B+",
        "3 stars out of 4.",
    ],
)
def test_review_furniture_is_fact_not_judgement(sentiment, text):
    from critica.pipeline.sentiment import FURNITURE_OPINION, is_furniture

    assert is_furniture(text)
    doc = ReviewDoc(raw=text, text=text)
    doc.sentences = [Sentence(text, 0, len(text))]
    assert sentiment(doc).sentences[0].opinion <= FURNITURE_OPINION


@pytest.mark.parametrize(
    "text",
    [
        "Directed by Jane Doe with great flair, it soars.",
        "The film is rated PG-13 but deserves an R for its cruelty.",
        "In theaters now, and worth every penny of the ticket.",
        "The running time is an endurance test.",
        "Starring Tom Hanks, the film never finds its footing.",
        "From the studio that gave us Shrek comes another dud.",
        "Written by someone who has never met a teenager.",
        "I'd give it 3/4 for the cast alone.",
        "A four-star cast in a two-star film.",
    ],
)
def test_judgements_that_mention_furniture_stay_judgements(text):
    from critica.pipeline.sentiment import is_furniture

    assert not is_furniture(text)
