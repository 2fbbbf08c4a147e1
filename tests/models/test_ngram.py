from __future__ import annotations

import gzip
import json

import pytest

from critica.errors import ModelError
from critica.models.ngram import NgramModel, ngrams


def test_ngrams_match_sklearn_word_analyzer():
    # scikit-learn drops one-character tokens and lower-cases.
    assert ngrams("A truly GREAT film!") == ["truly", "great", "film", "truly great", "great film"]


@pytest.fixture
def model(tmp_path):
    path = tmp_path / "ng.json.gz"
    with gzip.open(path, "wt") as fh:
        json.dump(
            {
                "n_max": 1,
                "intercept": 0.1,
                "terms": ["dull", "film", "great"],
                "idf": [1.0, 1.0, 1.0],
                "weight": [-2.0, 0.0, 2.0],
            },
            fh,
        )
    return NgramModel(path)


@pytest.mark.parametrize(
    ("text", "sign"), [("a great film", 1), ("a dull film", -1), ("great great film", 1)]
)
def test_logit_sign(model, text, sign):
    assert (model.logit(text) - 0.1) * sign > 0


def test_unknown_words_give_the_intercept(model):
    assert model.logit("nothing known here") == pytest.approx(0.1)


def test_corrupt_file(tmp_path):
    (tmp_path / "bad.json.gz").write_bytes(b"not gzip")
    with pytest.raises(ModelError, match="unreadable"):
        NgramModel(tmp_path / "bad.json.gz")


def test_file_of_another_layout(tmp_path):
    path = tmp_path / "old.json.gz"
    with gzip.open(path, "wt") as fh:
        json.dump({"n_max": 1, "intercept": 0.1, "terms": [["great", 1.0, 2.0]]}, fh)
    with pytest.raises(ModelError, match="reinstall critica"):
        NgramModel(path)
