"""The consensus writer's adjective lexicon, built from SST's labelled parse trees.

    python -m training.build_lexicon --data ../shared/datasets

Every leaf of SST's 8,544 training trees carries a 0-4 sentiment label for the
word on its own, and every short phrase one for the words together. A word's
polarity is its own mean label when that leans either way, else the mean label
of the two- and three-word phrases it heads ("(1 (2 contrived) (2 plot))": SST
rates "contrived", "predictable" and "wooden" neutral alone), else that of
GLUE's two- and three-word phrases it opens. Words the treebank lacks or
leaves neutral take their side from critics' labelled snippets (MR's lines and
the Rotten Tomatoes lists' pull quotes) when their log-odds of appearing in a
fresh snippet over a rotten one is large; where the two sources disagree
("silly") the word is no verdict and is left out. A closed list of adjectives
that place, count, compare or date (``NOT_VERDICTS``) never enters. spaCy's tagger
reads each tree's words in their sentence; a word enters the lexicon when most
of its uses are adjectives, or when it is a participle used before a noun
("gripping", "contrived") at least twice and tagged an adjective in a quarter
of its uses ("holding", "directing" are not). Each entry keeps the word's polarity (-1..1),
its document frequency in SST (how generic it is) and the adverb critics make of
it ("visually"). Writes ``critica/figures/consensus/lexicon.json.gz`` (a few dozen KB).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import math
import re
from collections import Counter, defaultdict
from pathlib import Path

import spacy
from spacy.tokens import Doc

from critica.figures.consensus.evidence import split_words
from critica.pipeline.entities import MODEL_NAMES

LEAF = re.compile(r"\((\d) ([^()\s]+)\)")
PARENT = re.compile(r"\((\d) ((?:\(\d [^()\s]+\) ?){2,3})\)")  # a node over 2-3 leaves
OUT = Path(__file__).resolve().parents[1] / "critica" / "consensus" / "lexicon.json.gz"


# Adjectives that place, count, compare or date rather than judge: never a critic's verdict.
NOT_VERDICTS = frozenset(
    split_words(
        "new old young early late last first final whole same other own real true full right "
        "wrong high low big small little long short worth special certain sure main major minor "
        "next previous recent modern ancient current present past future single double total "
        "entire particular general usual common possible impossible likely unlikely able unable "
        "due american british french english italian german japanese chinese spanish russian "
        "indian european asian african mexican korean irish jewish christian black white red blue "
        "green dark light musical visual cinematic dramatic comic political social sexual "
        "physical human natural national personal familiar running opening closing dead alive "
        "open free good bad great fine nice much many more most less least few enough such best "
        "better worse worst favorite favourite sufficient innocent guilty racial ethnic religious "
        "military legal federal criminal totalitarian historical contemporary urban rural rich "
        "poor male female adult teen teenage childish animated live-action mass sheer holy "
        "available technical prehistoric literary hard"
    )
)
MIN_USES = 2  # seen at least twice: a lexicon of what critics write, not of typos
MIN_SNIPPETS = 4  # uses in labelled critic snippets before their log-odds count
MIN_ODDS = 0.7  # |log-odds| of a fresh snippet over a rotten one that makes a verdict word
PARTICIPLE_ADJ = 0.25  # a participle ("gripping") must be tagged an adjective this often too
MIN_LEAN = 0.25  # |mean label - 2| / 2 below this is no judgement


def glue_openers(phrases: Path) -> dict[str, list[int]]:
    """Labels (-1/1) of GLUE's two- and three-word phrases, by their first word."""
    out: dict[str, list[int]] = defaultdict(list)
    with gzip.open(phrases, "rt", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            words = row["text"].split()
            if 2 <= len(words) <= 3:
                out[words[0]].append(1 if row["label"] else -1)
    return out


def labelled_snippets(data: Path) -> list[tuple[str, int]]:
    """Critic snippets with their side: MR's lines and the Rotten Tomatoes lists' pull quotes."""
    out: list[tuple[str, int]] = []
    with open(data / "mr" / "all.jsonl", encoding="utf-8") as fh:
        out += [(row["text"], 1 if row["label"] else -1) for row in map(json.loads, fh)]
    for folder in sorted((data / "rt_critics").glob("*")):
        with open(folder / "critic_reviews.csv", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if row["quote"].strip() and row["reviewState"] in ("fresh", "rotten"):
                    out.append((row["quote"], 1 if row["reviewState"] == "fresh" else -1))
    return out


def log_odds(counts: dict[int, Counter[str]]) -> dict[str, tuple[float, int]]:
    """Each word's smoothed log-odds of a fresh snippet over a rotten one, and its count."""
    totals = {side: sum(c.values()) for side, c in counts.items()}
    out = {}
    for word in counts[1].keys() | counts[-1].keys():
        pos, neg = counts[1][word], counts[-1][word]
        rate = math.log((pos + 0.5) / totals[1]) - math.log((neg + 0.5) / totals[-1])
        out[word] = (rate, pos + neg)
    return out


def build(trees: Path, phrases: Path, data: Path) -> dict[str, object]:
    glue = glue_openers(phrases)
    nlp = spacy.load(MODEL_NAMES[-1], exclude=["parser", "ner", "lemmatizer"])
    labels: dict[str, list[int]] = defaultdict(list)
    phrase: dict[str, list[int]] = defaultdict(list)  # labels of the short phrases a word opens
    attributive: Counter[str] = Counter()
    compares: Counter[str] = Counter()  # tagged comparative or superlative ("younger", "finest")
    tags: dict[str, Counter[str]] = defaultdict(Counter)
    df: Counter[str] = Counter()
    sentences = 0
    with gzip.open(trees, "rt", encoding="utf-8") as fh:
        lines = [line for line in fh if line.strip()]
    docs = (Doc(nlp.vocab, words=[w for _, w in LEAF.findall(line)]) for line in lines)
    for line, doc in zip(lines, nlp.pipe(docs, batch_size=256), strict=True):
        sentences += 1
        seen = set()
        for (label, _), token in zip(LEAF.findall(line), doc, strict=True):
            word = token.text.lower()
            if not re.fullmatch(r"[a-z]+(?:-[a-z]+)*", word):
                continue
            labels[word].append(int(label))
            tags[word][token.pos_] += 1
            compares[word] += token.tag_ in ("JJR", "JJS", "RBR", "RBS")
            if token.tag_ in ("VBG", "VBN") and token.i + 1 < len(doc):
                attributive[word] += doc[token.i + 1].pos_ == "NOUN"
            seen.add(word)
        df.update(seen)
        for label, leaves in PARENT.findall(line):
            first = LEAF.match(leaves)
            if first:
                phrase[first.group(2).lower()].append(int(label))
    # Critics' snippets: what the treebank lacks ("luminous", "taut", "rushed").
    side_counts: dict[int, Counter[str]] = {1: Counter(), -1: Counter()}
    snippets = labelled_snippets(data)
    texts = (text for text, _ in snippets)
    for (_, side), doc in zip(snippets, nlp.pipe(texts, batch_size=256), strict=True):
        for token in doc:
            word = token.text.lower()
            if re.fullmatch(r"[a-z]+(?:-[a-z]+)*", word):
                tags[word][token.pos_] += 1
                compares[word] += token.tag_ in ("JJR", "JJS", "RBR", "RBS")
                side_counts[side][word] += 1
                if token.tag_ in ("VBG", "VBN") and token.i + 1 < len(doc):
                    attributive[word] += doc[token.i + 1].pos_ == "NOUN"
    odds = log_odds(side_counts)
    adjectives: dict[str, list[float]] = {}
    adverbs: dict[str, str] = {}
    for word in labels.keys() | {w for w, (_, n) in odds.items() if n >= MIN_SNIPPETS}:
        found = labels.get(word, [])
        uses = sum(tags[word].values())
        participle = attributive[word] >= MIN_USES and tags[word]["ADJ"] >= PARTICIPLE_ADJ * uses
        adjective = tags[word]["ADJ"] * 2 > uses or participle
        if uses < MIN_USES or not adjective or word in NOT_VERDICTS or compares[word] * 2 > uses:
            continue
        lean = (sum(found) / len(found) - 2) / 2 if found else 0.0
        if abs(lean) < MIN_LEAN and len(phrase[word]) >= MIN_USES:
            lean = (sum(phrase[word]) / len(phrase[word]) - 2) / 2
        if abs(lean) < MIN_LEAN and len(glue[word]) >= MIN_USES:
            lean = sum(glue[word]) / len(glue[word]) / 2
        rate, seen = odds.get(word, (0.0, 0))
        if seen >= MIN_SNIPPETS and abs(rate) >= MIN_ODDS:
            if abs(lean) < MIN_LEAN:
                lean = 0.5 if rate > 0 else -0.5  # the snippets decide what the treebank lacks
            elif (lean > 0) != (rate > 0):
                continue  # the treebank and the critics disagree ("silly"): no verdict word
        if abs(lean) >= MIN_LEAN:
            adjectives[word] = [round(lean, 3), df[word]]
    for word in labels:  # "visually" -> "visual": the adverb a critic turns an aspect into
        if word.endswith("ly") and tags[word]["ADV"] * 2 > sum(tags[word].values()):
            stem = word[:-2]
            for base in (stem, stem[:-2] if stem.endswith("al") else "", stem + "e"):
                if base and tags.get(base, Counter())["ADJ"]:
                    adverbs[base] = word
                    break
    return {
        "source": "SST training trees and GLUE SST-2 phrases (Socher et al. 2013), MR "
        "(Pang & Lee 2005) and the rt_critics pull quotes, with spaCy en_core_web_sm tags",
        "sentences": sentences,
        "adjectives": dict(sorted(adjectives.items())),
        "adverbs": dict(sorted(adverbs.items())),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=Path("../shared/datasets"))
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    sst = args.data
    lexicon = build(
        sst / "sst5" / "train_trees.txt.gz", sst / "sst2" / "train_phrases.jsonl.gz", args.data
    )
    with gzip.open(args.out, "wt", encoding="utf-8") as fh:
        json.dump(lexicon, fh, separators=(",", ":"), sort_keys=True)
    words = lexicon["adjectives"]
    assert isinstance(words, dict)
    pos = sum(1 for v in words.values() if v[0] > 0)
    print(f"{len(words)} adjectives ({pos} positive, {len(words) - pos} negative) -> {args.out}")


if __name__ == "__main__":
    main()
