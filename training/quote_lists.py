"""Fresh calls on pull quotes across the three Rotten Tomatoes sources, each measured with
a cut fitted on the other two (leave one list out): the shipped verdict, single features,
and quote-level logistic models with and without negation/contrast interactions.

    python -m training.quote_lists --data ../shared/datasets

The Pixar and DreamWorks lists are 89% and 74% fresh, so their accuracy rewards a lean
to fresh; the kaggle sample (51% fresh) is the balanced one. The negation set's quotes
(training/negation/) are left out of every fit and every figure here. Each figure reads
"all quotes / quotes with a negation, contrast or concession cue".
"""

from __future__ import annotations

import argparse
import csv
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from critica.evaluation.datasets import norm_key, rt_quotes
from critica.models.verdict import FEATURES, VerdictModel, review_features, tail_text
from training.evaluate_judgement import NEGATION, attach_texts, read_rows
from training.sentence_cache import run_cached

CUES = [
    re.compile(
        r"\b(?:not|never|no|nothing|nobody|none|neither|nor|hardly|barely|scarcely|without|"
        r"lacks?|lacking|fails? to)\b|n't\b",
        re.IGNORECASE,
    ),
    re.compile(r"\b(?:but|yet|however|whereas|instead)\b|;", re.IGNORECASE),
    re.compile(
        r"\b(?:though|although|even if|even though|despite|in spite of|while|for all)\b",
        re.IGNORECASE,
    ),
]
Lists = dict[str, dict[str, np.ndarray]]
Scorer = Callable[[list[str], str], tuple[np.ndarray, np.ndarray]]


def load(root: Path, cache: Path) -> Lists:
    """Per source: verdict features, labels, the shipped probability, cue flags."""
    left_out = {norm_key(r["text"]) for r in attach_texts(root, read_rows(NEGATION))}
    sources = {
        k: [(r["quote"], r["reviewState"] == "fresh") for r in rows]
        for k, rows in rt_quotes(root).items()
    }
    with open(root / "rt_kaggle_sample/critic_reviews.csv", encoding="utf-8", newline="") as fh:
        sources["kaggle"] = [
            (r["review_content"], r["review_type"] == "Fresh")
            for r in csv.DictReader(fh)
            if (r["review_content"] or "").strip()
        ]
    model = VerdictModel()
    data: Lists = {}
    for name, rows in sources.items():
        outs = run_cached(f"rt-{name}", [t for t, _ in rows], cache)
        x, y, p, c = [], [], [], []
        for (text, fresh), o in zip(rows, outs, strict=True):
            if o.unscored is not None or norm_key(text) in left_out:
                continue
            s = o.scored_sentences
            x.append(
                review_features(
                    s, o.paragraph_of, model.ngram.logit(o.text), model.ngram.logit(tail_text(s))
                )
            )
            y.append(fresh)
            p.append(model.judge(s, o.paragraph_of, o.text)[1])
            c.append([bool(r.search(text)) for r in CUES])
        data[name] = {"X": np.array(x), "Y": np.array(y), "P": np.array(p), "C": np.array(c)}
        print(f"{name}: {len(y)} quotes, {np.mean(y):.1%} fresh, {np.mean(c, 0).round(3)} cues")
    return data


def best_cut(p: np.ndarray, y: np.ndarray) -> float:
    cuts = np.linspace(0.05, 0.95, 91)
    return float(cuts[np.argmax([((p >= c) == y).mean() for c in cuts])])


def report(label: str, data: Lists, score: Scorer) -> None:
    """Accuracy on each source at the cut that is best on the other two."""
    cells, means = [], []
    for test in data:
        train = [n for n in data if n != test]
        p_train, p_test = score(train, test)
        cut = best_cut(p_train, np.concatenate([data[n]["Y"] for n in train]))
        right = (p_test >= cut) == data[test]["Y"]
        cue = data[test]["C"].any(1)
        cells.append(f"{test[:6]} {right.mean():6.1%}/{right[cue].mean():6.1%}")
        means.append((right.mean(), right[cue].mean()))
    mean = np.mean(means, axis=0)
    print(f"{label:34s} " + "  ".join(cells) + f"  mean {mean[0]:6.2%}/{mean[1]:6.2%}")


def design(d: dict[str, np.ndarray], interactions: bool) -> np.ndarray:
    if not interactions:
        return d["X"]
    cue = d["C"].any(1, keepdims=True).astype(float)
    return np.hstack([d["X"], cue, cue * d["X"], d["C"].astype(float)])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--cache", type=Path, default=Path("build/verdict"))
    args = ap.parse_args()
    data = load(args.data, args.cache)

    def column(name: str) -> Scorer:
        i = FEATURES.index(name)
        return lambda train, test: (
            np.concatenate([data[n]["X"][:, i] for n in train]),
            data[test]["X"][:, i],
        )

    report(
        "shipped verdict",
        data,
        lambda train, test: (np.concatenate([data[n]["P"] for n in train]), data[test]["P"]),
    )
    for name in ("wmean_pol", "wmean_fine", "ngram"):
        report(f"{name} alone", data, column(name))
    for interactions in (False, True):
        for c in (0.01, 0.1, 1.0):

            def fitted(train: list[str], test: str, c: float = c, i: bool = interactions):  # type: ignore[no-untyped-def]
                x = np.vstack([design(data[n], i) for n in train])
                scaler = StandardScaler().fit(x)
                lr = LogisticRegression(C=c, max_iter=2000).fit(
                    scaler.transform(x), np.concatenate([data[n]["Y"] for n in train])
                )
                return (
                    lr.predict_proba(scaler.transform(x))[:, 1],
                    lr.predict_proba(scaler.transform(design(data[test], i)))[:, 1],
                )

            report(f"quote model C={c} cues={interactions}", data, fitted)


if __name__ == "__main__":
    main()
