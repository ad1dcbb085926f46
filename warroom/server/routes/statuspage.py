"""Per-customer status pages: `/status/<key>/` (HTML, no JavaScript, no asset from elsewhere)
and `/status/<key>/api/v2/{summary,status,incidents}.json`, `incidents/unresolved.json`.

The key is the secret of the page link (`warroom statuspage add CUSTOMER`); no token is needed.
An unknown or revoked key is a plain 404 that says nothing about which keys exist.
"""

from __future__ import annotations

import html
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from warroom.domain.public_status import StatusPage
from warroom.server.deps import PartsDep
from warroom.statuspage_keys import customer_for

router = APIRouter(tags=["status pages"], include_in_schema=False)

_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
            "X-Robots-Tag": "noindex", "X-Content-Type-Options": "nosniff"}
_DOCUMENTS = {
    "summary.json": StatusPage.summary_json,
    "status.json": StatusPage.status_json,
    "incidents.json": StatusPage.incidents_json,
    "incidents/unresolved.json": StatusPage.unresolved_json,
}


def _page(parts: Any, request: Request, key: str) -> StatusPage | None:
    keys = getattr(parts.store, "statuspage_keys", None)
    customer = customer_for(keys(), key) if keys is not None else None
    if customer is None:
        return None
    base = f"{str(request.base_url).rstrip('/')}/status/{key}/"
    return StatusPage(customer, parts.service.states().values(), base, parts.clock())


def _not_found() -> Response:
    return Response("not found\n", status_code=404, media_type="text/plain",
                    headers=_HEADERS)


@router.get("/status/{key}/api/v2/{document:path}")
def status_api(key: str, document: str, request: Request, parts: PartsDep) -> Response:
    """A Statuspage v2 document of the key's customer."""
    build = _DOCUMENTS.get(document)
    page = _page(parts, request, key) if build is not None else None
    if page is None or build is None:
        return _not_found()
    return JSONResponse(build(page), headers=_HEADERS)


@router.get("/status/{key}/")
def status_html(key: str, request: Request, parts: PartsDep) -> Response:
    """The customer's status page."""
    page = _page(parts, request, key)
    if page is None:
        return _not_found()
    return HTMLResponse(render(page), headers={
        **_HEADERS, "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"})


_STYLE = """
body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;
color:#1d2330;background:#fff}
h1{font-size:1.5rem;margin:0 0 1rem}
.banner{padding:1rem;border-radius:.4rem;color:#fff;font-weight:600;margin-bottom:2rem}
.none{background:#2f855a}.minor{background:#b7791f}.major{background:#c05621}
.critical{background:#c53030}
.incident{border-top:1px solid #d8dde6;padding:1rem 0}
.incident h3{margin:0 0 .3rem;font-size:1.1rem}
.impact{font-size:.8rem;text-transform:uppercase;color:#5a6475}
.update{margin:.6rem 0 0 0}.update b{text-transform:capitalize}
time,.meta{color:#5a6475;font-size:.85rem}
"""


def render(page: StatusPage) -> str:
    """The page as self-contained HTML."""
    e = html.escape
    status = page.status()
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="robots" content="noindex">',
        f"<title>{e(page.customer)} status</title><style>{_STYLE}</style></head><body>",
        f"<h1>{e(page.customer)} — service status</h1>",
        f'<div class="banner {e(status["indicator"])}">{e(status["description"])}</div>',
    ]
    for heading, incidents in (("Active incidents", page.unresolved),
                               ("Past incidents", [i for i in page.incidents
                                                   if i["status"] == "resolved"][:20])):
        if not incidents:
            continue
        parts.append(f"<h2>{heading}</h2>")
        for incident in incidents:
            parts.append('<section class="incident">')
            parts.append(f'<h3 id="{e(incident["id"])}">{e(incident["name"])}</h3>')
            parts.append(f'<div class="impact">{e(incident["impact"])} impact · '
                         f'{e(incident["status"])}</div>')
            for update in incident["incident_updates"]:
                parts.append(f'<p class="update"><b>{e(update["status"])}</b> — '
                             f'{e(update["body"])}<br><time datetime="'
                             f'{e(update["display_at"])}">{e(_when(update["display_at"]))}'
                             "</time></p>")
            if not incident["incident_updates"]:
                parts.append('<p class="meta">We are looking into it; an update follows.</p>')
            parts.append("</section>")
    if not page.incidents:
        parts.append('<p class="meta">No incidents reported.</p>')
    parts.append(f'<p class="meta">Updated {e(_when(page.page()["updated_at"]))}.</p>')
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _when(iso: str | None) -> str:
    return "" if not iso else iso[:16].replace("T", " ") + " UTC"
