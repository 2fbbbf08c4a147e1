"""Presentation helpers for the templates: text pieces, chart geometry, labels. No I/O."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode, urlsplit

from critica.rules import band_for

ASPECT_LABELS = {
    "performances": "Performances", "characters": "Characters", "writing": "Writing",
    "story": "Story", "pacing": "Pacing", "ending": "Ending", "direction": "Direction",
    "visuals": "Visuals", "music_sound": "Music & sound", "humor": "Humour",
    "themes": "Themes", "overall": "Overall",
}  # fmt: skip
TONE_OF_BAND = {
    "universal acclaim": "good", "generally favorable": "good", "mixed or average": "mixed",
    "generally unfavorable": "bad", "overwhelming dislike": "bad",
}  # fmt: skip
TONE_LABELS = {
    "pos": "positive", "neg": "negative", "mixed": "mixed or neutral",
    "plot": "plot or background",
}  # fmt: skip


def aspect_label(name: str) -> str:
    """A person-friendly aspect name ("music_sound" -> "Music & sound")."""
    return ASPECT_LABELS.get(name, name.replace("_", " ").capitalize())


def score_tone(score: float | None) -> str:
    """Metacritic's colour for a 0-100 score: good (61+), mixed (40-60), bad (<40) or none."""
    if score is None:
        return "none"
    return TONE_OF_BAND[band_for(score)]  # the band's own rounding, so colour and words agree


def whole(value: float | None, missing: str = "–") -> str:
    """A number rounded half up for display (as the bands round), or a dash."""
    return missing if value is None else str(math.floor(value + 0.5))


def safe_url(url: str | None) -> str | None:
    """The URL when it is http(s), else None (no javascript: links from stored data)."""
    if not url:
        return None
    return url if urlsplit(url.strip()).scheme.lower() in ("http", "https") else None


def query(base: dict[str, Any], **changes: Any) -> str:
    """A ``?query`` string from the current filters with some changed (None drops a key)."""
    merged = {k: v for k, v in {**base, **changes}.items() if v is not None and v != ""}
    return (
        "?"
        + urlencode({k: str(v).lower() if isinstance(v, bool) else v for k, v in merged.items()})
        if merged
        else "?"
    )


def _csv_cell(value: Any) -> str:
    if isinstance(value, list):
        return ";".join(map(str, value))
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value  # a spreadsheet would run it as a formula
    return "" if value is None else str(value)


def csv_text(rows: list[dict[str, Any]], columns: Sequence[str]) -> str:
    """Rows as CSV with a header; a list cell is joined with ';'; a cell that a spreadsheet
    would run as a formula (=, +, -, @) is prefixed with a quote mark."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_cell(row.get(c)) for c in columns])
    return out.getvalue()


def highlight_pieces(text: str, highlights: list[Any]) -> list[tuple[str, bool]]:
    """Split ``text`` into (piece, highlighted) runs from (start, end) offsets."""
    pieces: list[tuple[str, bool]] = []
    at = 0
    for start, end in sorted((max(0, int(s)), min(len(text), int(e))) for s, e in highlights):
        if start < at or end <= start:
            continue  # overlapping or empty: keep what is already marked
        pieces += [(text[at:start], False), (text[start:end], True)]
        at = end
    pieces.append((text[at:], False))
    return [p for p in pieces if p[0]]


def sentence_tone(polarity: float, opinion: float) -> str:
    """pos, neg, mixed or plot: the same calls as the terminal view's colours (a test checks)."""
    if opinion < 0.5:
        return "plot"
    return "pos" if polarity > 0.2 else "neg" if polarity < -0.2 else "mixed"


def _sentence_view(s: dict[str, Any], index: int, text: str, quote: Any) -> dict[str, Any]:
    """One sentence split around the pull quote, with its tone and aspect tags."""
    start, end = int(s["start"]), int(s["end"])
    q0, q1 = (int(quote["start"]), int(quote["end"])) if quote else (end, end)
    lo, hi = min(max(q0, start), end), max(min(q1, end), start)
    if hi <= lo:
        lo = hi = end
    tone = sentence_tone(float(s["polarity"]), float(s["opinion"]))
    return {
        "index": index, "tone": tone, "tone_label": TONE_LABELS[tone],
        "strong": abs(float(s["polarity"])) >= 0.6 and tone in ("pos", "neg"),
        "polarity": float(s["polarity"]), "opinion": float(s["opinion"]),
        "pre": text[start:lo], "quote": text[lo:hi], "post": text[hi:end],
        "aspects": [{"name": a["name"], "label": aspect_label(a["name"]),
                     "sign": "pos" if a["polarity"] > 0 else "neg"} for a in s["aspects"]],
    }  # fmt: skip


