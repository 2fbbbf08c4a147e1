"""``critica eval``: critica against the usual baselines on the same examples.

Every benchmark is one task over one dataset, with a training part (for the
baselines that learn: TF-IDF + logistic regression, and the linear map that
puts VADER's and TextBlob's scores on the rating scale) and a test part that
every system sees, identically. Where a file comes without a split, the
learning baselines are cross-validated on it (10 folds; one fold per critic
for ratings when the file names several critics).

Tasks: ``polarity`` (label 0/1), ``fine`` (label 0..4, SST-5), ``rating``
(rating 0..1), ``subjectivity`` (label 1 opinion / 0 plot or fact) and
``rt-quotes`` (a Rotten Tomatoes ``critic_reviews.csv``: quote, reviewState).

The baselines need the ``eval`` extra (``pip install 'critica[eval]'``:
vaderSentiment, textblob, scikit-learn); without it only critica's column is
filled and the table says what to install.
"""

from __future__ import annotations

import importlib.util
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from critica.errors import CriticaError
from critica.evaluation.datasets import (
    SCALE_CRITICS,
    detokenize,
    fold_of,
    imdb_splits,
    read_jsonl,
    read_rt_quotes,
    scale_prose,
)

TASKS = ("polarity", "fine", "rating", "subjectivity", "rt-quotes")
SYSTEMS = ("critica", "VADER", "TextBlob", "TF-IDF + LR")
# critica's verdict needs only these steps; the descriptive ones are switched off.
SCORING_ONLY = ("entities", "credits", "title", "quote", "aspects")
CV_FOLDS = 10
EXTRA_HINT = "pip install 'critica[eval]'"


@dataclass
class Benchmark:
    """One task on one dataset: test examples, and training examples or a CV plan."""

    task: str
    dataset: str
    texts: list[str]
    gold: list[float]
    train_texts: list[str] = field(default_factory=list)
    train_gold: list[float] = field(default_factory=list)
    # Without training examples: the learning baselines are cross-validated over
    # the test examples; ``groups`` (one per example) makes the folds.
    groups: list[str] | None = None
    note: str = ""

    @property
    def metric(self) -> str:
        return "MAE / Pearson" if self.task == "rating" else "accuracy"

    def limited(self, n: int) -> Benchmark:
        """A smaller copy for a quick look: ``n`` test and at most ``20 n`` training examples.

        Examples are taken evenly through each list, keeping its mix of classes.
        """
        if n <= 0:
            return self
        test, train = _spread(len(self.texts), n), _spread(len(self.train_texts), 20 * n)
        return Benchmark(
            self.task,
            self.dataset,
            [self.texts[i] for i in test],
            [self.gold[i] for i in test],
            [self.train_texts[i] for i in train],
            [self.train_gold[i] for i in train],
            [self.groups[i] for i in test] if self.groups else None,
            self.note,
        )


def _spread(total: int, n: int) -> list[int]:
    """``n`` indices spread evenly over ``range(total)`` (all of them if ``total <= n``)."""
    if total <= n:
        return list(range(total))
    step = total / n
    return [int(i * step) for i in range(n)]


@dataclass
class Result:
    """One system on one benchmark."""

    value: float | None  # accuracy, or MAE for ratings
    pearson: float | None = None
    per_second: float | None = None
    missing: str = ""  # why there is no value


@dataclass
class Row:
    benchmark: Benchmark
    results: dict[str, Result]

    def to_dict(self) -> dict[str, Any]:
        b = self.benchmark
        return {
            "task": b.task,
            "dataset": b.dataset,
            "n": len(b.texts),
            "metric": b.metric,
            "note": b.note,
            "systems": {
                name: {
                    "value": r.value,
                    "pearson": r.pearson,
                    "reviews_per_second": r.per_second,
                    "missing": r.missing or None,
                }
                for name, r in self.results.items()
            },
        }


# ---------------------------------------------------------------- inputs


def _need(path: Path) -> Path:
    if not path.exists():
        raise CriticaError(f"{path} does not exist; pass a dataset file or folder that does")
    return path


def _jsonl(path: Path, fields: Sequence[str]) -> list[dict[str, Any]]:
    try:
        rows = read_jsonl(_need(path))
    except (ValueError, UnicodeDecodeError, OSError) as exc:
        raise CriticaError(
            f"{path} is not JSON Lines ({exc}); give one JSON object per line"
        ) from exc
    for i, r in enumerate(rows, 1):
        missing = [f for f in fields if f not in r]
        if missing:
            raise CriticaError(
                f"{path} line {i} has no {', '.join(missing)}; each line needs {list(fields)}"
            )
    if not rows:
        raise CriticaError(f"{path} holds no examples")
    return rows


