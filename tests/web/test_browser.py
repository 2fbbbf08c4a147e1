"""The web UI in a real browser: `critica serve` in a subprocess, Debian's Chromium via Playwright.

Screenshots of each page (desktop, and 375 px wide) go to docs/screenshots/.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from load import critica, free_port

from tests.live import wait_until_up

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# `make screenshots` refreshes the README's pictures; ordinary runs leave the tree clean.
SHOTS = Path(os.environ.get("CRITICA_SCREENSHOTS") or tempfile.mkdtemp(prefix="critica-shots-"))
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}


def missing(what: str) -> None:
    """Skip without the browser, except in CI where that is a failure."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what}; CI must run the browser tests (see .ci/run)")
    pytest.skip(what)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A served store holding the demo reviews; yields its base URL."""
    db = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'c.db'}"
    demo = str(ROOT / "critica" / "demo" / "reviews.jsonl")
    subprocess.run(critica("ingest", demo, "--db", db), check=True, cwd=ROOT, capture_output=True)
    port = free_port()
    proc = subprocess.Popen(critica("serve", "--port", str(port), "--db", db), cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, proc)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        missing(f"{CHROMIUM} is absent; install it with `apt-get install -y chromium`")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("the playwright package is absent; `pip install -e '.[test]'`")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh page; any console error (a CSP violation, a missing file) fails the test."""
    pg = browser.new_page(viewport=DESKTOP)
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield pg
    pg.close()
    assert not errors, errors


