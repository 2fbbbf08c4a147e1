"""`critica collect` against a loopback review site (tests/collect/site.py): feeds and
sitemaps followed, pages in several shapes read, robots.txt, Retry-After, 304s, failing
sources, and nothing stored twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from typer.testing import CliRunner

from critica import config
from critica.cli.commands import app
from critica.collect import collect
from critica.collect.fetch import Fetcher, retry_after, user_agent
from critica.collect.structured import item_links, read_page
from critica.store import SQLStore
from critica.store.records import SourceIn

from .site import MICRODATA, PLAIN, Site, jsonld_page


@pytest.fixture
def site(monkeypatch):  # type: ignore[no-untyped-def]
    for name, value in {"FETCH_PRIVATE_HOSTS": "1", "COLLECT_DELAY": "0",
                        "COLLECT_RETRIES": "2", "COLLECT_MAX_WAIT": "5",
                        "COLLECT_CONTACT": "mailto:ops@example.org"}.items():  # fmt: skip
        monkeypatch.setenv(f"CRITICA_{name}", value)
    config.settings.cache_clear()
    found = Site()
    yield found
    found.close()
    config.settings.cache_clear()


@pytest.fixture
def db(tmp_path):  # type: ignore[no-untyped-def]
    store = SQLStore(f"sqlite:///{tmp_path / 'c.db'}")
    yield store
    store.close()


def test_a_review_page_states_its_title_rating_critic_and_publication():
    facts = read_page(jsonld_page("Heat", 1995, "Great.", (3.5, 4)), "https://x.test/r/1")
    assert (facts.title, facts.kind, facts.year, facts.rating) == ("Heat", "film", 1995, "3.5/4")
    assert (facts.critic, facts.publication, facts.date) == (
        "Ann Hornaday", "The Daily Loop", "2024-03-01",
    )  # fmt: skip
    assert facts.people == ["Michael Mann"] and facts.structured == "json-ld"
    micro = read_page(MICRODATA, "https://x.test/r/2")
    assert (micro.title, micro.year, micro.rating, micro.critic) == (
        "The Salt Orchard", 2023, "2/5", "Jo Critic",
    )  # fmt: skip
    assert micro.structured == "microdata"
    plain = read_page(PLAIN, "https://x.test/r/3")
    assert plain.title is None and plain.structured is None


def test_feeds_sitemaps_and_link_pages_list_their_items():
    rss = (b'<?xml version="1.0"?><rss version="2.0"><channel><item><link>https://x.test/a'
           b"</link></item><item><link>/b</link></item></channel></rss>")  # fmt: skip
    assert item_links(rss, "https://x.test/feed") == (
        "feed",
        ["https://x.test/a", "https://x.test/b"],
    )
    sitemap = b'<?xml version="1.0"?><urlset><url><loc>https://x.test/r/1</loc></url></urlset>'
    assert item_links(sitemap, "https://x.test/s.xml") == ("sitemap", ["https://x.test/r/1"])
    page = (b'<html><body><a href="/reviews/1">One</a><a href="https://elsewhere.test/x">X</a>'
            b'<a href="/style.css">s</a><a href="/reviews/1">again</a></body></html>')  # fmt: skip
    assert item_links(page, "https://x.test/films") == ("page", ["https://x.test/reviews/1"])


def test_retry_after_reads_seconds_and_dates():
    assert retry_after("7") == 7.0 and retry_after(None) is None and retry_after("soon") is None
    later = (datetime.now(UTC) + timedelta(seconds=90)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert 80 <= (retry_after(later) or 0) <= 91


def test_one_pass_reads_every_shape_and_honours_robots_and_retry_after(site, db):
    db.add_source(SourceIn(f"{site.base}/feed.xml", name="The Daily Loop"))
    summary = collect(db)
    (result,) = summary.results
    assert result.status == "ok" and result.kind == "feed" and result.items == 8
    assert summary.exit_code == 0
    # Heat (JSON-LD), The Salt Orchard (microdata), Night Harbor (no structured data),
    # Heat again under its redirected address (a different text: a second review), Ronin
    # (after a 429): five stored; robots.txt, the paywall and the 404 are the item errors.
    assert result.added == 5, result.errors
    errors = " | ".join(result.errors)
    assert "robots.txt" in errors and "/private/draft" in errors
    assert "/reviews/gone: " in errors and "404" in errors
    assert "/reviews/paywalled: no review text to read" in errors and "a paywall" in errors
    assert site.requests("/private/draft") == 0  # never asked for
    heat = db.find_titles("Heat")[0]
    (review,) = [r for r in db.reviews_for_title(heat.id)[0] if r.url.endswith("/reviews/heat")]
    assert (review.rating, review.critic, review.publication) == ("3.5/4", "Ann Hornaday",
                                                                  "The Daily Loop")  # fmt: skip
    assert heat.year == 1995
    assert db.find_titles("Night Harbor") and db.find_titles("The Salt Orchard")
    busy = [t for t, p, _ in site.log if p == "/reviews/busy"]
    assert len(busy) == 2 and busy[1] - busy[0] >= 0.95  # waited out Retry-After: 1
    agents = {h.get("User-Agent") for _, _, h in site.log}
    assert agents == {user_agent()} and "mailto:ops@example.org" in user_agent()
    state = db.get_source(result.source.id)
    assert (state.last_status, state.items_seen, state.reviews_added) == ("ok", 8, 5)
    assert state.etag == '"v1"' and state.failures == 0


def test_collecting_again_costs_a_304_and_stores_nothing_twice(site, db):
    db.add_source(SourceIn(f"{site.base}/feed.xml"))
    collect(db)
    stored = db.count_reviews()
    again = collect(db)
    assert again.results[0].status == "not modified" and db.count_reviews() == stored
    site.feed_etag = '"v2"'  # the feed changed, its items did not
    pages_before = len(site.log)
    third = collect(db).results[0]
    assert third.status == "ok" and third.added == 0 and third.known >= 5
    assert db.count_reviews() == stored
    fetched = [p for _, p, _ in site.log[pages_before:] if p.startswith("/reviews/")]
    assert "/reviews/heat" not in fetched  # stored already: not fetched again


def test_a_failing_source_is_recorded_backs_off_and_blocks_no_other(site, db):
    dead = db.add_source(SourceIn(f"{site.base}/dead-feed.xml"))
    db.add_source(SourceIn(f"{site.base}/sitemap.xml"))
    now = datetime.now(UTC)
    summary = collect(db, now=now)
    bad, good = summary.results
    assert bad.status == "failed" and "HTTP 500" in (bad.error or "")
    assert good.status == "ok" and good.kind == "sitemap" and good.added == 2
    assert summary.exit_code == 1
    assert site.requests("/dead-feed.xml") == 3  # the first try and two retries
    state = db.get_source(dead.id)
    assert state.failures == 1 and state.not_before > now and "HTTP 500" in state.last_error
    later = collect(db, now=now + timedelta(minutes=1)).results[0]
    assert later.status == "waiting" and site.requests("/dead-feed.xml") == 3


def test_politeness_spaces_requests_to_a_host(site, db, monkeypatch):
    monkeypatch.setenv("CRITICA_COLLECT_DELAY", "0.3")
    config.settings.cache_clear()
    fetcher = Fetcher()
    for path in ("/reviews/heat", "/reviews/night-harbor", "/reviews/salt-orchard"):
        fetcher.get(site.base + path)
    fetcher.close()
    times = [t for t, p, _ in site.log if p.startswith("/reviews/")]
    assert all(b - a >= 0.29 for a, b in pairwise(times))
    assert site.requests("/robots.txt") == 1  # read once per host


def test_the_cli_adds_lists_collects_and_removes(site, tmp_path):
    runner, url = CliRunner(), f"sqlite:///{tmp_path / 'cli.db'}"
    bad = runner.invoke(app, ["sources", "add", "feed.xml", "--db", url])
    assert bad.exit_code == 2 and "not an http(s) address" in bad.output
    none = runner.invoke(app, ["collect", "--db", url])
    assert none.exit_code == 2 and "critica sources add" in none.output
    added = runner.invoke(app, ["sources", "add", f"{site.base}/sitemap.xml", "--db", url])
    assert added.exit_code == 0 and "source 1 added" in added.output
    twice = runner.invoke(app, ["sources", "add", f"{site.base}/sitemap.xml", "--db", url])
    assert twice.exit_code != 0 and "already a source" in twice.output
    done = runner.invoke(app, ["collect", "--db", url])
    assert done.exit_code == 0 and "2 added" in done.output, done.output
    listed = runner.invoke(app, ["sources", "list", "--db", url], terminal_width=200)
    assert "sitemap.xml" in listed.output and "ok" in listed.output
    assert runner.invoke(app, ["sources", "remove", "1", "--db", url]).exit_code == 0
    gone = runner.invoke(app, ["sources", "remove", "1", "--db", url])
    assert gone.exit_code == 2 and "no source '1'" in gone.output


def test_a_slow_host_times_out_and_the_pass_goes_on(site, db, monkeypatch):
    monkeypatch.setenv("CRITICA_FETCH_TIMEOUT", "0.5")
    monkeypatch.setenv("CRITICA_COLLECT_RETRIES", "1")
    config.settings.cache_clear()
    site.slow, site.feed_items = 2.0, ["/reviews/slow", "/reviews/night-harbor"]
    db.add_source(SourceIn(f"{site.base}/feed.xml"))
    (result,) = collect(db).results
    assert result.status == "ok" and result.added == 1
    (error,) = result.errors
    assert "/reviews/slow" in error and "did not answer in time" in error
    assert site.requests("/reviews/slow") == 2  # one try and one retry


def test_a_source_that_dies_mid_pass_blocks_no_other(site, db):
    other = Site()
    try:
        site.die_at = "/reviews/salt-orchard"  # goes down after its second review
        db.add_source(SourceIn(f"{site.base}/feed.xml"))
        db.add_source(SourceIn(f"{other.base}/sitemap.xml"))
        dying, alive = collect(db).results
        assert dying.added == 2 and len(dying.errors) == 6  # the rest could not be reached
        assert all("could not" in e or "robots" in e for e in dying.errors), dying.errors
        assert alive.status == "ok" and alive.items == 2 and alive.errors == []
        # Its Heat page is the dying site's (same outlet, critic and text) at a new
        # address: an update of the stored review, not a second one.
        assert (alive.added, alive.updated) == (1, 1)
    finally:
        other.close()


def test_collect_killed_mid_pass_loses_nothing_and_stores_nothing_twice(site, tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    url = f"sqlite:///{tmp_path / 'k.db'}"
    store = SQLStore(url)
    store.add_source(SourceIn(f"{site.base}/feed.xml"))
    env = {**os.environ, "CRITICA_COLLECT_DELAY": "0.4"}
    command = [sys.executable, "-m", "critica", "collect", "--db", url]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while store.count_reviews() < 1 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.1)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    first = store.count_reviews()
    assert 1 <= first < 5  # killed part-way
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert store.count_reviews() == 5 and store.integrity_check() == []
    urls = [r.url for t in store.list_titles() for r in store.reviews_for_title(t.id)[0]]
    assert len(urls) == len(set(urls)) == 5
    store.close()


def test_collection_runs_in_the_background_until_stopped(site, tmp_path):
    import time

    from critica.collect import background

    url = f"sqlite:///{tmp_path / 'bg.db'}"
    store = SQLStore(url)
    store.add_source(SourceIn(f"{site.base}/sitemap.xml"))
    stop = background(url, every=0.2)
    try:
        deadline = time.monotonic() + 60
        while store.count_reviews() < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert store.count_reviews() == 2
        passes = site.requests("/sitemap.xml")
        while site.requests("/sitemap.xml") == passes and time.monotonic() < deadline:
            time.sleep(0.1)
        assert site.requests("/sitemap.xml") > passes  # it keeps going
    finally:
        stop.set()
    assert store.count_reviews() == 2  # nothing stored twice
    store.close()


def test_where_the_page_and_its_text_disagree_both_are_kept_and_it_is_said(site, db):
    site.feed_items = ["/reviews/mismatch"]
    db.add_source(SourceIn(f"{site.base}/feed.xml"))
    (result,) = collect(db).results
    assert result.added == 1, result.errors
    (title,) = db.find_titles("Heat")
    (review,) = db.reviews_for_title(title.id)[0]
    assert review.rating == "1/4" and review.score == 25.0  # the page's word counts
    stored = db.get_review(review.id)
    warnings = " | ".join(stored.analysis["warnings"])
    assert "names the title 'Heat', its text 'Night Harbor'" in warnings
    assert "the page's rating (1/4: 25/100) and the text's own score" in warnings
    assert stored.analysis["text_score"] > 55  # the text's own score is kept beside it


def test_rdfa_review_data_is_read_too():
    page = (
        '<html><body><div vocab="https://schema.org/" typeof="Review">'
        '<div property="itemReviewed" typeof="Movie"><span property="name">Ronin</span>'
        '<meta property="dateCreated" content="1998"></div>'
        '<div property="author" typeof="Person"><span property="name">Roger Ebert</span></div>'
        '<div property="reviewRating" typeof="Rating"><meta property="ratingValue" content="3.5">'
        '<meta property="bestRating" content="4"></div>'
        "<p>Taut and grown-up, with the best car chase in years.</p></div></body></html>"
    )
    facts = read_page(page, "https://x.test/r/ronin")
    assert (facts.title, facts.year, facts.critic, facts.rating) == (
        "Ronin", 1998, "Roger Ebert", "3.5/4",
    )  # fmt: skip
    assert facts.structured == "rdfa"
