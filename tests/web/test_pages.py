"""The web UI in-process: every page over a real SQLite store filled from the demo reviews."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from critica.cli.render import polarity_style
from critica.core import analyze
from critica.service.ingest import ingest
from critica.store import open_store
from critica.store.records import ReviewIn, TitleIn
from critica.web import views

ROOT = Path(__file__).resolve().parents[2]
HOSTILE_TEXT = (
    "A gripping film. The <script>alert(1)</script> cast is superb, I loved the ending and "
    "the direction is sharp. <img src=x onerror=alert(2)> Every scene is gorgeous."
)
HOSTILE_NAME = "<script>alert(3)</script> Night Shift"
RAW = ["<script>alert(", "<img src=x", "<img "]
RAVE = "A tender, funny and gorgeously acted film; the cast is superb and the ending moving."


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = open_store(f"sqlite:///{tmp_path_factory.mktemp('web') / 'c.db'}")
    ingest(s, [ROOT / "critica" / "demo" / "reviews.jsonl"])
    title, _ = s.get_or_add_title(TitleIn(name=HOSTILE_NAME))
    review = ReviewIn(
        title_id=title.id,
        text=HOSTILE_TEXT,
        critic="<img src=x onerror=alert(4)>",
        publication="<script>alert(5)</script>",
        url="javascript:alert(6)",
    )
    s.add_review(review, analyze(HOSTILE_TEXT, title=HOSTILE_NAME))
    yield s
    s.close()


@pytest.fixture(scope="module")
def ids(store):
    """Title ids by name, and the hostile review's id."""
    found = {t.name: t.id for t in store.list_titles(None, 100)}
    hostile = store.reviews_for_title(found[HOSTILE_NAME])[0][0].id
    return {**found, "hostile review": hostile}


def text_of(response) -> str:
    """The page with tags dropped and entities decoded, for checking visible wording."""
    # Tags become nothing (inline links sit inside sentences), then whitespace collapses.
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", response.text)).split())


def test_home_lists_titles(client):
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = text_of(r)
    for words in ["Recently reviewed", "Best reviewed", "Most divisive", "Harbor Lights"]:
        assert words in page
    assert 'action="/search"' in r.text


def test_title_page_shows_figures_consensus_charts_and_reviews(client, store, ids):
    tid = ids["Harbor Lights"]
    r = client.get(f"/titles/{tid}")
    assert r.status_code == 200
    page, data = text_of(r), client.get(f"/api/v1/titles/{tid}").json()
    assert f"{views.whole(data['percent_positive'])}%" in page and "95% interval" in page
    estimated = data["percent_positive_estimated"]
    assert estimated is not None and f"estimated {views.whole(estimated)}% positive" in page
    assert data["band"].capitalize() in page and views.whole(data["score_weighted"]) in page
    assert " ".join(data["consensus"]["text"].split()[:3]) in page
    for claim in data["consensus"]["claims"]:  # each claim: its strongest quotes and a count
        assert 1 <= len(claim["quotes"]) <= 3 and len(claim["reviews"]) == min(claim["support"], 20)
        for q in claim["quotes"]:
            assert f'href="/reviews/{q["review_id"]}"' in r.text and q["text"] in page
        more = claim["support"] - len(claim["quotes"])
        assert (f"and {more} more" in page) is (more > 0)
    seasons = [s for s in data["seasons"] if s["consensus"]["claims"]]
    assert seasons and all(s["consensus"]["text"] in page for s in seasons)
    assert r.text.count('role="img"') >= 2 and "<title id=" in r.text  # histogram + seasons
    assert "Season by season" in page and r.text.count('class="aspect"') == len(data["aspects"])
    for item in data["latest_reviews"]["items"][:5]:
        assert item["critic"] in page and (item["quote"] or "") in page


@pytest.mark.parametrize(
    ("params", "present", "absent"),
    [
        ({"fresh": "true"}, "verdict-fresh", "verdict-rotten"),
        ({"fresh": "false"}, "verdict-rotten", "verdict-fresh"),
        ({"top_critic": "true"}, 'aria-current="page">Top critics', 'aria-current="page">All'),
        ({"offset": "2"}, 'rel="prev"', None),
    ],
)
def test_title_filters(client, ids, params, present, absent):
    r = client.get(f"/titles/{ids['Harbor Lights']}", params=params)
    reviews = r.text.split('id="reviews"')[1]
    assert r.status_code == 200 and present in (r.text if "aria" in present else reviews)
    assert absent is None or absent not in (r.text if "aria" in absent else reviews)


