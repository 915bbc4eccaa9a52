"""``/docs``: Swagger UI served from files that ship in a Python package, never from a CDN.

The page is where an operator types an API key, so it must not pull scripts from anywhere else, and it must
work on a server with no internet. Swagger UI's bundle and stylesheet come from the ``fastapi-offline``
package; the page and its start-up script are ours, so the page needs no inline script and its
Content-Security-Policy can forbid every source but this service. ``ASSESSQA_DOCS=false`` turns it off.
"""

from __future__ import annotations

from importlib.resources import files

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

DOCS_PATH = "/docs"
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon.png": "image/png",
}
ASSET_PATHS = frozenset({f"{DOCS_PATH}/assets/{name}" for name in (*ASSETS, "init.js")})
# Swagger UI sets style attributes from script, so styles may be inline; scripts may not.
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)

# Relative URLs, so the page works unchanged behind a proxy that mounts the service under a prefix.
_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>assessqa API</title>
<link rel="icon" type="image/png" href="docs/assets/favicon.png">
<link rel="stylesheet" href="docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="docs/assets/swagger-ui-bundle.js"></script>
<script src="docs/assets/init.js"></script>
</body>
</html>
"""
# The key stays in the page's memory only: persistAuthorization would put it in localStorage.
_INIT = """window.ui = SwaggerUIBundle({
  url: "openapi.json",
  dom_id: "#swagger-ui",
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
  deepLinking: false,
  persistAuthorization: false,
  tryItOutEnabled: false
});
"""

router = APIRouter(include_in_schema=False)


def _asset(name: str) -> bytes:
    return (files("fastapi_offline") / "static" / name).read_bytes()


@router.get(DOCS_PATH)
async def docs_page() -> HTMLResponse:
    return HTMLResponse(_PAGE)


@router.get(DOCS_PATH + "/assets/init.js")
async def docs_init() -> Response:
    return Response(_INIT, media_type="text/javascript; charset=utf-8")


def _add_asset_route(name: str, media_type: str) -> None:
    async def asset() -> Response:
        # Read once per process on first use, then served from memory.
        if name not in _cache:
            _cache[name] = _asset(name)
        return Response(_cache[name], media_type=media_type)

    router.add_api_route(f"{DOCS_PATH}/assets/{name}", asset, methods=["GET"])


_cache: dict[str, bytes] = {}
for _name, _type in ASSETS.items():
    _add_asset_route(_name, _type)
