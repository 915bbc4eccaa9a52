"""The README's screenshots, from the shipped model and the fictional examples: docs/report.png, docs/app.png.

Usage (needs Debian's chromium and the dev extra's playwright): python3 docs/make_screenshots.py
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]


def report_png(browser, tmp: Path) -> None:
    from assessqa.training.annotations import load_corpus, load_splits, split_documents

    test = split_documents(load_corpus(ROOT / "annotations"), load_splits(ROOT / "annotations/splits.json"))["test"]
    export = tmp / "export.jsonl"
    teams = ("North", "South", "East", "West")
    export.write_text("".join(
        json.dumps({"id": d.id, "text": d.text, "team": teams[n % 4], "date": f"2026-{1 + n % 3:02d}-10"}) + "\n"
        for n, d in enumerate(test)
    ))
    scores = tmp / "scores.jsonl"
    subprocess.run([sys.executable, "-m", "assessqa.cli", "score", str(export), "--out", str(scores), "--no-summary"], check=False)
    subprocess.run([sys.executable, "-m", "assessqa.cli", "report", str(scores), "--out", str(tmp / "report.html")], check=True)
    page = browser.new_page(viewport={"width": 1200, "height": 1500})
    page.goto((tmp / "report.html").as_uri())
    page.screenshot(path=str(ROOT / "docs/report.png"))
    page.close()


def app_png(browser, tmp: Path) -> None:
    key = secrets.token_urlsafe(32)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "assessqa.cli", "serve", "--port", str(port)],
                              env={**os.environ, "ASSESSQA_API_KEYS": key}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        plan = json.loads((ROOT / "examples/documents.jsonl").read_text().splitlines()[2])["text"]
        page = browser.new_page(viewport={"width": 1100, "height": 1700})
        page.goto(f"{base}/app")
        page.get_by_label("API key").fill(key)
        page.get_by_label("Document text").fill(plan)
        page.get_by_role("button", name="Score").click()
        page.wait_for_selector("#results:not([hidden])", timeout=60_000)
        page.locator("#results").screenshot(path=str(ROOT / "docs/app.png"))
        page.close()
    finally:
        server.kill()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        report_png(browser, Path(tmp))
        app_png(browser, Path(tmp))
        browser.close()
    print("wrote docs/report.png and docs/app.png")


if __name__ == "__main__":
    main()
