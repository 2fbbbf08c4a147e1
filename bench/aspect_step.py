"""Time of the aspect step alone, and its share of the bulk pipeline, in one process.

    python bench/aspect_step.py --data ../shared/datasets [--label new]

Runs the bulk pipeline (entities, credits, title and quote off) up to the aspect step
over IMDb reviews once, then times that step alone (best of 5, the token states put back
before each run) and the whole bulk pipeline (best of 3). Whole-pipeline throughput on a
shared 2-core machine moves by about 20% between identical runs; the step's own time is
steadier. To compare two versions, run this from each checkout in turn, alternating
(``PYTHONPATH=<old checkout> python bench/aspect_step.py --label old``).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from speed import BULK_OFF, imdb_reviews

import critica
from critica.core import get_pipeline, make_docs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=Path("../shared/datasets"))
    ap.add_argument("--reviews", type=int, default=300)
    ap.add_argument("--label", default="this checkout")
    args = ap.parse_args()
    texts = imdb_reviews(args.data, args.reviews)
    components = get_pipeline(frozenset(BULK_OFF)).components
    at = [c.name for c in components].index("aspects")
    docs = list(make_docs(texts))
    for component in components[:at]:
        docs = component.pipe(docs)
    states = [[getattr(t, "states", None) for t in (d.token_scores or [])] for d in docs]
    best = {"aspect step": float("inf"), "bulk pipeline": float("inf")}
    for run in range(5):
        for doc, kept in zip(docs, states, strict=True):
            for tokens, value in zip(doc.token_scores or [], kept, strict=True):
                if value is not None:
                    tokens.states = value
        start = time.perf_counter()
        components[at].pipe(docs)
        best["aspect step"] = min(best["aspect step"], time.perf_counter() - start)
        if run < 3:
            start = time.perf_counter()
            list(critica.analyze_many(texts, disable=BULK_OFF))
            best["bulk pipeline"] = min(best["bulk pipeline"], time.perf_counter() - start)
    share = best["aspect step"] / best["bulk pipeline"]
    print(
        f"{args.label}: aspect step {best['aspect step']:.2f} s, bulk pipeline "
        f"{best['bulk pipeline']:.2f} s over {len(texts)} IMDb reviews (step = {share:.1%})"
    )


if __name__ == "__main__":
    main()
