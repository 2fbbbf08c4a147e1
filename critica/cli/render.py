"""Terminal views of analyses (Rich). No analysis logic here, only presentation."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from critica.analysis import Analysis

# Control characters (C0 but newline and tab, DEL, C1) and bidirectional overrides: in
# stored text they could move the cursor, retitle the terminal or reorder what is shown.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean(value: object) -> str:
    """Stored text made safe to print: control characters and bidi overrides removed."""
    return _UNSAFE.sub("", str(value))


def plain(value: object) -> Text:
    """Stored text as a table cell or title: cleaned, and never read as Rich markup."""
    return Text(clean(value))


def polarity_style(polarity: float, opinion: float) -> str:
    """Green for praise, red for criticism, dim for plot and background."""
    if opinion < 0.5:
        return "dim"
    if polarity > 0.2:
        return "green"
    if polarity < -0.2:
        return "red"
    return "yellow"


# Written to a pipe or a file, output is this wide, so no table column is cut to "Whiteo…"
# (Rich assumes 80 columns when it cannot ask a terminal).
PIPE_WIDTH = 200


def out_console() -> Console:
    """The console for a command's output: the terminal's width, or ``PIPE_WIDTH``."""
    console = Console()
    return console if console.is_terminal else Console(width=PIPE_WIDTH)


_OPEN_QUOTES, _CLOSE_QUOTES = "“\"‘'«", "”\"’'»"


def quoted(text: str) -> str:
    """``text`` in curly quotes, unless it already starts or ends with a quote mark (a
    quote that opens with a quoted title would read ““Seven Seconds” is…”)."""
    t = text.strip()
    if t and (t[0] in _OPEN_QUOTES or t[-1] in _CLOSE_QUOTES):
        return t
    return f"“{t}”"


def reviews(n: int) -> str:
    """'1 review', '3 reviews'."""
    return f"{n} review" if n == 1 else f"{n} reviews"


def badge_list(badges: list[str]) -> str:
    """Badges as people write them: 'certified fresh, must see'."""
    return ", ".join(str(b).replace("_", " ") for b in badges)


def verdict_line(a: Analysis) -> Text:
    """Score, band, fresh/rotten and confidence on one line."""
    if a.score is None:
        return Text(f"unscored: {a.unscored_reason}", style="bold yellow")
    call = (
        Text(" FRESH ", style="bold white on green")
        if a.fresh
        else Text(" ROTTEN ", style="bold white on red")
    )
    line = Text.assemble(call, f"  {a.score:.0f}/100  ", (a.band or "", "bold"))
    line.append(f"   confidence {a.confidence:.0%}", style="dim")
    if a.rating is not None:
        line.append(f"   rating {clean(a.rating.raw)} → {a.rating.normalized:g}", style="cyan")
        line.append(f"   text alone {a.text_score:.0f}", style="dim")
    return line


def credits_table(a: Analysis) -> Table:
    table = Table("person", "as", "role", box=None, title="credits", title_justify="left")
    for c in a.credits:
        table.add_row(plain(c.person), plain(c.character or ""), plain(c.role))
    return table


def sentences_text(a: Analysis) -> Text:
    """The review sentence by sentence, tinted by polarity, aspects in brackets."""
    out = Text()
    for s in a.sentences:
        tags = " ".join(f"[{m.name}{'+' if m.polarity > 0 else '-'}]" for m in s.aspects)
        mark = "»" if a.quote and s.start == a.quote.start else " "
        out.append(f"{mark} {s.polarity:+.2f} ", style="dim")
        out.append(clean(s.text), style=polarity_style(s.polarity, s.opinion))
        if tags:
            out.append(f"  {tags}", style="magenta")
        out.append("\n")
    return out


def analysis_view(a: Analysis, show_sentences: bool = True) -> Panel:
    """The full view of one analysis."""
    heading = "review"
    if a.title is not None:
        bits = [a.title.kind, a.title.network]
        extra = ", ".join(b for b in bits if b)
        heading = clean(a.title.name) + (f" ({clean(extra)})" if extra else "")
    parts: list[object] = [verdict_line(a)]
    if a.quote:
        parts.append(Text(f"\n{quoted(clean(a.quote.text))}", style="italic"))
    if a.explanation:
        parts.append(Text(f"\n{clean(a.explanation)}", style="dim"))
    if a.aspects:
        aspects = Text("\naspects: ")
        for asp in a.aspects:
            style = "green" if asp.polarity > 0.1 else "red" if asp.polarity < -0.1 else "yellow"
            arrow = "▲" if asp.polarity > 0.1 else "▼" if asp.polarity < -0.1 else "●"
            aspects.append(f"{asp.name} {arrow}  ", style=style)
        parts.append(aspects)
    if a.credits:
        parts.append(credits_table(a))
    if show_sentences and a.sentences:
        parts += [
            Text("\nsentences (green praise, red criticism, dim plot/background, » quote):"),
            sentences_text(a),
        ]
    for w in a.warnings:
        parts.append(Text(f"note: {clean(w)}", style="yellow"))
    footer = plain(f"{a.language or '?'} · {a.model_version or 'no model'}")
    body = Group(*parts)  # type: ignore[arg-type]
    return Panel(body, title=plain(heading), subtitle=footer, title_align="left", expand=False)


def summary_table(rows: Sequence[tuple[str, str, Analysis]]) -> Table:
    """One line per review: title, critic, verdict, quote."""
    table = Table("title", "critic", "score", "band", "", "quote", title="demo reviews")
    for title, critic, a in rows:
        fresh = "" if a.fresh is None else ("[green]fresh[/]" if a.fresh else "[red]rotten[/]")
        score = "—" if a.score is None else f"{a.score:.0f}"
        quote = (
            (a.quote.text[:90] + "…")
            if a.quote and len(a.quote.text) > 90
            else (a.quote.text if a.quote else "")
        )
        table.add_row(plain(title), plain(critic), score, a.band or "", fresh, plain(quote))
    return table


def print_analysis(a: Analysis, console: Console | None = None) -> None:
    """Print one analysis to the terminal."""
    (console or out_console()).print(analysis_view(a))


def _percent(value: float | None, interval: Sequence[float] | None) -> str:
    if value is None:
        return "—  (fewer than 5 reviews)"
    if interval:
        return f"{value:.0f}%  (95% interval {interval[0]:.0f}–{interval[1]:.0f})"
    return f"{value:.0f}%"


def title_view(page: dict[str, object]) -> Panel:
    """A title's figures in the terminal: the same dict the API returns."""
    p: dict[str, Any] = dict(page)
    info = p.get("info") or {}
    heading = (
        f"{p['title']} ({p['kind']}" + (f", {info.get('year')}" if info.get("year") else "") + ")"
    )
    grid = Table.grid(padding=(0, 2))
    grid.add_row("reviews", str(p["reviews"]))
    grid.add_row(
        "% positive", _percent(p.get("percent_positive"), p.get("percent_positive_interval"))
    )
    if p.get("percent_positive_estimated") is not None:
        grid.add_row(
            "estimated",
            f"{p['percent_positive_estimated']:.0f}% of critics positive, weighing how sure "
            "each review's text is",
        )
    top = p.get("top_critics") or {}
    if top:
        grid.add_row(
            "top critics",
            _percent(top.get("percent_positive"), top.get("percent_positive_interval"))
            + f"  from {reviews(top.get('reviews', 0))}",
        )
    if p.get("score_weighted") is not None:
        grid.add_row("weighted score", f"{p['score_weighted']:.0f}  {p.get('band') or ''}")
        grid.add_row("mean score", f"{p['score_mean']:.0f}")
    if cal := p.get("calibration"):
        grid.add_row(
            "calibrated",
            f"{cal['adjusted_reviews']} review scores adjusted; "
            f"uncalibrated weighted score {cal['score_weighted_raw']}",
        )
    if p.get("badges"):
        grid.add_row("badges", badge_list(p["badges"]))
    parts: list[object] = [grid]
    cons = p.get("consensus") or {}
    if cons.get("text"):
        parts.append(Text(f"\nCritics' consensus: {clean(cons['text'])}", style="italic"))
        for claim in cons.get("claims", []):  # each claim, the reviews behind it, its best quote
            n = claim["support"]
            line = f"  · {clean(claim['text'])} ({n} review{'' if n == 1 else 's'})"
            quote = next(iter(claim.get("quotes") or []), None)
            if quote:
                line += f": {quoted(clean(quote['text']))}"
            parts.append(Text(line, style="dim"))
    aspects = Table(
        "aspect", "discussed", "% positive", box=None, title="\naspects", title_justify="left"
    )
    for a in p.get("aspects") or []:
        aspects.add_row(
            plain(a["name"]),
            f"{a['mentions']}",
            "—" if a.get("percent_positive") is None else f"{a['percent_positive']:.0f}%",
        )
    if p.get("aspects"):
        parts.append(aspects)
    return Panel(Group(*parts), title=plain(heading), title_align="left", expand=False)  # type: ignore[arg-type]


