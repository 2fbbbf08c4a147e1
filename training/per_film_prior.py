"""Per-film % fresh from pull quotes, with the evidence calibrated on the *other* list.

    python -m training.per_film_prior --data ../shared/datasets

The shipped estimate (``critica.figures.aggregate.estimated_share``) reads each
review's ``fresh_evidence``, whose short-text calibration ``train_verdict``
fits on both Rotten Tomatoes lists pooled - the lists it is then measured on
(three numbers fitted, but in-sample all the same). This script is the
out-of-sample check: for each list the shipped verdict's fresh probabilities are
Platt-calibrated on the other list only, then each film's % fresh is estimated
by the same function and compared with its published Tomatometer, beside the
mean calibrated probability and counting calibrated calls. Uses the sentence
outputs cached by ``train_verdict`` (build/verdict; computed here on first run).
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from critica.evaluation.datasets import rt_quotes
from critica.figures.aggregate import estimated_share
from critica.models.verdict import VerdictModel
from training.sentence_cache import run_cached


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.asarray(np.log(p / (1 - p)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--cache", type=Path, default=Path("build/verdict"))
    args = ap.parse_args()
    model, lists = VerdictModel(), rt_quotes(args.data)
    data = {}
    for name, rows in lists.items():
        out = run_cached(f"rt-{name}", [r["quote"] for r in rows], args.cache)
        p = np.array([model.judge(o.scored_sentences, o.paragraph_of, o.text)[1] for o in out])
        with open(args.data / f"rt_critics/{name}/movies.csv", encoding="utf-8") as fh:
            published = {
                m["movieId"]: float(m["critic_score"].rstrip("%"))
                for m in csv.DictReader(fh)
                if m["critic_score"].strip()
            }
        data[name] = (
            p,
            np.array([o.unscored is None for o in out]),
            np.array([r["reviewState"] == "fresh" for r in rows]),
            np.array([r["movieId"] for r in rows]),
            published,
        )
    ways = ("calibrated calls", "mean probability", "estimated share")
    every: dict[str, list[float]] = {w: [] for w in ways}
    for name, (p, scored, _, films, published) in data.items():
        other = next(k for k in data if k != name)
        po, so, yo, _, _ = data[other]
        platt = LogisticRegression(C=100.0).fit(logit(po[so])[:, None], yo[so])
        q = platt.predict_proba(logit(p)[:, None])[:, 1]
        base = float(logit(np.array([yo[so].mean()]))[0])
        diffs: dict[str, list[float]] = {w: [] for w in ways}
        for film, tomatometer in published.items():
            qq = q[(films == film) & scored]
            share = estimated_share(0, 0, logit(qq) - base, lean=float((qq >= 0.5).mean()))
            assert share is not None  # every published film has reviews
            estimates = ((qq >= 0.5).mean(), qq.mean(), share)
            for w, estimate in zip(ways, estimates, strict=True):
                diffs[w].append(abs(100 * float(estimate) - tomatometer))
        for w in ways:
            every[w] += diffs[w]
        print(f"{name:10s} " + "  ".join(f"{w} {np.mean(diffs[w]):5.2f}" for w in ways))
    print(f"{'all films':10s} " + "  ".join(f"{w} {np.mean(every[w]):5.2f}" for w in ways))


if __name__ == "__main__":
    main()
