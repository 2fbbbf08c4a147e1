"""Per-title audience agreement: the mean score read from the text alone against the
reviews' own ratings, for titles with at least N audience reviews (docs/aggregator.md).

    .venv/bin/python bench/audience_agreement.py sqlite:////tmp/aud.db [N=20]

(after `critica ingest ../shared/datasets/imdb/train.jsonl.gz --reviewer audience
--rating-scale 10 --db sqlite:////tmp/aud.db`).
"""

import sys

from critica.store import open_store

store = open_store(sys.argv[1])
n_min = int(sys.argv[2]) if len(sys.argv) > 2 else 20
titles = [t for t in store.list_titles(limit=500, offset=0)]
off = 500
while True:
    more = store.list_titles(limit=500, offset=off)
    if not more:
        break
    titles += more
    off += 500
errs, errs_pct, n_rev = [], [], 0
for t in titles:
    facts = store.review_facts(t.id, reviewer="audience")
    pairs = [
        (f.text_score, f.rating_score, f.fresh)
        for f in facts
        if f.text_score is not None and f.rating_score is not None
    ]
    if len(pairs) < n_min:
        continue
    text = sum(p[0] for p in pairs) / len(pairs)
    rated = sum(p[1] for p in pairs) / len(pairs)
    errs.append(abs(text - rated))
    # share positive: from the text's calls vs from the ratings (>= 60 = 6/10 and up)
    from_text = sum(1 for p in pairs if p[0] >= 60) / len(pairs)
    from_rating = sum(1 for p in pairs if p[1] >= 60) / len(pairs)
    errs_pct.append(abs(from_text - from_rating) * 100)
    n_rev += len(pairs)
mae, mae_pct = sum(errs) / len(errs), sum(errs_pct) / len(errs_pct)
print(f"titles with >= {n_min} audience reviews: {len(errs)} ({n_rev} reviews)")
print(
    f"per-title mean score, text alone vs own ratings: MAE {mae:.2f} of 100 ({mae / 10:.2f} of 10)"
)
print(f"per-title % positive (score >= 60), text vs ratings: MAE {mae_pct:.2f} points")
