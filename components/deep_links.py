"""Deep links connect at once: the page tells Streamlit's client where the server is.

A page of a multipage app has its own path (`/themes`), and Streamlit's client cannot tell a page's path from
a server under a path prefix: it tries `/themes/_stcore/...` first, waits 100 ms after that fails, then tries
`/_stcore/...`. Every shared link to a page paid about 0.13 s for that before the first chart could start.

Streamlit's client reads `window.__streamlit.BACKEND_BASE_URL` when it loads, and then connects there
directly. `DeepLinkHint` (an ASGI middleware, added by `install()` when `serve.py` starts the server) writes
a small script into the app's HTML page that sets it: the page's address without its last segment when that
segment is one of the app's pages (`PAGE_SLUGS`), else the whole path, so the app works at the root and
under a path prefix (`/atlas/themes` -> `/atlas`). A path that names no page connects as before.
Under plain `streamlit run app.py`, or a Streamlit without this server layout, nothing is added and the
client finds the server as it always did.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

_LOG = logging.getLogger(__name__)

PAGES_DIR = Path(__file__).resolve().parents[1] / "pages"
PAGE_SLUGS: tuple[str, ...] = ("home", *sorted(p.stem for p in PAGES_DIR.glob("*.py")))
"""The last path segment of every page's address: each page's url path is its file's name (`home`: the front
door's own path). Read from the folder, not from components.frame, whose imports would delay the server's
start by a second (tests/test_deep_links.py checks the two agree)."""
NOT_PAGES: tuple[str, ...] = ("/media/", "/app/static/", "/component/", "/_stcore/")
"""Paths of files the server hands out (a downloaded HTML chart or brief among them): never rewritten."""
MARKER = "iscm-base-url"
"""The id of the script element, so a test (and a reader of the page source) can find it."""

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def hint_script(slugs: tuple[str, ...] = PAGE_SLUGS) -> str:
    """The <script> that sets Streamlit's backend base URL from the page's own address."""
    return (f'<script id="{MARKER}">(function () {{'
            f"var pages = {json.dumps(list(slugs))};"
            'var path = window.location.pathname.replace(/\\/+$/, "");'
            'var last = path.slice(path.lastIndexOf("/") + 1);'
            "if (pages.indexOf(last) >= 0) path = path.slice(0, path.length - last.length);"
            "window.__streamlit = Object.assign({}, window.__streamlit,"
            " {BACKEND_BASE_URL: window.location.origin + path});"
            "})();</script>")


def with_hint(html: bytes, script: str) -> bytes:
    """`html` with `script` just before </head> (unchanged when it has no head or holds the script already)."""
    if MARKER.encode() in html or b"</head>" not in html:
        return html
    return html.replace(b"</head>", script.encode() + b"</head>", 1)


class DeepLinkHint:
    """ASGI middleware: the app's HTML page (Streamlit's index.html, sent for every page's path) gets
    `hint_script()`. Everything else passes through untouched, streamed as it comes: files under `NOT_PAGES`
    (downloads such as an interactive HTML chart are served from /media/), attachments, compressed or
    non-HTML responses, errors, other methods."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], slugs: tuple[str, ...] = PAGE_SLUGS):
        self.app = app
        self.script = hint_script(slugs)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or scope.get("method") != "GET" or any(p in path for p in NOT_PAGES):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        body: list[bytes] = []

        async def patched(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = {k.lower(): v for k, v in message.get("headers", [])}
                html = headers.get(b"content-type", b"").startswith(b"text/html")
                page = html and b"content-encoding" not in headers and b"content-disposition" not in headers
                if message.get("status") == 200 and page:
                    start = message  # held back: the length changes
                    return
                await send(message)
            elif start is not None and message["type"] == "http.response.body":
                body.append(message.get("body", b""))
                if message.get("more_body"):
                    return
                page = with_hint(b"".join(body), self.script)
                headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
                await send({**start, "headers": [*headers, (b"content-length", str(len(page)).encode())]})
                await send({"type": "http.response.body", "body": page, "more_body": False})
            else:
                await send(message)

        await self.app(scope, receive, patched)


def install() -> bool:
    """Add `DeepLinkHint` to the Streamlit server this process will start (Streamlit's Starlette server).
    Returns whether it was added; without that server layout the app runs as it would anyway."""
    try:
        from starlette.middleware import Middleware
        from streamlit.web.server.starlette import starlette_app
    except ImportError:
        _LOG.info("deep links: this Streamlit has no Starlette server; the client finds the server itself")
        return False
    make = getattr(starlette_app, "create_streamlit_middleware", None)
    if make is None or getattr(make, "_iscm_deep_links", False):
        return bool(make)

    def create_streamlit_middleware() -> list:
        # last, so innermost: it sees the page before compression
        return [*make(), Middleware(DeepLinkHint)]

    create_streamlit_middleware._iscm_deep_links = True  # type: ignore[attr-defined]
    starlette_app.create_streamlit_middleware = create_streamlit_middleware
    return True
