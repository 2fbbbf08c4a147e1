"""``critica aggregate``: per-title figures from a folder of batch analyses, where the data is.

Each part is reduced on its own to small partial sums per (title, kind,
publication) and per (title, aspect); partials add up, so the parts can be
reduced anywhere (a worker process, a Dask worker beside the data) and only the
sums travel. The figures are then computed from the sums with the same
formulas the store's title pages use (``critica.figures.aggregate``): memory grows
with the number of titles, never with the number of reviews.

A batch folder has no publication weights and no review text, so the weighted
score equals the mean and there is no consensus line or evidence here: ingest
the analyses into a store (``critica ingest analyses/``) for those.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from critica import config
from critica.batch.engines import dask_client
from critica.batch.partition import PART_GLOB
from critica.errors import CriticaError, InputError
from critica.figures.aggregate import Counts, badges, core, headline
from critica.figures.audience import gap
from critica.figures.calibration import Calibration
from critica.rules import rounded, write_atomic

KEYS = ["title", "kind", "publication", "reviewer"]
CALIBRATION_KEY = b"critica.figures.calibration"
SUMS = [
    "reviews",
    "scored",
    "positive",
    "score_sum",
    "score_sq",
    "top_reviews",
    "top_scored",
    "top_positive",
    "known",
    "known_positive",
    "adjusted",
    *[f"h{i}" for i in range(10)],
]
ASPECT_KEYS = ["title", "reviewer", "aspect"]
ASPECT_SUMS = ["mentions", "positive", "polarity_sum"]
# Reviews called from their text, counted per distinct evidence value (rounded in the
# analysis, so a title has at most a few thousand) for the estimated share.
EVIDENCE_KEYS = ["title", "reviewer", "evidence"]
EVIDENCE_SUMS = ["reviews"]
COLUMNS = [
    "title",
    "kind",
    "publication",
    "top_critic",
    "score",
    "fresh",
    "aspects",
    "rating_score",
    "fresh_evidence",
    "critic",
    "text_score",
    "reviewer",
]
# Parts written before these columns existed read them as nulls: every call is then known,
# and calibration has only the rating (or nothing) to go on.
OPTIONAL = {
    "rating_score": pa.float64(),
    "fresh_evidence": pa.float64(),
    "critic": pa.string(),
    "text_score": pa.float64(),
    "reviewer": pa.string(),  # parts from before audience reviews: every row a critic's
}

TITLES_SCHEMA = pa.schema(
    [
        ("title", pa.string()),
        ("kind", pa.string()),
        ("reviews", pa.int64()),
        ("unscored", pa.int64()),
        ("percent_positive", pa.float64()),
        ("percent_positive_low", pa.float64()),
        ("percent_positive_high", pa.float64()),
        ("percent_positive_estimated", pa.float64()),
        ("score_mean", pa.float64()),
        ("score_weighted", pa.float64()),
        ("band", pa.string()),
        ("score_bayes", pa.float64()),
        ("controversy", pa.float64()),
        ("publications", pa.int64()),
        ("top_critics_reviews", pa.int64()),
        ("top_critics_percent_positive", pa.float64()),
        ("histogram", pa.list_(pa.int64())),
        (
            "aspects",
            pa.list_(
                pa.struct(
                    [
                        ("name", pa.string()),
                        ("mentions", pa.int64()),
                        ("share", pa.float64()),
                        ("percent_positive", pa.float64()),
                        ("polarity", pa.float64()),
                    ]
                )
            ),
        ),
        ("badges", pa.list_(pa.string())),
        # The audience's figures, counted apart (nulls: no audience reviews), and the gap.
        ("audience_reviews", pa.int64()),
        ("audience_unscored", pa.int64()),
        ("audience_percent_positive", pa.float64()),
        ("audience_percent_positive_low", pa.float64()),
        ("audience_percent_positive_high", pa.float64()),
        ("audience_score_mean", pa.float64()),
        ("audience_histogram", pa.list_(pa.int64())),
        ("gap_percent_positive", pa.float64()),
        ("gap_low", pa.float64()),
        ("gap_high", pa.float64()),
        ("split", pa.bool_()),
    ]
)


def _int(mask: pa.Array) -> pa.Array:
    return pc.cast(pc.fill_null(mask, False), pa.int64())


Partials = tuple[pa.Table, pa.Table, pa.Table]


def calibrated_scores(table: pa.Table, calibration: Calibration) -> pa.Array:
    """Each row's score on the common scale (``Calibration.adjust``)."""
    names = ("critic", "publication", "score", "rating_score", "text_score")
    rows = zip(*(table[n].to_pylist() for n in names), strict=True)
    return pa.array([calibration.adjust(*row) for row in rows], pa.float64())


