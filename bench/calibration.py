"""Per-critic calibration and publication leniency: how much do they help? Figures, not tests.

    python bench/calibration.py --data ../shared/datasets

(i) scaledata (three critics, each with their own 0-1 ratings): critica's score
from the text alone against the critic's rating, as MAE on the 0-1 scale,
raw and after the critic's calibration map; the map is fitted by 5-fold
cross-validation within each critic, so no review is scored by a map that saw
its rating. The analyses are cached under build/calibration/ (a few minutes
on two cores the first time).

(ii) Rotten Tomatoes pixar + dreamworks: publications' printed ratings
(``originalScore`` through ``critica.parse_rating``). Each rating is adjusted
by its publication's leniency offset fitted on every other title
(leave-one-title-out); the figure is how far publications' scores sit from
each title's mean, before and after.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import statistics
import time
from collections import defaultdict
from pathlib import Path

import critica
from critica.errors import RatingError
from critica.evaluation.datasets import SCALE_CRITICS, scale_texts
from critica.figures import calibration
from critica.store.records import RatedReview, ReviewFacts

BULK = ("entities", "credits", "title", "quote")
CACHE = Path("build/calibration")
FOLDS = 5
Row = tuple[str, int, float, float]  # critic, row, text score, 0-1 rating


def scale_scores(data: Path) -> dict[str, list[tuple[float | None, float]]]:
    """Per critic: (critica's text-only score, the critic's 0-1 rating), cached by model version."""
    rows = scale_texts(data)
    version = next(iter(critica.analyze_many(["A fine film."], disable=BULK))).model_version
    path = CACHE / f"scaledata-{version.replace('/', '_')}.json"
    if path.exists():
        cached: dict[str, list[tuple[float | None, float]]] = json.loads(path.read_text())
        return cached
    out: dict[str, list[tuple[float | None, float]]] = {}
    for critic in SCALE_CRITICS:
        started = time.perf_counter()
        texts = [r["text"] for r in rows[critic]]
        found = critica.analyze_many(texts, disable=BULK)
        out[critic] = [
            (a.text_score, float(r["rating"])) for a, r in zip(found, rows[critic], strict=True)
        ]
        print(f"  analysed {critic}: {len(texts)} in {time.perf_counter() - started:.0f} s")
    CACHE.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out))
    return out


def folds(n: int, k: int = FOLDS, seed: int = 0) -> list[int]:
    """A fold number for each of n items, shuffled reproducibly."""
    order = list(range(n))
    random.Random(seed).shuffle(order)
    out = [0] * n
    for rank, i in enumerate(order):
        out[i] = rank % k
    return out


def as_history(rows: list[Row]) -> list[RatedReview]:
    """(critic, row, text score, 0-1 rating) as rated history; every review its own title."""
    return [
        RatedReview(SCALE_CRITICS.index(c) * 10**6 + i, c, c, 100 * y, x) for c, i, x, y in rows
    ]


def little_history(
    critic: str, seed: int, train: list[Row], held: list[Row]
) -> dict[tuple[int, float], list[float]]:
    """Errors on ``held`` of the critic's map fitted on only 10 or 30 of its training reviews.

    The other critics' training reviews stay in, as the global map the fit shrinks toward.
    """
    mine = [r for r in train if r[0] == critic]
    others = [r for r in train if r[0] != critic]
    out = {}
    for n in (10, 30):
        sample = random.Random(seed).sample(mine, n)
        for k in (0.0, 10.0):
            s = {"calibration_prior_strength": k}
            few = calibration.fit(as_history(others + sample), s).critics[critic].score_map
            assert few is not None
            out[(n, k)] = [abs(few(x) / 100 - y) for _, _, x, y in held]
    return out


def scale_part(data: Path) -> None:
    scores = scale_scores(data)
    rows = [
        (c, i, x, y) for c in SCALE_CRITICS for i, (x, y) in enumerate(scores[c]) if x is not None
    ]
    fold = {c: folds(len(scores[c])) for c in SCALE_CRITICS}
    errors: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    small: dict[tuple[int, float], list[float]] = defaultdict(list)
    for critic in SCALE_CRITICS:
        for f in range(FOLDS):
            held = [r for r in rows if r[0] == critic and fold[critic][r[1]] == f]
            train = [r for r in rows if not (r[0] == critic and fold[critic][r[1]] == f)]
            fitted = calibration.fit(as_history(train))
            own = fitted.critics[critic].score_map
            assert own is not None
            for _, _, x, y in held:
                errors[critic]["raw"].append(abs(x / 100 - y))
                errors[critic]["global"].append(abs(fitted.global_map(x) / 100 - y))
                errors[critic]["critic"].append(abs(own(x) / 100 - y))
            for key, few in little_history(critic, f, train, held).items():
                small[key] += few
    print(
        f"\n(i) scaledata: MAE on the 0-1 scale, {FOLDS}-fold cross-validation within each critic"
    )
    print(f"{'critic':22} {'n':>5} {'text score':>11} {'global map':>11} {'critic map':>11}")
    pooled: dict[str, list[float]] = defaultdict(list)
    for critic in SCALE_CRITICS:
        mine = errors[critic]
        cells = [statistics.fmean(mine[m]) for m in ("raw", "global", "critic")]
        print(f"{critic:22} {len(mine['raw']):5} " + " ".join(f"{v:11.3f}" for v in cells))
        for m in mine:
            pooled[m] += mine[m]
    cells = [statistics.fmean(pooled[m]) for m in ("raw", "global", "critic")]
    print(f"{'all':22} {len(pooled['raw']):5} " + " ".join(f"{v:11.3f}" for v in cells))
    print("critic map from only n of the critic's reviews (others' reviews give the global prior):")
    for (n, k), found in sorted(small.items()):
        print(f"  n = {n:2}, prior strength {k:4g}: MAE {statistics.fmean(found):.3f}")
    whole = calibration.fit(as_history(rows)).critics
    for critic in SCALE_CRITICS:
        own = whole[critic].score_map
        assert own is not None
        print(f"  {critic}'s map on all its reviews: ", end="")
        print(f"rating = {own.intercept:+.1f} + {own.slope:.2f}·text")


def rt_history(data: Path) -> list[RatedReview]:
    """Printed ratings of rt_critics/{pixar,dreamworks}, normalised; titles numbered."""
    titles: dict[str, int] = {}
    out = []
    for lst in ("pixar", "dreamworks"):
        with open(data / "rt_critics" / lst / "critic_reviews.csv", encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                raw, pub = (r["originalScore"] or "").strip(), (r["publicationName"] or "").strip()
                if not raw or not pub:
                    continue
                try:
                    rating = critica.parse_rating(raw)
                except RatingError:
                    continue
                tid = titles.setdefault(r["movieId"], len(titles))
                out.append(
                    RatedReview(tid, (r["criticName"] or "").strip() or None, pub, rating, None)
                )
    return out


def spread(scores: dict[int, list[float]]) -> tuple[float, float]:
    """RMS and mean absolute distance of scores from their title's mean (titles with 2+)."""
    gaps = [s - statistics.fmean(v) for v in scores.values() if len(v) > 1 for s in v]
    return math.sqrt(statistics.fmean(g * g for g in gaps)), statistics.fmean(map(abs, gaps))


