"""Import the IMDb non-commercial dataset files into the store.

Users download them from https://datasets.imdbws.com/ (terms:
https://developer.imdb.com/non-commercial-datasets/); any subset of

- ``title.basics.tsv.gz``: id (``tt…``), type, primary and original title, years,
  runtime, genres;
- ``title.ratings.tsv.gz``: IMDb users' mean rating and vote count;
- ``title.episode.tsv.gz``: episode → series, season and episode numbers;
- ``name.basics.tsv.gz``: people (``nm…``): name, birth and death years;
- ``title.principals.tsv.gz``: each title's principal cast and crew, in billing order.

Files are recognised by their header, not their name, and read as streams
(gzip or plain), in batches, whatever order they are given in: ratings first
(they decide ``min_votes``), then titles, episodes, principals and people, and
last the titles' ``credits`` are rebuilt from the principals and people. Memory
stays bounded: the ratings are held as three numpy arrays (about 16 bytes a
title), everything else a batch at a time; the store does the joining.

A title is found by its catalog id; a title typed in by hand (no id yet) is
matched by name, kind and year (when both have one) and takes the id, so reviews
already stored keep their title. Importing again updates in place.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import time
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Connection, bindparam, insert, select, update

from critica.catalog import DEFAULT_TYPES
from critica.errors import InputError
from critica.store import schema
from critica.store.reads import name_key
from critica.store.sql import SQLStore

BATCH = 2000
NULL = "\\N"

# IMDb titleType -> critica's kind; types not listed are not reviewed (games, podcasts).
KINDS = {
    "movie": "film",
    "tvMovie": "film",
    "short": "film",
    "tvShort": "film",
    "video": "film",
    "tvSpecial": "film",
    "tvSeries": "series",
    "tvMiniSeries": "series",
    "tvEpisode": "episode",
}
# title.principals categories -> credit roles (actress and actor are one role here, as in
# the credits critica reads from reviews); archive footage is not a credit.
ROLES = {
    "actor": "actor",
    "actress": "actor",
    "self": "self",
    "director": "director",
    "writer": "writer",
    "producer": "producer",
    "composer": "composer",
    "cinematographer": "cinematographer",
    "editor": "editor",
    "production_designer": "production designer",
    "casting_director": "casting director",
}

HEADERS = {
    "basics": ("tconst", "titleType", "primaryTitle", "originalTitle", "isAdult", "startYear"),
    "ratings": ("tconst", "averageRating", "numVotes"),
    "episode": ("tconst", "parentTconst", "seasonNumber", "episodeNumber"),
    "principals": ("tconst", "ordering", "nconst", "category"),
    "names": ("nconst", "primaryName", "birthYear", "deathYear"),
}
ORDER = ("ratings", "basics", "episode", "principals", "names")


@dataclass
class ImportSummary:
    """What an import did, per file kind, and how long it took."""

    rows: dict[str, int] = field(default_factory=dict)  # rows read
    titles_added: int = 0
    titles_updated: int = 0
    titles_matched: int = 0  # hand-made titles that took a catalog id
    seasons_added: int = 0
    episodes_linked: int = 0
    credits: int = 0
    people: int = 0
    skipped: int = 0  # titles of other types, adult, or under min_votes
    seconds: float = 0.0


def open_tsv(path: Path) -> tuple[str, Iterator[list[str]]]:
    """``(kind, rows)`` of one dataset file, recognised by its header."""
    if not path.is_file():
        raise InputError(f"{path}: no such file; download the IMDb files from datasets.imdbws.com")
    raw = path.open("rb")
    head = raw.read(2)
    raw.seek(0)
    # The stream is read by the caller after this returns, so no ``with`` here.
    stream = gzip.open(raw) if head == b"\x1f\x8b" else raw  # noqa: SIM115
    text = io.TextIOWrapper(stream, encoding="utf-8", errors="replace", newline="")
    try:
        header = text.readline().rstrip("\r\n").split("\t")
    except (OSError, EOFError) as exc:
        text.close()
        raise InputError(f"{path}: not a readable gzip or text file ({exc})") from None
    for kind, wanted in HEADERS.items():
        if tuple(header[: len(wanted)]) == wanted:
            # IMDb's files are tab-separated with no quoting (titles may hold quotes).
            rows = csv.reader(text, delimiter="\t", quoting=csv.QUOTE_NONE)
            return kind, rows
    text.close()
    raise InputError(
        f"{path}: not an IMDb dataset file (its header is {header[:6]}); expected one of "
        "title.basics, title.ratings, title.episode, title.principals or name.basics (.tsv.gz)"
    )


def _int(value: str) -> int | None:
    if value == NULL or not value:
        return None
    try:
        return int(value)
    except ValueError:
        return None


def _tt(value: str) -> int:
    """``tt0111161`` -> 111161 (for the ratings arrays)."""
    return int(value[2:])


class Ratings:
    """IMDb users' ratings by title id, in sorted numpy arrays (16 bytes a title)."""

    def __init__(self, rows: Iterable[list[str]], counted: Callable[[int], None]) -> None:
        ids, means, votes = array("q"), array("f"), array("q")
        n = 0
        for n, row in enumerate(rows, 1):
            if n % 100_000 == 0:
                counted(100_000)
            if len(row) >= 3 and row[0].startswith("tt"):
                try:
                    key, mean, count = _tt(row[0]), float(row[1]), int(row[2])
                except ValueError:
                    continue
                ids.append(key)
                means.append(mean)
                votes.append(count)
        counted(n % 100_000)
        order = np.argsort(np.frombuffer(ids, dtype=np.int64), kind="stable")
        self.ids = np.frombuffer(ids, dtype=np.int64)[order]
        self.means = np.frombuffer(means, dtype=np.float32)[order]
        self.votes = np.frombuffer(votes, dtype=np.int64)[order]

    def get(self, tconst: str) -> tuple[float | None, int]:
        key = _tt(tconst)
        i = int(np.searchsorted(self.ids, key))
        if i < len(self.ids) and self.ids[i] == key:
            return round(float(self.means[i]), 1), int(self.votes[i])
        return None, 0


