"""Re-analysis brings old analyses up to the current models without re-ingesting."""

from __future__ import annotations

from sqlalchemy import select, update
from typer.testing import CliRunner

from critica.cli.commands import app
from critica.inputs.readers import ReadOptions
from critica.service.ingest import ingest
from critica.service.reanalyze import current_model_version, reanalyze
from critica.store import open_store
from critica.store.schema import analyses

runner = CliRunner()


def test_only_stale_analyses_are_redone(tmp_path):
    db = f"sqlite:///{tmp_path / 'r.db'}"
    store = open_store(db)
    (tmp_path / "a.txt").write_text("A luminous, moving film with a superb cast.")
    (tmp_path / "b.txt").write_text("A dreary, overlong slog with a lazy script.")
    ingest(store, [tmp_path], ReadOptions(defaults={"title": "Film"}))
    with store.engine.begin() as conn:
        conn.execute(update(analyses).where(analyses.c.review_id == 1).values(model_version="old"))
    assert reanalyze(store) == 1
    with store.engine.connect() as conn:
        versions = set(conn.execute(select(analyses.c.model_version)).scalars())
    assert versions == {current_model_version()}
    assert reanalyze(store) == 0
    store.close()
    result = runner.invoke(app, ["reanalyze", "--db", db])
    assert result.exit_code == 0 and "0 reviews re-analysed" in result.output


def test_analyses_stored_before_the_evidence_are_redone(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'e.db'}")
    (tmp_path / "a.txt").write_text("A luminous, moving film with a superb cast.")
    (tmp_path / "b.txt").write_text(
        "Ein Film, den man nicht gesehen haben muss, leider."
    )  # unscored
    ingest(store, [tmp_path], ReadOptions(defaults={"title": "Film"}))
    with store.engine.begin() as conn:
        conn.execute(update(analyses).values(fresh_evidence=None))
    assert reanalyze(store) == 1  # the scored one; an unscored analysis never has evidence
    facts = {f.review_id: f for f in store.review_facts(1)}
    scored = [f for f in facts.values() if f.score is not None]
    assert len(scored) == 1 and scored[0].fresh_evidence is not None
    assert reanalyze(store) == 0
    store.close()


def test_token_commands(tmp_path):
    db = f"sqlite:///{tmp_path / 't.db'}"
    created = runner.invoke(app, ["token", "create", "editor", "--db", db])
    token = created.output.strip()
    assert created.exit_code == 0 and token.startswith("crt_")
    listed = runner.invoke(app, ["token", "list", "--db", db])
    assert "editor" in listed.output and token not in listed.output
    assert open_store(db).verify_token(token)
    revoked = runner.invoke(app, ["token", "revoke", "1", "--db", db])
    assert revoked.exit_code == 0 and not open_store(db).verify_token(token)
    again = runner.invoke(app, ["token", "revoke", "1", "--db", db])
    assert again.exit_code != 0 and "no active token" in again.output