def paragraphs(analysis: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """The review as paragraphs of sentence views; text between sentences is kept as gaps."""
    text, quote = analysis["text"], analysis.get("quote")
    out: list[list[dict[str, Any]]] = [[]]
    at, previous = 0, ""
    for i, s in enumerate(analysis["sentences"]):
        _gap(out, text[at : int(s["start"])])
        view = _sentence_view(s, i, text, quote)
        # Label the first sentence of each run of plot or background, not every one.
        view["run_start"] = view["tone"] == "plot" and (previous != "plot" or not out[-1])
        out[-1].append(view)
        at, previous = max(at, int(s["end"])), view["tone"]
    _gap(out, text[at:])
    return [p for p in out if p]


def _gap(out: list[list[dict[str, Any]]], gap: str) -> None:
    """Add text found between sentences; a line break starts a new paragraph."""
    chunks = gap.split("\n")
    for n, chunk in enumerate(chunks):
        if n and out[-1]:
            out.append([])
        if chunk.strip():
            out[-1].append({"gap": chunk.strip()})


def consensus_pieces(found: dict[str, Any]) -> list[tuple[str, int | None]]:
    """The consensus text in runs, each claim's phrase tagged with the claim's number."""
    text = str(found.get("text", ""))
    spans = []
    for n, claim in enumerate(found.get("claims", [])):
        phrase = str(claim["text"]).removeprefix("a ").removeprefix("an ").lower()
        at = text.lower().find(phrase) if phrase else -1
        if at >= 0:
            spans.append((at, at + len(phrase), n))
    pieces: list[tuple[str, int | None]] = []
    at = 0
    for start, end, n in sorted(spans):
        if start >= at:
            pieces += [(text[at:start], None), (text[start:end], n)]
            at = end
    pieces.append((text[at:], None))
    return [p for p in pieces if p[0]]


def aspect_chips(analysis: dict[str, Any]) -> list[dict[str, Any]]:
    """A review's aspects, most discussed first, with a sign for the chip's colour."""
    return [{"name": a["name"], "label": aspect_label(a["name"]), "polarity": a["polarity"],
             "sign": "pos" if a["polarity"] > 0.1 else "neg" if a["polarity"] < -0.1 else "mixed",
             "count": len(a["evidence"])} for a in analysis.get("aspects", [])]  # fmt: skip


def histogram_chart(bins: list[dict[str, Any]]) -> dict[str, Any]:
    """Bar geometry for the score histogram (viewBox 0 0 320 170)."""
    top = max([b["count"] for b in bins] + [1])
    bars = []
    for i, b in enumerate(bins):
        height = 110 * b["count"] / top
        tone = score_tone(b["lo"] + 9 if b["lo"] >= 60 else b["lo"])
        bars.append(
            {
                "x": 8 + i * 31,
                "y": 130 - height,
                "h": height,
                "w": 25,
                "tone": tone,
                "count": b["count"],
                "label": str(b["lo"]),
                "bin": b["bin"],
            }
        )
    summary = ", ".join(f"{b['bin']}: {b['count']}" for b in bins if b["count"])
    return {"bars": bars, "summary": summary or "no scored reviews"}


def season_chart(seasons: list[dict[str, Any]]) -> dict[str, Any]:
    """Line geometry for mean score by season (viewBox 0 0 320 170, y 0-100 -> 140-20)."""
    shown = [s for s in seasons if s.get("score_mean") is not None]
    step = 230 / max(1, len(shown) - 1)
    points = []
    for i, s in enumerate(shown):
        x = 70 + i * step if len(shown) > 1 else 185
        y = 140 - 1.2 * float(s["score_mean"])
        points.append(
            {
                "x": round(x, 1),
                "y": round(y, 1),
                "season": s["season"],
                "score": whole(s["score_mean"]),
                "tone": score_tone(s["score_mean"]),
                "reviews": s["reviews"],
                "percent": s.get("percent_positive"),
            }
        )
    line = " ".join(f"{p['x']},{p['y']}" for p in points)
    summary = "; ".join(f"season {p['season']}: mean score {p['score']} from {p['reviews']} "
                        "reviews" for p in points)  # fmt: skip
    return {"points": points, "line": line, "summary": summary}
