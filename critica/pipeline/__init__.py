"""The analysis pipeline: named components, each ``ReviewDoc -> ReviewDoc``.

Components run in order. Each registers where it is defined, with the fields it
reads and writes (``@component``); ``BaseComponent`` gives it a ``pipe(docs)``
that a component with a model overrides to work on a whole batch (the sentence
model does: one encoder pass per batch). Adding an analysis step means a module
in this package with a decorated factory, and its name in ``COMPONENTS``;
``Pipeline.build`` checks that every requirement is met by an earlier step.
"""

from __future__ import annotations

import copy
import importlib
import pkgutil
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Protocol, TypeVar, runtime_checkable

from critica.document import ReviewDoc
from critica.errors import ComponentError, CriticaError


@runtime_checkable
class Component(Protocol):
    """A pipeline step: a ``name``, and a call on one ``ReviewDoc``."""

    name: str

    def __call__(self, doc: ReviewDoc) -> ReviewDoc: ...


class BaseComponent:
    """What every shipped component inherits: a ``pipe`` that runs the documents one by one
    (components with a model override it to work on a whole batch), and the ``version`` of
    the model files it runs ("sentence-v2"; empty for rules)."""

    name: str = ""
    version: str = ""

    def __call__(self, doc: ReviewDoc) -> ReviewDoc:
        raise NotImplementedError

    def pipe(self, docs: list[ReviewDoc]) -> list[ReviewDoc]:
        return [self(d) for d in docs]


Factory = Callable[[], Component]
F = TypeVar("F", bound=Factory)


@dataclass(frozen=True)
class Registration:
    """A component as registered where it is defined: its factory, the ``ReviewDoc`` fields it
    reads and writes, and whether bulk scoring may switch it off."""

    name: str
    factory: Factory
    requires: tuple[str, ...]
    assigns: tuple[str, ...]
    optional: bool


REGISTRY: dict[str, Registration] = {}
INPUTS = ("raw", "meta")  # what a ReviewDoc arrives with (critica.core.make_doc)


def component(
    name: str, *, requires: Iterable[str], assigns: Iterable[str], optional: bool = False
) -> Callable[[F], F]:
    """Register a component factory under ``name``, as spaCy's ``@Language.factory`` does::

        @component("quote", requires=("sentences", "score"), assigns=("quote",), optional=True)
        def make_quote() -> Quote: ...

    ``requires`` and ``assigns`` name ``ReviewDoc`` fields ("sentences.polarity" for a
    field of each sentence). Then name the component in ``COMPONENTS`` where it should run.
    """

    def register(factory: F) -> F:
        REGISTRY[name] = Registration(name, factory, tuple(requires), tuple(assigns), optional)
        return factory

    return register


def registry() -> dict[str, Registration]:
    """Every registered component, importing this package's modules on first use (lazily, so
    that importing critica stays fast)."""
    import critica.pipeline as package

    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{module.name}")
    return REGISTRY


def check(order: Sequence[str]) -> None:
    """Raise when a component needs a field that no earlier component assigns (spaCy's
    ``analyze_pipes``). A field whose optional producer is switched off keeps its default;
    what must never happen is a component reading what only a later one writes."""
    found = registry()
    unknown = [n for n in order if n not in found]
    if unknown:
        raise CriticaError(f"unknown pipeline component(s) {unknown}; choose from {list(found)}")
    assigned: set[str] = set(INPUTS)
    for name in order:
        reg = found[name]
        for field in reg.requires:
            if field not in assigned and field.split(".")[0] not in assigned:
                later = [n for n in order if field in found[n].assigns]
                where = f"only {later[0]!r}, which runs later," if later else "no component"
                raise CriticaError(
                    f"component {name!r} requires {field!r}, but {where} assigns it; "
                    "move it after the component that does, or fix its requires"
                )
        assigned.update(reg.assigns)
        assigned.update(f.split(".")[0] for f in reg.assigns)


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
# Steps that only describe the review; bulk scoring can switch them off (each declares it
# when it registers; tests/test_pipeline.py keeps this list equal to the registry's).
OPTIONAL = frozenset({"entities", "credits", "title", "aspects", "quote"})


class Pipeline:
    """An ordered list of components with a batched ``pipe``."""

    def __init__(self, components: Sequence[Component]) -> None:
        self.components = list(components)

    @classmethod
    def build(cls, disable: Iterable[str] = (), order: Sequence[str] = COMPONENTS) -> Pipeline:
        """Build the pipeline (``order``: the components to run, default ``COMPONENTS``),
        leaving out the optional ones named in ``disable``, after checking that every
        component's requirements are met by an earlier one."""
        off = set(disable)
        check(order)
        found = registry()
        unknown = off - set(order)
        if unknown:
            raise CriticaError(
                f"unknown pipeline component(s) {sorted(unknown)}; choose from {list(order)}"
            )
        optional = {n for n in order if found[n].optional}
        required = off - optional
        if required:
            raise CriticaError(
                f"component(s) {sorted(required)} cannot be disabled; "
                f"optional ones are {sorted(optional)}"
            )
        return cls([found[name].factory() for name in order if name not in off])

    @property
    def version(self) -> str:
        """The model files this pipeline runs ("sentence-v2+aspects-v5+polarity-v1+verdict-v3"):
        every analysis it makes is stamped with it, and `critica reanalyze` compares against it."""
        return "+".join(v for c in self.components if (v := getattr(c, "version", "")))

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
        # Every document carries the full version, scored or not, so that `critica
        # reanalyze` does not take an unscored analysis for one from older models.
        version = self.version
        for doc in docs:
            doc.model_version = version
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
