"""``/app``: the practitioner page, a single page with its script and styles served from package files.

The page asks for the API key and sends it as ``Authorization: Bearer`` with each call to ``/v1/score``, so it
adds no new way in: without a key it can do nothing. It loads nothing from elsewhere and stores nothing (the
key and the text live in the tab's memory); its Content-Security-Policy allows only this service's own script,
styles and API.
"""

from __future__ import annotations

from importlib.resources import files

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

APP_PATH = "/app"
APP_PATHS = frozenset({APP_PATH, f"{APP_PATH}/app.js", f"{APP_PATH}/app.css"})
APP_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)

router = APIRouter(include_in_schema=False)
_cache: dict[str, bytes] = {}


def _static(name: str) -> bytes:
    if name not in _cache:
        _cache[name] = (files("assessqa.api") / "static" / name).read_bytes()
    return _cache[name]


@router.get(APP_PATH)
async def app_page() -> HTMLResponse:
    return HTMLResponse(_static("app.html"))


@router.get(APP_PATH + "/app.js")
async def app_script() -> Response:
    return Response(_static("app.js"), media_type="text/javascript; charset=utf-8")


@router.get(APP_PATH + "/app.css")
async def app_styles() -> Response:
    return Response(_static("app.css"), media_type="text/css; charset=utf-8")
