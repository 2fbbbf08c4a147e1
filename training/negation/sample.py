"""Reproduce the candidate list hand-labelled into labels.jsonl (negation, contrast, hedges).

Prints (never saves) `file<TAB>row<TAB>group<TAB>text` for each candidate, so
the quotes stay in the datasets. Usage:

    python training/negation/sample.py ../shared/datasets > /tmp/negation.tsv

Pool: the Rotten Tomatoes pull quotes of the two lists and the kaggle sample,
non-empty and de-duplicated, leaving out every quote the aspect corpus already
samples (training/aspects/sample.py) and every quote that shares its text with
a sentence-model training line (MR, SST train), so the set measures text the
sentence model never saw. Each group's regex only finds candidates; every
quote is labelled by what it says. GROUP_N quotes per group, drawn with
random.Random(907 + group index) in the order below; a quote drawn by an
earlier group is not drawn again.
"""

import gzip
import json
import random
import re
import sys
from pathlib import Path


def _aspect_sampler():
    """The aspect corpus's sampler, loaded by path (both scripts are called sample.py)."""
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "aspects" / "sample.py"
    spec = importlib.util.spec_from_file_location("aspect_sample", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


aspect_sample = _aspect_sampler()

GROUP_N = 125
GROUPS = [
    (
        "negation",
        r"\b(?:not|never|no|nothing|nobody|none|neither|nor|hardly|barely|scarcely|without|"
        r"lacks?|lacking|fails? to|isn't|aren't|wasn't|doesn't|don't|didn't|can't|cannot|won't)\b",
    ),
    ("contrast", r"\b(?:but|yet|however|whereas|instead)\b|;"),
    (
        "concession",
        r"\b(?:though|although|even if|even though|despite|in spite of|while|for all)\b",
    ),
    (
        "faint_praise",
        r"\b(?:adequate|serviceable|passable|watchable|harmless|inoffensive|competent|decent|"
        r"pleasant|mildly|fairly|reasonably|not bad|mostly|somewhat|okay|ok|fine|enough|"
        r"modest|amiable|diverting|forgettable|perfectly|solid)\b",
    ),
]


def norm_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def training_keys(root: Path) -> set[str]:
    keys = set()
    for name in ("mr/all.jsonl", "sst2/train.jsonl", "sst5/train.jsonl"):
        keys |= {norm_key(json.loads(l)["text"]) for l in open(root / name, encoding="utf-8")}
    with gzip.open(root / "sst2/train_phrases.jsonl.gz", "rt", encoding="utf-8") as fh:
        keys |= {norm_key(json.loads(l)["text"]) for l in fh}
    return keys


def sample(root: Path):
    sampled, text_of = aspect_sample.sample(root)
    seen = {" ".join(text_of(f, r).lower().split()) for f, r, _ in sampled}
    trained = training_keys(root)
    rt = aspect_sample.load(root)[2]
    sources = [
        (aspect_sample.list_file(lst), aspect_sample.load_list(root, lst))
        for lst in aspect_sample.LISTS
    ]
    sources.append(("rt_kaggle_sample/critic_reviews.csv", rt))
    first: dict[str, tuple[str, int]] = {}
    for f, texts in sources:
        for r, t in enumerate(texts):
            k = " ".join(t.lower().split())
            if k and k not in seen and norm_key(t) not in trained:
                first.setdefault(k, (f, r))
    pool = sorted(first.values())
    out, taken = [], set()
    for gi, (name, rx) in enumerate(GROUPS):
        pat = re.compile(rx, re.I)
        hits = [p for p in pool if p not in taken and pat.search(text_of(*p))]
        for p in random.Random(907 + gi).sample(hits, min(GROUP_N, len(hits))):
            out.append((*p, name))
            taken.add(p)
    return out, text_of


if __name__ == "__main__":
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/datasets")
    rows, text_of = sample(root)
    for f, r, g in rows:
        print(f"{f}\t{r}\t{g}\t{' '.join(text_of(f, r).split())}")
