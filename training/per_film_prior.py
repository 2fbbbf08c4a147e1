"""Per-film % fresh from pull quotes: counting calls vs re-estimating each film's prior.

    python -m training.per_film_prior --data ../shared/datasets

An exploration for the per-film figure of issue 2, not a shipped feature.
For each Rotten Tomatoes list, the shipped verdict's fresh probabilities are
calibrated on the *other* list (Platt scaling of the logit), then each film's
% fresh is estimated four ways and compared with its published Tomatometer:
counting calibrated calls at 0.5, the mean calibrated probability, and the EM
prior re-estimation of Saerens, Latinne and Decaestecker (2002, "Adjusting the
outputs of a classifier to new a priori probabilities") — the film's prior
itself, and counting the re-weighted calls. Uses the sentence outputs cached by
``train_verdict`` (build/verdict; computed here on first run).
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from critica.datasets import rt_quotes
from critica.models.verdict import VerdictModel
from training.sentence_cache import run_cached


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.asarray(np.log(p / (1 - p)))


def em_prior(q: np.ndarray, prior: float, steps: int = 200) -> tuple[float, np.ndarray]:
    """The class prior of a new set and its re-weighted posteriors (Saerens et al. 2002)."""
    pi, adjusted = prior, q
    for _ in range(steps):
        a = pi / prior * q
        b = (1 - pi) / (1 - prior) * (1 - q)
        adjusted = a / (a + b)
        new = float(adjusted.mean())
        if abs(new - pi) < 1e-7:
            break
        pi = new
    return pi, adjusted


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
    ways = ("calibrated calls", "mean probability", "EM prior", "EM calls")
    every: dict[str, list[float]] = {w: [] for w in ways}
    for name, (p, scored, _, films, published) in data.items():
        other = next(k for k in data if k != name)
        po, so, yo, _, _ = data[other]
        platt = LogisticRegression(C=100.0).fit(logit(po[so])[:, None], yo[so])
        q = platt.predict_proba(logit(p)[:, None])[:, 1]
        prior = float(yo[so].mean())
        diffs: dict[str, list[float]] = {w: [] for w in ways}
        for film, tomatometer in published.items():
            qq = q[(films == film) & scored]
            pi, adjusted = em_prior(qq, prior)
            estimates = ((qq >= 0.5).mean(), qq.mean(), pi, (adjusted >= 0.5).mean())
            for w, estimate in zip(ways, estimates, strict=True):
                diffs[w].append(abs(100 * float(estimate) - tomatometer))
        for w in ways:
            every[w] += diffs[w]
        print(f"{name:10s} " + "  ".join(f"{w} {np.mean(diffs[w]):5.2f}" for w in ways))
    print(f"{'all films':10s} " + "  ".join(f"{w} {np.mean(every[w]):5.2f}" for w in ways))


if __name__ == "__main__":
    main()
