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
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from critica.errors import ModelError
from critica.models import ASPECT_HEAD, FILES
from critica.models.aspects import ASPECTS, BROAD_PATTERNS, CUE_PATTERNS
from critica.models.manifest import load_manifest

NDArray = np.ndarray

# Token distance from the nearest cue token, in buckets (negative: before the cue).
_BUCKETS = ((-999, -9), (-8, -5), (-4, -2), (-1, -1), (0, 0), (1, 1), (2, 4), (5, 8), (9, 999))
_IN_SPAN, _IN_PHRASE, _IN_CLAUSE, _IS_CUE = 0, 1, 2, 3
_DIST = 4
_NO_CUE = _DIST + len(_BUCKETS)
_RELATIVE, _AFTER_CONTRAST, _PUNCT = _NO_CUE + 1, _NO_CUE + 2, _NO_CUE + 3
N_POSITION = _PUNCT + 1
_WORD = re.compile(r"\w")


def cue_spans(aspect: str, text: str) -> list[tuple[int, int]]:
    """Character spans of the aspect's narrow cue words, else its broad ones."""
    for patterns in (CUE_PATTERNS, BROAD_PATTERNS):
        hits = [m.span() for m in patterns[aspect].finditer(text)]
        if hits:
            return hits
    return []


def position_features(aspect: str, text: str, offsets: NDArray) -> NDArray:
    """Per-token features of where each token stands relative to the aspect's cue words."""
    from critica.pipeline.aspects import aspect_span, clauses, phrases

    n = len(offsets)
    f = np.zeros((n, N_POSITION), dtype=np.float32)
    starts, ends = offsets[:, 0], offsets[:, 1]
    real = ends > starts
    cues = cue_spans(aspect, text)
    a, b = aspect_span(aspect, text)
    f[:, _IN_SPAN] = real & (starts >= a) & (ends <= b)
    clause_spans = clauses(text)
    if cues:
        is_cue = np.zeros(n, dtype=bool)
        for cs, ce in cues:
            is_cue |= real & (starts < ce) & (ends > cs)
        f[:, _IS_CUE] = is_cue
        for spans, col in ((phrases(text), _IN_PHRASE), (clause_spans, _IN_CLAUSE)):
            for ps, pe in spans:
                if any(ps <= cs < pe for cs, _ in cues):
                    f[:, col] = np.maximum(f[:, col], real & (starts >= ps) & (ends <= pe))
        cue_idx = np.flatnonzero(is_cue)
        if len(cue_idx):
            idx = np.arange(n)
            nearest = cue_idx[np.abs(idx[:, None] - cue_idx[None, :]).argmin(axis=1)]
            dist = idx - nearest
            for k, (lo, hi) in enumerate(_BUCKETS):
                f[:, _DIST + k] = real & (dist >= lo) & (dist <= hi)
    else:
        f[:, _NO_CUE] = real
    count = max(1, int(real.sum()))
    f[:, _RELATIVE] = np.cumsum(real) / count * real
    if len(clause_spans) > 1:
        first_end = clause_spans[0][1]
        f[:, _AFTER_CONTRAST] = real & (starts >= first_end)
    f[:, _PUNCT] = [
        bool(r) and not _WORD.search(text[s:e]) for r, s, e in zip(real, starts, ends, strict=True)
    ]
    return f


@dataclass
class _Member:
    query: NDArray  # (aspects + shared, dim): a token's weight from its state
    position: NDArray  # (N_POSITION,): a token's weight from where it stands
    correction: NDArray  # (aspects + shared, dim): log-odds from the pooled state
    scale: float
    bias: NDArray  # (aspects,)

    def logit(self, a: int, pos: NDArray, real: NDArray, h: NDArray, pol: NDArray) -> float:
        e = h @ (self.query[-1] + self.query[a]) / np.sqrt(h.shape[1]) + pos @ self.position
        e = np.where(real, e, -1e4)
        w = np.exp(e - e.max())
        w /= w.sum()
        z = w @ pol
        c = self.correction[-1] + self.correction[a]
        return float(self.scale * (z[1] - z[0]) + (w @ h) @ c + self.bias[a])


class AspectHead:
    """Attention pooling of token logits per aspect (numpy; weights from the manifest).

    The head is a few members trained from different seeds; their log-odds are averaged.
    """

    def __init__(self, name: str = ASPECT_HEAD, folder: Path = FILES) -> None:
        m = load_manifest(name, folder)
        if tuple(m["aspects"]) != ASPECTS:
            raise ModelError(f"{name} has another aspect list; rebuild it with `make train`")
        self.version = str(m["version"])
        self.members = [
            _Member(
                np.asarray(x["query"], dtype=np.float32),
                np.asarray(x["position"], dtype=np.float32),
                np.asarray(x["correction"], dtype=np.float32),
                float(x["scale"]),
                np.asarray(x["bias"], dtype=np.float32),
            )
            for x in m["members"]
        ]
        if not self.members or any(len(x.position) != N_POSITION for x in self.members):
            raise ModelError(f"{name} was trained on other features; rebuild it with `make train`")

    def logit(
        self, aspect: str, text: str, offsets: NDArray, states: NDArray, pol: NDArray
    ) -> float:
        """Log-odds that the words about ``aspect`` praise it (> 0) rather than fault it.

        ``offsets``, ``states`` and ``pol`` are the sentence's tokens as the sentence
        model gives them: character offsets, last hidden states and ``pol`` logits.
        """
        real = offsets[:, 1] > offsets[:, 0]
        if not real.any():
            return 0.0
        a = ASPECTS.index(aspect)
        pos = position_features(aspect, text, offsets)
        h = np.asarray(states, dtype=np.float32)
        return float(np.mean([m.logit(a, pos, real, h, pol) for m in self.members]))

    def polarity(
        self, aspect: str, text: str, offsets: NDArray, states: NDArray, pol: NDArray
    ) -> float:
        """The -1..1 polarity of the words about ``aspect`` (tanh of half the log-odds)."""
        return float(np.tanh(self.logit(aspect, text, offsets, states, pol) / 2.0))

    @staticmethod
    def write(body: dict[str, object], name: str = ASPECT_HEAD, folder: Path = FILES) -> None:
        """Write the head's manifest (used by training)."""
        doc = {"version": name.split("-", 2)[2], "name": name, "aspects": list(ASPECTS), **body}
        (folder / f"{name}.json").write_text(json.dumps(doc) + "\n")