def batched(rows: Iterable[list[str]], size: int = BATCH) -> Iterator[list[list[str]]]:
    batch: list[list[str]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _ids(conn: Connection, external: Iterable[str]) -> dict[str, int]:
    t = schema.titles.c
    wanted = sorted(set(external))
    if not wanted:
        return {}
    found = conn.execute(select(t.external_id, t.id).where(t.external_id.in_(wanted)))
    return {external: tid for external, tid in found}


class CatalogImport:
    """One import into ``store``: ``run(paths)``."""

    def __init__(
        self,
        store: SQLStore,
        types: Sequence[str] = DEFAULT_TYPES,
        min_votes: int = 0,
        include_adult: bool = False,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        unknown = sorted(set(types) - KINDS.keys())
        if unknown:
            raise InputError(
                f"unknown title type(s) {unknown}; use IMDb's names: {', '.join(KINDS)}"
            )
        self.store, self.types, self.min_votes = store, frozenset(types), min_votes
        self.include_adult = include_adult
        self.progress = progress or (lambda n: None)
        self.summary = ImportSummary()
        self.ratings: Ratings | None = None

    def run(self, paths: Sequence[Path]) -> ImportSummary:
        start = time.perf_counter()
        opened = [open_tsv(Path(p)) for p in paths]  # every file checked before any is read
        kinds = [k for k, _ in opened]
        for kind in set(kinds):
            if kinds.count(kind) > 1:
                raise InputError(f"two {kind} files given; pass each IMDb file once")
        if self.min_votes and "ratings" not in kinds:
            raise InputError("--min-votes needs title.ratings.tsv.gz among the files")
        by_kind = dict(opened)
        for kind in ORDER:
            if kind in by_kind:
                self.summary.rows[kind] = 0
                getattr(self, f"_{kind}")(by_kind[kind])
        if "principals" in by_kind or "names" in by_kind:
            self._rebuild_credits()
        self.summary.seconds = time.perf_counter() - start
        return self.summary

    def _count(self, kind: str, n: int) -> None:
        self.summary.rows[kind] += n
        self.progress(n)

    # ratings -----------------------------------------------------------------------------

    def _ratings(self, rows: Iterator[list[str]]) -> None:
        self.ratings = Ratings(rows, lambda n: self._count("ratings", n))
        # Titles already in the store take their new rating even when basics is not given.
        t = schema.titles.c
        with self.store.write() as conn:
            after = 0
            while True:
                batch = conn.execute(
                    select(t.id, t.external_id)
                    .where(t.external_id.is_not(None), t.id > after)
                    .order_by(t.id)
                    .limit(BATCH)
                ).all()
                if not batch:
                    break
                updates = []
                for tid, tconst in batch:
                    mean, votes = self.ratings.get(tconst)
                    updates.append({"tid": tid, "catalog_rating": mean, "catalog_votes": votes})
                conn.execute(update(schema.titles).where(t.id == bindparam("tid")), updates)
                after = batch[-1][0]

    # titles ------------------------------------------------------------------------------

    def _keep(self, row: list[str]) -> bool:
        if len(row) < 9 or row[1] not in self.types:
            return False
        if row[4] == "1" and not self.include_adult:
            return False
        if self.min_votes:
            assert self.ratings is not None
            return self.ratings.get(row[0])[1] >= self.min_votes
        return True

    def _title_row(self, row: list[str]) -> dict[str, Any]:
        tconst, kind, name, original = row[0], KINDS[row[1]], row[2], row[3]
        mean, votes = self.ratings.get(tconst) if self.ratings else (None, None)
        genres = [g for g in row[8].split(",") if g and g != NULL]
        values: dict[str, Any] = {
            "external_id": tconst,
            "name": name[:500],
            "name_key": name_key(name[:500]),
            "kind": kind,
            "year": _int(row[5]),
            "end_year": _int(row[6]),
            "runtime": _int(row[7]),
            "genres": genres,
            "original_name": original if original not in (name, NULL) else None,
        }
        if self.ratings is not None:
            values |= {"catalog_rating": mean, "catalog_votes": votes}
        return values

    def _basics(self, rows: Iterator[list[str]]) -> None:
        for batch in batched(rows):
            self._count("basics", len(batch))
            kept = [self._title_row(r) for r in batch if self._keep(r)]
            self.summary.skipped += len(batch) - len(kept)
            if kept:
                with self.store.write() as conn:
                    self._upsert_titles(conn, kept)

    def _upsert_titles(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        t = schema.titles
        known = _ids(conn, (r["external_id"] for r in rows))
        fresh = [r for r in rows if r["external_id"] not in known]
        # A title typed in by hand (no catalog id) with the same name, kind and year takes
        # the catalog's id: its reviews stay where they are.
        if fresh:
            hand = conn.execute(
                select(t.c.id, t.c.name_key, t.c.kind, t.c.year).where(
                    t.c.external_id.is_(None),
                    t.c.parent_id.is_(None),
                    t.c.name_key.in_(sorted({r["name_key"] for r in fresh})),
                )
            ).all()
            claimed: set[int] = set()
            for r in fresh:
                for tid, key, kind, year in hand:
                    same_year = year is None or r["year"] is None or year == r["year"]
                    if (
                        tid not in claimed
                        and key == r["name_key"]
                        and kind == r["kind"]
                        and same_year
                    ):
                        known[r["external_id"]] = tid
                        claimed.add(tid)
                        self.summary.titles_matched += 1
                        break
        updates = [{"tid": known[r["external_id"]], **r} for r in rows if r["external_id"] in known]
        inserts = [
            {**r, "credits": [], "created_at": schema.utcnow()}
            for r in rows
            if r["external_id"] not in known
        ]
        if updates:
            conn.execute(update(t).where(t.c.id == bindparam("tid")), updates)
        if inserts:
            conn.execute(insert(t), inserts)
        self.summary.titles_updated += len(updates)
        self.summary.titles_added += len(inserts)

    # episodes ----------------------------------------------------------------------------

    def _episode(self, rows: Iterator[list[str]]) -> None:
        t = schema.titles
        for batch in batched(rows):
            self._count("episode", len(batch))
            batch = [r for r in batch if len(r) >= 4]
            with self.store.write() as conn:
                ids = _ids(conn, [r[0] for r in batch] + [r[1] for r in batch])
                links = [r for r in batch if r[0] in ids and r[1] in ids]
                if not links:
                    continue
                series = {ids[r[1]] for r in links}
                seasons = {
                    (parent, season): tid
                    for tid, parent, season in conn.execute(
                        select(t.c.id, t.c.parent_id, t.c.season).where(
                            t.c.kind == "season", t.c.parent_id.in_(sorted(series))
                        )
                    )
                }
                names: dict[int, str] = {
                    tid: name
                    for tid, name in conn.execute(
                        select(t.c.id, t.c.name).where(t.c.id.in_(sorted(series)))
                    )
                }
                updates = []
                for r in links:
                    parent, number = ids[r[1]], _int(r[2])
                    if number is not None and (parent, number) not in seasons:
                        seasons[(parent, number)] = conn.execute(
                            insert(t).returning(t.c.id),
                            {
                                "name": f"{names[parent]} season {number}"[:500],
                                "name_key": name_key(f"{names[parent]} season {number}"[:500]),
                                "kind": "season",
                                "parent_id": parent,
                                "season": number,
                                "credits": [],
                                "created_at": schema.utcnow(),
                            },
                        ).scalar_one()
                        self.summary.seasons_added += 1
                    updates.append(
                        {
                            "tid": ids[r[0]],
                            "parent_id": seasons[(parent, number)] if number else parent,
                            "season": number,
                            "episode": _int(r[3]),
                        }
                    )
                conn.execute(update(t).where(t.c.id == bindparam("tid")), updates)
                self.summary.episodes_linked += len(updates)

    # people and credits ------------------------------------------------------------------

    def _principals(self, rows: Iterator[list[str]]) -> None:
        tp = schema.title_people
        for batch in batched(rows):
            self._count("principals", len(batch))
            with self.store.write() as conn:
                ids = _ids(conn, (r[0] for r in batch if len(r) >= 6))
                credits: list[dict[str, Any]] = []
                for r in batch:
                    if len(r) < 6 or r[0] not in ids or r[3] not in ROLES:
                        continue
                    credits.append(
                        {
                            "title_id": ids[r[0]],
                            "ordering": _int(r[1]) or 0,
                            "person": r[2],
                            "role": ROLES[r[3]],
                            "character": _characters(r[5]),
                        }
                    )
                if not credits:
                    continue
                touched = sorted({c["title_id"] for c in credits})
                # Re-import: a title's principals are replaced whole.
                conn.execute(tp.delete().where(tp.c.title_id.in_(touched)))
                conn.execute(insert(tp), credits)
                self.summary.credits += len(credits)

    def _names(self, rows: Iterator[list[str]]) -> None:
        people, tp = schema.people, schema.title_people
        for batch in batched(rows):
            self._count("names", len(batch))
            batch = [r for r in batch if len(r) >= 4 and r[0].startswith("nm")]
            with self.store.write() as conn:
                # Only the people some imported title credits (name.basics holds 14M).
                wanted: set[str] = set(
                    conn.scalars(
                        select(tp.c.person).distinct().where(tp.c.person.in_([r[0] for r in batch]))
                    )
                )
                keep = [r for r in batch if r[0] in wanted]
                if not keep:
                    continue
                stored = set(
                    conn.scalars(
                        select(people.c.external_id).where(
                            people.c.external_id.in_([r[0] for r in keep])
                        )
                    )
                )
                values = [
                    {"external_id": r[0], "name": r[1][:500], "birth_year": _int(r[2]),
                     "death_year": _int(r[3])}
                    for r in keep
                ]  # fmt: skip
                new = [x for x in values if x["external_id"] not in stored]
                old = [{**x, "pid": x["external_id"]} for x in values if x["external_id"] in stored]
                if new:
                    conn.execute(insert(people), new)
                if old:
                    conn.execute(
                        update(people).where(people.c.external_id == bindparam("pid")), old
                    )
                self.summary.people += len(keep)

    def _rebuild_credits(self) -> None:
        """titles.credits from the principals and people: the cast and crew the pages show.
        Every title with principals is rewritten, a batch at a time in id order (nothing
        about them is held in memory), so a name changed in name.basics reaches them all."""
        tp, people, t = schema.title_people, schema.people, schema.titles
        after = 0
        while True:
            with self.store.write() as conn:
                ids = list(
                    conn.scalars(
                        select(tp.c.title_id)
                        .distinct()
                        .where(tp.c.title_id > after)
                        .order_by(tp.c.title_id)
                        .limit(BATCH)
                    )
                )
                if not ids:
                    return
                rows = conn.execute(
                    select(tp.c.title_id, tp.c.person, tp.c.role, tp.c.character, people.c.name)
                    .select_from(tp.join(people, people.c.external_id == tp.c.person))
                    .where(tp.c.title_id.in_(ids))
                    .order_by(tp.c.title_id, tp.c.ordering)
                ).all()
                by_title: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
                for tid, person, role, character, name in rows:
                    by_title[tid].append(
                        {"person": name, "role": role, "character": character, "id": person}
                    )
                # a title whose people are not imported yet keeps the credits it has
                named = [{"tid": i, "credits": c} for i, c in by_title.items() if c]
                if named:
                    conn.execute(update(t).where(t.c.id == bindparam("tid")), named)
                after = ids[-1]


def _characters(value: str) -> str | None:
    """title.principals' ``characters`` (a JSON list, or \\N) as one string."""
    if value == NULL or not value:
        return None
    try:
        names = json.loads(value)
    except ValueError:
        return value[:200]
    if isinstance(names, list):
        return " / ".join(str(n) for n in names)[:200] or None
    return str(names)[:200]


def import_files(
    store: SQLStore,
    paths: Sequence[Path],
    types: Sequence[str] = DEFAULT_TYPES,
    min_votes: int = 0,
    include_adult: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import IMDb dataset files into ``store`` (see the module's docstring)."""
    return CatalogImport(store, types, min_votes, include_adult, progress).run(paths)
