"""Fit the review-level verdict: a sparse n-gram model, then score and fresh models over features.

    python -m training.train_verdict --data ../shared/datasets

IMDb train is split by a stable hash of the review id into A (n-gram model),
B (verdict models) and C (held out: the IMDb figure). The scale data is used
for the score model and measured leave-one-critic-out. The fresh/rotten cut
is calibrated on the Rotten Tomatoes lists (pull quotes).
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.preprocessing import StandardScaler

from critica.datasets import SCALE_CRITICS as CRITICS
from critica.datasets import (
    detokenize,
    file_sha256,
    imdb_splits,
    read_jsonl,
    rt_quotes,
    scale_texts,
)
from critica.models import FILES
from critica.models.ngram import NgramModel
from critica.models.verdict import LONG, SHORT, VerdictModel, review_features, tail_text
from training.sentence_cache import DocOutputs, run_cached

NAME, NGRAM_FILE = "verdict-v1", "ngram-v1.json.gz"


def fit_ngram(texts: list[str], labels: list[int], folder: Path) -> NgramModel:
    vec = TfidfVectorizer(ngram_range=(1, 2), min_df=3, max_features=120_000, sublinear_tf=True)
    x = vec.fit_transform(texts)
    lr = LogisticRegression(C=8.0, max_iter=2000).fit(x, labels)
    terms = [
        [t, round(float(vec.idf_[i]), 5), round(float(lr.coef_[0][i]), 5)]
        for t, i in vec.vocabulary_.items()
    ]
    with gzip.open(folder / NGRAM_FILE, "wt", encoding="utf-8") as fh:
        json.dump({"n_max": 2, "intercept": float(lr.intercept_[0]), "terms": sorted(terms)}, fh)
    return NgramModel(folder / NGRAM_FILE)


def features(outputs: list[DocOutputs], ngram: NgramModel) -> np.ndarray:
    return np.array(
        [
            review_features(
                o.sentences,
                o.paragraph_of,
                ngram.logit(o.text),
                ngram.logit(tail_text(o.sentences)),
            )
            for o in outputs
        ]
    )


def cut_for(n: int, short: float, long: float) -> float:
    share = min(1.0, max(0.0, (n - SHORT) / (LONG - SHORT)))
    return short + share * (long - short)


def best_cut(p: np.ndarray, y: np.ndarray) -> float:
    cuts = np.linspace(0.2, 0.8, 61)
    return float(cuts[np.argmax([((p >= c) == y).mean() for c in cuts])])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--cache", type=Path, default=Path("build/verdict"))
    ap.add_argument("--n-b", type=int, default=5000)
    ap.add_argument("--n-c", type=int, default=2500)
    ap.add_argument(
        "--limit", type=int, default=0, help="smoke test: at most this many docs per set"
    )
    args = ap.parse_args()
    root, report = args.data, {}
    imdb = imdb_splits(root, args.n_b, args.n_c)
    cap = args.limit or None
    imdb = {k: v[: cap and 5 * cap] if k == "A" else v[:cap] for k, v in imdb.items()}
    sents = [
        detokenize(r["text"])
        for f in ("mr/all.jsonl", "sst2/train.jsonl")
        for r in read_jsonl(root / f)
    ]
    labels = [
        r["label"] for f in ("mr/all.jsonl", "sst2/train.jsonl") for r in read_jsonl(root / f)
    ]
    ngram = fit_ngram(
        [r["text"] for r in imdb["A"]] + sents, [r["label"] for r in imdb["A"]] + labels, FILES
    )
    print("n-gram model fitted", flush=True)

    out_b = run_cached("imdb-B", [r["text"] for r in imdb["B"]], args.cache)
    out_c = run_cached("imdb-C", [r["text"] for r in imdb["C"]], args.cache)
    scale = {c: rows[:cap] for c, rows in scale_texts(root).items()}
    out_s = {
        c: run_cached(f"scale-{c}", [r["text"] for r in rows], args.cache)
        for c, rows in scale.items()
    }
    rt = {k: rows[:cap] for k, rows in rt_quotes(root).items()}
    out_rt = {
        k: run_cached(f"rt-{k}", [r["quote"] for r in rows], args.cache) for k, rows in rt.items()
    }

    xb, xc = features(out_b, ngram), features(out_c, ngram)
    yb_score = np.array([(r["rating"] - 1) / 9 for r in imdb["B"]])
    yb, yc = np.array([r["label"] for r in imdb["B"]]), np.array([r["label"] for r in imdb["C"]])
    xs = {c: features(o, ngram) for c, o in out_s.items()}
    ys = {c: np.array([r["rating"] for r in scale[c]]) for c in CRITICS}

    def fit_score(critics: tuple[str, ...]) -> tuple[StandardScaler, Ridge]:
        x = np.vstack([xb, *(xs[c] for c in critics)])
        y = np.concatenate([yb_score, *(ys[c] for c in critics)])
        # The critics' own graded ratings matter more than IMDb's bimodal stars.
        w = np.concatenate([np.full(len(xb), 0.3), *(np.ones(len(xs[c])) for c in critics)])
        scaler = StandardScaler().fit(x)
        return scaler, Ridge(alpha=1.0).fit(scaler.transform(x), y, sample_weight=w)

    loco = {}
    for held in CRITICS:
        scaler, ridge = fit_score(tuple(c for c in CRITICS if c != held))
        pred = np.clip(ridge.predict(scaler.transform(xs[held])), 0, 1)
        loco[held] = {
            "mae": float(np.abs(pred - ys[held]).mean()),
            "pearson": float(np.corrcoef(pred, ys[held])[0, 1]),
        }
    report["scale_leave_one_critic_out"] = loco | {
        "mean_mae": float(np.mean([v["mae"] for v in loco.values()]))
    }
    print(json.dumps(report["scale_leave_one_critic_out"], indent=1), flush=True)

    scaler, ridge = fit_score(CRITICS)
    fresh = LogisticRegression(C=1.0, max_iter=1000).fit(scaler.transform(xb), yb)
    pc = fresh.predict_proba(scaler.transform(xc))[:, 1]
    report["imdb_heldout"] = {"n": len(yc), "accuracy_at_0.5": float(((pc >= 0.5) == yc).mean())}

    p_rt = {
        k: fresh.predict_proba(scaler.transform(features(o, ngram)))[:, 1]
        for k, o in out_rt.items()
    }
    y_rt = {k: np.array([r["reviewState"] == "fresh" for r in rows]) for k, rows in rt.items()}
    cross = {}
    for k, other in (("pixar", "dreamworks"), ("dreamworks", "pixar")):
        cut = best_cut(p_rt[other], y_rt[other])
        cross[k] = {
            "cut_from_other_list": cut,
            "accuracy": float(((p_rt[k] >= cut) == y_rt[k]).mean()),
        }
    cut = best_cut(np.concatenate(list(p_rt.values())), np.concatenate(list(y_rt.values())))
    # Full reviews: the cut that best separates the verdict model's own training reviews (B).
    cut_long = best_cut(fresh.predict_proba(scaler.transform(xb))[:, 1], yb)
    report["rt_quotes_cross_list"] = cross
    report["fresh_cut"] = {"short": cut, "long": cut_long}
    cuts = np.array([cut_for(len(o.sentences), cut, cut_long) for o in out_c])
    report["imdb_heldout"]["accuracy_at_shipped_cut"] = float(((pc >= cuts) == yc).mean())
    print(json.dumps(report, indent=1), flush=True)

    VerdictModel.write(
        FILES,
        NAME,
        {
            "ngram": NGRAM_FILE,
            "scaler": {"mean": scaler.mean_.tolist(), "scale": scaler.scale_.tolist()},
            "score": {"coef": ridge.coef_.tolist(), "intercept": float(ridge.intercept_)},
            "fresh": {
                "coef": fresh.coef_[0].tolist(),
                "intercept": float(fresh.intercept_[0]),
                "cut_short": cut,
                "cut_long": cut_long,
            },
            "dev_metrics": report,
            "training_data_sha256": {
                f: file_sha256(root / f)
                for f in [
                    "imdb/train.jsonl.gz",
                    "mr/all.jsonl",
                    "sst2/train.jsonl",
                    *(f"scaledata/{c}.jsonl" for c in CRITICS),
                    "rt_critics/pixar/critic_reviews.csv",
                    "rt_critics/dreamworks/critic_reviews.csv",
                ]
            },
        },
        files=[NGRAM_FILE],
    )
    Path("build").mkdir(exist_ok=True)
    Path("build/verdict-report.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