def as_fact(r: RatedReview) -> ReviewFacts:
    """A rated review as the aggregate sees it."""
    return ReviewFacts(
        0, r.title_id, r.rating, None, False, 1.0, r.publication, r.critic, None, None, None, [],
        rating_score=r.rating,
    )  # fmt: skip


def leave_one_film_out(
    history: list[RatedReview], by_title: dict[int, list[RatedReview]], k: float
) -> tuple[dict[int, list[float]], dict[int, list[float]]]:
    """Each film's ratings adjusted by offsets fitted on every other film.

    Two ways: the publication's offset only, and as critica applies them (the
    critic's offset when it has one, else the publication's).
    """
    pub_only: dict[int, list[float]] = {}
    applied: dict[int, list[float]] = {}
    for t, rs in by_title.items():
        rest = [r for r in history if r.title_id != t]
        fitted = calibration.fit(rest, {"calibration_prior_strength": k})
        lean = {n: p.leniency or 0.0 for n, p in fitted.publications.items()}
        pub_only[t] = [r.rating - lean.get(r.publication or "", 0.0) for r in rs]
        applied[t] = [fitted.adjusted(as_fact(r)) or 0.0 for r in rs]
    return pub_only, applied


def change(new: float, old: float) -> str:
    return f"{new:.2f} ({100 * (new / old - 1):+.1f}%)"


def rt_part(data: Path) -> None:
    history = rt_history(data)
    by_title: dict[int, list[RatedReview]] = defaultdict(list)
    for r in history:
        by_title[r.title_id].append(r)
    pubs = len({r.publication for r in history})
    print(f"\n(ii) rt_critics pixar + dreamworks: {len(history)} printed ratings, ", end="")
    print(f"{len(by_title)} films, {pubs} publications")
    rms, mad = spread({t: [r.rating for r in rs] for t, rs in by_title.items()})
    print(f"  distance from the film's mean rating as printed: RMS {rms:.2f}, mean {mad:.2f}")
    for k in (10.0, 0.0):
        started = time.perf_counter()
        pub_only, applied = leave_one_film_out(history, by_title, k)
        pairs = [
            (a, r.rating) for t, rs in by_title.items() for a, r in zip(applied[t], rs, strict=True)
        ]
        moved = sum(a != b for a, b in pairs)
        for label, scores in (
            ("publication's", pub_only),
            ("critic's else publication's", applied),
        ):
            rms_k, mad_k = spread(scores)
            print(f"  leave-one-film-out offsets, prior strength {k:g}, {label}: ", end="")
            print(f"RMS {change(rms_k, rms)}, mean {change(mad_k, mad)}")
        print(f"    {moved} of {len(history)} ratings moved; {time.perf_counter() - started:.0f} s")
    whole = calibration.fit(history).publications
    fitted = sorted(
        (p.leniency, n, p.shared_titles) for n, p in whole.items() if p.leniency is not None
    )
    print(f"  {len(fitted)} publications with >= 10 shared films; harshest and most lenient:")
    for lean, name, shared in fitted[:3] + fitted[-3:]:
        print(f"    {name}: {lean:+.1f} points over {shared} films")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=Path("../shared/datasets"))
    args = ap.parse_args()
    scale_part(args.data)
    rt_part(args.data)


if __name__ == "__main__":
    main()