def partial(table: pa.Table, threshold: float, calibration: Calibration | None = None) -> Partials:
    """One part's partial sums: per (title, kind, publication), per (title, aspect), and per
    (title, evidence value) for the reviews called from their text alone.

    With ``calibration`` every score is first put on the common scale, as the store's
    calibrated title pages do (fresh calls stay the reviews' own).
    """
    for name, kind in OPTIONAL.items():
        if name not in table.column_names:
            table = table.append_column(name, pa.nulls(table.num_rows, kind))
    table = table.filter(pc.is_valid(table["title"]))
    who = table.column_names.index("reviewer")
    table = table.set_column(who, "reviewer", pc.fill_null(table["reviewer"], "critic"))
    adjusted = pa.array([0] * table.num_rows, pa.int64())
    if calibration is not None:  # critics' scores only: calibration is fitted on theirs
        critics = pc.equal(table["reviewer"], "critic")
        scores = pc.if_else(critics, calibrated_scores(table, calibration), table["score"])
        before = table["score"].combine_chunks()
        differs = pc.or_(
            pc.not_equal(pc.fill_null(scores, -1.0), pc.fill_null(before, -1.0)),
            pc.not_equal(pc.is_valid(scores), pc.is_valid(before)),
        )
        adjusted = _int(differs)
        table = table.set_column(table.column_names.index("score"), "score", scores)
    score = table["score"]
    scored = pc.is_valid(score)
    fresh = pc.if_else(
        pc.is_valid(table["fresh"]), table["fresh"], pc.greater_equal(score, threshold)
    )
    positive = pc.and_(scored, pc.fill_null(fresh, False))
    top = pc.fill_null(table["top_critic"], False)
    # Known: the rating decided it, or the analysis carries no evidence (written before it had).
    by_text = pc.and_(
        scored, pc.and_(pc.is_null(table["rating_score"]), pc.is_valid(table["fresh_evidence"]))
    )
    known = pc.and_(scored, pc.invert(by_text))
    filled = pc.fill_null(score, 0.0)
    bins = pc.cast(
        pc.min_element_wise(pc.max_element_wise(pc.floor(pc.divide(filled, 10)), 0), 9), pa.int64()
    )
    sums: dict[str, Any] = {
        "reviews": pa.array([1] * table.num_rows, pa.int64()),
        "scored": _int(scored),
        "positive": _int(positive),
        "score_sum": filled,
        "score_sq": pc.multiply(filled, filled),
        "top_reviews": _int(top),
        "top_scored": _int(pc.and_(top, scored)),
        "top_positive": _int(pc.and_(top, positive)),
        "known": _int(known),
        "known_positive": _int(pc.and_(known, positive)),
        "adjusted": adjusted,
    }
    for i in range(10):
        sums[f"h{i}"] = _int(pc.and_(scored, pc.equal(bins, i)))
    base = pa.table({**{k: table[k] for k in KEYS}, **sums})
    main = sum_partials(base, KEYS, SUMS)
    aspects = table["aspects"]
    flat = pc.list_flatten(aspects)
    owners = pc.list_parent_indices(aspects)
    polarity = pc.cast(pc.struct_field(flat, "polarity"), pa.float64())
    mentions = pa.table(
        {
            "title": pc.take(table["title"], owners),
            "reviewer": pc.take(table["reviewer"], owners),
            "aspect": pc.struct_field(flat, "name"),
            "mentions": pa.array([1] * len(flat), pa.int64()),
            "positive": _int(pc.greater(polarity, 0)),
            "polarity_sum": polarity,
        }
    )
    called = table.filter(by_text)
    evidence = pa.table(
        {
            "title": called["title"],
            "reviewer": called["reviewer"],
            "evidence": pc.cast(called["fresh_evidence"], pa.float64()),
            "reviews": pa.array([1] * called.num_rows, pa.int64()),
        }
    )
    return (
        main,
        sum_partials(mentions, ASPECT_KEYS, ASPECT_SUMS),
        sum_partials(evidence, EVIDENCE_KEYS, EVIDENCE_SUMS),
    )


