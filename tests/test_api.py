"""The public Python API: names and types are a contract."""

from __future__ import annotations

import json

import pytest

import critica
from critica.errors import InputError
from critica.models.aspects import ASPECTS

RAVE = (
    "A tender, funny and gorgeously acted film. Its final scene is as moving as anything "
    "in cinema this year, and I loved every minute of it."
)
PAN = (
    "A tedious, shapeless mess. The jokes fall flat, the plot makes no sense and the "
    "performances are wooden; I could not wait for it to end."
)


@pytest.fixture(scope="module")
def rave():
    return critica.analyze(RAVE)


def test_contract_fields(rave):
    assert 0 <= rave.score <= 100 and isinstance(rave.fresh, bool)
    assert 0 <= rave.confidence <= 1
    assert rave.band in {
        "universal acclaim",
        "generally favorable",
        "mixed or average",
        "generally unfavorable",
        "overwhelming dislike",
    }
    assert rave.text[rave.quote.start : rave.quote.end] == rave.quote.text
    for s in rave.sentences:
        assert rave.text[s.start : s.end] == s.text
        assert -1 <= s.polarity <= 1 and 0 <= s.opinion <= 1
    for asp in rave.aspects:
        assert asp.name in ASPECTS and -1 <= asp.polarity <= 1
        assert all(0 <= i < len(rave.sentences) for i in asp.evidence)
    assert rave.language == "en"
    assert rave.model_version.startswith("sentence-v2")


def test_rave_and_pan():
    rave, pan = critica.analyze(RAVE), critica.analyze(PAN)
    assert rave.fresh and rave.score >= 61
    assert not pan.fresh and pan.score < 40


def test_to_dict_is_json(rave):
    data = json.loads(json.dumps(rave.to_dict()))
    assert data["schema_version"] == "1.0" and data["quote"]["text"] == rave.quote.text


def test_given_rating_sets_the_score_and_text_score_remains():
    a = critica.analyze(PAN, rating="3/4")
    assert a.score == 75.0 and a.rating.source == "given" and a.text_score < 40
    assert any("disagree" in w for w in a.warnings)


def test_rating_in_text():
    a = critica.analyze(RAVE + "\n\nRating: 3.5/4")
    assert a.rating.raw == "3.5/4" and a.score == 87.5


def test_parse_rating_is_exported():
    assert critica.parse_rating("B+") == 83.3


def test_analyze_many_streams_in_order_and_survives_bad_rows():
    out = list(critica.analyze_many([RAVE, "", {"text": PAN, "title": "Dud"}], batch_size=2))
    assert [a.fresh for a in out] == [True, None, False]
    assert out[1].score is None and "empty" in out[1].unscored_reason
    assert out[2].title.name == "Dud"


def test_empty_input_raises():
    with pytest.raises(InputError, match="empty"):
        critica.analyze("   \n ")


def test_from_dict_round_trips_and_validates_every_field(rave):
    from critica.analysis import Analysis

    assert Analysis.from_dict(rave.to_dict()) == rave
    bad = {**rave.to_dict(), "score": "abc"}
    with pytest.raises(InputError, match=r"not a critica analysis \(score: "):
        Analysis.from_dict(bad)
    nested = rave.to_dict()
    nested["sentences"][0]["polarity"] = "very"
    with pytest.raises(InputError, match=r"sentences\.0\.polarity"):
        Analysis.from_dict(nested)
