"""components.deep_links: the app's HTML page names the server's address for the browser."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from components.deep_links import MARKER, PAGE_SLUGS, DeepLinkHint, hint_script, install, with_hint
from components.frame import PAGES

PAGE = b"<!DOCTYPE html><html><head><title>Streamlit</title></head><body></body></html>"


def _serve(app, method: str = "GET", path: str = "/themes") -> tuple[dict, bytes]:
    """Run the ASGI `app` wrapped in DeepLinkHint for one request; (response start, body)."""
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "method": method, "path": path, "headers": []}
    with ThreadPoolExecutor(1) as pool:  # a thread of its own: Playwright's loop may run in this one
        pool.submit(asyncio.run, DeepLinkHint(app)(scope, receive, send)).result(timeout=30)
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


def _app(body: bytes, content_type: bytes, status: int = 200, chunks: int = 1, extra: tuple = ()):
    async def app(scope, receive, send):  # noqa: ANN001, ANN202
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode()),
                                *extra]})
        step = max(1, len(body) // chunks)
        parts = [body[i:i + step] for i in range(0, len(body), step)] or [b""]
        for n, part in enumerate(parts):
            await send({"type": "http.response.body", "body": part, "more_body": n < len(parts) - 1})
    return app


def test_every_page_slug_is_known_and_the_script_sets_the_base_url():
    assert set(PAGE_SLUGS) == {"home", *(url for _p, _t, url, _i in PAGES)}
    script = hint_script()
    assert f'id="{MARKER}"' in script and "BACKEND_BASE_URL" in script and '"themes"' in script


def test_the_html_page_gets_the_script_once_before_its_head_ends():
    once = with_hint(PAGE, hint_script())
    assert once.count(MARKER.encode()) == 1 and once.index(MARKER.encode()) < once.index(b"</head>")
    assert with_hint(once, hint_script()) == once
    assert with_hint(b"no head here", hint_script()) == b"no head here"


def test_the_middleware_rewrites_the_page_and_its_length_and_nothing_else():
    start, body = _serve(_app(PAGE, b"text/html; charset=utf-8", chunks=3))
    assert MARKER.encode() in body and body.startswith(b"<!DOCTYPE html>")
    assert dict(start["headers"])[b"content-length"] == str(len(body)).encode()
    for original, kind, status, method in [(b'{"a": 1}', b"application/json", 200, "GET"),  # not a page
                                           (PAGE, b"text/html", 200, "HEAD"),  # no body to change
                                           (PAGE, b"text/html", 404, "GET")]:  # not the page
        start, body = _serve(_app(original, kind, status), method)
        assert body == original and dict(start["headers"])[b"content-length"] == str(len(original)).encode()


def test_downloaded_html_files_are_never_rewritten():
    """An interactive HTML chart or a country brief is HTML too: served from /media/ as an attachment."""
    attachment = ((b"content-disposition", b'attachment; filename="chart.html"'),)
    for path, extra in [("/media/0a1b2c.html", ()), ("/atlas/media/0a1b2c.html", ()), ("/themes", attachment),
                        ("/app/static/page.html", ())]:
        start, body = _serve(_app(PAGE, b"text/html", extra=extra), path=path)
        assert body == PAGE, path


def test_install_adds_the_middleware_to_streamlits_server_once():
    from streamlit.web.server.starlette import starlette_app

    before = starlette_app.create_streamlit_middleware
    try:
        assert install() is True and install() is True
        stack = [m.cls for m in starlette_app.create_streamlit_middleware()]
        assert stack.count(DeepLinkHint) == 1 and stack[-1] is DeepLinkHint  # innermost: before compression
    finally:
        starlette_app.create_streamlit_middleware = before
