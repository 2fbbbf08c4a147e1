"""``Analysis``: the public, versioned result of analysing one review."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from functools import cache
from typing import Annotated, Any

from pydantic import Field, TypeAdapter, ValidationError

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


# Bounds a stored analysis must keep, or every figure built on it breaks (checked by
# ``from_dict``; shown in docs/schema.md).
RANGES = {"score": (0.0, 100.0), "text_score": (0.0, 100.0), "confidence": (0.0, 1.0),
          "language_confidence": (0.0, 1.0)}  # fmt: skip


def _doc(text: str) -> Any:
    """A field's meaning: shown in docs/schema.md (``schema_table``) and /openapi.json."""
    return Field(description=text)


@dataclass
class Analysis:
    """What critica concluded about one review, with the evidence. See docs/schema.md."""

    text: Annotated[
        str, _doc("the cleaned review text (HTML stripped, Unicode and whitespace normalised)")
    ]
    score: Annotated[
        float | None,
        _doc(
            "the review's score; the critic's explicit rating when there is one, otherwise "
            "the text's score; null when unscored"
        ),
    ]
    fresh: Annotated[bool | None, _doc("fresh (positive) or rotten; null when unscored")]
    confidence: Annotated[
        float, _doc("how sure the fresh/rotten call is (0.5: a coin toss; 0 when unscored)")
    ]
    band: Annotated[
        str | None,
        _doc(
            "Metacritic's wording: `universal acclaim` (81–100), `generally favorable` "
            "(61–80), `mixed or average` (40–60), `generally unfavorable` (20–39), "
            "`overwhelming dislike` (0–19); null when unscored"
        ),
    ]
    quote: Annotated[Span | None, _doc("the pull quote: `{text, start, end}`")]
    sentences: Annotated[
        list[Sentence],
        _doc(
            "each `{text, start, end, polarity (−1..1), opinion (0..1: probability it is the "
            "critic's judgement rather than plot or fact), fine (5 probabilities, very "
            "negative … very positive), aspects (`{name, polarity}`), weight (0..1, how much "
            "the verdict leaned on it)}`"
        ),
    ]
    aspects: Annotated[
        list[AspectSummary],
        _doc(
            "per aspect `{name, polarity (−1..1), evidence}` (evidence: sentence indices), "
            "most mentioned first; each sentence's aspect polarity is that of the words about "
            "the aspect, weighed in context, not the whole sentence's"
        ),
    ]
    credits: Annotated[
        list[Credit],
        _doc(
            "`{person, role, character, start, end}`; role is actor, creator, director, "
            "writer, showrunner, producer or composer"
        ),
    ]
    title: Annotated[
        TitleGuess | None,
        _doc(
            "`{name, kind (film / series / null), network, source (given / quoted / pattern "
            "/ entity), confidence, start, end}`"
        ),
    ]
    rating: Annotated[
        Rating | None, _doc("`{raw, normalized (0–100), source (text / given), start, end}`")
    ]
    language: Annotated[str | None, _doc("detected language (ISO 639-1)")]
    model_version: Annotated[
        str,
        _doc(
            "the model files that produced this, e.g. "
            "`sentence-v2+aspects-v5+polarity-v1+verdict-v3`"
        ),
    ]
    text_score: Annotated[
        float | None,
        _doc("the score read from the text alone (always computed when scored); null if unscored"),
    ] = None
    fresh_evidence: Annotated[
        float | None,
        _doc(
            "what the text alone says for fresh, as a calibrated log Bayes factor (positive "
            "favours fresh, 0 says nothing, ±2 is strong); free of any prior, so a title's "
            "share of fresh reviews can be estimated from its reviews' evidence "
            "(`percent_positive_estimated`, docs/aggregator.md); computed even when a rating "
            "decides `fresh`; null when unscored"
        ),
    ] = None
    language_confidence: Annotated[float, _doc("how sure the language detection is")] = 0.0
    unscored_reason: Annotated[
        str | None,
        _doc(
            "why the text was not scored (not English, too short — under three words and not "
            "English words the model knows, with no rating given —, empty); null when scored"
        ),
    ] = None
    explanation: Annotated[str, _doc("one short paragraph: what the score rests on")] = ""
    entities: Annotated[list[Entity], _doc("spaCy named entities `{text, start, end, label}`")] = (
        field(default_factory=list)
    )
    warnings: Annotated[
        list[str], _doc("e.g. the text was cut, the rating and the text disagree")
    ] = field(default_factory=list)
    schema_version: Annotated[str, _doc(f'`"{SCHEMA_VERSION}"`')] = SCHEMA_VERSION

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

    checks = [(name, getattr(a, name), low, high) for name, (low, high) in RANGES.items()]
    checks += [("fresh_evidence", a.fresh_evidence, -math.inf, math.inf)]
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


def schema_table() -> str:
    """The field table of docs/schema.md, generated from ``Analysis`` (a test keeps the
    document equal to it)."""
    properties = _adapter().json_schema()["properties"]
    rows = ["| field | type | meaning |", "|---|---|---|"]
    for name, prop in properties.items():
        rows.append(f"| `{name}` | {_shown_type(name, prop)} | {prop['description']} |")
    return "\n".join(rows) + "\n"


def _shown_type(name: str, prop: dict[str, Any]) -> str:
    options = prop.get("anyOf", [prop])
    kinds = [o for o in options if o.get("type") != "null"]
    words = []
    for o in kinds:
        if "$ref" in o:
            words.append("span" if o["$ref"].endswith("/Span") else "object")
        elif o.get("type") == "array":
            words.append("list of strings" if o["items"].get("type") == "string" else "list")
        else:
            words.append({"boolean": "bool"}.get(o["type"], o["type"]))
    shown = " or ".join(words)
    if name in RANGES:
        low, high = RANGES[name]
        shown += f" {low:g}–{high:g}"
    return shown + (" or null" if len(kinds) < len(options) else "")
