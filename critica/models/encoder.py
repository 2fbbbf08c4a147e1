"""The sentence encoder: one ONNX pass gives the embedding and every sentence-level head."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

from critica.errors import ModelError
from critica.models import FILES, SENTENCE_MODEL
from critica.models.manifest import load_manifest

NDArray = np.ndarray


@dataclass
class TokenScores:
    """The polarity heads' logits at each token of one sentence, with character offsets.

    The heads are linear over a mean of token states, so the logits of any
    phrase of the sentence are the mean of its tokens' logits: one encoder
    pass scores every clause in context.
    """

    offsets: NDArray  # (tokens, 2) character start/end; special tokens are (0, 0)
    logits: dict[str, NDArray]  # head -> (tokens, classes)
    states: NDArray | None = None  # (tokens, dim) last hidden states, when the graph gives them

    def span(self, start: int, end: int) -> dict[str, NDArray] | None:
        """Per-head probabilities of the characters ``[start, end)``; None when no token fits."""
        s, e = self.offsets[:, 0], self.offsets[:, 1]
        inside = (e > s) & (s >= start) & (e <= end)
        if not inside.any():
            return None
        return {h: softmax(v[inside].mean(axis=0)) for h, v in self.logits.items()}


def softmax(logits: NDArray) -> NDArray:
    """Row-wise softmax."""
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)  # type: ignore[no-any-return]


class SentenceEncoder:
    """Tokenize, batch by length, run the ONNX graph; outputs are per-head probabilities."""

    def __init__(self, name: str = SENTENCE_MODEL, folder: Path = FILES, threads: int = 0) -> None:
        self.manifest = load_manifest(name, folder)
        self.version = str(self.manifest["version"])
        self.heads: list[str] = list(self.manifest["heads"])
        self.token_heads: list[str] = list(self.manifest.get("token_heads", []))
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or os.cpu_count() or 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        try:
            self.session = ort.InferenceSession(
                str(folder / self.manifest["onnx"]), options, providers=["CPUExecutionProvider"]
            )
            self.tokenizer = Tokenizer.from_file(str(folder / self.manifest["tokenizer"]))
        except Exception as exc:  # onnxruntime raises its own untyped errors
            raise ModelError(
                f"could not load sentence model {name}: {exc}; reinstall critica"
            ) from exc
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=int(self.manifest.get("max_length", 128)))

    def run(
        self, texts: Sequence[str], batch_size: int = 64, max_tokens: int | None = None
    ) -> dict[str, NDArray]:
        """Per-head probabilities (``pol``, ``fine``, ``subj``) and ``embedding``, in order.

        Sentences are sorted by length and cut into batches of at most
        ``batch_size`` rows and, when ``max_tokens`` is given, at most that many
        padded tokens (rows x longest row), so a few long sentences do not pad
        a whole batch of short ones.
        """
        return self.run_with_tokens(texts, batch_size, max_tokens)[0]

    def run_with_tokens(
        self, texts: Sequence[str], batch_size: int = 64, max_tokens: int | None = None
    ) -> tuple[dict[str, NDArray], list[TokenScores]]:
        """``run``'s outputs and, when the model has token heads, each text's token scores."""
        n = len(texts)
        out: dict[str, NDArray] = {}
        if n == 0:
            empty = {h: np.zeros((0, 1), dtype=np.float32) for h in [*self.heads, "embedding"]}
            return empty, []
        encodings = self.tokenizer.encode_batch(list(texts))
        lengths = [len(e.ids) for e in encodings]
        order = np.argsort(lengths, kind="stable")
        names = [o.name for o in self.session.get_outputs()]
        per_token = {f"token_{h}": h for h in self.token_heads}
        tokens: list[dict[str, NDArray]] = [{} for _ in range(n)] if per_token else []
        states: list[NDArray | None] = [None] * n
        for idx in _batches(order, lengths, batch_size, max_tokens):
            width = lengths[idx[-1]]  # sorted: the last row is the longest
            ids = np.zeros((len(idx), width), dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for row, i in enumerate(idx):
                ids[row, : lengths[i]] = encodings[i].ids
                mask[row, : lengths[i]] = 1
            feeds = {"input_ids": ids, "attention_mask": mask}
            for name, value in zip(names, self.session.run(names, feeds), strict=True):
                if name == "token_states":
                    for row, i in enumerate(idx):
                        states[i] = value[row, : lengths[i]]
                    continue
                if name in per_token:
                    for row, i in enumerate(idx):
                        tokens[i][per_token[name]] = value[row, : lengths[i]]
                    continue
                if name not in out:
                    out[name] = np.zeros((n, value.shape[1]), dtype=np.float32)
                out[name][idx] = softmax(value) if name in self.heads else value
        scores = [
            TokenScores(np.asarray(e.offsets, dtype=np.int64), logits, h)
            for e, logits, h in zip(encodings, tokens, states, strict=False)
        ]
        return out, scores


def _batches(
    order: NDArray, lengths: Sequence[int], batch_size: int, max_tokens: int | None
) -> list[list[int]]:
    """Cut length-sorted indices into batches by row count and padded-token budget."""
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order.tolist():
        rows = len(current) + 1
        if current and (
            rows > batch_size or (max_tokens is not None and rows * lengths[i] > max_tokens)
        ):
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches


@lru_cache(maxsize=2)
def shared_encoder(threads: int = 0) -> SentenceEncoder:
    """The shipped sentence encoder, loaded once per process and shared by every head."""
    return SentenceEncoder(threads=threads)
