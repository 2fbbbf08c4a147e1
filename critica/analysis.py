"""``Analysis``: the public, versioned result of analysing one review."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from functools import cache
from typing import Any

from pydantic import TypeAdapter, ValidationError

from critica.document import (
    Credit,
    Entity,
    Rating,
    ReviewDoc,
    Sentence,
    Span,
    TitleGuess,
)

SCHEMA_VERSION = "1.0"


@dataclass
class AspectSummary:
    """One aspect of the work and what the review says of it, with evidence sentences."""

    name: str
    polarity: float
    evidence: list[int] = field(default_factory=list)  # indices into ``Analysis.sentences``


@dataclass
class Analysis:
    """What critica concluded about one review, with the evidence. See docs/schema.md."""

    text: str
    score: float | None
    fresh: bool | None
    confidence: float
    band: str | None
    quote: Span | None
    sentences: list[Sentence]
    aspects: list[AspectSummary]
    credits: list[Credit]
    title: TitleGuess | None
    rating: Rating | None
    language: str | None
    model_version: str
    text_score: float | None = None
    fresh_evidence: float | None = None
    language_confidence: float = 0.0
    unscored_reason: str | None = None
    explanation: str = ""
    entities: list[Entity] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    schema_version: str = SCHEMA_VERSION

    @property
    def scored(self) -> bool:
        """False when the text could not be scored (see ``unscored_reason``)."""
        return self.score is not None

    @classmethod
    def from_doc(cls, doc: ReviewDoc) -> Analysis:
        """Freeze a finished pipeline document into the public result."""
        aspects: dict[str, list[tuple[int, float]]] = {}
        for i, s in enumerate(doc.sentences):
            for a in s.aspects:
                aspects.setdefault(a.name, []).append((i, a.polarity))
        return cls(
            text=doc.text,
            score=doc.score if doc.scored else None,
            fresh=doc.fresh if doc.scored else None,
            confidence=doc.confidence if doc.scored else 0.0,
            band=doc.band if doc.scored else None,
            quote=doc.quote,
            sentences=doc.sentences,
            aspects=[
                AspectSummary(name, round(sum(p for _, p in ev) / len(ev), 3), [i for i, _ in ev])
                for name, ev in sorted(aspects.items(), key=lambda kv: -len(kv[1]))
            ],
            credits=doc.credits,
            title=doc.title,
            rating=doc.rating,
            language=doc.language,
            language_confidence=doc.language_confidence,
            model_version=doc.model_version,
            text_score=doc.text_score if doc.scored else None,
            fresh_evidence=doc.fresh_evidence if doc.scored else None,
            unscored_reason=doc.unscored_reason,
            explanation=doc.explanation,
            entities=doc.entities,
            warnings=doc.warnings,
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; the layout is documented in docs/schema.md."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Analysis:
        """Rebuild an ``Analysis`` from ``to_dict()`` output (e.g. a batch run's JSON)."""
        from critica.errors import InputError

        try:
            fields = dict(data)
            if fields.get("schema_version", SCHEMA_VERSION).split(".")[0] != "1":
                raise InputError(
                    f"analysis schema {fields['schema_version']} is not readable by this "
                    f"critica (schema {SCHEMA_VERSION}); re-run the batch with this version"
                )
            found = _adapter().validate_python(fields)
            _check_ranges(found)
            return found
        except (TypeError, AttributeError, ValidationError) as exc:
            reason = _first_problem(exc) if isinstance(exc, ValidationError) else str(exc)
            raise InputError(
                f"not a critica analysis ({reason}); pass the JSON that Analysis.to_dict() "
                "or `critica batch` wrote"
            ) from None


@cache
def _adapter() -> TypeAdapter[Analysis]:
    """Validates a dict into an ``Analysis``, nested records and field types included."""
    return TypeAdapter(Analysis)


def _check_ranges(a: Analysis) -> None:
    """Numbers a stored analysis must keep within range, or every figure built on it breaks
    (a score of 1e9 makes a title's mean 166 million; NaN breaks the review page)."""
    from critica.errors import InputError

    checks = [("score", a.score, 0.0, 100.0), ("text_score", a.text_score, 0.0, 100.0),
              ("confidence", a.confidence, 0.0, 1.0),
              ("language_confidence", a.language_confidence, 0.0, 1.0),
              ("fresh_evidence", a.fresh_evidence, -math.inf, math.inf)]  # fmt: skip
    checks += [
        (f"sentences.{i}.polarity", s.polarity, -1.0, 1.0) for i, s in enumerate(a.sentences)
    ]
    checks += [(f"aspects.{i}.polarity", s.polarity, -1.0, 1.0) for i, s in enumerate(a.aspects)]
    for name, value, low, high in checks:
        if value is not None and not (math.isfinite(value) and low <= value <= high):
            raise InputError(
                f"not a critica analysis ({name} is {value!r}, outside {low:g}..{high:g}); pass "
                "the JSON that Analysis.to_dict() or `critica batch` wrote, or drop `analysis` "
                "to have the review analysed"
            )
    if not a.model_version:
        raise InputError(
            "not a critica analysis (no model_version); pass the JSON that Analysis.to_dict() "
            "or `critica batch` wrote, or drop `analysis` to have the review analysed"
        )


def _first_problem(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "the analysis"
    return f"{where}: {first['msg']}"
