"""The distillation soft labels reach the right training texts, or training stops."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from training.data import Example, SentenceData
from training.teacher_labels import attach, text_hash


def _data() -> SentenceData:
    train = [
        Example("Great cast.", pol=1, spans=((0, 11, 3), (0, 5, 3), (6, 10, 2))),
        Example("A dull film.", pol=0),
    ]
    return SentenceData(train, [], [], [], {})


def _write(path: Path, texts: list[str], span_rows: list[int], unlabelled: int = 0) -> None:
    logits = np.arange(len(texts) * 9, dtype=np.float16).reshape(len(texts), 9)
    spans = np.arange(sum(span_rows) * 7, dtype=np.float16).reshape(-1, 7)
    np.savez_compressed(
        path,
        text_hash=np.array([text_hash(t) for t in texts], dtype=np.uint64),
        text_logits=logits,
        span_offsets=np.concatenate([[0], np.cumsum(span_rows)]),
        span_logits=spans,
    )
    path.with_suffix(".json").write_text(json.dumps({"unlabelled_texts": unlabelled}))


def test_each_text_gets_its_own_row_and_span_rows(tmp_path):
    path = tmp_path / "soft.npz"
    # stored in another order, and with other case and spacing: keys are normalised
    _write(path, ["a dull  film.", "GREAT CAST."], [0, 2])
    data = _data()
    assert attach(data, tmp_path, path) == {"labelled": 2, "unlabelled": 0}
    great, dull = data.train
    assert great.soft is not None and great.soft[0] == 9  # second row
    assert dull.soft is not None and dull.soft[0] == 0
    assert great.soft_spans is not None and great.soft_spans.shape == (2, 7)
    assert dull.soft_spans is None
    assert "teacher:soft.npz" in data.sources


def test_labels_from_other_data_stop_training(tmp_path):
    path = tmp_path / "soft.npz"
    _write(path, ["Great cast.", "Something else entirely."], [2, 0])
    with pytest.raises(SystemExit, match="1 training texts have no soft label"):
        attach(_data(), tmp_path, path)


def test_span_rows_that_do_not_match_the_tree_stop_training(tmp_path):
    path = tmp_path / "soft.npz"
    _write(path, ["Great cast.", "A dull film."], [3, 0])
    with pytest.raises(SystemExit, match="span labels do not match"):
        attach(_data(), tmp_path, path)
