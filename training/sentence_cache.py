"""Run the shipped sentence model over review datasets once and cache the per-sentence outputs.

The verdict model is fitted on these outputs; caching them (keyed by the
sentence model's checksum) makes verdict training fast and resumable.
"""

from __future__ import annotations

import hashlib
import pickle
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from critica.document import ReviewDoc, Sentence
from critica.models import SENTENCE_MODEL
from critica.models.manifest import load_manifest
from critica.pipeline import Pipeline
from critica.pipeline.clean import make_clean
from critica.pipeline.language import make_language
from critica.pipeline.segment import make_segment
from critica.pipeline.sentiment import make_sentiment
from critica.pipeline.verdict import paragraph_index


@dataclass
class DocOutputs:
    """What the verdict model needs from one analysed review."""

    text: str
    sentences: list[Sentence]
    paragraph_of: list[int]
    unscored: str | None

    @property
    def scored_sentences(self) -> list[Sentence]:
        """The sentences the model scored; none for a text critica leaves unscored
        (too short, not English), whose sentences carry no model outputs."""
        return self.sentences if self.unscored is None else []


def _pipeline() -> Pipeline:
    return Pipeline([make_clean(), make_language(), make_segment(), make_sentiment()])


def model_key() -> str:
    m = load_manifest(SENTENCE_MODEL)
    return hashlib.sha256(str(sorted(m["files"].items())).encode()).hexdigest()[:12]


def run_cached(name: str, texts: Sequence[str], cache_dir: Path) -> list[DocOutputs]:
    """Sentence-model outputs for ``texts``, computed once per model version."""
    path = cache_dir / f"{name}-{model_key()}-{len(texts)}.pkl"
    if path.exists():
        return pickle.loads(path.read_bytes())  # type: ignore[no-any-return]
    cache_dir.mkdir(parents=True, exist_ok=True)
    pipeline, out, start = _pipeline(), [], time.time()
    docs = (ReviewDoc(raw=t) for t in texts)
    for i, doc in enumerate(pipeline.pipe(docs, batch_size=32)):
        out.append(DocOutputs(doc.text, doc.sentences, paragraph_index(doc), doc.unscored_reason))
        if (i + 1) % 1000 == 0:
            print(f"  {name}: {i + 1}/{len(texts)} reviews, {time.time() - start:.0f}s", flush=True)
    path.write_bytes(pickle.dumps(out))
    return out
