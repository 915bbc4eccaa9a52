"""The practitioner page at /app, driven in headless Chromium against a real ``assessqa serve``."""

import json
import secrets
import shutil

import httpx
import pytest
from playwright.sync_api import expect

from conftest import EXAMPLES, running_service

CHROMIUM = shutil.which("chromium")
KEY = secrets.token_urlsafe(32)
PLAN = json.loads((EXAMPLES / "documents.jsonl").read_text().splitlines()[2])["text"]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    log = tmp_path_factory.mktemp("app") / "serve.log"
    with running_service(log, {"ASSESSQA_API_KEYS": KEY}) as (base, _):
        yield base


def test_page_and_its_files_come_from_the_service_alone(service):
    page = httpx.get(f"{service}/app")
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "connect-src 'self'" in csp and "unsafe-inline" not in csp
    for body in (page.text, httpx.get(f"{service}/app/app.js").text, httpx.get(f"{service}/app/app.css").text):
        for external in ("http://", "https://", "//cdn", "@import", "localStorage", "sessionStorage", "document.cookie"):
            assert external not in body


def test_extract_text_needs_the_key(service):
    assert httpx.post(f"{service}/v1/extract-text", content=b"x").status_code == 401
    docx = (EXAMPLES / "cin_plan.docx").read_bytes()
    response = httpx.post(f"{service}/v1/extract-text", content=docx, headers={"Authorization": f"Bearer {KEY}"})
    assert response.status_code == 200 and len(response.json()["text"]) > 100


@pytest.fixture()
def page(service):
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the dev extra")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.requests = []
        page.on("request", lambda r: page.requests.append(r.url))
        page.goto(f"{service}/app")
        yield page
        browser.close()


def test_a_draft_is_scored_with_keyboard_only(page, service):
    # Tab from the top of the page reaches each control in order (skip link, key, type, text, upload, Score).
    order = []
    for _ in range(6):
        page.keyboard.press("Tab")
        order.append(page.evaluate("document.activeElement.id || document.activeElement.className"))
    assert order == ["skip", "api-key", "doc-type", "document-text", "docx", "score"]
    page.get_by_label("API key").fill(KEY)
    page.get_by_label("Document text").fill(PLAN)
    page.get_by_role("button", name="Score").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#results:not([hidden])", timeout=30_000)
    assert page.evaluate("document.activeElement.id") == "results-heading"  # focus moves to the results
    assert page.locator("#status").inner_text().startswith("Scored")  # announced in a live region
    marks = page.locator("#highlighted mark")
    assert marks.count() >= 1 and marks.first.get_attribute("title")
    assert marks.first.locator(".cue").inner_text().startswith("[")  # named in words, not by colour alone
    missing = page.locator("#actions tbody td.missing").all_inner_texts()
    assert missing and any(m != "nothing: SMART" for m in missing)
    assert page.locator("#grades tbody tr").count() == 3
    assert page.locator("#checklist li").count() >= 1
    assert all(url.startswith(service) for url in page.requests), page.requests


def test_a_wrong_key_shows_the_problem_title(page):
    page.get_by_label("API key").fill("not-the-key")
    page.get_by_label("Document text").fill(PLAN)
    page.get_by_role("button", name="Score").click()
    # A locator assertion polls from Playwright's own isolated world; a wait_for_function string would be evaluated
    # in the page, where the page's CSP (no 'unsafe-eval') refuses it whenever the answer is not there at once.
    expect(page.locator("#error")).to_have_text("API key not recognised", timeout=30_000)
    assert page.locator("#results").is_hidden()


def test_no_serious_accessibility_violations(page):
    from axe_playwright_python.sync_playwright import Axe

    page.get_by_label("API key").fill(KEY)
    page.get_by_label("Document text").fill(PLAN)
    page.get_by_role("button", name="Score").click()
    page.wait_for_selector("#results:not([hidden])", timeout=30_000)
    results = Axe().run(page)
    serious = [v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], results.generate_report()