def test_aspect_link_opens_its_evidence_and_filters_reviews(client, ids):
    tid = ids["Harbor Lights"]
    name = client.get(f"/api/v1/titles/{tid}").json()["aspects"][0]["name"]
    wanted = client.get(f"/api/v1/titles/{tid}/reviews", params={"aspect": name}).json()["total"]
    r = client.get(f"/titles/{tid}", params={"aspect": name})
    assert f'id="aspect-{name}" class="aspect" open' in r.text and r.text.count(" open>") == 1
    assert f'Reviews <span class="muted">({wanted})' in r.text


def test_review_page_tints_sentences_and_explains(client, store, ids):
    reviews, _ = store.reviews_for_title(ids["The Salt Orchard"], limit=50)
    review = min(reviews, key=lambda r: r.id)  # the first demo review: rated, with credits
    r = client.get(f"/reviews/{review.id}")
    page = text_of(r)
    assert r.status_code == 200 and "Why this score" in page
    assert " ".join(review.analysis["explanation"].split()) in " ".join(page.split())
    assert re.search(r'class="s s-(pos|neg|mixed)', r.text) and 'class="pull-mark"' in r.text
    assert "s-plot" in r.text and "plot / background" in page
    assert review.rating in page and any(c["person"] in page for c in review.analysis["credits"])


def test_search_highlights_matches(client):
    r = client.get("/search", params={"q": "harbor cast"})
    assert r.status_code == 200 and "<mark>" in r.text
    assert re.search(r"<mark>(?i:cast|harbor)</mark>", r.text)
    assert client.get("/search").status_code == 200  # an empty box is just the form


def test_analyze_form_and_result_store_nothing(client, store):
    assert 'name="text"' in client.get("/analyze").text
    before = store.count_reviews()
    r = client.post("/analyze", data={"text": RAVE})
    page = text_of(r)
    assert r.status_code == 200 and "Fresh" in page and "Why this score" in page
    assert 'name="token"' in r.text and store.count_reviews() == before


@pytest.mark.parametrize(
    ("data", "message"),
    [({"text": ""}, "paste a review"), ({"url": "http://127.0.0.1/review"}, "refusing to fetch"),
     ({"text": RAVE, "rating": "lots"}, "lots")],
)  # fmt: skip
def test_analyze_errors_are_shown(client, data, message):
    r = client.post("/analyze", data=data)
    assert r.status_code == 422 and message in text_of(r)


def test_forms_must_be_url_encoded_and_bounded(client):
    assert client.post("/analyze", json={"text": RAVE}).status_code == 422
    huge = client.post("/analyze", data={"text": "x" * 2_100_000})
    assert huge.status_code == 413 and "bytes" in text_of(huge)  # as documented


