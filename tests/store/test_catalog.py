"""`critica catalog import`: the IMDb dataset files, in their real format, written here (a
few rows each), into SQLite and PostgreSQL."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from typer.testing import CliRunner

from critica.catalog.imdb import import_files
from critica.cli.commands import app
from critica.errors import InputError
from critica.store.records import TitleIn

N = "\\N"
BASICS = [
    ["tconst", "titleType", "primaryTitle", "originalTitle", "isAdult", "startYear", "endYear",
     "runtimeMinutes", "genres"],
    ["tt0111161", "movie", "The Shawshank Redemption", "The Shawshank Redemption", "0", "1994",
     N, "142", "Drama"],
    ["tt0499537", "movie", "Offside", "Offside", "0", "2006", N, "93", "Comedy,Drama,Sport"],
    ["tt1234567", "movie", "Offside", "Offside", "0", "2023", N, N, "Thriller"],
    ["tt0211915", "movie", "Amélie", "Le fabuleux destin d'Amélie Poulain", "0", "2001", N,
     "122", "Comedy,Romance"],
    ["tt0306414", "tvSeries", "The Wire", "The Wire", "0", "2002", "2008", "59",
     "Crime,Drama,Thriller"],
    ["tt0749451", "tvEpisode", "The Target", "The Target", "0", "2002", N, "62", "Crime,Drama"],
    ["tt0749452", "tvEpisode", "Middle Ground", "Middle Ground", "0", "2004", N, "59", N],
    ["tt9999991", "movie", "Adult Film", "Adult Film", "1", "2010", N, "80", "Adult"],
    ["tt9999992", "videoGame", "The Wire: The Game", "The Wire: The Game", "0", "2010", N, N, N],
    ["tt9999993", "movie", 'A "Quoted" Title', 'A "Quoted" Title', "0", "2012", N, "90", N],
]  # fmt: skip
RATINGS = [
    ["tconst", "averageRating", "numVotes"],
    ["tt0111161", "9.3", "2900000"],
    ["tt0499537", "7.3", "11000"],
    ["tt1234567", "5.1", "40"],
    ["tt0306414", "9.3", "380000"],
    ["tt0749451", "8.1", "9000"],
]
EPISODES = [
    ["tconst", "parentTconst", "seasonNumber", "episodeNumber"],
    ["tt0749451", "tt0306414", "1", "1"],
    ["tt0749452", "tt0306414", "3", "11"],
]
PRINCIPALS = [
    ["tconst", "ordering", "nconst", "category", "job", "characters"],
    ["tt0111161", "1", "nm0000209", "actor", N, '["Andy Dufresne"]'],
    ["tt0111161", "2", "nm0000151", "actor", N, "[\"Ellis Boyd 'Red' Redding\"]"],
    ["tt0111161", "3", "nm0001104", "director", N, N],
    ["tt0111161", "4", "nm0000175", "writer", "novella", N],
    ["tt0111161", "5", "nm9999999", "archive_footage", N, N],
    ["tt0306414", "1", "nm0001338", "actor", N, '["Jimmy McNulty"]'],
    ["tt0306414", "2", "nm0800108", "actress", N, '["Kima Greggs"]'],
]
NAMES = [
    ["nconst", "primaryName", "birthYear", "deathYear", "primaryProfession", "knownForTitles"],
    ["nm0000209", "Tim Robbins", "1958", N, "actor,director", "tt0111161"],
    ["nm0000151", "Morgan Freeman", "1937", N, "actor,producer", "tt0111161"],
    ["nm0001104", "Frank Darabont", "1959", N, "director,writer", "tt0111161"],
    ["nm0000175", "Stephen King", "1947", N, "writer", "tt0111161"],
    ["nm0001338", "Dominic West", "1969", N, "actor", "tt0306414"],
    ["nm0800108", "Sonja Sohn", "1964", N, "actress", "tt0306414"],
    ["nm0000001", "Fred Astaire", "1899", "1987", "actor", "tt0050419"],
]


def write(folder: Path, name: str, rows: list[list[str]], gz: bool = True) -> Path:
    body = "".join("\t".join(r) + "\n" for r in rows).encode()
    path = folder / (name + (".tsv.gz" if gz else ".tsv"))
    path.write_bytes(gzip.compress(body) if gz else body)
    return path


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    return {
        "basics": write(tmp_path, "title.basics", BASICS),
        "ratings": write(tmp_path, "title.ratings", RATINGS),
        "episode": write(tmp_path, "title.episode", EPISODES, gz=False),
        "principals": write(tmp_path, "title.principals", PRINCIPALS),
        "names": write(tmp_path, "name.basics", NAMES),
    }


def test_a_full_import(store, files):
    # any order: the files are recognised by their headers
    done = import_files(store, list(reversed(files.values())))
    assert done.rows == {"ratings": 5, "basics": 10, "episode": 2, "principals": 7, "names": 7}
    assert done.titles_added == 8 and done.skipped == 2  # the adult film, the video game

    shawshank = store.get_title_by_external_id("tt0111161")
    assert (shawshank.name, shawshank.kind, shawshank.year) == (
        "The Shawshank Redemption", "film", 1994,
    )  # fmt: skip
    assert (shawshank.runtime, shawshank.genres) == (142, ["Drama"])
    assert (shawshank.catalog_rating, shawshank.catalog_votes) == (9.3, 2900000)
    assert shawshank.original_name is None  # the same as its name
    assert shawshank.credits == [
        {"person": "Tim Robbins", "role": "actor", "character": "Andy Dufresne",
         "id": "nm0000209"},
        {"person": "Morgan Freeman", "role": "actor", "character": "Ellis Boyd 'Red' Redding",
         "id": "nm0000151"},
        {"person": "Frank Darabont", "role": "director", "character": None, "id": "nm0001104"},
        {"person": "Stephen King", "role": "writer", "character": None, "id": "nm0000175"},
    ]  # fmt: skip

    amelie = store.get_title_by_external_id("tt0211915")
    assert amelie.original_name == "Le fabuleux destin d'Amélie Poulain"
    assert amelie.catalog_votes == 0 and amelie.runtime == 122  # no rating row: no votes

    wire = store.get_title_by_external_id("tt0306414")
    assert (wire.kind, wire.year, wire.end_year) == ("series", 2002, 2008)
    assert [c["person"] for c in wire.credits] == ["Dominic West", "Sonja Sohn"]

    # episodes hang from a season of their series, made on demand, as ingest makes them
    target = store.get_title_by_external_id("tt0749451")
    season = store.get_title(target.parent_id)
    assert (target.kind, target.season, target.episode) == ("episode", 1, 1)
    assert (season.kind, season.name, season.season, season.parent_id) == (
        "season", "The Wire season 1", 1, wire.id,
    )  # fmt: skip
    later = store.get_title_by_external_id("tt0749452")
    assert store.get_title(later.parent_id).name == "The Wire season 3"
    assert done.seasons_added == 2 and done.episodes_linked == 2

    # same-name titles stay apart; a title's quotes are kept as written
    offsides = {t.year: t.external_id for t in store.find_titles("Offside") if t.kind == "film"}
    assert offsides == {2006: "tt0499537", 2023: "tt1234567"}
    assert store.get_title_by_external_id("tt9999993").name == 'A "Quoted" Title'
    # search by name and year, and by original name
    assert store.find_titles("Offside 2006")[0].external_id == "tt0499537"
    assert store.find_titles("offside (2023)")[0].external_id == "tt1234567"
    assert [t.external_id for t in store.find_titles("fabuleux destin")] == ["tt0211915"]
    assert store.find_titles("Shawshank 1994")[0].external_id == "tt0111161"  # by prefix too
    assert store.get_title_by_external_id("tt9999991") is None  # adult: left out
    assert store.get_title_by_external_id("tt9999992") is None  # not a reviewed type


def test_importing_again_updates_in_place(store, files, tmp_path):
    import_files(store, list(files.values()))
    before = {t.id for t in store.list_titles(limit=100)}
    newer = [r if r[0] != "tt0111161" else [r[0], "9.2", "3000000"] for r in RATINGS]
    renamed = [r if r[0] != "tt0211915" else [*r[:2], "Amelie", *r[3:]] for r in BASICS]
    again = import_files(
        store,
        [
            write(tmp_path, "new.ratings", newer),
            write(tmp_path, "new.basics", renamed),
            files["principals"],
            files["names"],
            files["episode"],
        ],
    )
    assert again.titles_added == 0 and again.titles_updated == 8 and again.seasons_added == 0
    assert {t.id for t in store.list_titles(limit=100)} == before  # nothing duplicated
    shawshank = store.get_title_by_external_id("tt0111161")
    assert (shawshank.catalog_rating, shawshank.catalog_votes) == (9.2, 3000000)
    assert len(shawshank.credits) == 4
    assert store.get_title_by_external_id("tt0211915").name == "Amelie"


def test_a_title_typed_in_by_hand_takes_its_catalog_id(store, files):
    typed = store.add_title(TitleIn(name="the shawshank  redemption", kind="film"))
    other_year = store.add_title(TitleIn(name="Offside", kind="film", year=1999))
    done = import_files(store, [files["basics"]])
    assert done.titles_matched == 1
    assert store.get_title_by_external_id("tt0111161").id == typed.id
    # a different year is a different film: the hand-made one keeps no catalog id
    assert store.get_title(other_year.id).external_id is None


def test_types_and_min_votes_narrow_the_import(store, files):
    done = import_files(
        store, [files["ratings"], files["basics"]], types=["movie"], min_votes=10000
    )
    assert sorted(t.external_id for t in store.list_titles(limit=100)) == [
        "tt0111161", "tt0499537",
    ]  # fmt: skip
    assert done.titles_added == 2 and done.skipped == 8


def test_people_are_only_those_the_titles_credit(store, files):
    import_files(store, list(files.values()))
    from sqlalchemy import func, select

    from critica.store import schema

    with store.write() as conn:
        people = conn.scalar(select(func.count()).select_from(schema.people))
    assert people == 6  # Fred Astaire is credited by no imported title


def broken_gzip(path: Path) -> Path:
    path.write_bytes(b"\x1f\x8bnot gzip at all")
    return path


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda d: d / "missing.tsv.gz", "no such file"),
        (lambda d: write(d, "x", [["a", "b"], ["1", "2"]]), "not an IMDb dataset file"),
        (lambda d: broken_gzip(d / "bad.gz"), "not a readable gzip"),
    ],
)  # fmt: skip
def test_bad_files_are_refused_before_anything_is_stored(store, files, tmp_path, setup, message):
    bad = setup(tmp_path)
    with pytest.raises(InputError, match=message):
        import_files(store, [files["basics"], bad])
    assert store.list_titles() == []


def test_min_votes_needs_the_ratings_and_types_must_be_known(store, files):
    with pytest.raises(InputError, match=r"needs title\.ratings"):
        import_files(store, [files["basics"]], min_votes=5)
    with pytest.raises(InputError, match="unknown title type"):
        import_files(store, [files["basics"]], types=["film"])
    with pytest.raises(InputError, match="two basics files"):
        import_files(store, [files["basics"], files["basics"]])


def test_the_cli_imports_and_finds_titles_by_catalog_id(tmp_path, files):
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    runner = CliRunner()
    done = runner.invoke(app, ["catalog", "import", *map(str, files.values()), "--db", db])
    assert done.exit_code == 0, done.output
    assert "8 added" in done.output and "7 principals" in done.output
    shown = runner.invoke(app, ["title", "tt0306414", "--db", db, "--json"])
    assert shown.exit_code == 0, shown.output
    assert '"name": "The Wire"' in shown.output
    bad = runner.invoke(app, ["catalog", "import", str(tmp_path / "nope.tsv.gz"), "--db", db])
    assert bad.exit_code == 2 and "no such file" in " ".join(bad.output.split())


def test_the_api_and_pages_show_the_catalog(store, files):
    from fastapi.testclient import TestClient

    from critica.api import create_app

    import_files(store, list(files.values()))
    client = TestClient(create_app(store))
    found = client.get("/api/v1/catalog/tt0211915")  # followed: the title's page
    assert found.status_code == 200 and found.history[0].status_code == 307
    info = found.json()["info"]
    assert info["external_id"] == "tt0211915" and info["runtime"] == 122
    assert info["original_name"] == "Le fabuleux destin d'Amélie Poulain"
    assert info["genres"] == ["Comedy", "Romance"]
    missing = client.get("/api/v1/catalog/tt0000404")
    assert missing.status_code == 404 and "critica catalog import" in missing.json()["message"]
    assert client.get("/api/v1/catalog/nm0000209").status_code == 422  # not a title id

    wire = client.get("/catalog/tt0306414")
    page = wire.text
    assert wire.status_code == 200 and "<h1>The Wire</h1>" in page
    assert "2002–2008" in page and "59 min" in page and "Crime, Drama, Thriller" in page
    assert "IMDb users 9.3/10 (380,000 votes)" in page
    assert "Dominic West" in page and "as Kima Greggs" in page  # the cast, billed
    episode = client.get("/catalog/tt0749452").text
    assert "season 3, episode 11" in episode
    assert client.get("/catalog/tt0000404").status_code == 404


def test_reviews_that_name_their_title_by_catalog_id(store, files, tmp_path):
    """The IMDb review datasets' rows carry only a ``title_id`` (tt…): ingest (of .jsonl or
    .jsonl.gz) files them under the title with that catalog id, made on demand and named
    by a later catalog import; a malformed catalog id is a rejected row."""
    import json

    from critica.service.ingest import ingest

    rows = [
        {"id": "train/pos/1_9", "title_id": "tt0111161", "rating": 9,
         "text": "A patient, humane prison drama with two superb central performances."},
        {"id": "train/neg/2_2", "title_id": "tt0111161", "rating": 2,
         "text": "Overlong and sentimental; the narration spells out every feeling for you."},
        {"id": "train/pos/3_8", "title_id": "tt0499537",
         "text": "A sharp, funny and quietly angry film about football fans kept out."},
        {"id": "bad", "catalog_id": "t0499537", "text": "A sharp and funny film."},
    ]  # fmt: skip
    path = tmp_path / "imdb.jsonl.gz"
    path.write_bytes(gzip.compress("".join(json.dumps(r) + "\n" for r in rows).encode()))
    done = ingest(store, [path])
    assert done.added == 3
    assert [r.reason for r in done.rejected] == ["catalog id 't0499537' is not an IMDb id (tt…)"]
    unnamed = store.get_title_by_external_id("tt0111161")
    assert unnamed.name == "tt0111161" and unnamed.kind == "film"
    import_files(store, [files["basics"]])
    named = store.get_title_by_external_id("tt0111161")
    assert named.id == unnamed.id and named.name == "The Shawshank Redemption"
    assert store.count_reviews() == 3
    again = ingest(store, [path])  # the same rows again: nothing new, no second title
    assert again.added == 0 and store.get_title_by_external_id("tt0111161").id == unnamed.id


def test_a_shared_name_goes_to_the_title_whose_people_the_review_names(store, tmp_path):
    """Two films called "Offside": a review naming Jafar Panahi is the 2006 one's, one
    naming the other's director the 2023 one's; one naming no one goes to the most voted,
    with a note that says how to settle it. A year given settles it outright."""
    import json

    from critica.service.ingest import ingest

    principals = [*PRINCIPALS, ["tt0499537", "1", "nm0656183", "director", N, N],
                  ["tt0499537", "2", "nm2300001", "actress", N, '["Sima"]'],
                  ["tt1234567", "1", "nm9100001", "director", N, N]]  # fmt: skip
    names = [*NAMES, ["nm0656183", "Jafar Panahi", "1960", N, "director", "tt0499537"],
             ["nm2300001", "Sima Mobarak-Shahi", N, N, "actress", "tt0499537"],
             ["nm9100001", "Marta Kowalczyk", N, N, "director", "tt1234567"]]  # fmt: skip
    import_files(store, [write(tmp_path, "title.basics", BASICS),
                         write(tmp_path, "title.ratings", RATINGS),
                         write(tmp_path, "title.principals", principals),
                         write(tmp_path, "name.basics", names)])  # fmt: skip
    rows = [
        {"title": "Offside", "text": "Jafar Panahi's Offside is a sharp, funny and quietly "
         "angry film about young women kept out of a football stadium in Tehran."},
        {"title": "Offside", "text": "Director Marta Kowalczyk builds a tense, chilly thriller "
         "out of very little, and Offside mostly holds its nerve until the end."},
        {"title": "Offside", "text": "A brisk and likeable film, though it runs out of ideas."},
        {"title": "Offside", "year": 2023, "text": "Cold, clever and far too long for its story."},
        {"title": "Offside", "date": "2010-05-01",  # before the 2023 film: the 2006 one
         "text": "Still fresh four years on, and still the funniest film about football."},
    ]  # fmt: skip
    path = tmp_path / "offside.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    done = ingest(store, [path])
    assert done.added == 5
    old, new = (
        store.get_title_by_external_id("tt0499537"),
        store.get_title_by_external_id("tt1234567"),
    )
    assert len(store.review_facts(old.id)) == 3  # Panahi's, the unnamed one, the 2010 one
    assert len(store.review_facts(new.id)) == 2  # Kowalczyk's, and the one with its year
    (note,) = done.notes
    assert note.startswith(f"{path}:3: 'Offside' could be 2 catalog titles")
    assert "filed under tt0499537 (2006), the most voted; give a year" in note
    assert len(store.find_titles("Offside")) == 2  # no third, hand-made "Offside"
