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


def _imdb(root: Path, n: int = 40) -> None:
    """An IMDb file in the real layout, one distinct sentence of 6-40 words per review."""
    import gzip

    (root / "imdb").mkdir()
    with gzip.open(root / "imdb/train.jsonl.gz", "wt", encoding="utf-8") as fh:
        for i in range(n):
            text = f"Review number {i} has a sentence that runs for eight words. Short one."
            fh.write(json.dumps({"id": f"{i}_7", "text": text, "label": i % 2}) + "\n")


def _transfer(root: Path, chunk: int, size: int, shift: int = 0) -> Path:
    from training.teacher_labels import transfer_path, unlabelled_sentences

    texts = unlabelled_sentences(root, (chunk + 1) * size)[chunk * size :]
    path = root / transfer_path(chunk).name
    logits = np.full((len(texts), 9), 100 + chunk, dtype=np.float16)
    hashes = [text_hash(t) + shift for t in texts]
    np.savez_compressed(path, text_hash=np.array(hashes, dtype=np.uint64), text_logits=logits)
    path.with_suffix(".json").write_text(json.dumps({"first_rank": chunk * size}))
    return path


def test_transfer_chunks_add_unlabelled_sentences_with_their_own_labels(tmp_path):

    _imdb(tmp_path, n=8000)  # past slices C (2,500) and B (5,000): 500 in A
    labels = tmp_path / "soft.npz"
    _write(labels, ["Great cast.", "A dull film."], [2, 0])
    chunks = [_transfer(tmp_path, 0, 5), _transfer(tmp_path, 1, 5)]
    data = _data()
    counts = attach(data, tmp_path, labels, chunks)
    added = data.train[2:]
    assert counts == {"labelled": 2, "unlabelled": len(added)} and len(added) == 10
    assert sorted({float(e.soft[0]) for e in added}) == [100.0, 101.0]
    assert len({e.text for e in added}) == 10  # two chunks, no sentence twice
    assert "teacher:transfer-01.npz" in data.sources


def test_a_transfer_chunk_from_other_sentences_stops_training(tmp_path):
    _imdb(tmp_path, n=8000)
    labels = tmp_path / "soft.npz"
    _write(labels, ["Great cast.", "A dull film."], [2, 0])
    bad = _transfer(tmp_path, 0, 5, shift=1)
    with pytest.raises(SystemExit, match="not these datasets'"):
        attach(_data(), tmp_path, labels, [bad])
