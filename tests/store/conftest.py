"""Store fixtures: one store per test on SQLite (a temporary file) and PostgreSQL (a schema)."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import psycopg
import pytest

from critica.analysis import Analysis, AspectSummary
from critica.document import AspectMention, Rating, Sentence, Span
from critica.store import SQLStore

PG_URL = os.environ.get("CRITICA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@cache
def _postgres_problem() -> str | None:
    try:
        psycopg.connect(PG_URL, connect_timeout=3).close()
    except psycopg.Error as error:
        return str(error).strip().splitlines()[0]
    return None


def _need_postgres() -> None:
    if problem := _postgres_problem():
        message = f"PostgreSQL not reachable at {PG_URL} ({problem}); set CRITICA_TEST_POSTGRES_URL"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database; PostgreSQL gets a schema of its own, dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'critica.db'}"
        return
    _need_postgres()
    schema = f"critica_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def store(store_url: str) -> Iterator[SQLStore]:
    """A migrated, empty store."""
    opened = SQLStore(store_url)
    try:
        yield opened
    finally:
        opened.close()


def make_analysis(
    text: str,
    *,
    score: float | None = 75.0,
    fresh: bool | None = True,
    aspects: dict[int, list[tuple[str, float]]] | None = None,
    version: str = "test-v1",
    rating: float | None = None,
    text_score: float | None = None,
    evidence: float | str | None = "auto",
) -> Analysis:
    """An ``Analysis`` built by hand: sentences split at ``.!?``, aspects by sentence index.

    ``evidence`` "auto" gives a scored analysis the text's evidence for its own call (+-1),
    as the current pipeline always does; pass None for one stored before there was evidence.
    """
    if evidence == "auto":
        evidence = None if score is None else (1.0 if fresh else -1.0)
    sentences, start = [], 0
    for part in _SENTENCE_END.split(text):
        begin = text.index(part, start)
        start = begin + len(part)
        sentences.append(Sentence(part, begin, start))
    for index, mentions in (aspects or {}).items():
        sentences[index].aspects = [AspectMention(name, pol) for name, pol in mentions]
    summaries = sorted({m.name for s in sentences for m in s.aspects})
    return Analysis(
        text=text,
        score=score,
        fresh=fresh,
        confidence=0.8 if score is not None else 0.0,
        band=None if score is None else ("positive" if fresh else "negative"),
        quote=Span(sentences[0].text, sentences[0].start, sentences[0].end),
        sentences=sentences,
        aspects=[AspectSummary(name, 0.5) for name in summaries],
        credits=[],
        title=None,
        rating=None if rating is None else Rating(f"{rating:g}/100", rating, source="given"),
        language="en",
        model_version=version,
        text_score=score if text_score is None else text_score,
        fresh_evidence=None if isinstance(evidence, str) else evidence,
    )
