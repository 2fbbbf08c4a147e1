"""The ``critica`` command line: a thin shell over the library."""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from typer.core import TyperGroup

from critica.catalog import DEFAULT_TYPES
from critica.cli.render import out_console
from critica.errors import CriticaError, InputError

if TYPE_CHECKING:
    from critica.inputs.readers import Rejected

Advance = Callable[[int], None]

err = Console(stderr=True)

DEMO = Path(__file__).parents[1] / "demo"


class Commands(TyperGroup):
    """critica's commands, with every user-facing error reported in one place: a
    ``CriticaError`` from any command prints one red line and exits with its code."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except CriticaError as exc:
            err.print(f"[bold red]error:[/] {exc}")
            raise typer.Exit(exc.exit_code) from None


app = typer.Typer(
    cls=Commands,
    help="critica: analyse critic reviews — fresh/rotten, 0-100 score, pull quote, with evidence.",
    no_args_is_help=True,
    add_completion=False,
)


def _show_version(value: bool) -> None:
    if value:
        from critica import __version__

        typer.echo(f"critica {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """critica: analyse critic reviews — fresh/rotten, 0-100 score, pull quote, with evidence."""
    from critica import config

    config.settings()  # a bad CRITICA_* value stops every command before it starts


@app.command()
def analyze(
    source: Annotated[
        str, typer.Argument(help="A file (text or HTML), an http(s) URL, or - for stdin.")
    ],
    title: Annotated[
        str | None, typer.Option(help="What is reviewed, if the text doesn't say.")
    ] = None,
    rating: Annotated[
        str | None, typer.Option(help='The critic\'s rating, e.g. "3/4", "B+", "★★★½".')
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the analysis as JSON.")] = False,
    disable: Annotated[
        list[str] | None,
        typer.Option(help="Skip an optional step (entities, credits, title, quote)."),
    ] = None,
) -> None:
    """Analyse one review and show the verdict, pull quote, credits and sentence evidence."""
    from critica.cli.render import print_analysis
    from critica.core import analyze as run
    from critica.inputs.sources import read_source

    raw, meta = read_source(source, stdin=sys.stdin.buffer)
    # The first analysis in a process loads the models (a few seconds): say so on a terminal
    # (Rich shows nothing when stderr is not one, so pipes and --json stay clean).
    with err.status(
        "loading the models and analysing… (many reviews: `critica batch` or `critica serve`)"
    ):
        result = run(raw, title=title, rating=rating, disable=disable or (), **meta)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        print_analysis(result)


@app.command()
def demo(
    serve_ui: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Then serve the web UI on the demo data.")
    ] = True,
    port: Annotated[int, typer.Option(help="Port for the web UI.")] = 8000,
) -> None:
    """Analyse the bundled sample reviews, show the results, then serve them in the web UI."""
    from critica.cli.render import print_analysis, summary_table
    from critica.core import analyze as run
    from critica.core import analyze_many

    if serve_ui:  # before any work: a taken port is found now, not after the analyses
        check_port("127.0.0.1", port, _DEMO_PORT_HINT)
    rows = [
        json.loads(line)
        for line in (DEMO / "reviews.jsonl").read_text("utf-8").splitlines()
        if line.strip()
    ]
    inputs = [{"text": r["text"], "title": r["title"], "rating": r.get("rating")} for r in rows]
    console = out_console()
    results = list(analyze_many(inputs))
    console.print(
        summary_table([(r["title"], r["critic"], a) for r, a in zip(rows, results, strict=True)])
    )
    console.print("\n[bold]One review in full:[/]")
    print_analysis(results[0], console)
    html = (DEMO / "sample-review.html").read_bytes()
    console.print("\n[bold]A web page (scripts and navigation stripped):[/]")
    print_analysis(run(html, content_type="html"), console)
    if serve_ui:
        serve_demo(console, port)


_DEMO_PORT_HINT = "another program uses that port; pass --port (make demo PORT=8001)"


def check_port(host: str, port: int, hint: str) -> None:
    """Fail early, with what to do, when the port is taken (uvicorn would print a raw
    ``[Errno 98]`` after all the start-up work)."""
    import socket

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise InputError(f"cannot listen on {host}:{port} ({exc.strerror}): {hint}") from None


def serve_demo(console: Console, port: int) -> None:
    """Ingest the demo reviews into a demo store and serve the web UI over it."""
    import platformdirs

    from critica.api import create_app
    from critica.service.ingest import ingest as run_ingest
    from critica.store import open_store

    check_port("127.0.0.1", port, _DEMO_PORT_HINT)
    folder = Path(platformdirs.user_data_dir("critica"))
    folder.mkdir(parents=True, exist_ok=True)
    store = open_store(f"sqlite:///{folder / 'demo.db'}")
    summary = run_ingest(store, [DEMO / "reviews.jsonl"])
    console.print(
        f"\ndemo store {store.url}: {summary.added} reviews added, "
        f"{summary.duplicates} already there"
    )
    label = f"critica demo, process {os.getpid()} (revoked when it stops)"
    token = store.create_token(label)
    token_id = max(t["id"] for t in store.list_tokens() if t["name"] == label)
    console.print(
        f"[bold green]web UI: http://127.0.0.1:{port}/[/]  (API docs: /docs; Ctrl-C to stop)\n"
        f"write token for this demo, to store a review from /analyze: {token}"
    )
    try:
        from critica.service import http

        http.run(create_app(store), "127.0.0.1", port)
    finally:
        store.revoke_token(token_id)


DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Store URL (sqlite:///file.db or postgresql://...); "
        "default: CRITICA_DATABASE_URL or the user data dir.",
    ),
]


@app.command()
def ingest(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Files or folders: .txt .html .jsonl .csv .parquet, Rotten Tomatoes CSVs."
        ),
    ],
    db: DbOption = None,
    title: Annotated[
        str | None, typer.Option(help="Title for reviews that don't name one.")
    ] = None,
    kind: Annotated[str | None, typer.Option(help="film or series, for --title.")] = None,
    season: Annotated[int | None, typer.Option(help="Season number, for --title.")] = None,
    critic: Annotated[
        str | None, typer.Option(help="Critic for reviews that don't name one.")
    ] = None,
    publication: Annotated[
        str | None, typer.Option(help="Publication for reviews that don't name one.")
    ] = None,
    map_columns: Annotated[
        str | None, typer.Option("--map", help="Column mapping, e.g. text=quote,title=film.")
    ] = None,
    batch_size: Annotated[int, typer.Option(help="Reviews analysed per batch.")] = 64,
    reviewer: Annotated[
        str | None,
        typer.Option(
            help="critic or audience, for rows without a reviewer column (default: critic)."
        ),
    ] = None,
    rating_scale: Annotated[
        float | None,
        typer.Option(min=1, help="Read bare-number ratings ('9') as out of this (IMDb users: 10)."),
    ] = None,
) -> None:
    """Analyse and store reviews in bulk; the same review twice is stored once."""
    from critica.inputs.readers import ReadOptions, estimate_rows, parse_mapping
    from critica.service.ingest import ingest as run
    from critica.store import open_store

    defaults = {
        k: v
        for k, v in {
            "title": title,
            "kind": kind,
            "season": season,
            "critic": critic,
            "publication": publication,
            "reviewer": reviewer,
        }.items()
        if v is not None
    }
    console = out_console()
    options = ReadOptions(
        mapping=parse_mapping(map_columns), defaults=defaults, rating_scale=rating_scale
    )
    store = open_store(db)
    with progress_bar(console, "ingesting", estimate_rows(paths) or None) as advance:
        summary = run(store, paths, options, batch_size=batch_size, progress=advance)
    console.print(
        f"[bold]{summary.added}[/] added, {summary.duplicates} duplicates skipped, "
        f"{len(summary.rejected)} rejected, "
        + (f"{summary.updated} updated, " if summary.updated else "")
        + f"in {summary.seconds:.1f} s "
        f"({summary.seen / max(summary.seconds, 1e-9):.0f} reviews/s)"
    )
    print_rejects(console, summary.rejected, summary.notes)
    if summary.rejected and not (summary.added or summary.updated or summary.duplicates):
        nothing_usable(len(summary.rejected), "stored")


@contextmanager
def progress_bar(
    console: Console, label: str, total: int | None = None, unit: str = "reviews"
) -> Iterator[Advance]:
    """A transient progress bar with ``unit``/s and ETA; yields ``advance(n)``."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(label, total=total, rate="")

        def advance(n: int) -> None:
            bar.advance(task, n)
            elapsed = bar.tasks[task].elapsed or 1e-9
            bar.update(task, rate=f"{bar.tasks[task].completed / elapsed:.0f} {unit}/s")

        yield advance