def _labels(path: Path, rows: list[dict[str, Any]], key: str, allowed: set[int]) -> list[float]:
    out = []
    for i, r in enumerate(rows, 1):
        value = r[key]
        if not isinstance(value, int) or value not in allowed:
            raise CriticaError(
                f"{path} line {i}: {key} is {value!r}; expected one of {sorted(allowed)}"
            )
        out.append(float(value))
    return out


def _ratings(path: Path, rows: list[dict[str, Any]]) -> list[float]:
    out = []
    for i, r in enumerate(rows, 1):
        value = r["rating"]
        if not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
            raise CriticaError(
                f"{path} line {i}: rating is {value!r}; ratings must be numbers from 0 to 1"
            )
        out.append(float(value))
    return out


def _rt_rows(path: Path) -> list[dict[str, Any]]:
    try:
        rows = read_rt_quotes(_need(path))
    except (UnicodeDecodeError, OSError) as exc:
        raise CriticaError(f"{path} is not a readable CSV file ({exc})") from exc
    if not rows:
        raise CriticaError(
            f"{path} has no rows with a quote; expected the Rotten Tomatoes critic_reviews.csv "
            "layout (columns quote, reviewState)"
        )
    bad = [i for i, r in enumerate(rows, 2) if r.get("reviewState") not in ("fresh", "rotten")]
    if bad:
        raise CriticaError(
            f"{path} line {bad[0]}: reviewState must be fresh or rotten ({len(bad)} such rows)"
        )
    return rows


def _sentence_texts(rows: list[dict[str, Any]]) -> list[str]:
    return [detokenize(r["text"]) for r in rows]


def file_benchmark(task: str, path: Path) -> Benchmark:
    """A benchmark from one file of the datasets' layout; baselines are cross-validated."""
    if task not in TASKS:
        raise CriticaError(f"unknown task {task!r}; choose from {', '.join(TASKS)}")
    name = path.name
    if task == "rt-quotes":
        rows = _rt_rows(path)
        return Benchmark(
            task,
            name,
            [r["quote"] for r in rows],
            [float(r["reviewState"] == "fresh") for r in rows],
        )
    if task == "rating":
        rows = _jsonl(path, ("text", "rating"))
        critics = [str(r.get("critic", "")) for r in rows]
        return Benchmark(
            task,
            name,
            [scale_prose(r["text"]) if r["text"].islower() else r["text"] for r in rows],
            _ratings(path, rows),
            groups=critics if len(set(critics)) > 1 else None,
        )
    rows = _jsonl(path, ("text", "label"))
    allowed = {0, 1, 2, 3, 4} if task == "fine" else {0, 1}
    texts = [r["text"].replace("<br />", "\n") for r in rows]
    if all(t.islower() for t in texts[:200]):  # Penn-tokenised sentence data (SST, MR, subj)
        texts = _sentence_texts(rows)
    return Benchmark(task, name, texts, _labels(path, rows, "label", allowed))


