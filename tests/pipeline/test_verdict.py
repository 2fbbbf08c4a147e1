from __future__ import annotations

import pytest

from critica.document import Rating, ReviewDoc, Sentence
from critica.models.verdict import FEATURES, review_features, sentence_weights
from critica.pipeline.verdict import explain, paragraph_index
from critica.rules import band_for


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (100, "universal acclaim"),
        (81, "universal acclaim"),
        (80, "generally favorable"),
        (61, "generally favorable"),
        (60, "mixed or average"),
        (40, "mixed or average"),
        (39, "generally unfavorable"),
        (20, "generally unfavorable"),
        (19, "overwhelming dislike"),
        (0, "overwhelming dislike"),
        (80.6, "universal acclaim"),
    ],
)
def test_metacritic_bands(score, band):
    assert band_for(score) == band


def sent(text, start, polarity, opinion=0.9):
    return Sentence(
        text,
        start,
        start + len(text),
        polarity=polarity,
        opinion=opinion,
        fine=[0, 0, 0, 0, 1] if polarity > 0 else [1, 0, 0, 0, 0],
    )


def test_paragraph_index():
    doc = ReviewDoc(raw="", text="A b.\n\nC d. E f.", paragraphs=[(0, 4), (6, 15)])
    doc.sentences = [sent("A b.", 0, 0), sent("C d.", 6, 0), sent("E f.", 11, 0)]
    assert paragraph_index(doc) == [0, 1, 1]


def test_plot_sentences_weigh_little_and_the_conclusion_more():
    sentences = [sent("Plot.", 0, 0.8, opinion=0.05), sent("Fine.", 10, 0.5), sent("End.", 20, 0.5)]
    w = sentence_weights(sentences, [0, 1, 2])
    assert w[0] < 0.05 * w[1]
    assert w[2] > w[1]


def test_a_turn_counts_more_than_the_concession():
    sentences = [
        sent("Fine.", 0, 0.5),
        sent("But it fails.", 10, -0.5),
        sent("It fails.", 30, -0.5),
    ]
    w = sentence_weights(sentences, [0, 0, 0])
    plain = sentence_weights([sentences[0], sentences[2], sentences[2]], [0, 0, 0])
    assert w[1] > plain[1]


def test_features_shape_and_sign():
    pos = review_features([sent("Great.", 0, 0.9), sent("Superb.", 8, 0.8)], [0, 0], 2.0)
    neg = review_features([sent("Awful.", 0, -0.9), sent("Dire.", 8, -0.8)], [0, 0], -2.0)
    assert pos.shape == (len(FEATURES),)
    assert pos[FEATURES.index("wmean_pol")] > 0 > neg[FEATURES.index("wmean_pol")]
    assert review_features([], [], 99.0)[FEATURES.index("ngram")] == 6.0  # clipped
    assert review_features([], [], 0.0, -99.0)[FEATURES.index("ngram_tail")] == -6.0


def test_explanation_mentions_plot_and_rating():
    doc = ReviewDoc(raw="", text="x")
    doc.sentences = [sent("Plot.", 0, 0.0, opinion=0.1), sent("Great.", 6, 0.9)]
    doc.rating, doc.score = Rating("3/4", 75.0), 75.0
    text = explain(doc, [0.0, 1.0])
    assert "1 of 2 sentences" in text and "plot" in text and "3/4" in text


def test_text_confidence_is_lower_near_the_fresh_line():
    from critica.pipeline.verdict import text_confidence

    # Same fresh margin, but a score of 55 (mixed) against one of 90 (clear).
    assert text_confidence(0.9, 0.5, 55, 60) < text_confidence(0.9, 0.5, 90, 60)
    assert text_confidence(0.5, 0.5, 60, 60) == 0.5  # on the cut and on the line: a coin toss
    assert 0.5 <= text_confidence(0.01, 0.5, 5, 60) <= 1.0


def test_long_share_moves_from_quote_to_review():
    from critica.models.verdict import LONG, SHORT, long_share

    assert long_share(1) == long_share(SHORT) == 0.0
    assert long_share(LONG) == long_share(40) == 1.0
    assert 0.0 < long_share((SHORT + LONG) // 2) < 1.0


def _sentences(texts, polarity):
    out, at = [], 0
    for t in texts:
        out.append(sent(t, at, polarity))
        at += len(t) + 1
    return out


def test_judge_blends_the_short_and_long_models_by_length():
    from critica.models.verdict import FEATURES, VerdictModel, clip_logit, tail_text

    model = VerdictModel()
    quote = _sentences(["A warm, witty delight."], 0.8)
    text = " ".join(s.text for s in quote)
    # A pull quote is judged by the short-text model alone.
    assert model.judge(quote, [0], text) == model.predict(model.features(quote, [0], text))

    review = _sentences([f"Sentence {i} of a long and lovely review." for i in range(12)], 0.7)
    text = " ".join(s.text for s in review)
    paras = [0] * len(review)
    score, p = model.judge(review, paras, text)
    short = model.features(review, paras, text)
    long = short.copy()
    long[FEATURES.index("ngram")] = clip_logit(model.ngram_long.logit(text))
    long[FEATURES.index("ngram_tail")] = clip_logit(model.ngram_long.logit(tail_text(review)))
    # Twelve sentences is a full review: the full-review model decides; the score is shared.
    assert p == pytest.approx(model.predict_long(long))
    assert score == pytest.approx(model.predict(short)[0])


def test_evidence_is_the_calibrated_log_bayes_factor_blended_by_length():
    import math

    from critica.models.verdict import LONG, SHORT, VerdictModel

    model = VerdictModel()
    short, long = model.evidence_short, model.evidence_long
    for p in (0.05, 0.3, 0.5, 0.9):
        expected = short.slope * math.log(p / (1 - p)) + short.intercept - short.base_logit
        assert model.evidence(p, 1) == pytest.approx(expected)
        assert model.evidence(p, LONG) == pytest.approx(long.log_bayes_factor(p))
        middle = model.evidence(p, (SHORT + LONG) // 2)
        assert min(model.evidence(p, 1), model.evidence(p, LONG)) <= middle
        assert middle <= max(model.evidence(p, 1), model.evidence(p, LONG))
    # More fresh probability is more evidence for fresh, at any length.
    for n in (1, 6, 20):
        values = [model.evidence(p, n) for p in (0.01, 0.2, 0.5, 0.8, 0.99)]
        assert values == sorted(values) and values[0] < 0 < values[-1]
    # IMDb is balanced and the full-review model nearly calibrated: p = 0.5 says little.
    assert abs(model.evidence(0.5, LONG)) < 0.1


def test_analysis_carries_evidence_and_keeps_it_through_json():
    import critica
    from critica.analysis import Analysis

    rave = critica.analyze("A dazzling, heartfelt triumph. I loved every minute of it.")
    pan = critica.analyze("A tedious, joyless slog. I hated every minute of it.")
    assert rave.fresh_evidence is not None and pan.fresh_evidence is not None
    assert rave.fresh_evidence > 1.0 and pan.fresh_evidence < -1.0
    assert Analysis.from_dict(rave.to_dict()).fresh_evidence == rave.fresh_evidence
    rated = critica.analyze("A tedious, joyless slog. I hated every minute of it.", rating="5/5")
    assert (
        rated.fresh and rated.fresh_evidence == pan.fresh_evidence
    )  # the text's, not the rating's
    assert critica.analyze("Dies ist ein deutscher Text über einen Film.").fresh_evidence is None