def print_rejects(console: Console, rejected: list[Rejected], notes: list[str]) -> None:
    """The first rejected rows with their reasons, and the first notes."""
    from rich.markup import escape

    from critica.cli.render import clean

    for r in rejected[:20]:
        console.print(f"  [yellow]rejected[/] {escape(clean(r.source))}: {escape(clean(r.reason))}")
    if len(rejected) > 20:
        console.print(f"  … and {len(rejected) - 20} more")
    for note in notes[:5]:
        console.print(f"  [dim]note[/] {escape(clean(note))}")


EngineOption = Annotated[
    str, typer.Option(help="local (this machine's cores) or dask (a Dask cluster).")
]
SchedulerOption = Annotated[
    str | None,
    typer.Option(help="Dask scheduler address (tcp://host:8786); default: a local cluster."),
]
WorkersOption = Annotated[
    int, typer.Option(help="Worker processes (0: one per core; for dask, the local cluster).")
]


@app.command()
def batch(
    inputs: Annotated[
        list[str],
        typer.Argument(help="JSONL, CSV or Parquet files, folders, or quoted glob patterns."),
    ],
    out: Annotated[Path, typer.Option(help="Folder for the Parquet analyses (one per partition).")],
    workers: WorkersOption = 0,
    engine: EngineOption = "local",
    scheduler: SchedulerOption = None,
    resume: Annotated[
        bool, typer.Option(help="Finish an interrupted run into the same --out.")
    ] = False,
    map_columns: Annotated[
        str | None,
        typer.Option("--map", help="Column mapping, e.g. text=body,id=review_id,title=film."),
    ] = None,
    title: Annotated[str | None, typer.Option(help="Title for rows that name none.")] = None,
    partition_size: Annotated[
        int, typer.Option(help="Reviews per partition file (0: about 32 parts, 20 to 2000 each).")
    ] = 0,
    disable: Annotated[
        list[str] | None,
        typer.Option(help="Skip an optional step (entities, credits, title, aspects, quote)."),
    ] = None,
    reviewer: Annotated[
        str | None,
        typer.Option(
            help="critic or audience, for rows without a reviewer column (default: critic)."
        ),
    ] = None,
) -> None:
    """Analyse many reviews into Parquet on every core (or a Dask cluster), resumably."""
    from critica.batch import BatchOptions, expand, run_batch
    from critica.inputs.readers import ReadOptions, estimate_rows, parse_mapping

    console = Console(stderr=True)
    try:
        paths = expand(inputs)
        options = BatchOptions(
            partition_size=partition_size,
            workers=workers,
            engine=engine,
            scheduler=scheduler,
            resume=resume,
            disable=tuple(disable or ()),
            read=ReadOptions(
                mapping=parse_mapping(map_columns),
                defaults={k: v for k, v in {"title": title, "reviewer": reviewer}.items() if v},
                require_title=False,
            ),
        )
        rows = estimate_rows(paths)
        with progress_bar(console, "analysing", rows) as advance:
            summary = run_batch(paths, out, options, progress=advance, rows=rows)
    except KeyboardInterrupt:
        done = len(list(out.glob("part-*.parquet")))
        console.print(
            f"[yellow]interrupted[/]: {done} finished part(s) kept in {out}; "
            "run the same command with --resume to finish"
        )
        raise typer.Exit(130) from None
    kept = f", {summary.kept} kept from the earlier run" if summary.kept else ""
    console.print(
        f"[bold]{summary.written}[/] analysed into {summary.out}{kept}, "
        f"{len(summary.rejected)} rejected, in {summary.seconds:.1f} s "
        f"({summary.rate:.0f} reviews/s on {summary.slots} {summary.engine} worker(s))"
    )
    if summary.rejected:
        console.print(f"  every rejected row is listed in {summary.out / 'rejected.jsonl'}")
    print_rejects(console, summary.rejected, summary.notes)
    if summary.rejected and not summary.written and not summary.kept:
        nothing_usable(len(summary.rejected), "analysed")


