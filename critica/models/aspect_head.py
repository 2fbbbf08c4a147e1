"""The aspect-conditioned polarity head: which of a sentence's words speak about an aspect.

"Great cast, terrible script": the cast is praised and the script faulted,
so each aspect must be scored from the words about it, not from the whole
sentence. The head weighs every token of the sentence for one aspect (its
state from the sentence model against the aspect's learned query, and its
place relative to the aspect's cue word: same phrase, same clause, how many
tokens away, after a "but") and pools the sentence model's token logits with
those weights, plus a small learned correction from the pooled states. It
was trained on the hand-labelled aspect corpus's training third
(``training/aspect_head.py``) starting from the span rule it replaced.
Everything runs on the states of the one encoder pass the sentence model
already made.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from critica.errors import ModelError
from critica.models import ASPECT_HEAD, FILES
from critica.models.aspects import ASPECTS
from critica.models.manifest import load_manifest

NDArray = np.ndarray

# The position features' columns (``critica.pipeline.aspects.position_features`` fills
# them): in the cue's span, phrase and clause; a cue token; the token distance from the
# nearest cue token in buckets (negative: before the cue); no cue in the sentence; the
# relative position; after the first contrast; punctuation.
BUCKETS = ((-999, -9), (-8, -5), (-4, -2), (-1, -1), (0, 0), (1, 1), (2, 4), (5, 8), (9, 999))
IN_SPAN, IN_PHRASE, IN_CLAUSE, IS_CUE = 0, 1, 2, 3
DIST = 4
NO_CUE = DIST + len(BUCKETS)
RELATIVE, AFTER_CONTRAST, PUNCT = NO_CUE + 1, NO_CUE + 2, NO_CUE + 3
N_POSITION = PUNCT + 1


class AspectHead:
    """Attention pooling of token logits per aspect (numpy; weights from the manifest).

    The head is a few members trained from different seeds; their log-odds are averaged.
    """

    def __init__(self, name: str = ASPECT_HEAD, folder: Path = FILES) -> None:
        m = load_manifest(name, folder)
        if tuple(m["aspects"]) != ASPECTS:
            raise ModelError(f"{name} has another aspect list; rebuild it with `make train`")
        self.version = str(m["version"])
        members = m["members"]
        if not members or any(len(x["position"]) != N_POSITION for x in members):
            raise ModelError(f"{name} was trained on other features; rebuild it with `make train`")
        query = np.asarray([x["query"] for x in members], dtype=np.float32)  # (M, A+1, D)
        correction = np.asarray([x["correction"] for x in members], dtype=np.float32)
        # per aspect, every member's query and correction with the shared part added: (A, M, D)
        self.query = (query[:, :-1] + query[:, -1:]).transpose(1, 0, 2) / np.sqrt(query.shape[2])
        self.correction = (correction[:, :-1] + correction[:, -1:]).transpose(1, 0, 2)
        self.position = np.asarray([x["position"] for x in members], dtype=np.float32)  # (M, P)
        self.scale = np.asarray([x["scale"] for x in members], dtype=np.float32)  # (M,)
        self.bias = np.asarray([x["bias"] for x in members], dtype=np.float32).T  # (A, M)

    def logits(
        self, aspects: list[str], positions: NDArray, states: NDArray, pol: NDArray
    ) -> NDArray:
        """Log-odds that the words about each aspect praise it (> 0) rather than fault it.

        ``positions`` is ``position_features`` of each aspect, stacked (aspects, tokens,
        columns); ``states`` and ``pol`` are the sentence's tokens as the sentence model
        gives them (last hidden states and ``pol`` logits). One pass for every aspect of a
        sentence. A sentence without a real token gives 0.
        """
        k, m = len(aspects), len(self.scale)
        real = positions[0].any(axis=1) if k else np.zeros(0, dtype=bool)
        if not real.any():
            return np.zeros(k)
        ids = [ASPECTS.index(a) for a in aspects]
        h = np.asarray(states, dtype=np.float32)
        e = (h @ self.query[ids].reshape(k * m, -1).T).reshape(len(h), k, m)
        e += np.einsum("ktp,mp->tkm", positions, self.position)
        e[~real] = -1e4
        w = np.exp(e - e.max(axis=0))
        w /= w.sum(axis=0)  # (tokens, aspects, members)
        flat = w.reshape(len(h), k * m).T  # (aspects * members, tokens)
        z = (flat @ pol).reshape(k, m, 2)
        corrected = ((flat @ h).reshape(k, m, -1) * self.correction[ids]).sum(axis=2)
        out = self.scale * (z[..., 1] - z[..., 0]) + corrected + self.bias[ids]
        return out.mean(axis=1)  # type: ignore[no-any-return]

    def polarities(
        self, aspects: list[str], positions: NDArray, states: NDArray, pol: NDArray
    ) -> NDArray:
        """The -1..1 polarity of the words about each aspect (tanh of half the log-odds)."""
        return np.tanh(self.logits(aspects, positions, states, pol) / 2.0)

    @staticmethod
    def write(body: dict[str, object], name: str = ASPECT_HEAD, folder: Path = FILES) -> None:
        """Write the head's manifest (used by training)."""
        doc = {"version": name.split("-", 2)[2], "name": name, "aspects": list(ASPECTS), **body}
        (folder / f"{name}.json").write_text(json.dumps(doc) + "\n")