def test_store_needs_a_valid_token(client, store):
    form = {"text": RAVE, "title": "Paper Moons", "critic": "Ada Quill", "token": "wrong"}
    assert client.post("/analyze/store", data=form).status_code == 401
    form["token"] = store.create_token("web tests")
    r = client.post("/analyze/store", data=form, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/reviews/")
    assert "Ada Quill" in text_of(client.get(r.headers["location"]))


@pytest.mark.parametrize(
    "page",
    ["title", "review", "search", "analyze", "home"],
)
def test_hostile_text_is_escaped(client, ids, page):
    r = {
        "title": lambda: client.get(f"/titles/{ids[HOSTILE_NAME]}"),
        "review": lambda: client.get(f"/reviews/{ids['hostile review']}"),
        "search": lambda: client.get("/search", params={"q": "gripping"}),
        "analyze": lambda: client.post("/analyze", data={"text": HOSTILE_TEXT}),
        "home": lambda: client.get("/"),
    }[page]()
    assert r.status_code == 200
    assert not any(raw in r.text for raw in RAW) and "javascript:" not in r.text
    assert "&lt;script&gt;" in r.text or page == "home"


@pytest.mark.parametrize("path", ["/", "/search?q=x", "/analyze", "/titles/1", "/nope"])
def test_security_headers(client, path):
    h = client.get(path).headers
    csp = h["content-security-policy"]
    assert "default-src 'self'" in csp and "style-src 'self'" in csp and "unsafe" not in csp
    assert h["x-frame-options"] == "DENY" and h["x-content-type-options"] == "nosniff"
    assert h["referrer-policy"]


@pytest.mark.parametrize("path", ["/", "/titles/1", "/reviews/1", "/analyze", "/search?q=cast"])
def test_no_inline_script_or_style(client, path):
    body = client.get(path).text
    assert not re.search(r"<script(?![^>]*\bsrc=)", body) and " style=" not in body


@pytest.mark.parametrize("path", ["/nope", "/titles/999999", "/reviews/999999", "/titles/abc"])
def test_html_errors_are_pages(client, path):
    r = client.get(path)
    assert r.status_code in (404, 422) and r.headers["content-type"].startswith("text/html")
    assert 'href="/"' in r.text and "Traceback" not in r.text


def test_api_errors_stay_json(client):
    r = client.get("/api/v1/titles/999999")
    assert r.status_code == 404 and r.json()["message"]
    assert client.get("/api/v1/nope").headers["content-type"].startswith("application/json")


def test_static_files_are_served(client):
    assert client.get("/static/style.css").headers["content-type"].startswith("text/css")


@pytest.mark.parametrize(
    ("text", "spans", "pieces"),
    [
        ("a cast b", [(2, 6)], [("a ", False), ("cast", True), (" b", False)]),
        ("abc", [(0, 99)], [("abc", True)]),
        ("abcdef", [(1, 3), (2, 4), (4, 5)], [("a", 0), ("bc", 1), ("d", 0), ("e", 1), ("f", 0)]),
        ("abc", [], [("abc", False)]),
    ],
)
def test_highlight_pieces(text, spans, pieces):
    assert views.highlight_pieces(text, spans) == [(t, bool(m)) for t, m in pieces]


@pytest.mark.parametrize(
    ("score", "tone"), [(None, "none"), (0, "bad"), (39.4, "bad"), (39.5, "mixed"),
                        (60.4, "mixed"), (60.5, "good"), (100, "good")],
)  # fmt: skip
def test_score_tone_follows_the_bands(score, tone):
    assert views.score_tone(score) == tone


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:text/html,x", "", None, " vbscript:x"]
)
def test_only_http_links(url):
    assert views.safe_url(url) is None and views.safe_url("https://x.org/r") == "https://x.org/r"


def test_sentence_tones_match_the_terminal_colours():
    names = {"green": "pos", "red": "neg", "yellow": "mixed", "dim": "plot"}
    for polarity in [-1, -0.21, -0.2, 0, 0.2, 0.21, 1]:
        for opinion in [0, 0.49, 0.5, 1]:
            expected = names[polarity_style(polarity, opinion)]
            assert views.sentence_tone(polarity, opinion) == expected


@pytest.mark.parametrize("path", ["/", "/search?q=cast", "/analyze", "/titles/1", "/reviews/1"])
def test_head_answers_like_get_without_a_body(client, path):
    got = client.get(path)
    r = client.head(path)
    assert r.status_code == got.status_code == 200
    assert r.headers["content-type"] == got.headers["content-type"]
    assert r.content == b""


def test_api_docs_are_served_from_the_package(client):
    page = client.get("/docs")
    assert page.status_code == 200 and "/docs/assets/swagger-ui-bundle.js" in page.text
    assert "<script>" not in page.text and "cdn" not in page.text.lower()
    assert "script-src 'self'" in page.headers["content-security-policy"]
    for asset in (
        "/docs/assets/swagger-ui-bundle.js",
        "/docs/assets/swagger-ui.css",
        "/static/docs.js",
    ):
        assert client.get(asset).status_code == 200, asset
    assert client.get("/redoc").status_code == 404


def test_home_cards_say_why_a_title_has_no_percent(client, store):
    from critica import config

    needed = config.get("min_reviews_for_percent")
    page = text_of(client.get("/"))
    assert f"– positive (shown from {needed} scored reviews)" in page  # Small Claims has 3


def test_url_fetches_from_the_analyze_form_are_few_at_once(client):
    """With every fetch slot taken, a URL post is told to come back (503 + Retry-After)
    before anything is downloaded; pasted text is not affected."""
    from critica.web import routes

    taken = 0
    while routes.WEB_FETCHES.acquire(blocking=False):
        taken += 1
    try:
        r = client.post("/analyze", data={"url": "http://127.0.0.1:9/review"})
        assert r.status_code == 503 and r.headers["retry-after"] == "5"
        assert "try again in a few seconds" in html.unescape(r.text)
        assert client.post("/analyze", data={"text": RAVE}).status_code == 200
    finally:
        for _ in range(taken):
            routes.WEB_FETCHES.release()
    assert taken == 4
    r = client.post("/analyze", data={"url": "http://127.0.0.1:9/review"})
    assert r.status_code == 422  # a slot again: the address check answers