def nothing_usable(rejected: int, done: str) -> None:
    """Every row was rejected: say so and exit 2, so a script does not carry on as if the
    run had worked (the reasons were just printed)."""
    err.print(
        f"[red]error:[/] nothing {done}: all {rejected} row(s) were rejected; fix the input "
        "(the reasons are above) or map its columns with --map"
    )
    raise typer.Exit(2)


@app.command()
def aggregate(
    folder: Annotated[Path, typer.Argument(help="The --out folder of `critica batch`.")],
    out: Annotated[
        Path | None, typer.Option(help="Write the per-title figures to this Parquet file.")
    ] = None,
    engine: EngineOption = "local",
    scheduler: SchedulerOption = None,
    workers: WorkersOption = 0,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the figures as JSON lines.")
    ] = False,
    calibrated: Annotated[
        bool,
        typer.Option(
            "--calibrated",
            help="Put every score on the common scale with the critic and publication "
            "calibration fitted on the store named by --db (its rated reviews are the history).",
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """Per-title figures (% positive, scores, histogram, aspects, badges) from batch analyses."""
    from critica.batch import aggregate as run
    from critica.batch.aggregate import CALIBRATION_KEY
    from critica.cli.render import titles_table
    from critica.figures import calibration as calibration_fit
    from critica.store import open_store

    if db is not None and not calibrated:
        raise CriticaError("--db is only read with --calibrated; add --calibrated or drop --db")
    fitted = calibration_fit.for_store(open_store(db)) if calibrated else None
    table = run(
        folder,
        out,
        engine=engine,
        scheduler=scheduler,
        workers=workers,
        calibration=fitted,
    )
    rows = table.to_pylist()
    if fitted is not None and not as_json:
        summary = json.loads((table.schema.metadata or {})[CALIBRATION_KEY])
        Console(stderr=True).print(
            f"calibrated: {summary['adjusted_reviews']} review scores adjusted "
            f"(history: {summary['rated_reviews']} rated reviews)"
        )
    if as_json:
        for row in rows:
            typer.echo(json.dumps(row, ensure_ascii=False))
        return
    console = out_console()
    console.print(titles_table(rows[:50]))
    more = f" (first 50 shown; all in {out})" if out and len(rows) > 50 else ""
    console.print(f"{len(rows)} titles{more}" + (f", written to {out}" if out else ""))


@app.command()
def title(
    name: Annotated[str, typer.Argument(help="Title name, numeric id or catalog id (tt…).")],
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
    calibrated: Annotated[
        bool | None,
        typer.Option(
            "--calibrated/--uncalibrated",
            help="Adjust scores by critics' calibration and leniency fitted on the store "
            "(default: the calibrated_scores setting).",
        ),
    ] = None,
) -> None:
    """Show a title's figures: % positive, scores, aspects, consensus."""
    from critica.cli.render import title_view
    from critica.service import pages
    from critica.store import open_store

    store = open_store(db)
    if re.fullmatch(r"tt\d{7,}", name.strip()):
        found = store.get_title_by_external_id(name.strip())
    elif name.isdigit():
        found = store.get_title(int(name))
    else:
        found = next(iter(store.find_titles(name)), None)
    if found is None:
        raise CriticaError(f"no title matches {name!r}; ingest reviews first or check the name")
    page = pages.title_page(store, found.id, calibrated=calibrated)
    if as_json:
        typer.echo(json.dumps(page, ensure_ascii=False, indent=2, default=str))
    else:
        out_console().print(title_view(page))


@app.command()
def calibration(
    db: DbOption = None,
    critic: Annotated[str | None, typer.Option(help="Show this critic only.")] = None,
    publication: Annotated[str | None, typer.Option(help="Show this publication only.")] = None,
    limit: Annotated[int, typer.Option(help="Critics and publications shown, each.")] = 30,
    as_json: Annotated[bool, typer.Option("--json", help="Print the fit as JSON.")] = False,
) -> None:
    """Show each critic's and publication's score map and leniency fitted on the store."""
    from critica.cli.render import calibration_tables
    from critica.service import pages
    from critica.store import open_store

    page = pages.calibration_page(open_store(db), critic, publication, limit)
    if as_json:
        typer.echo(json.dumps(page, ensure_ascii=False, indent=2))
    else:
        out_console().print(calibration_tables(page))


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    db: DbOption = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Server processes (uvicorn workers), each with its own analysis workers.",
        ),
    ] = 1,
    collect_every: Annotated[
        str | None,
        typer.Option(
            help="Also collect from the sources (`critica sources`) this often, e.g. 30m, "
            "in the background of this server."
        ),
    ] = None,
) -> None:
    """Serve the REST API (OpenAPI docs at /docs)."""
    from critica.api import create_app
    from critica.core import get_pipeline
    from critica.models import shipped_version

    check_port(host, port, "another program uses that port; pass another with --port")
    application = create_app(database_url=db)
    # Load (and checksum) the models now: a missing or corrupt model file stops the
    # server at start-up with a clear message, and the first requests don't wait. With
    # analyses in worker processes only the workers load them (the server never analyses).
    pool = application.state.analysis
    if pool.processes:
        shipped_version()  # every model file's checksum, here, before any worker starts
        pool.warm_up()
    else:
        get_pipeline()
    Console().print(
        f"critica serving on http://{host}:{port}  (API docs: http://{host}:{port}/docs)"
        + (f", {workers} processes" if workers > 1 else "")
    )
    from critica.service import http

    if collect_every:
        from critica.collect import background

        url = application.state.store.engine.url.render_as_string(hide_password=False)
        background(url, _duration(collect_every))
        Console().print(f"collecting from the sources every {collect_every}")
    if workers == 1:
        http.run(application, host, port)
        return
    # Each worker process builds its own app over the same store (the checks above ran here),
    # and its own analysis workers.
    from critica.service.analysis_pool import shutdown_workers

    shutdown_workers()
    store = application.state.store
    os.environ["CRITICA_DATABASE_URL"] = store.engine.url.render_as_string(hide_password=False)
    store.close()
    http.run("critica.api:create_app", host, port, factory=True, workers=workers)


