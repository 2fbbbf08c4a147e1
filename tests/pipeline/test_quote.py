from __future__ import annotations

from critica.document import ReviewDoc, Sentence, TitleGuess
from critica.pipeline.quote import make_quote


def doc_with(sentences, score, title=None):
    text = " ".join(t for t, _, _ in sentences)
    doc = ReviewDoc(raw=text, text=text, score=score, text_score=score)
    pos = 0
    for t, polarity, opinion in sentences:
        doc.sentences.append(Sentence(t, pos, pos + len(t), polarity=polarity, opinion=opinion))
        pos += len(t) + 1
    doc.title = TitleGuess(title) if title else None
    return doc


def test_picks_an_opinion_on_the_verdict_side():
    doc = doc_with(
        [
            ("The film follows a young baker through one long summer in Lyon.", 0.3, 0.05),
            ("It is a tender, funny and gorgeously acted piece of work.", 0.9, 0.95),
            ("The last act drags a little, though not fatally so.", -0.3, 0.9),
        ],
        score=80,
    )
    quote = make_quote()(doc).quote
    assert quote is not None and quote.text.startswith("It is a tender")
    assert doc.text[quote.start : quote.end] == quote.text


def test_mixed_review_prefers_a_mixed_conclusion_naming_the_title():
    doc = doc_with(
        [
            ("The cast is superb and the photography ravishing throughout.", 0.9, 0.95),
            ("The script, sadly, is a mess of clichés and dead ends.", -0.9, 0.95),
            ("Harbor Lights is a gripping watch that comes to a hollow end.", 0.0, 0.9),
        ],
        score=55,
        title="Harbor Lights",
    )
    assert make_quote()(doc).quote.text.startswith("Harbor Lights is")


def test_unscored_review_gets_no_quote():
    doc = doc_with([("Ceci n'est pas une critique en anglais du tout.", 0.0, 0.5)], score=None)
    doc.score = None
    assert make_quote()(doc).quote is None


def test_a_rotten_review_is_not_quoted_by_its_one_compliment():
    doc = doc_with(
        [
            ("The premiere is the best hour the series has produced, full of promise.", 0.9, 0.9),
            ("Everything after it is muddled, slack and strangely airless.", -0.7, 0.9),
            ("By the finale the show has squandered most of its goodwill.", -0.5, 0.9),
        ],
        score=58.3,
    )
    for s, weight in zip(doc.sentences, (1.0, 0.5, 0.5), strict=True):
        s.weight = weight  # the compliment weighs most in the verdict
    doc.fresh = False
    quote = make_quote()(doc).quote
    assert quote is not None and not quote.text.startswith("The premiere")


def test_a_fresh_review_is_not_quoted_by_its_one_complaint():
    doc = doc_with(
        [
            ("The middle stretch is a slog that nearly sinks the whole thing.", -0.9, 0.95),
            ("Still, the performances are lovely and the ending lands.", 0.5, 0.9),
        ],
        score=70,
    )
    for s, weight in zip(doc.sentences, (1.0, 0.3), strict=True):
        s.weight = weight
    doc.fresh = True
    assert make_quote()(doc).quote.text.startswith("Still")