def shoot(pg, name: str) -> None:
    """A full-page screenshot into docs/screenshots."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def title_id(server: str, name: str) -> int:
    found = httpx.get(f"{server}/api/v1/titles", params={"q": name}).json()["items"]
    return int(found[0]["id"])


def test_search_title_aspect_review(page, server):
    page.goto(server + "/")
    shoot(page, "home")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.fill("#hero-q", "harbor")
    page.press("#hero-q", "Enter")
    page.wait_for_url("**/search?q=harbor")
    assert page.locator(".snippet mark").count() > 0
    shoot(page, "search")
    page.get_by_role("link", name="Harbor Lights", exact=True).first.click()
    assert page.locator("h1").inner_text() == "Harbor Lights"
    assert page.locator("svg[role=img] title").count() >= 2
    shoot(page, "title")
    aspect = page.locator("details.aspect").first
    assert not aspect.locator(".evidence").is_visible()
    aspect.locator("summary").focus()
    page.keyboard.press("Enter")  # keyboard opens it as a click would
    assert aspect.locator(".evidence").is_visible()
    shoot(page, "title-aspect")
    aspect.locator(".evidence a[href^='/reviews/']").first.click()
    page.wait_for_url("**/reviews/*")
    assert page.locator(".review-text .s").count() > 3
    assert page.locator(".review-text .s-pos, .review-text .s-neg").count() > 0
    assert page.locator(".pull-mark").first.is_visible()
    assert page.locator(".pull-lg").inner_text().strip()
    shoot(page, "review")


def test_titles_index_sort_filter_and_download(page, server):
    page.goto(server + "/")
    page.get_by_role("link", name="All titles").click()
    page.wait_for_url("**/titles")
    rows = page.locator("table.index tbody tr")
    assert rows.count() >= 4
    page.select_option("select[name=sort]", "name")  # data-autosubmit: the page reloads
    page.wait_for_url("**/titles?*sort=name*")
    names = page.locator("table.index tbody th a").all_inner_texts()
    assert names == sorted(names, key=str.casefold)
    page.select_option("select[name=kind]", "series")
    page.wait_for_url("**kind=series*")
    assert page.locator("table.index tbody tr").count() >= 1
    shoot(page, "titles")
    csv_link = page.get_by_role("link", name="CSV").get_attribute("href")
    assert csv_link and csv_link.startswith("/titles.csv?") and "kind=series" in csv_link
    body = httpx.get(server + csv_link).text
    assert body.splitlines()[0].startswith("id,name,kind")
    first = page.locator("table.index tbody th a").first
    name = first.inner_text()
    first.click()
    page.wait_for_url("**/titles/*")
    assert page.locator("h1").inner_text() == name


def test_the_newcomers_path(page, server):
    """Home → titles index → a title (its cast) → a review → its critic → search for a
    critic → their page → their reviews as CSV, by clicking as a newcomer would."""
    page.goto(server + "/")
    page.get_by_role("link", name="All titles").click()
    page.wait_for_url("**/titles")
    page.get_by_role("link", name="The Salt Orchard", exact=True).click()
    page.wait_for_url("**/titles/*")
    assert page.locator("h1").inner_text() == "The Salt Orchard"
    assert "Delphine Achebe" in page.locator("#h-people + p + .people").inner_text()
    page.locator("#reviews .review-who a[href^='/reviews/']").first.click()
    page.wait_for_url("**/reviews/*")
    critic = page.locator("h1").inner_text().split("·")[0].strip()
    page.get_by_role("link", name=f"more by {critic}").click()
    page.wait_for_url("**/critics/*")
    assert page.locator("h1").inner_text() == critic
    page.fill("#site-q", "Eleanor Vance")
    page.press("#site-q", "Enter")
    page.wait_for_url("**/search?q=*")
    page.get_by_role("link", name="Eleanor Vance", exact=True).first.click()
    page.wait_for_url("**/critics/*")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and {r["critic"] for r in rows} == {"Eleanor Vance"}
    assert download.value.suggested_filename.endswith("-reviews.csv")


def test_find_a_critic_and_read_their_reviews(page, server):
    page.goto(server + "/")
    page.fill("#hero-q", "Eleanor Vance")
    page.press("#hero-q", "Enter")
    page.wait_for_url("**/search?q=*")
    page.get_by_role("link", name="Eleanor Vance", exact=True).first.click()
    page.wait_for_url("**/critics/*")
    assert page.locator("h1").inner_text() == "Eleanor Vance"
    shoot(page, "critic")
    page.get_by_role("link", name="Read the analysis →").first.click()
    page.wait_for_url("**/reviews/*")
    page.get_by_role("link", name="more by Eleanor Vance").click()
    page.wait_for_url("**/critics/*")
    assert page.locator("h1").inner_text() == "Eleanor Vance"
    csv_link = page.get_by_role("link", name="CSV").get_attribute("href")
    assert csv_link and csv_link.startswith("/critics/") and csv_link.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(httpx.get(server + csv_link).text)))
    assert rows and {r["critic"] for r in rows} == {"Eleanor Vance"}
    publication = rows[0]["publication"]
    page.get_by_role("link", name=publication).first.click()
    page.wait_for_url("**/publications/*")
    assert publication in page.locator("h1").inner_text()
    shoot(page, "publication")


def test_api_docs_work_offline_under_the_csp(page, server):
    """Swagger UI comes from the package, not a CDN (the browser has no network here),
    and the page keeps the CSP: any violation is a console error, which fails the test."""
    response = page.goto(server + "/docs")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector(".opblock-summary-path", timeout=20_000)
    assert page.locator(".opblock").count() > 5
    assert page.get_by_text("/api/v1/titles/{title_id}", exact=True).count() >= 1


def test_phone_width_has_no_sideways_scroll(page, server):
    tid = title_id(server, "Harbor Lights")
    review = httpx.get(f"{server}/api/v1/titles/{tid}/reviews").json()["items"][0]["id"]
    page.set_viewport_size(PHONE)
    pairs = [(f"/titles/{tid}", "title-375"), (f"/reviews/{review}", "review-375")]
    for path, name in [
        *pairs,
        ("/titles", "titles-375"),
        ("/critics", "critics-375"),
        ("/publications", "publications-375"),
    ]:
        page.goto(server + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        shoot(page, name)


def test_paste_the_worked_example(page, server, example_text):
    page.goto(server + "/analyze")
    page.fill("#a-text", example_text)
    page.get_by_role("button", name="Analyze").click()
    page.wait_for_selector("#result")
    assert page.locator(".verdict-row :is(.verdict-fresh, .verdict-rotten)").is_visible()
    quote = page.locator(".pull-lg").inner_text().strip()
    assert quote and quote[:20] in page.locator(".review-text").inner_text()
    assert page.locator(".review-text .chip").count() > 0
    credits = page.locator("table.credits").inner_text()
    assert "Regina King" in credits and "Russell Hornsby" in credits
    assert page.locator("input[name=token]").is_visible()
    shoot(page, "analyze")


def test_the_demo_token_stores_from_the_analyze_page_and_is_remembered_in_the_tab(page, tmp_path):
    """`critica demo` prints a write token; the analyze page stores a review with it,
    remembers it in the tab when asked, and the token is revoked when the demo stops."""
    import re
    import signal

    from critica.store import open_store

    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path), "HOME": str(tmp_path)}
    port = free_port()
    proc = subprocess.Popen(
        critica("demo", "--port", str(port)), cwd=ROOT, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        token = None
        deadline = time.monotonic() + 180
        while token is None and time.monotonic() < deadline and proc.stdout:
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                break
            if found := re.search(r"write token for this demo.*: (crt_\S+)", line):
                token = found.group(1)
        assert token, "critica demo printed no write token"
        wait_until_up(base, proc)
        page.goto(base + "/analyze")
        page.fill("#a-text", "A taut, gripping thriller with a superb cast and a sharp script.")
        page.get_by_role("button", name="Analyze").click()
        page.wait_for_selector("#result")
        page.fill("#s-title", "Token Test")
        page.fill("#s-token", token)
        page.check("#s-remember")
        page.get_by_role("button", name="Store review").click()
        page.wait_for_url("**/reviews/*")
        page.goto(base + "/analyze")
        page.fill("#a-text", "A dull, lifeless film.")
        page.get_by_role("button", name="Analyze").click()
        page.wait_for_selector("#result")
        assert page.input_value("#s-token") == token and page.is_checked("#s-remember")
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    store = open_store(f"sqlite:///{tmp_path / 'critica' / 'demo.db'}")
    try:
        demo_tokens = [t for t in store.list_tokens() if t["name"].startswith("critica demo")]
        assert demo_tokens and all(t["revoked"] for t in demo_tokens)
        assert not store.verify_token(token)
        assert store.find_titles("Token Test")
    finally:
        store.close()
