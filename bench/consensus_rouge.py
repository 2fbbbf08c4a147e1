"""Critics' consensus vs the published Rotten Tomatoes lines, beside three baselines.

    python bench/consensus_rouge.py --data ../shared/datasets [--samples 10]

For every film in ``rt_kaggle_sample/movies.csv`` with a published consensus
(the dev titles), analyses that film's critic reviews with critica, builds the
title figures, and writes a line with each method:

- ``critica``: the shipped consensus (candidates from frames and quotes, then a choice);
- ``v1``: the consensus before it (``critica/figures/consensus.py`` at ``--v1-ref``, read from git);
- ``centroid``: the review sentence nearest the TF-IDF centroid;
- ``fixed``: one fixed sentence with the title filled in.

and prints per method:

- ROUGE-1/2/L F-measure (``rouge-score``, stemmed) against the published line;
- polarity agreement: the line read back by critica's own verdict agrees with the
  title's % positive (>= 60: fresh; < 40: rotten; 40-60: the line states a contrast
  or its score lies within 35-65);
- claims supported: every aspect the line judges, read back by critica, is owned by
  that side in the reviews (at least two reviews, one for titles under five, and
  60% of the aspect's opinions), and for ``critica`` and ``v1`` every structured
  claim cites that many reviews;
- variety: the distinct-bigram ratio across titles (title masked) and the share of
  titles served by the most common frame (the line with title, adjectives, aspect and
  genre nouns and names masked; critica also reports its own frame ids);
- mean length in words, and the milliseconds per title on top of the figures.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import itertools
import re
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from rouge_score import rouge_scorer

import critica
from critica.figures.aggregate import title_figures
from critica.figures.consensus import centroid_baseline, consensus, fixed_baseline
from critica.figures.consensus.evidence import GENRES, NOUNS, by_aspect, lexicon, owned, sides
from critica.store.records import ReviewFacts

BULK = ("entities", "credits", "title", "quote")
ROOT = Path(__file__).resolve().parents[1]
V1_REF = "98d12fb"  # the last commit with the single-template consensus
CONTRAST = re.compile(
    r"\b(?:but|though|although|while|despite|yet|split|divided|undercut|even if|whatever)\b",
    re.IGNORECASE,
)


def facts_for(reviews: list[dict[str, str]]) -> tuple[list[ReviewFacts], list[tuple[int, str]]]:
    analyses = critica.analyze_many([r["review_content"] for r in reviews], disable=BULK)
    facts, sentences = [], []
    for i, (row, a) in enumerate(zip(reviews, analyses, strict=True)):
        aspects = [(m.name, m.polarity, s.text) for s in a.sentences for m in s.aspects]
        facts.append(
            ReviewFacts(
                review_id=i,
                title_id=0,
                score=a.score,
                fresh=a.fresh,
                top_critic=row["top_critic"] == "True",
                weight=1.0,
                publication=row["publisher_name"],
                critic=row["critic_name"],
                date=None,
                season=None,
                quote=a.quote.text if a.quote else None,
                aspects=aspects,
            )
        )
        sentences += [(i, s.text) for s in a.sentences if s.opinion >= 0.5]
    return facts, sentences


def load_v1(ref: str) -> ModuleType | None:
    """The single-template consensus as it was at ``ref``, or None without git history."""
    try:
        source = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{ref}:critica/figures/consensus.py"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        print(
            f"v1 skipped: cannot read critica/figures/consensus.py at {ref} ({exc})",
            file=sys.stderr,
        )
        return None
    spec = importlib.util.spec_from_loader("consensus_v1", loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["consensus_v1"] = module  # dataclasses look their module up
    exec(compile(source, f"{ref}:critica/figures/consensus.py", "exec"), module.__dict__)
    return module


def agrees(line: str, lean: float | None) -> bool:
    """Whether the line, read back by critica's verdict, states the title's lean."""
    if lean is None or not line:
        return False
    read = critica.analyze(line)
    if lean >= 60:
        return read.fresh is True
    if lean < 40:
        return read.fresh is False
    return bool(CONTRAST.search(line)) or (read.score is not None and 35 <= read.score <= 65)


def read_back_supported(line: str, facts: list[ReviewFacts]) -> tuple[int, int]:
    """(supported, judged): aspects the line judges, read back, that the reviews' side owns."""
    if not line:
        return 0, 0
    least = 1 if len(facts) < 5 else 2
    grouped = by_aspect(facts)
    judged = ok = 0
    for sentence in critica.analyze(line).sentences:
        for m in sentence.aspects:
            if m.name not in NOUNS or abs(m.polarity) < 0.2:
                continue
            sign = 1 if m.polarity > 0 else -1
            split = sides(grouped, m.name)
            judged += 1
            ok += owned(len(split[sign]), len(split[-sign]), least)
    return ok, judged