def folder_benchmarks(root: Path) -> tuple[list[Benchmark], list[str]]:
    """Every benchmark the folder has data for, and a note for each it has not."""
    _need(root)
    found: list[Benchmark] = []
    skipped: list[str] = []

    def have(*names: str) -> bool:
        missing = [n for n in names if not (root / n).exists()]
        if missing:
            skipped.append(f"{', '.join(missing)} not found")
        return not missing

    for task, name, folder in (("polarity", "SST-2 dev", "sst2"), ("fine", "SST-5 dev", "sst5")):
        if have(f"{folder}/train.jsonl", f"{folder}/dev.jsonl"):
            train = read_jsonl(root / folder / "train.jsonl")
            dev = read_jsonl(root / folder / "dev.jsonl")
            found.append(
                Benchmark(
                    task,
                    name,
                    _sentence_texts(dev),
                    [float(r["label"]) for r in dev],
                    _sentence_texts(train),
                    [float(r["label"]) for r in train],
                )
            )
    if have("mr/all.jsonl"):
        rows = read_jsonl(root / "mr/all.jsonl")
        found.append(
            Benchmark(
                "polarity",
                "MR (10-fold CV)",
                _sentence_texts(rows),
                [float(r["label"]) for r in rows],
                note="critica's sentence model was trained on MR: its figure is not held out",
            )
        )
    if have("subj/train.jsonl"):
        rows = read_jsonl(root / "subj/train.jsonl")
        texts = _sentence_texts(rows)
        test = [fold_of(t, 5) == 0 for t in texts]
        found.append(
            Benchmark(
                "subjectivity",
                "subjectivity, held-out fold",
                [t for t, k in zip(texts, test, strict=True) if k],
                [float(r["label"]) for r, k in zip(rows, test, strict=True) if k],
                [t for t, k in zip(texts, test, strict=True) if not k],
                [float(r["label"]) for r, k in zip(rows, test, strict=True) if not k],
            )
        )
    if have("imdb/train.jsonl.gz"):
        split = imdb_splits(root)
        train = split["A"] + split["B"]
        found.append(
            Benchmark(
                "polarity",
                "IMDb held-out slice",
                [r["text"] for r in split["C"]],
                [float(r["label"]) for r in split["C"]],
                [r["text"] for r in train],
                [float(r["label"]) for r in train],
            )
        )
    if have(*(f"scaledata/{c}.jsonl" for c in SCALE_CRITICS)):
        texts, gold, critics = [], [], []
        for critic in SCALE_CRITICS:
            for r in read_jsonl(root / "scaledata" / f"{critic}.jsonl"):
                texts.append(scale_prose(r["text"]))
                gold.append(float(r["rating"]))
                critics.append(critic)
        found.append(
            Benchmark(
                "rating",
                "scale data (leave one critic out)",
                texts,
                gold,
                groups=critics,
                note="critica scores the text alone, but its shipped score model was fitted "
                "on all three critics: in-sample (leave-one-critic-out in training: 0.096)",
            )
        )
    lists = ("pixar", "dreamworks")
    paths = {lst: root / "rt_critics" / lst / "critic_reviews.csv" for lst in lists}
    if have(*(f"rt_critics/{lst}/critic_reviews.csv" for lst in lists)):
        quotes = {lst: read_rt_quotes(paths[lst]) for lst in lists}
        for lst, other in (("pixar", "dreamworks"), ("dreamworks", "pixar")):
            found.append(
                Benchmark(
                    "rt-quotes",
                    f"Rotten Tomatoes quotes, {lst} list",
                    [r["quote"] for r in quotes[lst]],
                    [float(r["reviewState"] == "fresh") for r in quotes[lst]],
                    [r["quote"] for r in quotes[other]],
                    [float(r["reviewState"] == "fresh") for r in quotes[other]],
                    note="baselines trained on the other list; critica's fresh cut was "
                    "fitted on both lists",
                )
            )
    if not found:
        raise CriticaError(
            f"{root} holds none of the datasets critica eval knows "
            "(sst2/, sst5/, mr/, subj/, imdb/, scaledata/, rt_critics/); "
            "pass the datasets folder, or one file with --task"
        )
    return found, skipped


# ---------------------------------------------------------------- systems


def _timed(fn: Callable[[], list[float]], n: int) -> tuple[list[float], float]:
    start = time.perf_counter()
    out = fn()
    return out, n / max(time.perf_counter() - start, 1e-9)


def critica_outputs(texts: list[str]) -> tuple[list[dict[str, Any]], float]:
    """What critica says about each text (score, fresh, opinion, 5-way), and reviews/s.

    Runs the real pipeline (scoring steps only) and reads its documents, which
    also hold each sentence's 5-way probabilities.
    """
    from critica import config
    from critica.core import get_pipeline, make_docs

    pipeline = get_pipeline(frozenset(SCORING_ONLY))
    start = time.perf_counter()
    out = []
    for doc in pipeline.pipe(make_docs(texts), batch_size=config.get("batch_size")):
        first = doc.sentences[0] if doc.scored and doc.sentences else None
        fine = [s.fine for s in doc.sentences if s.fine] if doc.scored else []
        out.append(
            {
                "score": doc.score,
                "text_score": doc.text_score,
                "fresh": doc.fresh,
                "opinion": first.opinion if first else None,
                "fine": int(np.argmax(np.mean(fine, axis=0))) if fine else None,
            }
        )
    return out, len(texts) / max(time.perf_counter() - start, 1e-9)


def vader_scores(texts: list[str]) -> tuple[list[float], float]:
    """VADER's compound score (-1..1) per text."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    sia = SentimentIntensityAnalyzer()
    return _timed(lambda: [sia.polarity_scores(t)["compound"] for t in texts], len(texts))


def textblob_scores(texts: list[str]) -> tuple[list[tuple[float, float]], float]:
    """TextBlob's (polarity -1..1, subjectivity 0..1) per text."""
    from textblob import TextBlob

    start = time.perf_counter()
    out = [
        (float(b.polarity), float(b.subjectivity)) for b in (TextBlob(t).sentiment for t in texts)
    ]
    return out, len(texts) / max(time.perf_counter() - start, 1e-9)