catalog_app = typer.Typer(
    help="A catalog of titles (the IMDb dataset files): years, people, genres.",
    no_args_is_help=True,
)
app.add_typer(catalog_app, name="catalog")


@catalog_app.command("import")
def catalog_import(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="IMDb dataset files (title.basics, title.ratings, title.episode, "
            "title.principals, name.basics; .tsv.gz or .tsv), any subset, any order."
        ),
    ],
    types: Annotated[
        str,
        typer.Option(help="IMDb title types to import, comma-separated."),
    ] = ",".join(DEFAULT_TYPES),
    min_votes: Annotated[
        int, typer.Option(min=0, help="Only titles with at least this many IMDb votes.")
    ] = 0,
    include_adult: Annotated[bool, typer.Option(help="Import adult titles too.")] = False,
    db: DbOption = None,
) -> None:
    """Import (or update) titles, their people and ratings from the IMDb dataset files."""
    from critica.catalog.imdb import import_files
    from critica.store import open_store

    store = open_store(db)
    console = out_console()
    wanted = [t.strip() for t in types.split(",") if t.strip()]
    with progress_bar(console, "importing", None, unit="rows") as advance:
        done = import_files(store, paths, wanted, min_votes, include_adult, progress=advance)
    read = ", ".join(f"{n:,} {kind}" for kind, n in done.rows.items())
    console.print(
        f"read {read} rows in {done.seconds:.1f} s; titles: [bold]{done.titles_added:,}[/] "
        f"added, {done.titles_updated:,} updated ({done.titles_matched:,} matched to titles "
        f"already stored), {done.skipped:,} skipped; {done.seasons_added:,} seasons added, "
        f"{done.episodes_linked:,} episodes linked; {done.credits:,} credits, "
        f"{done.people:,} people"
    )


