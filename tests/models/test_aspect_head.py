from __future__ import annotations

import json

import numpy as np
import pytest

from critica.errors import ModelError
from critica.models import ASPECT_HEAD, FILES
from critica.models.aspect_head import N_POSITION, AspectHead
from critica.models.aspects import ASPECTS
from critica.models.encoder import shared_encoder
from critica.pipeline.aspects import Layout, position_features

TEXT = "Great cast, terrible script."
# [CLS] great cast , terrible script . [SEP]
OFFSETS = np.array([(0, 0), (0, 5), (6, 10), (10, 11), (12, 20), (21, 27), (27, 28), (0, 0)])


def test_position_features_place_each_token_against_the_cue():
    f = position_features("performances", TEXT, OFFSETS)
    assert f.shape == (8, N_POSITION)
    assert not f[0].any() and not f[-1].any()  # special tokens carry nothing
    in_span, in_phrase, in_clause, is_cue = f[:, 0], f[:, 1], f[:, 2], f[:, 3]
    assert in_span.tolist() == [0, 1, 1, 0, 0, 0, 0, 0]  # "Great cast"
    assert in_phrase.tolist() == [0, 1, 1, 0, 0, 0, 0, 0]
    assert in_clause[1:7].all()  # no contrast: one clause
    assert is_cue.tolist() == [0, 0, 1, 0, 0, 0, 0, 0]
    distance = f[:, 4:13].argmax(axis=1)
    # buckets: <=-9, -8..-5, -4..-2, -1, 0, +1, +2..+4, +5..+8, >=+9
    assert distance[1:7].tolist() == [3, 4, 5, 6, 6, 6]
    assert f[1:7, -1].tolist() == [0, 0, 1, 0, 0, 1]  # punctuation


def test_position_features_without_a_cue():
    f = position_features("music_sound", TEXT, OFFSETS)
    assert f[1:7, 13].all() and not f[:, 3].any()


def test_a_shared_layout_gives_the_same_features():
    layout = Layout(TEXT, OFFSETS)
    for aspect in ("performances", "writing", "music_sound"):
        assert (
            position_features(aspect, TEXT, OFFSETS, layout)
            == position_features(aspect, TEXT, OFFSETS)
        ).all()


def _write(folder, members, aspects=ASPECTS):
    doc = {"version": "v1", "name": ASPECT_HEAD, "aspects": list(aspects), "members": members}
    (folder / f"{ASPECT_HEAD}.json").write_text(json.dumps(doc))


def _member(in_span: float = 8.0):
    position = [0.0] * N_POSITION
    position[0] = in_span
    zeros = [[0.0] * 384 for _ in range(len(ASPECTS) + 1)]
    return {
        "query": zeros,
        "position": position,
        "correction": zeros,
        "scale": 1.0,
        "bias": [0.0] * len(ASPECTS),
    }


def test_head_weighs_the_words_about_each_aspect(tmp_path):
    _write(tmp_path, [_member()])
    head = AspectHead(ASPECT_HEAD, tmp_path)
    states = np.zeros((8, 384), dtype=np.float32)
    pol = np.zeros((8, 2), dtype=np.float32)
    pol[1] = [-2.0, 2.0]  # "Great"
    pol[4] = [2.0, -2.0]  # "terrible"
    aspects = ["performances", "writing"]
    positions = np.stack([position_features(a, TEXT, OFFSETS) for a in aspects])
    praised, faulted = head.polarities(aspects, positions, states, pol)
    assert praised > 0.5 and faulted < -0.5
    # one at a time, the same
    assert head.polarities(aspects[1:], positions[1:], states, pol)[0] == pytest.approx(faulted)
    # no real token at all: no opinion either way
    empty = position_features("writing", "", np.zeros((2, 2), dtype=np.int64))[None]
    assert head.logits(["writing"], empty, states[:2], pol[:2]).tolist() == [0.0]


@pytest.mark.parametrize(
    ("members", "aspects", "message"),
    [
        ([], ASPECTS, "other features"),
        ([{**_member(), "position": [0.0] * 3}], ASPECTS, "other features"),
        ([_member()], ASPECTS[:-1], "another aspect list"),
    ],
)
def test_head_from_another_training_is_refused(tmp_path, members, aspects, message):
    _write(tmp_path, members, aspects)
    with pytest.raises(ModelError, match=message) as err:
        AspectHead(ASPECT_HEAD, tmp_path)
    assert "make train" in str(err.value)


def test_shipped_graph_gives_token_states():
    _, tokens = shared_encoder().run_with_tokens(["Great cast, terrible script."])
    states = tokens[0].states
    assert states is not None
    assert states.shape == (len(tokens[0].offsets), 384)
    assert np.isfinite(states).all()


def test_shipped_head_loads():
    head = AspectHead()
    assert head.version == json.loads((FILES / f"{ASPECT_HEAD}.json").read_text())["version"]
    assert head.query.shape[:2] == (len(ASPECTS), len(head.scale)) and len(head.scale) >= 1
