"""The audience's figures beside the critics': guarded against gaming, and the gap.

Audience reviews are easy to game, so before they are counted three guards flag:

- **copies**: a review whose text is a copy or a near-copy (SimHash fingerprints within
  ``NEAR_BITS`` bits, texts of ``signals.MIN_WORDS`` words or more) of an earlier review
  of the same title; the earliest is kept, unless the text was posted ``COPY_RUN``
  times or more (a campaign's: all go). A short text ("Great movie!") has no
  fingerprint: many people write the same few words.
- **bursts** (review bombing, or its opposite): a day (or a week, for a slower run)
  on which at least
  ``BURST_MIN`` reviews of the title rate it at one extreme (a score of ``LOW`` or
  less, ``HIGH`` or more: the bottom or top two notches of a ten-point scale), making up
  at least ``BURST_SHARE`` of that day's reviews and ``BURST_LIFT`` more than the
  share of such ratings on the title's ordinary days (those one-sided at neither
  extreme; failing any, those not one-sided at this one), on a
  day with at least ``BURST_RATE`` times the reviews of a median ordinary day. The
  extreme ratings of that day are flagged; the day's moderate ones are kept.
- **off topic**: a review about the delivery, the disc or the streaming service rather
  than the title (``critica.signals.off_topic``).

A review's day is its own date when it has one, else the day it was stored. Flagged
reviews leave the audience's figures (unless the ``audience_guards`` setting is off)
and are listed apart with the reason.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from critica import config
from critica.figures.aggregate import title_figures
from critica.store.records import ReviewFacts

# Fingerprints this close are copies (64-bit SimHash of word 3-shingles). Among 8M pairs of
# IMDb reviews of different films none came closer than 9 bits, while copies with a word
# changed mid-text come within 8 bits 98 times in 100 (docs/aggregator.md).
NEAR_BITS = 8
COPY_RUN = 3  # a text posted this many times is a campaign's: even its first posting goes
LOW, HIGH = 20.0, 90.0  # the extremes a bombing run rates at: 1-2/10, 1/5; 9-10/10, 5/5
BURST_MIN = 10  # extreme ratings in a day before the day can be a burst
BURST_SHARE = 0.6  # their share of that day's reviews
BURST_LIFT = 0.3  # how much that share exceeds the same extreme's share on ordinary days
BURST_RATE = 2.0  # the day's reviews against a median ordinary day's

COPY, BURST, OFF_TOPIC = "copy", "burst", "off topic"
FLAGS_LISTED = 20  # flagged reviews listed on a title page (all are counted)


@dataclass(frozen=True)
class Flag:
    review_id: int
    reason: str  # COPY, BURST or OFF_TOPIC
    detail: str  # said to the reader: "a copy of review 12", "one of 40 ratings of 2/10 …"


def day(f: ReviewFacts) -> date | None:
    """The day a review counts on for bursts: its own date, else the day it was stored."""
    return f.date or f.posted


def copies(facts: Sequence[ReviewFacts]) -> list[Flag]:
    """Reviews that copy an earlier one of the title (fingerprints within ``NEAR_BITS``);
    each is compared with every earlier review kept, in one vectorised step."""
    kept_prints = np.zeros(len(facts), dtype=np.uint64)
    kept_ids: list[int] = []
    copied: Counter[int] = Counter()  # copies of each kept review
    flags: list[Flag] = []
    for f in sorted(facts, key=lambda f: f.review_id):  # the earliest of a group is kept
        if f.fingerprint is None:
            continue
        mine = np.array([f.fingerprint], dtype=np.int64).view(np.uint64)[0]
        if kept_ids:
            apart = np.bitwise_count(kept_prints[: len(kept_ids)] ^ mine)
            nearest = int(np.argmin(apart))
            if apart[nearest] <= NEAR_BITS:
                flags.append(Flag(f.review_id, COPY, f"a copy of review {kept_ids[nearest]}"))
                copied[kept_ids[nearest]] += 1
                continue
        kept_prints[len(kept_ids)] = mine
        kept_ids.append(f.review_id)
    # A text posted COPY_RUN times or more is a campaign's: its first posting goes too.
    flags += [
        Flag(i, COPY, f"posted {n + 1} times (this and {n} copies)")
        for i, n in copied.items()
        if n + 1 >= COPY_RUN
    ]
    return flags


def _side(score: float | None) -> int:
    if score is None:
        return 0
    return -1 if score <= LOW else 1 if score >= HIGH else 0


def bursts(facts: Sequence[ReviewFacts]) -> list[Flag]:
    """The extreme ratings of days, and of weeks, that look like a bombing run (see the
    module's doc): a week catches a run too slow for any one day (5 a day for weeks)."""
    found = {f.review_id: f for f in _bursts(facts, "day")}
    for flag in _bursts(facts, "week"):
        found.setdefault(flag.review_id, flag)
    return sorted(found.values(), key=lambda f: f.review_id)


def _window(f: ReviewFacts, span: str) -> date | None:
    """The day a review counts on, or the Monday of its week."""
    d = day(f)
    if d is None or span == "day":
        return d
    return d - timedelta(days=d.weekday())


def _bursts(facts: Sequence[ReviewFacts], span: str) -> list[Flag]:
    """Bursts over windows of one ``span`` ("day" or "week"). A run may last several
    windows, so the baseline is the title's windows that are not themselves one-sided
    (``BURST_MIN`` and ``BURST_SHARE`` at an extreme)."""
    by_day: dict[date, list[ReviewFacts]] = defaultdict(list)
    for f in facts:
        if (d := _window(f, span)) is not None:
            by_day[d].append(f)
    sides = {d: Counter(_side(f.score) for f in found) for d, found in by_day.items()}
    one_sided = {
        (d, side)
        for d, found in by_day.items()
        for side in (-1, 1)
        if sides[d][side] >= BURST_MIN and sides[d][side] / len(found) >= BURST_SHARE
    }
    flags: list[Flag] = []
    for side in (-1, 1):
        # Ordinary windows: those one-sided at neither extreme; failing any, those not
        # one-sided at this one (a bulk import of a loved title's reviews, all stored on
        # one day, is the day of raves against which a run of pans stands out).
        baseline = [d for d in by_day if (d, -1) not in one_sided and (d, 1) not in one_sided]
        baseline = baseline or [d for d in by_day if (d, side) not in one_sided]
        if not baseline:
            continue  # nothing ordinary to stand out from
        usual = statistics.median(len(by_day[d]) for d in baseline)
        rest = sum(sides[d][side] for d in baseline) / sum(len(by_day[d]) for d in baseline)
        for when in sorted(d for d, s in one_sided if s == side):
            found, n = by_day[when], sides[when][side]
            if len(found) >= BURST_RATE * usual and n / len(found) - rest >= BURST_LIFT:
                where = (
                    f"on {when.isoformat()}"
                    if span == "day"
                    else (f"in the week of {when.isoformat()}")
                )
                detail = (
                    f"one of {n} {'low' if side < 0 else 'high'} ratings {where}, "
                    f"{len(found)} reviews against a usual {usual:g} a {span}"
                )
                flags.extend(
                    Flag(f.review_id, BURST, detail) for f in found if _side(f.score) == side
                )
    return flags


def off_topic(facts: Sequence[ReviewFacts]) -> list[Flag]:
    return [Flag(f.review_id, OFF_TOPIC, f.off_topic) for f in facts if f.off_topic]


def guard(facts: Sequence[ReviewFacts]) -> dict[int, Flag]:
    """Every flagged review, by id: a copy first, then a burst, then off topic."""
    found: dict[int, Flag] = {}
    for flag in [*copies(facts), *bursts(facts), *off_topic(facts)]:
        found.setdefault(flag.review_id, flag)
    return found


AUDIENCE_FIGURES = (
    "reviews", "unscored", "percent_positive", "percent_positive_interval",
    "percent_positive_estimated", "score_mean", "histogram", "aspects",
)  # fmt: skip


def audience_figures(
    facts: list[ReviewFacts], kind: str, name: str, guarded: bool | None = None
) -> tuple[dict[str, Any], list[ReviewFacts]]:
    """The audience's own figures for a title, by the same code as the critics' and never
    mixed into them, with the flagged reviews left out (``guarded``, default: the
    ``audience_guards`` setting) and listed apart; also the reviews counted."""
    if guarded is None:
        guarded = bool(config.get("audience_guards"))
    flags = guard(facts)
    counted = [f for f in facts if f.review_id not in flags] if guarded else facts
    found = title_figures(counted, kind=kind, title=name)
    figures = {k: found[k] for k in AUDIENCE_FIGURES if k in found}
    by_id = {f.review_id: f for f in facts}
    listed = sorted(flags.values(), key=lambda g: g.review_id)
    figures["flagged"] = {
        "reviews": len(flags),
        "excluded": guarded,
        "reasons": dict(Counter(g.reason for g in listed)),
        "items": [
            {
                "review_id": g.review_id,
                "reason": g.reason,
                "detail": g.detail,
                "score": by_id[g.review_id].score,
                "quote": by_id[g.review_id].quote,
            }
            for g in listed[:FLAGS_LISTED]
        ],
    }
    return figures, counted


# A title's critics and audience "split" when their % positive differ by this many
# points or more and the difference's 95% interval leaves out zero.
SPLIT_POINTS = 25.0
SPLIT_BADGE = "critics and audience split"


def gap(critics: dict[str, Any], audience: dict[str, Any] | None) -> dict[str, Any] | None:
    """Critics' % positive less the audience's, with a 95% interval (Newcombe's method from
    the two Wilson intervals), and the aspects they disagree on most; None unless both
    have a % positive."""
    if not audience:
        return None
    p1, p2 = critics.get("percent_positive"), audience.get("percent_positive")
    i1, i2 = critics.get("percent_positive_interval"), audience.get("percent_positive_interval")
    if p1 is None or p2 is None or not i1 or not i2:
        return None
    (l1, u1), (l2, u2) = i1, i2
    diff = p1 - p2
    lo = diff - ((p1 - l1) ** 2 + (u2 - p2) ** 2) ** 0.5
    hi = diff + ((u1 - p1) ** 2 + (p2 - l2) ** 2) ** 0.5
    split = abs(diff) >= SPLIT_POINTS and (lo > 0 or hi < 0)
    apart = disagreements(critics.get("aspects") or [], audience.get("aspects") or [])
    return {
        "percent_positive": round(diff, 1),
        "interval": [round(lo, 1), round(hi, 1)],
        "split": split,
        "aspects": apart,
        "line": disagreement_line(apart),
    }


ASPECT_MIN_MENTIONS = 3  # reviews on each side that judge an aspect before it is compared
ASPECT_MIN_POINTS = 20.0  # % positive apart before an aspect counts as disagreed on
ASPECTS_LISTED = 3


def disagreements(
    critics: list[dict[str, Any]], audience: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Aspects both sides judge often enough whose % positive differ by
    ``ASPECT_MIN_POINTS`` or more, furthest apart first."""
    theirs = {a["name"]: a for a in audience if a["mentions"] >= ASPECT_MIN_MENTIONS}
    found = []
    for a in critics:
        b = theirs.get(a["name"])
        if b is None or a["mentions"] < ASPECT_MIN_MENTIONS:
            continue
        diff = a["percent_positive"] - b["percent_positive"]
        if abs(diff) >= ASPECT_MIN_POINTS:
            found.append(
                {
                    "aspect": a["name"],
                    "critics_percent_positive": a["percent_positive"],
                    "audience_percent_positive": b["percent_positive"],
                    "critics_mentions": a["mentions"],
                    "audience_mentions": b["mentions"],
                    "difference": round(diff, 1),
                }
            )
    found.sort(key=lambda d: (-abs(d["difference"]), d["aspect"]))
    return found[:ASPECTS_LISTED]


def _verb(percent: float) -> str:
    return "praise" if percent >= 60 else "fault" if percent <= 40 else "are mixed on"


def disagreement_line(apart: list[dict[str, Any]]) -> str | None:
    """ "Critics fault the pacing, audiences praise it; …" for the two aspects furthest
    apart; None when they agree on every aspect both judge."""
    parts = []
    for d in apart[:2]:
        c, a = d["critics_percent_positive"], d["audience_percent_positive"]
        aspect = d["aspect"]
        if _verb(c) == _verb(a):  # both on one side, by a wide margin
            more = "critics" if c > a else "audiences"
            parts.append(f"{more} like the {aspect} far more ({c:.0f}% vs {a:.0f}% positive)")
        else:
            parts.append(f"critics {_verb(c)} the {aspect}, audiences {_verb(a)} it")
    if not parts:
        return None
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "."