token_app = typer.Typer(help="API tokens for writes (stored hashed).", no_args_is_help=True)
app.add_typer(token_app, name="token")


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Argument(help="Who or what the token is for.")], db: DbOption = None
) -> None:
    """Create a token; it is shown once."""
    from critica.store import open_store

    typer.echo(open_store(db).create_token(name))


@token_app.command("list")
def token_list(db: DbOption = None) -> None:
    """List tokens (never their secret)."""
    from critica.store import open_store

    for t in open_store(db).list_tokens():
        typer.echo("\t".join(str(t.get(k, "")) for k in ("id", "name", "created_at", "revoked_at")))


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[int, typer.Argument(help="Token id from `critica token list`.")],
    db: DbOption = None,
) -> None:
    """Revoke a token."""
    from critica.store import open_store

    if not open_store(db).revoke_token(token_id):
        raise CriticaError(f"no active token with id {token_id}; see `critica token list`")
    typer.echo(f"token {token_id} revoked")


@app.command()
def reanalyze(db: DbOption = None, batch_size: Annotated[int, typer.Option()] = 256) -> None:
    """Bring stored analyses up to the current models without re-ingesting."""
    from critica.service.reanalyze import reanalyze as run
    from critica.store import open_store

    count = run(open_store(db), batch_size=batch_size)
    typer.echo(f"{count} reviews re-analysed")


