"""The library entry points: ``analyze`` one review, ``analyze_many`` a stream of them."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from typing import Any

from critica import config
from critica.analysis import Analysis
from critica.document import ReviewDoc
from critica.errors import InputError
from critica.pipeline import Pipeline

ReviewInput = str | bytes | Mapping[str, Any]


_BUILDING = threading.Lock()


def get_pipeline(disable: frozenset[str] = frozenset()) -> Pipeline:
    """The default pipeline, built (models loaded) once per set of disabled components.

    Thread-safe: when many requests arrive before the models are loaded, one thread
    loads them and the others wait, instead of each loading its own copy.
    """
    with _BUILDING:
        return _build_pipeline(disable)


@lru_cache(maxsize=4)
def _build_pipeline(disable: frozenset[str]) -> Pipeline:
    return Pipeline.build(disable)


def pipeline_loads() -> int:
    """How many pipelines this process has built (1 after the first analysis)."""
    return _build_pipeline.cache_info().misses


def make_doc(
    text: str | bytes, title: str | None = None, rating: str | None = None, **meta: Any
) -> ReviewDoc:
    """Validate raw input and wrap it in a document; raises ``InputError`` for unusable input."""
    from critica.inputs.sources import decode_bytes

    if isinstance(text, bytes):
        text = decode_bytes(text)
    if not isinstance(text, str):
        raise InputError(f"expected review text as str or bytes, got {type(text).__name__}")
    limit = config.get("max_input_bytes")
    if len(text) > limit:
        raise InputError(
            f"the review is {len(text):,} characters, over the {limit:,} limit; "
            "split it or raise CRITICA_MAX_INPUT_BYTES"
        )
    if not text.strip():
        raise InputError("the review is empty; pass some review text")
    if "\x00" in text:
        raise InputError(
            "the review contains NUL bytes, so it looks binary; pass a text or HTML file"
        )
    if rating is not None:
        from critica.pipeline.rating import parse_rating

        parse_rating(rating)  # a bad rating is the caller's input error, caught before analysis
    doc_meta = {
        k: v for k, v in {"title": title, "rating": rating, **meta}.items() if v is not None
    }
    return ReviewDoc(raw=text, meta=doc_meta)


def analyze(
    text: str | bytes,
    title: str | None = None,
    rating: str | None = None,
    *,
    disable: Iterable[str] = (),
    **meta: Any,
) -> Analysis:
    """Analyse one review (plain text or HTML) and return its ``Analysis``."""
    doc = make_doc(text, title, rating, **meta)
    return Analysis.from_doc(get_pipeline(frozenset(disable))(doc))


def _to_doc(item: ReviewInput) -> ReviewDoc:
    if isinstance(item, Mapping):
        fields = dict(item)
        return make_doc(fields.pop("text", ""), **fields)
    return make_doc(item)


def _unscored(reason: str) -> ReviewDoc:
    doc = ReviewDoc(raw="", unscored_reason=reason)
    return doc


def make_docs(items: Iterable[ReviewInput]) -> Iterator[ReviewDoc]:
    """Documents for a stream of inputs; an unusable one becomes an unscored document."""
    for item in items:
        try:
            yield _to_doc(item)
        except InputError as exc:
            yield _unscored(str(exc))


def analyze_many(
    items: Iterable[ReviewInput], batch_size: int | None = None, *, disable: Iterable[str] = ()
) -> Iterator[Analysis]:
    """Analyse a stream of reviews in batches, yielding results in input order.

    Items are texts or mappings with ``text`` and optional ``title``, ``rating``.
    An unusable item yields an unscored ``Analysis`` whose ``unscored_reason``
    says why, so one bad row never stops the stream.
    """

    pipeline = get_pipeline(frozenset(disable))
    size = batch_size or config.get("batch_size")
    for doc in pipeline.pipe(make_docs(items), batch_size=size):
        yield Analysis.from_doc(doc)
