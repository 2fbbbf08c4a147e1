"""Bring stored analyses up to the current model version without re-ingesting."""

from __future__ import annotations

from critica.core import analyze_many, get_pipeline
from critica.store.base import Store


def current_model_version() -> str:
    """The version string the current models stamp on an analysis (``Pipeline.version``)."""
    return get_pipeline().version


def reanalyze(store: Store, batch_size: int = 256) -> int:
    """Re-run the pipeline on every review whose analysis has another model version."""
    version, count = current_model_version(), 0
    for batch in store.stale_reviews(version, batch=batch_size):
        inputs = [
            {"text": text, **{k: v for k, v in meta.items() if k in ("title", "rating")}}
            for _, text, meta in batch
        ]
        for (review_id, _, _), analysis in zip(batch, analyze_many(inputs), strict=True):
            store.update_analysis(review_id, analysis)
            count += 1
    return count