def titles_table(rows: Sequence[dict[str, Any]]) -> Table:
    """Per-title figures from ``critica aggregate``: one line per title."""
    audience = any(r.get("audience_reviews") for r in rows)
    table = Table(
        "title", "reviews", "% positive", "score", "band", "top critics", "aspects", "badges"
    )
    if audience:  # the audience's own figures, then critics' % positive less theirs
        table.add_column("audience")
        table.add_column("gap")
    for r in rows:
        pct = r["percent_positive"]
        top = r["top_critics_percent_positive"]
        aspects = ", ".join(
            f"{a['name']} {a['percent_positive']:.0f}%" for a in (r["aspects"] or [])[:3]
        )
        table.add_row(
            plain(r["title"]),
            str(r["reviews"]),
            "—" if pct is None else f"{pct:.0f}%",
            "—" if r["score_mean"] is None else f"{r['score_mean']:.0f}",
            r["band"] or "",
            "—" if top is None else f"{top:.0f}%",
            aspects,
            badge_list(r["badges"] or []),
            *(_audience_cells(r) if audience else ()),
        )
    return table


def _audience_cells(r: dict[str, Any]) -> tuple[str, str]:
    """ "62% of 140" and "+24 split" for a title's audience columns."""
    if not r.get("audience_reviews"):
        return "—", "—"
    pct, gap = r["audience_percent_positive"], r["gap_percent_positive"]
    crowd = f"{'—' if pct is None else f'{pct:.0f}%'} of {r['audience_reviews']}"
    return crowd, "—" if gap is None else f"{gap:+.0f}" + (" split" if r["split"] else "")


def _map_cell(m: dict[str, float] | None) -> str:
    return "—" if m is None else f"{m['intercept']:+.1f} + {m['slope']:.2f}·text"


def calibration_tables(page: dict[str, Any]) -> Group:
    """``critica calibration``: the global map, then one line per critic and publication."""
    head = Text(
        f"{page['rated_reviews']} rated reviews with a text score; global map "
        f"{_map_cell(page['global_map'])}; fitted from {page['min_history']} reviews or "
        f"shared titles, prior strength {page['prior_strength']:g}"
    )
    tables: list[Table] = []
    for kind in ("critics", "publications"):
        table = Table(kind[:-1], "rated", "score map", "shared titles", "leniency", title=kind)
        for row in page[kind]:
            lean = row["leniency"]
            table.add_row(
                plain(row["name"]),
                str(row["rated_reviews"]),
                _map_cell(row["score_map"]),
                str(row["shared_titles"]),
                "—" if lean is None else f"{lean:+.1f}",
            )
        if page[kind]:
            tables.append(table)
    return Group(head, *tables)