def _fit_tfidf(texts: list[str], gold: list[float], task: str) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.pipeline import make_pipeline

    vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=200_000)
    model: Any = Ridge(alpha=1.0) if task == "rating" else LogisticRegression(C=4.0, max_iter=2000)
    labels: list[Any] = gold if task == "rating" else [int(g) for g in gold]
    if task != "rating" and len(set(labels)) < 2:  # a fold with one class: predict it
        from sklearn.dummy import DummyClassifier

        model = DummyClassifier(strategy="most_frequent")
    if len(texts) < 50:  # tiny files: keep every word
        vec.set_params(min_df=1)
    return make_pipeline(vec, model).fit(texts, labels)


def _folds(b: Benchmark) -> list[np.ndarray]:
    n = len(b.texts)
    if b.groups:
        names = sorted(set(b.groups))
        return [np.array([g == name for g in b.groups]) for name in names]
    k = np.array([fold_of(t + str(i), CV_FOLDS) for i, t in enumerate(b.texts)])
    return [k == f for f in range(CV_FOLDS)] if n >= CV_FOLDS * 2 else [np.ones(n, dtype=bool)]


def tfidf_predictions(b: Benchmark) -> tuple[list[float], float]:
    """TF-IDF + LR predictions on the test examples (trained, or cross-validated), and rate."""
    if b.train_texts:
        model = _fit_tfidf(b.train_texts, b.train_gold, b.task)
        return _timed(lambda: [float(p) for p in model.predict(b.texts)], len(b.texts))
    pred = np.zeros(len(b.texts))
    seconds = 0.0
    for test in _folds(b):
        if not test.any():
            continue
        train = ~test if (~test).any() else test
        model = _fit_tfidf(
            [t for t, k in zip(b.texts, train, strict=True) if k],
            [g for g, k in zip(b.gold, train, strict=True) if k],
            b.task,
        )
        start = time.perf_counter()
        pred[test] = model.predict([t for t, k in zip(b.texts, test, strict=True) if k])
        seconds += time.perf_counter() - start
    return pred.tolist(), len(b.texts) / max(seconds, 1e-9)


def _linear_map(score: list[float], gold: list[float]) -> tuple[float, float]:
    """Least-squares a, b so that a * score + b best matches gold (a rating scale)."""
    x, y = np.asarray(score), np.asarray(gold)
    if x.std() == 0:
        return 0.0, float(y.mean())
    a, b = np.polyfit(x, y, 1)
    return float(a), float(b)


def _on_scale(b: Benchmark, scores: list[float], train_scores: list[float] | None) -> list[float]:
    """Lexicon scores mapped onto the rating scale by a fit on training data only."""
    out = np.zeros(len(b.texts))
    if train_scores is not None:
        a, c = _linear_map(train_scores, b.train_gold)
        return list(np.clip(a * np.asarray(scores) + c, 0, 1))
    s, g = np.asarray(scores), np.asarray(b.gold)
    for test in _folds(b):
        if not test.any():
            continue
        train = ~test if (~test).any() else test
        a, c = _linear_map(s[train].tolist(), g[train].tolist())
        out[test] = np.clip(a * s[test] + c, 0, 1)
    return out.tolist()


def _fine_bins(score: float) -> float:
    """A -1..1 lexicon score as SST-5's five classes (equal-width bins)."""
    return float(min(4, max(0, math.floor((score + 1) / 2 * 5))))


def _measure(task: str, pred: Sequence[float | None], gold: list[float]) -> Result:
    if task == "rating":
        p = np.array([np.nan if v is None else v for v in pred], dtype=float)
        ok = ~np.isnan(p)
        g = np.asarray(gold)[ok]
        mae = float(np.abs(p[ok] - g).mean()) if ok.any() else None
        r = float(np.corrcoef(p[ok], g)[0, 1]) if ok.sum() > 2 and p[ok].std() > 0 else None
        return Result(mae, r)
    correct = sum(1 for p, g in zip(pred, gold, strict=True) if p is not None and p == g)
    return Result(correct / len(gold))