def structured_supported(found: dict[str, Any], facts: list[ReviewFacts]) -> tuple[int, int]:
    """(supported, claims): claims citing enough reviews, each of the claim's polarity."""
    least = 1 if len(facts) < 5 else 2
    grouped = by_aspect(facts)
    ok = total = 0
    for claim in found.get("claims", []):
        total += 1
        sign = 1 if claim["polarity"] == "positive" else -1
        if claim["aspect"] in NOUNS:
            split = sides(grouped, claim["aspect"])
            mine = {rid for _, rid, _ in split[sign]}
            cited = set(claim["review_ids"]) & mine
            ok += len(cited) >= least and owned(len(split[sign]), len(split[-sign]), least)
        elif claim["polarity"] == "mixed":
            ok += claim["support"] >= least
        else:
            side = {f.review_id for f in facts if f.fresh is (sign > 0)}
            ok += len(set(claim["review_ids"]) & side) >= least
    return ok, total


_ASPECT_WORDS = {w for noun, _ in NOUNS.values() for w in noun.split()} | {
    "performance", "script", "plot", "cast", "acting", "story", "visuals", "direction",
}  # fmt: skip
_GENRE_WORDS = {w for g in GENRES for w in g.split()} | {"film", "movie"}


def skeleton(line: str, title: str) -> str:
    """The line's frame: title, adjectives, aspect and genre nouns and names masked."""
    adjectives = lexicon()[0]
    text = line.replace(title, "<T>")
    out = []
    for token in re.findall(r"<T>|[\w'-]+|[^\w\s]", text):
        low = token.lower()
        if token == "<T>" or low in adjectives:
            out.append("_")
        elif low in _ASPECT_WORDS or low.rstrip("s") in _ASPECT_WORDS:
            out.append("N")
        elif low in _GENRE_WORDS:
            out.append("G")
        elif token[:1].isupper() and out:
            out.append("P")
        else:
            out.append(low)
    return " ".join(out)