def sum_partials(table: pa.Table, keys: list[str], sums: list[str]) -> pa.Table:
    grouped = table.group_by(keys, use_threads=False).aggregate([(c, "sum") for c in sums])
    return grouped.rename_columns([c.removesuffix("_sum") for c in grouped.column_names])


def part_partials(path: str, threshold: float, calibration: Calibration | None = None) -> Partials:
    """Read one part (only the columns the figures need) and reduce it."""
    present = set(pq.read_schema(path).names)
    table = pq.read_table(path, columns=[c for c in COLUMNS if c in present])
    return partial(table, threshold, calibration)


def _main_frame(path: str, threshold: float, calibration: Calibration | None) -> Any:
    return part_partials(path, threshold, calibration)[0].to_pandas()


def _aspect_frame(path: str, threshold: float, calibration: Calibration | None) -> Any:
    return part_partials(path, threshold, calibration)[1].to_pandas()


def _evidence_frame(path: str, threshold: float, calibration: Calibration | None) -> Any:
    return part_partials(path, threshold, calibration)[2].to_pandas()


GROUPS = ((KEYS, SUMS), (ASPECT_KEYS, ASPECT_SUMS), (EVIDENCE_KEYS, EVIDENCE_SUMS))


def _fold(tables: list[list[pa.Table]]) -> list[pa.Table]:
    return [
        sum_partials(pa.concat_tables(t), keys, sums)
        for t, (keys, sums) in zip(tables, GROUPS, strict=True)
    ]


