"""The entities component: spaCy NER into ``doc.entities``, batched, skipping unscored docs."""

from __future__ import annotations

from pathlib import Path

import pytest

from critica.document import ReviewDoc
from critica.pipeline import registry
from critica.pipeline.entities import MAX_CHARS, EntitiesComponent, make_entities

EXAMPLE = Path(__file__).resolve().parents[3] / "shared/examples/seven-seconds-review.txt"


@pytest.fixture(scope="module")
def entities() -> EntitiesComponent:
    return make_entities()


def _doc(text: str) -> ReviewDoc:
    return ReviewDoc(raw=text, text=text)


def test_declares_its_fields(entities: EntitiesComponent) -> None:
    declared = registry()["entities"]  # declared where the component is defined
    assert (entities.name, declared.requires, declared.assigns) == (
        "entities",
        ("text", "sentences.text", "unscored_reason"),
        ("entities",),
    )


def test_model_is_loaded_once(entities: EntitiesComponent) -> None:
    assert make_entities().nlp is entities.nlp
    assert "parser" not in entities.nlp.pipe_names and "ner" in entities.nlp.pipe_names


@pytest.mark.parametrize(
    ("text", "person"),
    [
        ("Meryl Streep gives the performance of her career.", "Meryl Streep"),
        ("Tom Hanks plays a weary detective.", "Tom Hanks"),
        ("Directed by Greta Gerwig, it is a delight.", "Greta Gerwig"),
    ],
)
def test_finds_people(entities: EntitiesComponent, text: str, person: str) -> None:
    doc = entities(_doc(text))
    people = [e.text for e in doc.entities if e.label == "PERSON"]
    assert person in people


def test_offsets_index_the_text(entities: EntitiesComponent) -> None:
    doc = entities(_doc("Tom Hanks flew from Paris to New York for the premiere in May 2019."))
    assert doc.entities
    for ent in doc.entities:
        assert doc.text[ent.start : ent.end] == ent.text
        assert ent.label


def test_pipe_batches_and_skips(entities: EntitiesComponent) -> None:
    unscored = _doc("Meryl Streep is wonderful.")
    unscored.unscored_reason = "not English"
    docs = [_doc("Meryl Streep is wonderful."), unscored, _doc(""), _doc("Tom Hanks is fine.")]
    out = entities.pipe(docs)
    assert out is docs
    assert [e.text for e in out[0].entities] == ["Meryl Streep"]
    assert out[1].entities == [] and out[2].entities == []
    assert [e.text for e in out[3].entities] == ["Tom Hanks"]


def test_long_text_is_cut(entities: EntitiesComponent) -> None:
    filler = "and so on " * (MAX_CHARS // 10 + 10)
    doc = entities(_doc(filler + "Meryl Streep is wonderful."))
    assert all(e.end <= MAX_CHARS for e in doc.entities)


@pytest.mark.skipif(not EXAMPLE.exists(), reason="worked example not present")
def test_worked_example(entities: EntitiesComponent) -> None:
    doc = entities(_doc(EXAMPLE.read_text(encoding="utf-8")))
    people = {e.text for e in doc.entities if e.label == "PERSON"}
    assert {"Veena Sud", "Beau Knapp", "Russell Hornsby", "Regina King"} <= people
