"""`critica batch` on the local engine: real worker processes, real models, real Parquet."""

from __future__ import annotations

import json
import shutil

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from critica.analysis import Analysis
from critica.batch import BatchOptions, expand, run_batch
from critica.batch.partition import SCHEMA
from critica.batch.run import MANIFEST, REJECTED_FILE, auto_partition_size
from critica.cli.commands import app
from critica.errors import CriticaError, InputError
from critica.inputs.readers import estimate_rows
from critica.store import open_store

from .conftest import read_out

runner = CliRunner()


def test_output_has_one_row_per_good_review_and_the_promised_columns(local_run, reviews):
    out, summary = local_run
    table = read_out(out)
    assert table.num_rows == summary.written == reviews["good"]
    for name in ("id", "score", "fresh", "confidence", "band", "quote", "language"):
        assert name in table.column_names
    assert table.schema.equals(SCHEMA)
    assert table.column("model_version").unique().to_pylist() == [
        "sentence-v2+aspects-v5+polarity-v1+verdict-v3"
    ]
    assert len(list(out.glob("part-*.parquet"))) == summary.partitions == 5


def test_ids_come_from_the_id_column_or_the_rows_position(local_run):
    out, _ = local_run
    ids = read_out(out).column("id").to_pylist()
    assert "salt-orchard-vance-0" in ids
    assert any(i.endswith("positional.csv:2") for i in ids)


def test_each_row_carries_its_whole_analysis(local_run):
    out, _ = local_run
    row = read_out(out).slice(0, 1).to_pylist()[0]
    analysis = Analysis.from_dict(json.loads(row["analysis"]))
    assert analysis.score == pytest.approx(row["score"])
    assert analysis.fresh == row["fresh"]
    assert (analysis.quote.text if analysis.quote else None) == row["quote"]
    assert [a["name"] for a in row["aspects"]] == [a.name for a in analysis.aspects]


def test_bad_rows_are_rejected_with_reasons_and_never_stop_the_good_ones(local_run, reviews):
    out, summary = local_run
    reasons = {r.source.rsplit("/", 1)[-1]: r.reason for r in summary.rejected}
    assert len(summary.rejected) == reviews["bad"]
    assert "not valid JSON" in reasons["reviews.jsonl:55"]
    assert "the review text is empty" in reasons["reviews.jsonl:56"]
    assert "NUL bytes" in reasons["reviews.jsonl:57"]
    written = [json.loads(line) for line in (out / REJECTED_FILE).read_text().splitlines()]
    assert len(written) == reviews["bad"]
    assert any("not understood" in note for note in summary.notes)  # a bad rating is a note


def test_the_models_load_once_per_worker_process(local_run):
    _, summary = local_run
    assert 1 <= len(summary.workers) <= 2
    assert all(w["pipeline_loads"] == 1 for w in summary.workers)


def test_two_workers_give_exactly_what_one_process_gives(local_run, serial_run):
    assert read_out(local_run[0]).equals(read_out(serial_run[0]))


def test_resume_redoes_only_the_missing_partitions(local_run, tmp_path, inputs):
    out = tmp_path / "copy"
    shutil.copytree(local_run[0], out)
    (out / "part-00002.parquet").unlink()
    (out / "part-00003.parquet.999.tmp").write_bytes(b"half a part")  # a crash mid-write
    summary = run_batch(inputs, out, BatchOptions(partition_size=12, workers=1, resume=True))
    assert summary.skipped_partitions == 4 and summary.written == 12
    assert not list(out.glob("*.tmp"))
    assert read_out(out).equals(read_out(local_run[0]))
    assert json.loads((out / MANIFEST).read_text())["complete"] is True


def test_a_finished_run_is_never_overwritten(local_run, inputs):
    before = read_out(local_run[0])
    with pytest.raises(InputError, match=r"already holds a finished batch run \(57 analyses"):
        run_batch(inputs, local_run[0], BatchOptions(partition_size=12, workers=1))
    assert read_out(local_run[0]).equals(before)


def test_an_unfinished_run_says_how_to_finish_it(local_run, tmp_path, inputs):
    out = tmp_path / "copy"
    shutil.copytree(local_run[0], out)
    manifest = json.loads((out / MANIFEST).read_text())
    (out / MANIFEST).write_text(json.dumps({**manifest, "complete": False}))
    with pytest.raises(InputError, match="unfinished batch run; add --resume"):
        run_batch(inputs, out, BatchOptions(partition_size=12, workers=1))


def test_resume_refuses_other_inputs_or_options(local_run, tmp_path, inputs):
    out = tmp_path / "copy"
    shutil.copytree(local_run[0], out)
    with pytest.raises(InputError, match="partition_size changed"):
        run_batch(inputs, out, BatchOptions(partition_size=7, resume=True))
    with pytest.raises(InputError, match="inputs changed"):
        run_batch(inputs[:1], out, BatchOptions(partition_size=12, resume=True))


def test_a_folder_holding_other_files_is_refused(tmp_path, inputs):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    with pytest.raises(InputError, match="not empty"):
        run_batch(inputs, out, BatchOptions(workers=1))
    assert (out / "notes.txt").read_text() == "keep me"
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="is a file"):
        run_batch(inputs, tmp_path / "file", BatchOptions(workers=1))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (BatchOptions(partition_size=-1), "at least 1"),
        (BatchOptions(engine="spark"), "unknown engine"),
        (BatchOptions(scheduler="tcp://127.0.0.1:1"), "--engine dask"),
        (BatchOptions(workers=-1), "--workers"),
    ],
)
def test_bad_options_are_clear_errors(tmp_path, inputs, options, message):
    with pytest.raises(CriticaError, match=message):
        run_batch(inputs, tmp_path / "out", options)