@app.command(name="eval")
def evaluate(
    file: Annotated[
        Path | None,
        typer.Argument(help="One dataset file to measure on (with --task)."),
    ] = None,
    data: Annotated[
        Path | None,
        typer.Option(help="A datasets folder: run every benchmark it has data for."),
    ] = None,
    task: Annotated[
        str | None,
        typer.Option(help="What FILE holds: polarity, fine, rating, subjectivity or rt-quotes."),
    ] = None,
    limit: Annotated[
        int,
        typer.Option(
            help="A quick look: this many test (and 20x as many training) examples "
            "per benchmark (0: all)."
        ),
    ] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
    markdown: Annotated[
        Path | None, typer.Option(help="Also write the table as Markdown to this file.")
    ] = None,
) -> None:
    """Measure critica against VADER, TextBlob and TF-IDF + LR on the same labelled examples."""
    from rich.table import Table

    from critica.evaluation import benchmarks as ev

    console = Console(stderr=True)
    if (data is None) == (file is None):
        raise CriticaError(
            "give either --data DIR (every benchmark found there) or --task TASK FILE (one file)"
        )
    skipped: list[str] = []
    if file is not None:
        if task is None:
            raise CriticaError(f"say what {file} holds with --task ({', '.join(ev.TASKS)})")
        benchmarks = [ev.file_benchmark(task, file)]
    else:
        assert data is not None
        benchmarks, skipped = ev.folder_benchmarks(data)
    benchmarks = [b.limited(limit) for b in benchmarks]
    rows = ev.run_all(
        benchmarks,
        progress=lambda b: console.print(f"[dim]{b.task}: {b.dataset} ({len(b.texts):,})[/]"),
    )
    if markdown is not None:
        try:
            markdown.write_text(ev.markdown(rows), encoding="utf-8")
        except OSError as exc:
            message = f"cannot write {markdown} ({exc.strerror}); choose a writable path"
            raise CriticaError(message) from None

    if as_json:
        typer.echo(json.dumps([r.to_dict() for r in rows], indent=2))
        return
    table = Table(title="critica eval: accuracy (rating: MAE / Pearson)")
    speed = Table(title="reviews per second")
    for col in ("task", "dataset", "n", *ev.SYSTEMS):
        table.add_column(col, justify="right" if col in ev.SYSTEMS or col == "n" else "left")
    for col in ("dataset", *ev.SYSTEMS):
        speed.add_column(col, justify="left" if col == "dataset" else "right")
    for row in rows:
        b = row.benchmark
        cells = [ev.cell(b.task, row.results.get(s)) for s in ev.SYSTEMS]
        table.add_row(b.task, b.dataset, f"{len(b.texts):,}", *cells)
        speed.add_row(b.dataset, *(ev.rate_cell(row.results.get(s)) or "—" for s in ev.SYSTEMS))
    out = out_console()
    out.print(table)
    out.print(speed)
    notes = {r.benchmark.dataset: r.benchmark.note for r in rows if r.benchmark.note}
    for name, note in notes.items():
        out.print(f"[dim]{name}: {note}[/]")
    missing = {r.missing for row in rows for r in row.results.values() if r.missing}
    for m in sorted(missing):
        out.print(f"[yellow]—[/] {m}")
    for s in skipped:
        out.print(f"[dim]skipped: {s}[/]")


