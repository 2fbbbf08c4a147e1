"""Validate labels.jsonl and print counts per aspect/polarity/split.

    python training/aspects/validate.py [../shared/datasets]

With the datasets folder it also checks that every row exists and that no
sentence text is labelled twice (sst2/dev is a subset of sst5/dev).
Stdlib only.
"""

import collections
import csv
import hashlib
import json
import sys
from pathlib import Path

from critica.models.aspects import ASPECTS as TAXONOMY

HERE = Path(__file__).resolve().parent
ASPECTS = list(TAXONOMY)  # the public aspect names, from the runtime
POLARITIES = ["pos", "neg", "mixed"]
LISTS = {f"rt_critics/{lst}/critic_reviews.csv" for lst in ("pixar", "dreamworks")}
FILES = {"sst5/dev.jsonl", "sst2/dev.jsonl", "rt_kaggle_sample/critic_reviews.csv", *LISTS}


def expected_split(f, r):
    return "test" if int(hashlib.md5(f"{f}:{r}".encode()).hexdigest(), 16) % 3 == 0 else "train"


def load_texts(root: Path):
    texts = {}
    for f in ("sst5/dev.jsonl", "sst2/dev.jsonl"):
        texts[f] = [json.loads(l)["text"] for l in open(root / f, encoding="utf-8")]
    with open(root / "rt_kaggle_sample/critic_reviews.csv", encoding="utf-8", newline="") as fh:
        texts["rt_kaggle_sample/critic_reviews.csv"] = [
            r["review_content"] or "" for r in csv.DictReader(fh)
        ]
    for f in sorted(LISTS):
        with open(root / f, encoding="utf-8", newline="") as fh:
            texts[f] = [r["quote"] or "" for r in csv.DictReader(fh)]
    return texts


def main():
    rows, seen = [], set()
    for n, line in enumerate(open(HERE / "labels.jsonl", encoding="utf-8"), 1):
        o = json.loads(line)
        assert set(o) == {"file", "row", "aspects", "split"}, (n, o)
        assert o["file"] in FILES and isinstance(o["row"], int) and o["row"] >= 0, (n, o)
        assert o["split"] == expected_split(o["file"], o["row"]), (n, "split")
        key = (o["file"], o["row"])
        assert key not in seen, (n, "duplicate", key)
        seen.add(key)
        names = [a["name"] for a in o["aspects"]]
        assert len(names) == len(set(names)), (n, "aspect twice")
        for a in o["aspects"]:
            assert set(a) == {"name", "polarity"}, (n, a)
            assert a["name"] in ASPECTS and a["polarity"] in POLARITIES, (n, a)
        rows.append(o)
    if len(sys.argv) > 1:
        texts = load_texts(Path(sys.argv[1]))
        norm = set()
        for o in rows:
            t = texts[o["file"]][o["row"]]
            assert t.strip(), ("empty text", o)
            k = " ".join(t.lower().split())
            assert k not in norm, ("same sentence labelled twice", o)
            norm.add(k)
    c = collections.Counter()
    for o in rows:
        for a in o["aspects"]:
            c[(a["name"], a["polarity"], o["split"])] += 1
    splits = collections.Counter(o["split"] for o in rows)
    files = collections.Counter(o["file"] for o in rows)
    print(
        f"{len(rows)} sentences OK; splits {dict(splits)}; files {dict(files)}; "
        f"no-aspect {sum(1 for o in rows if not o['aspects'])}"
    )
    print("| aspect | pos | neg | mixed | total | train pos/neg/mixed | test pos/neg/mixed |")
    print("|---|---|---|---|---|---|---|")
    for a in ASPECTS:
        tot = [sum(c[(a, p, s)] for s in ("train", "test")) for p in POLARITIES]
        tr = "/".join(str(c[(a, p, "train")]) for p in POLARITIES)
        te = "/".join(str(c[(a, p, "test")]) for p in POLARITIES)
        print(f"| {a} | {tot[0]} | {tot[1]} | {tot[2]} | {sum(tot)} | {tr} | {te} |")


if __name__ == "__main__":
    main()
