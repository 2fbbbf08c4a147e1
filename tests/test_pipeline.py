from __future__ import annotations

import pytest

from critica.document import ReviewDoc
from critica.errors import ComponentError, CriticaError
from critica.pipeline import COMPONENTS, Pipeline


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


def test_default_order():
    assert COMPONENTS.index("clean") < COMPONENTS.index("segment") < COMPONENTS.index("sentiment")
    assert COMPONENTS.index("sentiment") < COMPONENTS.index("verdict") < COMPONENTS.index("quote")


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