sources_app = typer.Typer(
    help="Outlets' feeds, sitemaps and review-list pages that `critica collect` follows.",
    no_args_is_help=True,
)
app.add_typer(sources_app, name="sources")


@sources_app.command("add")
def sources_add(
    url: Annotated[str, typer.Argument(help="An RSS or Atom feed, a sitemap or a page of links.")],
    name: Annotated[str | None, typer.Option(help="What to call the source.")] = None,
    critic: Annotated[
        str | None, typer.Option(help="Critic for reviews whose page names no author.")
    ] = None,
    publication: Annotated[
        str | None, typer.Option(help="Publication for pages that name no publisher.")
    ] = None,
    top_critic: Annotated[bool, typer.Option(help="Its critics are top critics.")] = False,
    reviewer: Annotated[str, typer.Option(help="critic or audience.")] = "critic",
    db: DbOption = None,
) -> None:
    """Follow a source; `critica collect` reads it."""
    from critica.store import open_store
    from critica.store.records import SourceIn

    if not re.match(r"https?://[^/\s]+", url):
        raise InputError(f"{url!r} is not an http(s) address; give the feed's full URL")
    if reviewer not in ("critic", "audience"):
        raise InputError(f"--reviewer {reviewer!r}: use critic or audience")
    added = open_store(db).add_source(
        SourceIn(url, name, critic, publication, top_critic, reviewer)  # type: ignore[arg-type]
    )
    out_console().print(f"source {added.id} added: {added.url}; run `critica collect` to read it")


@sources_app.command("list")
def sources_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    db: DbOption = None,
) -> None:
    """The sources followed, with what their last pass found."""
    from dataclasses import asdict

    from rich.table import Table

    from critica.store import open_store

    found = open_store(db).list_sources()
    if as_json:
        typer.echo(json.dumps([asdict(s) for s in found], default=str, indent=2))
        return
    table = Table("id", "url", "last pass", "status", "items seen", "reviews added", "failures")
    for src in found:
        when = src.last_fetch_at.strftime("%Y-%m-%d %H:%M") if src.last_fetch_at else "never"
        status = (src.last_status or "—") + (f": {src.last_error}" if src.last_error else "")
        table.add_row(str(src.id), src.url, when, status, str(src.items_seen),
                      str(src.reviews_added), str(src.failures))  # fmt: skip
    out_console().print(table)


@sources_app.command("remove")
def sources_remove(
    source: Annotated[str, typer.Argument(help="The source's id or URL.")],
    db: DbOption = None,
) -> None:
    """Stop following a source; the reviews it brought stay."""
    from critica.store import open_store

    key: int | str = int(source) if source.isdigit() else source
    if not open_store(db).remove_source(key):
        raise InputError(f"no source {source!r}; see `critica sources list`")
    out_console().print(f"source {source} removed")


