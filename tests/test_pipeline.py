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


# --- a background step runs beside the steps that do not touch its fields ---------------


class Step(BaseComponent):
    """A step that records when it ran, and may wait for another step's signal."""

    def __init__(self, name: str, log: list[str], wait_for=None, signal=None, fail=False) -> None:
        self.name, self.log = name, log
        self.wait_for, self.signal, self.fail = wait_for, signal, fail

    def __call__(self, doc: ReviewDoc) -> ReviewDoc:
        if self.wait_for is not None and not self.wait_for.wait(timeout=10):
            raise RuntimeError(f"{self.name} waited in vain: the steps did not overlap")
        if self.fail:
            raise ValueError("bad day")
        self.log.append(self.name)
        doc.meta[self.name] = list(self.log)
        if self.signal is not None:
            self.signal.set()
        return doc


def registration(name: str, requires=(), assigns=(), background=False):
    from critica.pipeline import Registration

    return Registration(name, lambda: None, tuple(requires), tuple(assigns), True, background)


def overlapping(log: list[str], fail: bool = False) -> Pipeline:
    """ner (background, waits for the encoder) || encoder; names needs ner's output."""
    import threading

    encoded = threading.Event()
    steps = [
        (Step("ner", log, wait_for=encoded, fail=fail), ("text",), ("entities",), True),
        (Step("names", log), ("entities",), ("credits",), False),
        (Step("encoder", log, signal=encoded), ("sentences",), ("sentences.polarity",), False),
        (Step("verdict", log), ("sentences", "credits"), ("score",), False),
    ]
    return Pipeline([s for s, *_ in steps], [registration(s.name, r, a, b) for s, r, a, b in steps])


def test_a_background_step_runs_beside_the_steps_that_do_not_need_it():
    log: list[str] = []
    doc = overlapping(log)(ReviewDoc(raw="x"))
    # ner waits for the encoder's signal: it can only finish because they ran side by side.
    # names needs ner's output and verdict needs names': both waited for ner, in order.
    assert log == ["encoder", "ner", "names", "verdict"]
    assert doc.meta["names"] == ["encoder", "ner", "names"]
    assert set(doc.timings) == {"ner", "names", "encoder", "verdict"}


def test_a_background_steps_error_names_it_and_the_stream_goes_on():
    log: list[str] = []
    pipeline = overlapping(log, fail=True)
    with pytest.raises(ComponentError, match="'ner'"):
        pipeline(ReviewDoc(raw="x"))
    out = list(pipeline.pipe([ReviewDoc(raw="a"), ReviewDoc(raw="b")], 2))
    assert all("'ner' failed" in d.unscored_reason for d in out)


def test_bare_components_run_strictly_in_order():
    log: list[str] = []
    steps = [Step("a", log), Step("b", log), Step("c", log)]
    Pipeline(steps)(ReviewDoc(raw="x"))
    assert log == ["a", "b", "c"]


def test_the_shipped_pipeline_gives_the_same_analysis_with_or_without_overlap(example_text):
    from critica.analysis import Analysis

    overlapped = get_pipeline()
    assert any(r is not None and r.background for r in overlapped.registrations)
    in_order = Pipeline(overlapped.components)  # same loaded components, no registrations
    texts = [example_text, "Great cast, terrible script. The ending never lands."]
    got = [Analysis.from_doc(d).to_dict() for d in overlapped.pipe(map(make_doc, texts))]
    want = [Analysis.from_doc(d).to_dict() for d in in_order.pipe(map(make_doc, texts))]
    for g, w in zip(got, want, strict=True):
        g.pop("timings", None), w.pop("timings", None)
        assert g == w
    assert got[0]["entities"], "the worked example names people: NER ran"
