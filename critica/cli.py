"""The ``critica`` command line: a thin shell over the library."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from critica.errors import CriticaError

app = typer.Typer(
    help="critica: analyse critic reviews — fresh/rotten, 0-100 score, pull quote, with evidence.",
    no_args_is_help=True,
    add_completion=False,
)
err = Console(stderr=True)

DEMO = Path(__file__).parent / "demo"


def fail(exc: CriticaError) -> typer.Exit:
    """Print a user-facing error and return the exit to raise."""
    err.print(f"[bold red]error:[/] {exc}")
    return typer.Exit(exc.exit_code)


@app.command()
def analyze(
    source: Annotated[str, typer.Argument(help="A file (text or HTML), an http(s) URL, or - for stdin.")],
    title: Annotated[str | None, typer.Option(help="What is reviewed, if the text doesn't say.")] = None,
    rating: Annotated[str | None, typer.Option(help='The critic\'s rating, e.g. "3/4", "B+", "★★★½".')] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the analysis as JSON.")] = False,
    disable: Annotated[list[str] | None, typer.Option(help="Skip an optional step (entities, credits, title, quote).")] = None,
) -> None:
    """Analyse one review and show the verdict, pull quote, credits and sentence evidence."""
    from critica.core import analyze as run
    from critica.render import print_analysis
    from critica.sources import read_source

    try:
        raw, meta = read_source(source, stdin=sys.stdin.buffer)
        result = run(raw, title=title, rating=rating, disable=disable or (), **meta)
    except CriticaError as exc:
        raise fail(exc) from None
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        print_analysis(result)


@app.command()
def demo() -> None:
    """Analyse the bundled sample reviews and show what critica makes of them."""
    from critica.core import analyze as run
    from critica.core import analyze_many
    from critica.render import print_analysis, summary_table

    rows = [json.loads(line) for line in (DEMO / "reviews.jsonl").read_text("utf-8").splitlines() if line.strip()]
    inputs = [{"text": r["text"], "title": r["title"], "rating": r.get("rating")} for r in rows]
    console = Console()
    try:
        results = list(analyze_many(inputs))
        console.print(summary_table([(r["title"], r["critic"], a) for r, a in zip(rows, results, strict=True)]))
        console.print("\n[bold]One review in full:[/]")
        print_analysis(results[0], console)
        html = (DEMO / "sample-review.html").read_bytes()
        console.print("\n[bold]A web page (scripts and navigation stripped):[/]")
        print_analysis(run(html, content_type="html"), console)
    except CriticaError as exc:
        raise fail(exc) from None


def main() -> None:
    """Entry point for ``python -m critica``."""
    app()