def test_globs_expand_and_an_empty_match_is_an_error(inputs):
    folder = inputs[0].parent
    assert expand([str(folder / "*.jsonl")]) == [inputs[0]]
    with pytest.raises(InputError, match="no file matches"):
        expand([str(folder / "*.nothing")])


def test_the_automatic_partition_size_gives_every_core_work():
    assert auto_partition_size(600) == 20 and auto_partition_size(8000) == 250
    assert auto_partition_size(10) == 20 and auto_partition_size(10**7) == 2000


def test_row_estimate_counts_lines_and_parquet_rows(inputs, local_run):
    assert estimate_rows(inputs) == 57 + 3
    assert estimate_rows(list(local_run[0].glob("part-*.parquet"))) == 60 - 3


def test_precomputed_analyses_ingest_without_reanalysis(local_run, tmp_path):
    # Doctor one stored analysis: if ingest re-analysed, the odd score would vanish.
    folder = tmp_path / "analyses"
    shutil.copytree(local_run[0], folder)
    part = folder / "part-00000.parquet"
    rows = pq.read_table(part).to_pylist()
    doctored = json.loads(rows[0]["analysis"])
    doctored["score"] = 12.5
    rows[0]["analysis"] = json.dumps(doctored)
    pq.write_table(pa.Table.from_pylist(rows, schema=SCHEMA), part)
    store = open_store(f"sqlite:///{tmp_path / 'c.db'}")
    result = runner.invoke(app, ["ingest", str(folder), "--db", store.url])
    assert result.exit_code == 0, result.output
    # The demo reviews appear three times (same text): stored once; untitled rows rejected.
    assert "18 added, 36 duplicates skipped, 3 rejected" in result.output
    title = store.find_titles(rows[0]["title"])[0]
    assert 12.5 in [f.score for f in store.review_facts(title.id)]
    again = runner.invoke(app, ["ingest", str(folder), "--db", store.url])
    assert "0 added, 54 duplicates" in again.output
    assert store.count_reviews() == 18
    store.close()


def test_cli_batch_then_aggregate(tmp_path, inputs):
    out = tmp_path / "cli"
    result = runner.invoke(app, ["batch", *map(str, inputs), "--out", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "57 analysed" in result.output and "3 rejected" in result.output
    again = runner.invoke(app, ["batch", *map(str, inputs), "--out", str(out)])
    assert again.exit_code == 2 and "finished batch run" in again.output
    assert f"critica aggregate {out}" in " ".join(again.output.split())
    titles = tmp_path / "titles.parquet"
    agg = runner.invoke(app, ["aggregate", str(out), "--out", str(titles)])
    assert agg.exit_code == 0, agg.output
    assert pq.read_table(titles).num_rows == 4
    lines = runner.invoke(app, ["aggregate", str(out), "--json"]).output.splitlines()
    assert {json.loads(line)["title"] for line in lines} == {
        "The Salt Orchard",
        "Quiet Engines",
        "Harbor Lights",
        "Small Claims",
    }


def test_cli_batch_of_audience_reviews_aggregates_beside_the_critics(tmp_path, inputs):
    crowd = tmp_path / "crowd.jsonl"
    texts = ["Loved it, a wonderful film with a great cast.", "Dull and far too long.",
             "Brilliant, funny and moving.", "A boring mess of a movie.", "Great fun."]  # fmt: skip
    crowd.write_text(
        "".join(json.dumps({"title": "Harbor Lights", "text": t}) + "\n" for t in texts)
    )
    critics, audience = tmp_path / "critics", tmp_path / "audience"
    for folder, files, extra in (
        (critics, inputs, []),
        (audience, [crowd], ["--reviewer", "audience"]),
    ):
        done = runner.invoke(app, ["batch", *map(str, files), "--out", str(folder), *extra])
        assert done.exit_code == 0, done.output
    both = tmp_path / "both"
    both.mkdir()
    for n, part in enumerate([*critics.glob("part-*.parquet"), *audience.glob("part-*.parquet")]):
        (both / f"part-{n:05d}.parquet").write_bytes(part.read_bytes())
    lines = runner.invoke(app, ["aggregate", str(both), "--json"]).output.splitlines()
    rows = {r["title"]: r for r in map(json.loads, lines)}
    harbor = rows["Harbor Lights"]
    assert harbor["audience_reviews"] == 5 and harbor["reviews"] > 0
    assert rows["Small Claims"]["audience_reviews"] is None
    table = runner.invoke(app, ["aggregate", str(both)], terminal_width=200).output
    assert "audience" in table and "of 5" in table


def test_a_corrupt_model_stops_the_batch_before_any_worker_starts(tmp_path, inputs, monkeypatch):
    import critica.models.manifest as manifest
    from critica.errors import ModelError

    monkeypatch.setattr(manifest, "sha256", lambda path: "tampered")
    with pytest.raises(ModelError, match="corrupt"):
        run_batch(inputs, tmp_path / "out", BatchOptions(workers=2))
    assert not (tmp_path / "out").exists()
