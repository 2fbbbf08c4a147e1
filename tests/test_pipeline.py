from __future__ import annotations

import pytest

from critica.core import get_pipeline, make_doc
from critica.document import ReviewDoc
from critica.errors import ComponentError, CriticaError
from critica.models import shipped_version
from critica.pipeline import (
    COMPONENTS,
    OPTIONAL,
    BaseComponent,
    Pipeline,
    check,
    component,
    registry,
)


class Upper:
    name, requires, sets = "upper", ("raw",), ("text",)

    def __call__(self, doc: ReviewDoc) -> ReviewDoc:
        doc.text = doc.raw.upper()
        return doc


class Boom:
    name, requires, sets = "boom", (), ()

    def __call__(self, doc: ReviewDoc) -> ReviewDoc:
        raise ValueError("bad day")


class Batched:
    name, requires, sets = "batched", (), ("meta",)

    def __init__(self) -> None:
        self.calls: list[int] = []

    def __call__(self, doc: ReviewDoc) -> ReviewDoc:
        return self.pipe([doc])[0]

    def pipe(self, docs: list[ReviewDoc]) -> list[ReviewDoc]:
        self.calls.append(len(docs))
        return docs


def test_components_run_in_order_and_are_timed():
    doc = Pipeline([Upper()])(ReviewDoc(raw="abc"))
    assert doc.text == "ABC"
    assert "upper" in doc.timings


def test_error_names_the_component():
    with pytest.raises(ComponentError, match="'boom'"):
        Pipeline([Upper(), Boom()])(ReviewDoc(raw="x"))


def test_pipe_batches_and_keeps_order():
    batched = Batched()
    docs = [ReviewDoc(raw=str(i)) for i in range(10)]
    out = list(Pipeline([Upper(), batched]).pipe(docs, batch_size=4))
    assert [d.raw for d in out] == [str(i) for i in range(10)]
    assert batched.calls == [4, 4, 2]


@pytest.mark.parametrize(
    ("disable", "message"),
    [({"nope"}, "unknown pipeline component"), ({"sentiment"}, "cannot be disabled")],
)
def test_bad_disable(disable, message):
    with pytest.raises(CriticaError, match=message):
        Pipeline.build(disable)


def test_default_order_meets_every_declared_requirement():
    check(COMPONENTS)  # raises when a step reads what only a later step writes
    shipped = {n: r for n, r in registry().items() if r.factory.__module__.startswith("critica.")}
    assert set(COMPONENTS) == set(shipped)
    assert {n for n, r in shipped.items() if r.optional} == OPTIONAL


@pytest.mark.parametrize(
    ("order", "message"),
    [
        (("clean", "segment", "verdict"), "'verdict' requires 'rating', but no component"),
        (("clean", "sentiment", "segment"), "'sentiment' requires 'sentences', but only 'segment'"),
        (("clean", "segment", "nope"), "unknown pipeline component"),
    ],
)  # fmt: skip
def test_a_misordered_pipeline_is_refused_at_build_time(order, message):
    with pytest.raises(CriticaError, match=message):
        Pipeline.build(order=order)


@component("shout", requires=("text", "sentences"), assigns=("meta.shout",), optional=True)
def make_shout() -> Shout:
    return Shout()


class Shout(BaseComponent):
    """A toy component: two edits add it (this decorated factory, and its place in an order)."""

    name = "shout"

    def __call__(self, doc: ReviewDoc) -> ReviewDoc:
        doc.meta["shout"] = doc.sentences[0].text.upper() if doc.sentences else ""
        return doc


def test_a_new_component_takes_two_edits():
    order = ("clean", "language", "segment", "shout")
    doc = Pipeline.build(order=order)(make_doc("A fine film. It is long."))
    assert doc.meta["shout"] == "A FINE FILM."  # BaseComponent gave it its pipe
    assert Pipeline.build(disable={"shout"}, order=order).names == ["clean", "language", "segment"]
    with pytest.raises(CriticaError, match="'shout' requires 'sentences'"):
        Pipeline.build(order=("clean", "shout", "segment"))


def test_the_pipeline_version_names_the_models_it_runs():
    full = get_pipeline()
    assert full.version == "+".join(c.version for c in full.components if c.version)
    assert full.version.count("+") == 3  # sentence, aspects (detection + polarity), verdict
    assert full.version == shipped_version()
    bulk = get_pipeline(frozenset({"aspects"}))
    assert "aspects-" not in bulk.version and "polarity-" not in bulk.version
    assert bulk.version.startswith("sentence-")
    assert full(make_doc("Dreadful.")).model_version == full.version


class FailsOn:
    """A batch component that fails on any batch holding one poisonous review."""

    name, requires, sets = "picky", ("text",), ()

    def __call__(self, doc: ReviewDoc) -> ReviewDoc:
        return self.pipe([doc])[0]

    def pipe(self, docs: list[ReviewDoc]) -> list[ReviewDoc]:
        if any("POISON" in d.text for d in docs):
            raise RuntimeError("cannot digest this")
        return docs


def test_one_failing_review_comes_out_unscored_and_the_rest_are_analysed():
    raws = ["good one", "POISON pill", "good two", "good three", "good four"]
    out = list(Pipeline([Upper(), FailsOn()]).pipe([ReviewDoc(raw=r) for r in raws], 2))
    assert [d.raw for d in out] == raws
    assert [d.unscored_reason is None for d in out] == [True, False, True, True, True]
    assert "'picky' failed" in out[1].unscored_reason
    assert [d.text for d in out if d.unscored_reason is None] == [
        "GOOD ONE", "GOOD TWO", "GOOD THREE", "GOOD FOUR"
    ]  # fmt: skip


def test_component_errors_survive_pickling():
    import pickle

    error = pickle.loads(pickle.dumps(ComponentError("picky", RuntimeError("x"))))
    assert error.component == "picky" and "'picky' failed: x" in str(error)