def bigrams(line: str, title: str) -> list[tuple[str, str]]:
    words = re.findall(r"[\w'-]+", line.replace(title, "TITLE").lower())
    return list(itertools.pairwise(words))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path("../shared/datasets"))
    ap.add_argument("--v1-ref", default=V1_REF, help="git commit holding the v1 consensus")
    ap.add_argument("--samples", type=int, default=0, help="print this many titles' lines")
    args = ap.parse_args()
    base = args.data / "rt_kaggle_sample"
    with open(base / "movies.csv", encoding="utf-8") as fh:
        films = {
            m["rotten_tomatoes_link"]: m
            for m in csv.DictReader(fh)
            if m["critics_consensus"].strip()
        }
    by_film: dict[str, list[dict[str, str]]] = defaultdict(list)
    with open(base / "critic_reviews.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["rotten_tomatoes_link"] in films and r["review_content"].strip():
                by_film[r["rotten_tomatoes_link"]].append(r)
    v1 = load_v1(args.v1_ref)
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    methods: dict[str, Callable[..., dict[str, Any]]] = {
        "critica": lambda facts, figures, title, sentences: consensus(facts, figures, title),
    }
    if v1 is not None:
        methods["v1"] = lambda facts, figures, title, sentences: v1.consensus(facts, figures, title)
    methods["centroid"] = lambda facts, figures, title, sentences: centroid_baseline(sentences)
    methods["fixed"] = lambda facts, figures, title, sentences: {"text": fixed_baseline(title)}
    stats: dict[str, dict[str, list[float]]] = {m: defaultdict(list) for m in methods}
    counts: dict[str, Counter[str]] = {m: Counter() for m in methods}
    frames: Counter[str] = Counter()
    samples: list[tuple[str, float | None, str, dict[str, str]]] = []
    start = time.perf_counter()
    for link, reviews in by_film.items():
        film = films[link]
        title = film["movie_title"]
        facts, sentences = facts_for(reviews)
        figures = title_figures(facts, kind="film", title=title)
        lean = figures["percent_positive"]
        lines = {}
        for name, make in methods.items():
            t0 = time.perf_counter()
            found = make(facts, figures, title, sentences)
            stats[name]["ms"].append(1000 * (time.perf_counter() - t0))
            text = found["text"]
            lines[name] = text
            result = scorer.score(film["critics_consensus"], text)
            for metric, value in result.items():
                stats[name][metric].append(value.fmeasure)
            stats[name]["agree"].append(agrees(text, lean))
            ok, judged = read_back_supported(text, facts)
            counts[name]["read_ok"] += ok
            counts[name]["read_judged"] += judged
            if "claims" in found:
                ok, total = structured_supported(found, facts)
                counts[name]["claims_ok"] += ok
                counts[name]["claims"] += total
            stats[name]["words"].append(len(text.split()))
            counts[name][f"skeleton:{skeleton(text, title)}"] += 1
            counts[name]["bigrams"] += len(bigrams(text, title))
            for bg in bigrams(text, title):
                counts[name][f"bigram:{bg}"] += 1
            if name == "critica":
                frames[found.get("frame") or found.get("method", "")] += 1
        samples.append((title, lean, film["critics_consensus"], lines))
    n = len(by_film)
    print(
        f"dev titles with a published consensus: {n}, reviews: "
        f"{sum(map(len, by_film.values()))}, {time.perf_counter() - start:.0f} s"
    )
    head = ("method", "R-1", "R-2", "R-L", "agree", "claims", "read-back", "bigrams", "top frame")
    print(f"{head[0]:9s}" + "".join(f"{h:>10s}" for h in head[1:]) + f"{'words':>7s}{'ms':>7s}")
    for name in methods:
        st, c = stats[name], counts[name]
        distinct = sum(1 for k in c if k.startswith("bigram:")) / max(1, c["bigrams"])
        top = max((v for k, v in c.items() if k.startswith("skeleton:")), default=0)
        claims = f"{100 * c['claims_ok'] / c['claims']:.0f}%" if c["claims"] else "n/a"
        read = f"{100 * c['read_ok'] / c['read_judged']:.0f}%" if c["read_judged"] else "n/a"
        print(
            f"{name:9s}"
            + "".join(f"{statistics.mean(st[m]):10.3f}" for m in ("rouge1", "rouge2", "rougeL"))
            + f"{100 * statistics.mean(st['agree']):9.0f}%{claims:>10s}{read:>10s}"
            + f"{distinct:10.2f}{100 * top / n:9.0f}%"
            + f"{statistics.mean(st['words']):7.1f}{statistics.median(st['ms']):7.1f}"
        )
    name, used = frames.most_common(1)[0]
    print(f"critica's most common frame: {name} ({used} of {n} titles, {100 * used / n:.0f}%)")
    print("frames: " + ", ".join(f"{k} {v}" for k, v in frames.most_common()))
    for title, lean, published, lines in samples[: args.samples]:
        print(f"\n{title} ({lean}% positive)\n  published: {published}")
        for name, text in lines.items():
            print(f"  {name + ':':9s}  {text}")


if __name__ == "__main__":
    main()