titles_app = typer.Typer(
    help="Titles put right by a person: guessed matches, and duplicates.", no_args_is_help=True
)
app.add_typer(titles_app, name="titles")


@titles_app.command("unmatched")
def titles_unmatched(
    limit: Annotated[int, typer.Option(min=1, help="How many to show.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    db: DbOption = None,
) -> None:
    """Reviews whose title was a guess, oldest first, with the titles they could be."""
    from critica.store import open_store

    items, total = open_store(db).unmatched(limit)
    if as_json:
        typer.echo(json.dumps({"total": total, "items": items}, indent=2, default=str))
        return
    console = out_console()
    for item in items:
        console.print(f"review {item['review_id']} (now under title {item['title_id']}): "
                      f"{item['reason']}")  # fmt: skip
        if item["quote"]:
            console.print(f"  “{item['quote'][:100]}”")
        for c in item["candidates"]:
            mark = "→" if c["id"] == item["title_id"] else " "
            console.print(f"  {mark} title {c['id']}: {c['name']} ({c['year'] or '?'}) "
                          f"{c['external_id'] or ''}")  # fmt: skip
    console.print(
        f"{total} waiting; answer with `critica titles confirm REVIEW TITLE`"
        if total
        else "nothing waiting"
    )


@titles_app.command("confirm")
def titles_confirm(
    review: Annotated[int, typer.Argument(help="The review's id.")],
    title: Annotated[int, typer.Argument(help="The title it is about.")],
    db: DbOption = None,
) -> None:
    """Settle a guessed match: keep the review where it is, or move it to another title."""
    from critica.store import open_store

    done = open_store(db).confirm_match(review, title)
    said = {"confirmed": "stays under", "moved": "moved to",
            "duplicate": "was already stored under"}[done]  # fmt: skip
    out_console().print(f"review {review} {said} title {title}")


@titles_app.command("merge")
def titles_merge(
    keep: Annotated[int, typer.Argument(help="The title to keep.")],
    gone: Annotated[int, typer.Argument(help="The duplicate, joined into it and removed.")],
    db: DbOption = None,
) -> None:
    """Join two titles that are one; no review is lost."""
    from critica.store import open_store

    done = open_store(db).merge_titles(keep, gone)
    out_console().print(
        f"title {gone} merged into {keep}: {done['moved']} reviews moved, "
        f"{done['duplicate']} already there, {done['seasons']} seasons moved"
    )


def _duration(text: str) -> float:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", text)
    if not m:
        raise InputError(f"--every {text!r}: give a duration such as 30m, 2h or 90s")
    return float(m.group(1)) * {"": 60, "s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]


@app.command("collect")
def collect_command(
    watch: Annotated[bool, typer.Option(help="Keep collecting, a pass every --every.")] = False,
    every: Annotated[str, typer.Option(help="Time between passes with --watch.")] = "30m",
    db: DbOption = None,
) -> None:
    """One pass over every source (exit 0: all answered; 1: a source failed; 2: none)."""
    import time

    from critica.collect import collect
    from critica.store import open_store

    pause = _duration(every)
    store = open_store(db)
    if not store.list_sources():
        raise InputError("no sources to collect from; add one with `critica sources add URL`")
    console = out_console()
    while True:
        summary = collect(store)
        for r in summary.results:
            line = f"{r.source.url}: {r.status}"
            if r.status == "ok":
                line += (f" ({r.kind}, {r.items} listed: {r.added} added, {r.updated} updated, "
                         f"{r.known} known, {len(r.errors)} failed)")  # fmt: skip
            if r.error:
                line += f" — {r.error}"
            console.print(line)
            for e in r.errors:
                console.print(f"  [yellow]![/] {e}")
        console.print(f"{summary.requests} requests in {summary.seconds:.1f} s")
        if not watch:
            raise typer.Exit(summary.exit_code)
        time.sleep(pause)


def main() -> None:
    """Entry point for ``python -m critica``."""
    app()
