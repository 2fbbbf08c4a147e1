"""Validate labels.jsonl against the sampler's candidate list and print its counts.

python training/negation/validate.py ../shared/datasets
"""

import collections
import json
import sys
from pathlib import Path

import sample

HERE = Path(__file__).resolve().parent
LABELS = {"pos", "neg", "mixed", "none"}
TURNS = {"negation", "contrast", "concession", "faint_praise"}


def main():
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/datasets")
    candidates = {(f, r): g for f, r, g in sample.sample(root)[0]}
    rows, seen = [], set()
    for n, line in enumerate(open(HERE / "labels.jsonl", encoding="utf-8"), 1):
        o = json.loads(line)
        assert set(o) == {"file", "row", "group", "label", "turns_on"}, (n, o)
        key = (o["file"], o["row"])
        assert candidates.get(key) == o["group"], (n, "not a candidate of that group", key)
        assert key not in seen, (n, "duplicate", key)
        assert o["label"] in LABELS and set(o["turns_on"]) <= TURNS, (n, o)
        seen.add(key)
        rows.append(o)
    measured = [o for o in rows if o["label"] in ("pos", "neg") and o["turns_on"]]
    print(f"{len(rows)} quotes labelled of {len(candidates)} candidates; {len(measured)} measured")
    print("labels:", dict(collections.Counter(o["label"] for o in rows)))
    turns = collections.Counter(t for o in measured for t in o["turns_on"])
    print("measured quotes turning on:", dict(turns))
    print("measured pos/neg:", dict(collections.Counter(o["label"] for o in measured)))


if __name__ == "__main__":
    main()