def parts_of(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise InputError(f"{folder} is not a folder; give the --out folder of `critica batch`")
    parts = sorted(folder.glob(PART_GLOB))
    if not parts:
        raise InputError(f"no analyses (part-*.parquet) in {folder}; run `critica batch` first")
    return parts


def _local_partials(
    parts: list[Path], threshold: float, calibration: Calibration | None, every: int = 32
) -> Partials:
    """Reduce part by part, folding the partials every ``every`` parts to keep memory small."""
    tables: list[list[pa.Table]] = [[], [], []]
    for n, path in enumerate(parts, 1):
        reduced = part_partials(str(path), threshold, calibration)
        for kept, table in zip(tables, reduced, strict=True):
            kept.append(table)
        if n % every == 0:
            tables = [[t] for t in _fold(tables)]
    main, aspects, evidence = _fold(tables)
    return main, aspects, evidence


def _dask_partials(
    parts: list[Path],
    threshold: float,
    calibration: Calibration | None,
    scheduler: str | None,
    workers: int,
) -> Partials:
    """The same partial sums as Dask DataFrames: each part reduced on a worker, then summed."""
    client, cluster = dask_client(scheduler, workers)
    import dask.dataframe as dd

    try:
        names = [str(p) for p in parts]
        frames = []
        for fn, (keys, _) in zip(
            (_main_frame, _aspect_frame, _evidence_frame), GROUPS, strict=True
        ):
            ddf = dd.from_map(fn, names, threshold=threshold, calibration=calibration)
            summed = ddf.groupby(keys, dropna=False).sum(split_out=1).reset_index().compute()
            frames.append(pa.Table.from_pandas(summed, preserve_index=False))
        return frames[0], frames[1], frames[2]
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


_r = rounded  # every figure's rounding, shared with the home list and batch


def counts_of(t: dict[str, Any], evidence: tuple[list[float], list[int]]) -> Counts:
    """A title's summed partials as the ``Counts`` every headline figure comes from (a batch
    folder has no publication weights: every review weighs 1)."""
    n = t["scored"]
    mean = t["score_sum"] / n if n else 0.0
    values, repeats = evidence
    return Counts(
        reviews=t["reviews"],
        scored=n,
        positive=t["positive"],
        score_sum=t["score_sum"],
        weighted_sum=t["score_sum"],
        weight_total=float(n),
        score_std=math.sqrt(max(0.0, t["score_sq"] / n - mean**2)) if n >= 2 else None,
        known=t["known"],
        known_positive=t["known_positive"],
        evidence=np.repeat(np.asarray(values, dtype=np.float64), repeats),
        histogram=[t[f"h{i}"] for i in range(10)],
    )


def figures_from_sums(
    main: pa.Table,
    aspect_sums: pa.Table,
    evidence_sums: pa.Table | None = None,
    settings: dict[str, Any] | None = None,
) -> pa.Table:
    """Every title's figures from the summed partials, as a ``TITLES_SCHEMA`` table."""
    s = {**config.settings(), **(settings or {})}
    least = int(s["min_reviews_for_percent"])
    Key = tuple[str, str]  # (title, reviewer)
    titles: dict[Key, dict[str, Any]] = defaultdict(lambda: dict.fromkeys(SUMS, 0))
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    publications: dict[str, int] = defaultdict(int)
    for row in main.to_pylist():
        who = row.get("reviewer") or "critic"
        t = titles[(row["title"], who)]
        for k in SUMS:
            t[k] += int(row[k]) if k not in ("score_sum", "score_sq") else float(row[k])
        if row["kind"]:
            kinds[row["title"]][row["kind"]] += row["reviews"]
        if who == "critic" and row["publication"] and row["scored"]:
            publications[row["title"]] += 1
    aspects: dict[Key, list[dict[str, Any]]] = defaultdict(list)
    for row in aspect_sums.to_pylist():
        aspects[(row["title"], row.get("reviewer") or "critic")].append(row)
    evidence: dict[Key, tuple[list[float], list[int]]] = defaultdict(lambda: ([], []))
    for row in evidence_sums.to_pylist() if evidence_sums is not None else []:
        found = evidence[(row["title"], row.get("reviewer") or "critic")]
        found[0].append(float(row["evidence"]))
        found[1].append(int(row["reviews"]))
    critics = {name: t for (name, who), t in titles.items() if who == "critic"}
    total_scored = sum(t["scored"] for t in critics.values())
    # C as in the store: the mean score of all the critics' reviews (see bayes_prior).
    mean_all = (
        sum(t["score_sum"] for t in critics.values()) / total_scored if total_scored else None
    )
    rows = []
    for name in sorted({name for name, _ in titles}):
        t = critics.get(name) or dict.fromkeys(SUMS, 0)
        kind = kinds[name].most_common(1)[0][0] if kinds[name] else "film"
        head = headline(counts_of(t, evidence[(name, "critic")]), s, mean_all)
        top = core(Counts(reviews=t["top_reviews"], scored=t["top_scored"],
                          positive=t["top_positive"]), least)  # fmt: skip
        interval = head["percent_positive_interval"] or [None, None]
        figures = {
            "title": name,
            "kind": kind,
            "reviews": head["reviews"],
            "unscored": head["unscored"],
            "percent_positive": head["percent_positive"],
            "percent_positive_low": interval[0],
            "percent_positive_high": interval[1],
            "percent_positive_estimated": head["percent_positive_estimated"],
            "score_mean": head["score_mean"],
            "score_weighted": head["score_weighted"],  # no publication weights: the mean
            "band": head["band"],
            "score_bayes": head["score_bayes"],
            "controversy": head["controversy"],
            "publications": publications[name],
            "top_critics_reviews": t["top_reviews"],
            "top_critics_percent_positive": top["percent_positive"],
            "histogram": head["histogram_counts"],
            "aspects": [
                {
                    "name": a["aspect"],
                    "mentions": a["mentions"],
                    "share": round(a["mentions"] / t["reviews"], 3),
                    "percent_positive": round(100 * a["positive"] / a["mentions"], 1),
                    "polarity": round(a["polarity_sum"] / a["mentions"], 3),
                }
                for a in sorted(
                    aspects[(name, "critic")], key=lambda a: (-a["mentions"], a["aspect"])
                )
            ],
        }
        top = {
            "reviews": t["top_reviews"],
            "unscored": t["top_reviews"] - t["top_scored"],
        }
        figures["badges"] = badges(kind, {**figures, "top_critics": top}, publications[name], s)
        if (name, "audience") in titles:
            figures |= _audience_columns(
                head, headline(counts_of(titles[(name, "audience")],
                                         evidence[(name, "audience")]), s, mean_all)
            )  # fmt: skip
        rows.append(figures)
    return pa.Table.from_pylist(rows, schema=TITLES_SCHEMA)


def _audience_columns(critics: dict[str, Any], crowd: dict[str, Any]) -> dict[str, Any]:
    """A title's audience columns and the gap, from the two sides' headline figures. A
    batch folder holds no fingerprints or review days, so the store's audience guards
    (copies, bursts) do not run here: ingest the analyses for guarded figures."""
    low, high = crowd["percent_positive_interval"] or [None, None]
    found = gap(critics, crowd)
    return {
        "audience_reviews": crowd["reviews"],
        "audience_unscored": crowd["unscored"],
        "audience_percent_positive": crowd["percent_positive"],
        "audience_percent_positive_low": low,
        "audience_percent_positive_high": high,
        "audience_score_mean": crowd["score_mean"],
        "audience_histogram": crowd["histogram_counts"],
        "gap_percent_positive": found["percent_positive"] if found else None,
        "gap_low": found["interval"][0] if found else None,
        "gap_high": found["interval"][1] if found else None,
        "split": found["split"] if found else None,
    }


def aggregate(
    folder: Path,
    out: Path | None = None,
    *,
    engine: str = "local",
    scheduler: str | None = None,
    workers: int = 0,
    settings: dict[str, Any] | None = None,
    calibration: Calibration | None = None,
) -> pa.Table:
    """Per-title figures from a batch folder; written to ``out`` (Parquet) when given.

    With ``calibration`` (e.g. ``critica.figures.calibration.for_store(store)``) every score figure
    uses the reviews' scores on the common scale; the table's metadata key
    ``critica.figures.calibration`` then says what was fitted and how many scores changed.
    """
    parts = parts_of(folder)
    threshold = float({**config.settings(), **(settings or {})}["fresh_threshold"])
    if engine == "local":
        if scheduler:
            raise CriticaError(
                "--scheduler is for --engine dask; leave it out or add --engine dask"
            )
        main, aspect_sums, evidence_sums = _local_partials(parts, threshold, calibration)
    elif engine == "dask":
        main, aspect_sums, evidence_sums = _dask_partials(
            parts, threshold, calibration, scheduler, workers
        )
    else:
        raise CriticaError(f"unknown engine {engine!r}; choose local or dask")
    if main.num_rows == 0:
        raise InputError(
            f"the analyses in {folder} name no titles; run `critica batch` with "
            "--map title=COLUMN (or --title) to aggregate per title"
        )
    table = figures_from_sums(main, aspect_sums, evidence_sums, settings)
    if calibration is not None:
        summary = {
            **calibration.to_dict(),
            "adjusted_reviews": int(pc.sum(main["adjusted"]).as_py()),
        }
        table = table.replace_schema_metadata(
            {CALIBRATION_KEY: json.dumps(summary).encode("utf-8")}
        )
    if out is not None:
        if out.is_dir():
            raise InputError(f"--out {out} is a folder; give a file name such as titles.parquet")
        write_atomic(out, lambda path: pq.write_table(table, path))
    return table
