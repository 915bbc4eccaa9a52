"""The QA manager's HTML report: what it computes, that it is self-contained, and how it renders in Chromium."""

import shutil

import pytest
from typer.testing import CliRunner

from assessqa.cli import app
from assessqa.report.html import MIN_GROUP, build_report, read_records, render_html
from assessqa.schemas import InputDocument
from conftest import ANNOTATIONS

runner = CliRunner()


@pytest.fixture(scope="module")
def records(scorer):
    """Shipped-model records of held-out corpus documents, with teams (one too small to show) and months."""
    from assessqa.training.annotations import load_corpus, load_splits, split_documents

    test = split_documents(load_corpus(ANNOTATIONS), load_splits(ANNOTATIONS / "splits.json"))["test"][:24]
    docs = []
    for n, d in enumerate(test):
        team = "North" if n < 12 else "South" if n < 21 else "East"  # East has 3 documents: suppressed
        docs.append(InputDocument(id=d.id, text=d.text, doc_type=d.doc_type, metadata={"team": team, "date": f"2026-0{1 + n % 2}-15"}))
    return scorer.score_batch(docs), {d.id: d.text for d in docs}


def test_small_groups_are_suppressed_and_large_ones_counted(records):
    data = build_report(records[0])
    rows = {row.name: row for rows in data.by_team.values() for row in rows}
    assert rows["East"].counts is None and rows["East"].documents < MIN_GROUP
    assert rows["North"].counts is not None and sum(rows["North"].counts.values()) == rows["North"].documents
    assert set(next(iter(data.by_month.values()))[0].name.split("-")) <= {"2026", "01", "02"}


def test_figures_match_the_records(records):
    recs = records[0]
    data = build_report(recs)
    graded = [r for rec in recs for r in rec.dimensions.values() if r is not None]
    assert data.graded == len(graded) and data.review_grades == sum(r.needs_review for r in graded)
    actions = [a for rec in recs for a in rec.actions]
    assert data.actions == len(actions)
    assert dict((f, n) for f, n, _ in data.missing_smart)["time-bound"] == sum(not a.smart.time_bound for a in actions)
    assert {i for _, i in data.plans_without_contingency} == {r.id for r in recs if r.plan and not r.plan.contingency.present}
    worst = data.first_to_look_at[0]
    assert worst.mean_grade == min(v.mean_grade for v in data.documents)


def test_the_html_is_self_contained_and_escaped(records):
    recs, texts = records
    recs[0].metadata["team"] = "<script>alert(1)</script>"
    html = render_html(build_report(recs, texts))
    assert "<script" not in html and "&lt;script&gt;" in html
    for external in ("http://", "https://", "<link", "src=", "@import", "url("):
        assert external not in html
    assert "default-src 'none'" in html


def test_report_command_writes_the_file(tmp_path, records):
    scores = tmp_path / "scores.jsonl"
    scores.write_text("".join(r.model_dump_json() + "\n" for r in records[0]))
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["report", str(scores), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert len(read_records(scores)) == len(records[0]) and "Grades by dimension" in out.read_text()
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x"}\n')
    result = runner.invoke(app, ["report", str(bad), "--out", str(out)])
    assert result.exit_code == 2 and "E004" in result.output


CHROMIUM = shutil.which("chromium")


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")
def test_report_renders_in_chromium_with_charts_links_and_highlights(tmp_path, records):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the dev extra")
    recs, texts = records
    out = tmp_path / "report.html"
    out.write_text(render_html(build_report(recs, texts)))
    requests = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
        )
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.on("request", lambda r: requests.append(r.url))
        page.goto(out.as_uri())
        dims_graded = len(build_report(recs).distribution)
        bars = page.locator("#distribution svg.bar")
        assert bars.count() == dims_graded
        assert bars.first.bounding_box()["width"] > 100  # drawn, not collapsed
        assert "grade 1:" in bars.first.get_attribute("aria-label")  # the numbers, for screen readers too
        # The first document to look at links to its own view, which shows highlighted evidence and suggestions.
        link = page.locator("#first tbody a").first
        target = link.get_attribute("href")
        link.click()
        article = page.locator(f"article{target}")
        assert article.is_visible() and page.url.endswith(target)
        article.locator("details summary").click()
        assert article.locator(".text mark").count() >= 1
        assert article.locator(".text mark").first.get_attribute("title")
        browser.close()
    assert all(url.startswith("file://") for url in requests), requests