def run_benchmark(b: Benchmark, systems: Sequence[str] = SYSTEMS) -> Row:
    """Every system on one benchmark's test examples."""
    results: dict[str, Result] = {}
    if "critica" in systems:
        outs, rate = critica_outputs(b.texts)
        if b.task == "rating":
            # From the text alone, even where the review states its rating.
            pred: list[float | None] = [
                None if o["text_score"] is None else o["text_score"] / 100 for o in outs
            ]
        elif b.task == "fine":
            pred = [None if o["fine"] is None else float(o["fine"]) for o in outs]
        elif b.task == "subjectivity":
            pred = [None if o["opinion"] is None else float(o["opinion"] >= 0.5) for o in outs]
        else:
            pred = [None if o["fresh"] is None else float(o["fresh"]) for o in outs]
        results["critica"] = _measure(b.task, pred, b.gold)
        results["critica"].per_second = rate
    have_sklearn = importlib.util.find_spec("sklearn") is not None
    if "VADER" in systems:
        if importlib.util.find_spec("vaderSentiment") is None:
            results["VADER"] = Result(None, missing=f"not installed: {EXTRA_HINT}")
        elif b.task == "subjectivity":
            results["VADER"] = Result(None, missing="VADER has no subjectivity score")
        else:
            compound, rate = vader_scores(b.texts)
            train = vader_scores(b.train_texts)[0] if _maps_to_scale(b) else None
            results["VADER"] = _lexicon_result(b, compound, train)
            results["VADER"].per_second = rate
    if "TextBlob" in systems:
        if importlib.util.find_spec("textblob") is None:
            results["TextBlob"] = Result(None, missing=f"not installed: {EXTRA_HINT}")
        else:
            blob, rate = textblob_scores(b.texts)
            if b.task == "subjectivity":
                results["TextBlob"] = _measure(b.task, [float(s >= 0.5) for _, s in blob], b.gold)
            else:
                train_blob = textblob_scores(b.train_texts)[0] if _maps_to_scale(b) else None
                results["TextBlob"] = _lexicon_result(
                    b, [p for p, _ in blob], [p for p, _ in train_blob] if train_blob else None
                )
            results["TextBlob"].per_second = rate
    if "TF-IDF + LR" in systems:
        if not have_sklearn:
            results["TF-IDF + LR"] = Result(None, missing=f"not installed: {EXTRA_HINT}")
        else:
            tf_pred, rate = tfidf_predictions(b)
            results["TF-IDF + LR"] = _measure(
                b.task,
                [min(1.0, max(0.0, p)) if b.task == "rating" else p for p in tf_pred],
                b.gold,
            )
            results["TF-IDF + LR"].per_second = rate
    return Row(b, results)


def _maps_to_scale(b: Benchmark) -> bool:
    """Lexicon scores need their training scores only to be mapped onto a rating scale."""
    return b.task == "rating" and bool(b.train_texts)


def _lexicon_result(b: Benchmark, scores: list[float], train: list[float] | None) -> Result:
    """A -1..1 lexicon score judged as the task asks (usual cut at 0 for polarity)."""
    if b.task == "rating":
        return _measure(b.task, _on_scale(b, scores, train), b.gold)
    if b.task == "fine":
        return _measure(b.task, [_fine_bins(s) for s in scores], b.gold)
    return _measure(b.task, [float(s > 0) for s in scores], b.gold)


def run_all(
    benchmarks: Sequence[Benchmark],
    systems: Sequence[str] = SYSTEMS,
    progress: Callable[[Benchmark], None] | None = None,
) -> list[Row]:
    rows = []
    for b in benchmarks:
        if progress:
            progress(b)
        rows.append(run_benchmark(b, systems))
    return rows


# ---------------------------------------------------------------- output


def cell(task: str, r: Result | None) -> str:
    """A table cell: accuracy as a percentage, rating as MAE / Pearson."""
    if r is None:
        return ""
    if r.value is None:
        return "—"
    if task == "rating":
        pearson = f" / {r.pearson:.2f}" if r.pearson is not None else ""
        return f"{r.value:.3f}{pearson}"
    return f"{100 * r.value:.1f}%"


def rate_cell(r: Result | None) -> str:
    if r is None or r.per_second is None:
        return ""
    return f"{r.per_second:,.0f}"


def markdown(rows: Sequence[Row], systems: Sequence[str] = SYSTEMS) -> str:
    """The table as Markdown (for docs/accuracy.md)."""
    head = ["task", "dataset", "n", "metric", *systems, *(f"{s} reviews/s" for s in systems)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        b = row.benchmark
        cells = [b.task, b.dataset, f"{len(b.texts):,}", b.metric]
        cells += [cell(b.task, row.results.get(s)) for s in systems]
        cells += [rate_cell(row.results.get(s)) for s in systems]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
