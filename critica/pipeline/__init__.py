"""The analysis pipeline: named components, each ``ReviewDoc -> ReviewDoc``.

Components run in order. A component may also offer ``pipe(docs)`` to work on
a whole batch at once (the sentence model does: one encoder pass per batch).
Adding an analysis step means adding a module with a ``make_*`` factory and
one line in ``COMPONENTS``.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import Protocol, runtime_checkable

from critica.document import ReviewDoc
from critica.errors import ComponentError, CriticaError


@runtime_checkable
class Component(Protocol):
    """A pipeline step. ``requires``/``sets`` name the ``ReviewDoc`` fields it reads/writes."""

    name: str
    requires: tuple[str, ...]
    sets: tuple[str, ...]

    def __call__(self, doc: ReviewDoc) -> ReviewDoc: ...


Factory = Callable[[], Component]


def _factories() -> dict[str, Factory]:
    # Imported lazily so that importing critica stays fast.
    from critica.pipeline import (
        aspects,
        clean,
        credits,
        entities,
        language,
        quote,
        rating,
        segment,
        sentiment,
        title,
        verdict,
    )

    return {
        "clean": clean.make_clean,
        "language": language.make_language,
        "segment": segment.make_segment,
        "entities": entities.make_entities,
        "credits": credits.make_credits,
        "title": title.make_title,
        "rating": rating.make_rating,
        "sentiment": sentiment.make_sentiment,
        "aspects": aspects.make_aspects,
        "verdict": verdict.make_verdict,
        "quote": quote.make_quote,
    }


COMPONENTS: tuple[str, ...] = (
    "clean",
    "language",
    "segment",
    "entities",
    "credits",
    "title",
    "rating",
    "sentiment",
    "aspects",
    "verdict",
    "quote",
)
# Steps that only describe the review; bulk scoring can switch them off.
OPTIONAL = frozenset({"entities", "credits", "title", "aspects", "quote"})


class Pipeline:
    """An ordered list of components with a batched ``pipe``."""

    def __init__(self, components: Sequence[Component]) -> None:
        self.components = list(components)

    @classmethod
    def build(cls, disable: Iterable[str] = ()) -> Pipeline:
        """Build the default pipeline, leaving out the components named in ``disable``."""
        off = set(disable)
        unknown = off - set(COMPONENTS)
        if unknown:
            raise CriticaError(
                f"unknown pipeline component(s) {sorted(unknown)}; choose from {list(COMPONENTS)}"
            )
        required = off - OPTIONAL
        if required:
            raise CriticaError(
                f"component(s) {sorted(required)} cannot be disabled; "
                f"optional ones are {sorted(OPTIONAL)}"
            )
        factories = _factories()
        return cls([factories[name]() for name in COMPONENTS if name not in off])

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.components]

    def __call__(self, doc: ReviewDoc) -> ReviewDoc:
        return self._run_batch([doc])[0]

    def pipe(self, docs: Iterable[ReviewDoc], batch_size: int = 64) -> Iterator[ReviewDoc]:
        """Analyse a stream of documents in batches, yielding them in input order.

        A document that makes a component fail comes out unscored, its
        ``unscored_reason`` naming the component; the rest of its batch is
        analysed one by one, so one bad review never stops the stream.
        """
        it = iter(docs)
        while batch := list(islice(it, batch_size)):
            pristine = copy.deepcopy(batch)  # fresh documents: raw text and metadata only
            try:
                yield from self._run_batch(batch)
            except ComponentError:
                for doc in pristine:
                    yield self._isolated(doc)

    def _isolated(self, doc: ReviewDoc) -> ReviewDoc:
        retry = copy.deepcopy(doc)
        try:
            return self._run_batch([retry])[0]
        except ComponentError as exc:
            doc.unscored_reason = f"analysis failed ({exc}); please report this review"
            return doc

    def _run_batch(self, docs: list[ReviewDoc]) -> list[ReviewDoc]:
        for component in self.components:
            start = time.perf_counter()
            try:
                batch_fn = getattr(component, "pipe", None)
                docs = batch_fn(docs) if batch_fn else [component(d) for d in docs]
            except CriticaError:
                raise
            except Exception as exc:  # name the component in any unexpected failure
                raise ComponentError(component.name, exc) from exc
            share = (time.perf_counter() - start) / max(len(docs), 1)
            for d in docs:
                d.timings[component.name] = share
        return docs
