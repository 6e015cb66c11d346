"""Sign-in end to end: the real server with `ISCM_EDITING=oidc`, a real OpenID Connect provider on localhost
(oidc-provider-mock, started by the test) and Chromium going through the provider's login page.

- An editor (e-mail on ISCM_EDITORS) signs in, imports the seed survey and removes it.
- A signed-in non-editor and an anonymous reader see no import or remove control, and cannot reach them by
  URL or by widget key: their browser's websocket messages are rewritten to carry a click on the editor's
  Remove and Confirm buttons (the ids the editor's page really had), and nothing changes.
- The audit log shows the editor's two actions with the editor's identity (and readers do not see it).

Each Streamlit server gets its own secrets file, with its own port in `redirect_uri`, via `--secrets.files`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import secrets
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from benchmarks.servers import free_port
from iscm.audit import Ledger
from iscm.survey.store import SurveyStore, import_id
from tests.browser.conftest import ROOT, server_log, start_server, stop_server, wait_for_app
from tests.conftest import SEED

oidc_mock = pytest.importorskip("oidc_provider_mock", reason="oidc-provider-mock (requirements-dev.txt) is needed")

EDITOR = {"sub": "erin", "email": "erin@example.org", "email_verified": True, "name": "Erin Editor"}
READER = {"sub": "olu", "email": "olu@example.org", "email_verified": True, "name": "Olu Reader"}


def _sample() -> Path:
    """A sample survey document: data/samples/ when the checkout has it, else the seed beside the checkout."""
    samples = sorted((ROOT / "data" / "samples").glob("*.txt")) if (ROOT / "data" / "samples").is_dir() else []
    path = samples[0] if samples else SEED
    if not path.is_file():
        pytest.skip(f"no sample survey document ({SEED} is missing)")
    return path


@pytest.fixture(scope="module")
def provider():
    """The OpenID Connect provider on a free localhost port, with the two users as one-click logins."""
    users = [oidc_mock.User(sub=u["sub"], claims={k: v for k, v in u.items() if k != "sub"})
             for u in (EDITOR, READER)]
    old = os.environ.get("AUTHLIB_INSECURE_TRANSPORT")
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # plain http on localhost, for the test only
    try:
        with oidc_mock.run_server_in_thread(port=0, user_claims=users) as server:
            yield f"http://localhost:{server.server_port}"
    finally:
        if old is None:
            os.environ.pop("AUTHLIB_INSECURE_TRANSPORT", None)
        else:
            os.environ["AUTHLIB_INSECURE_TRANSPORT"] = old


@pytest.fixture(scope="module")
def app(provider, tmp_path_factory):
    """The dashboard as a network deployment would run it: oidc editing, one editor, its own store, its own
    secrets file (redirect_uri names this server's port)."""
    tmp = tmp_path_factory.mktemp("auth")
    home = tmp / "store"
    home.mkdir()
    port = free_port()  # known before the start: redirect_uri names it
    secrets_file = tmp / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "iscm-atlas-test"\n'
        f'client_secret = "{secrets.token_hex(16)}"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n', encoding="utf-8")
    env = {"ISCM_EDITING": "oidc", "ISCM_EDITORS": EDITOR["email"], "AUTHLIB_INSECURE_TRANSPORT": "1"}
    proc, url = start_server(home, env, options=["--secrets.files", str(secrets_file)], port=port, timeout=90)
    yield {"url": url, "home": home, "log": server_log(home), "secrets": secrets_file}
    stop_server(proc)


def _sign_in(page: Page, url: str, user: dict) -> None:
    page.goto(f"{url}/data")
    wait_for_app(page, timeout=60_000)
    page.locator('[data-testid="stSidebar"]').get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"^http://localhost:\d+/oauth2/authorize"), timeout=30_000)
    page.get_by_role("button", name=user["sub"], exact=True).click()  # the provider's login page
    page.wait_for_url(re.compile(re.escape(url)), timeout=30_000)
    page.goto(f"{url}/data")
    wait_for_app(page, timeout=60_000)


def _grid(page: Page, header: str):  # noqa: ANN202 - a Locator
    """The visible dataframe with a column named `header` (Streamlit gives dataframes no key class)."""
    return page.locator('[data-testid="stDataFrame"]:visible').filter(
        has=page.locator('[role="columnheader"]', has_text=re.compile(rf"^{re.escape(header)}$")))


def _sidebar(page: Page):
    return page.locator('[data-testid="stSidebar"]')


EDIT_CONTROLS = ('.st-key-survey_upload, [class*="st-key-rm_"], .st-key-import_confirm, '
                 '[class*="st-key-restore_"], .st-key-trash_empty')


def _watch_buttons(page: Page, seen: dict[str, str]) -> None:
    """Record the widget id of every button the server sends to this page (by the key inside the id)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    def handler(ws):  # noqa: ANN001, ANN202
        server = ws.connect_to_server()

        def from_server(message):  # noqa: ANN001, ANN202
            if isinstance(message, bytes):
                fwd = ForwardMsg()
                fwd.ParseFromString(message)
                if fwd.WhichOneof("type") == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                    el = fwd.delta.new_element
                    if el.WhichOneof("type") == "button":
                        seen[el.button.id.rsplit("-", 1)[-1]] = el.button.id
            ws.send(message)

        server.on_message(from_server)
        ws.on_message(lambda m: server.send(m))

    page.route_web_socket(re.compile(r"/_stcore/stream$"), handler)


def _forge_clicks(page: Page, widget_ids: list[str], sent: list[int]) -> None:
    """Rewrite every script run request this page sends so that it also clicks the given buttons: what a
    hand-made websocket message naming the editor's widget keys would do."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    def handler(ws):  # noqa: ANN001, ANN202
        server = ws.connect_to_server()

        def to_server(message):  # noqa: ANN001, ANN202
            if isinstance(message, bytes):
                back = BackMsg()
                back.ParseFromString(message)
                if back.WhichOneof("type") == "rerun_script":
                    for wid in widget_ids:
                        state = back.rerun_script.widget_states.widgets.add()
                        state.id = wid
                        state.trigger_value = True
                    message = back.SerializeToString()
                    sent.append(len(widget_ids))
            server.send(message)

        ws.on_message(to_server)
        server.on_message(lambda m: ws.send(m))

    page.route_web_socket(re.compile(r"/_stcore/stream$"), handler)


def _store_files(home: Path) -> list[tuple[str, bytes]]:
    return sorted((str(p.relative_to(home)), p.read_bytes()) for p in home.rglob("*")
                  if p.is_file() and p.name != ".lock")


def _reader_is_refused(page: Page, url: str, home: Path, forged: list[str], iid: str) -> None:
    """No edit control, and neither a URL nor forged clicks on the editor's buttons change anything."""
    before = _store_files(home)
    expect(page.get_by_text("Imported surveys", exact=True)).to_be_visible(timeout=30_000)
    expect(page.locator(EDIT_CONTROLS)).to_have_count(0)
    expect(page.get_by_text(_sample().name).first).to_be_visible()  # readers see what is imported
    for query in (f"remove={iid}", f"rm_{iid}=1&action=remove", "import_confirm=true", "trash_empty=1"):
        page.goto(f"{url}/data?{query}")
        wait_for_app(page, timeout=60_000)
        expect(page.locator(EDIT_CONTROLS)).to_have_count(0)
    sent: list[int] = []
    _forge_clicks(page, forged, sent)
    page.goto(f"{url}/data")
    wait_for_app(page, timeout=60_000)
    page.get_by_role("tab", name="themes", exact=True).click()  # one more script run, forged too
    wait_for_app(page, timeout=60_000)
    assert sent and all(n == len(forged) for n in sent), "the forged clicks were never sent"
    expect(page.locator(EDIT_CONTROLS)).to_have_count(0)
    expect(page.locator('[data-testid="stAlert"]').filter(has_text=re.compile("Removed|Imported"))).to_have_count(0)
    expect(page.get_by_text(_sample().name).first).to_be_visible()
    assert _store_files(home) == before
    page.unroute_all()


def test_editor_imports_and_removes_readers_cannot_and_the_log_names_the_editor(
        page: Page, browser, browser_context_args, app, tmp_path):
    url, home = app["url"], app["home"]
    sample = _sample()
    iid = import_id(sample.read_bytes())

    # 1. the editor signs in with the provider and imports the sample survey
    seen: dict[str, str] = {}
    _watch_buttons(page, seen)
    _sign_in(page, url, EDITOR)
    expect(_sidebar(page)).to_contain_text("Signed in as Erin Editor (editor)")
    expect(page.get_by_text("Editing needs sign-in (oidc)")).to_be_visible()
    page.locator(".st-key-survey_upload input[type=file]").set_input_files(sample)
    expect(page.locator('[data-testid="stAlert"]').filter(has_text=re.compile(r"Read \d+ ISCM entr"))).to_be_visible(
        timeout=60_000)
    page.get_by_role("button", name="Confirm import").click()
    expect(page.locator('[data-testid="stAlert"]').filter(has_text="Imported: ").filter(
        has_text=f"from {sample.name}, stored on")).to_be_visible(timeout=60_000)
    expect(page.get_by_role("button", name="Confirm import")).to_have_count(0)
    wait_for_app(page, timeout=60_000)
    # (a rerun can leave the previous run's copy of a widget in the DOM, hidden, until the page settles)
    expect(page.locator(f".st-key-rm_{iid} button").filter(visible=True)).to_have_count(1, timeout=30_000)
    assert [s.import_id for s in SurveyStore(home).list()] == [iid]
    forged = [seen[f"rm_{iid}"], seen["import_confirm"]]  # the ids the editor's buttons really have

    # 2. a signed-in non-editor, then an anonymous reader, each in a browser of their own
    for who in ("non-editor", "anonymous"):
        context = browser.new_context(**browser_context_args)
        other = context.new_page()
        try:
            if who == "non-editor":
                _sign_in(other, url, READER)
                expect(_sidebar(other)).to_contain_text("Signed in as Olu Reader (reader)")
                expect(other.get_by_text("who is not an editor")).to_be_visible()
            else:
                other.goto(f"{url}/data")
                wait_for_app(other, timeout=60_000)
                expect(_sidebar(other).get_by_role("button", name="Sign in")).to_be_visible()
                expect(_sidebar(other)).not_to_contain_text("Signed in as")
            _reader_is_refused(other, url, home, forged, iid)
            expect(other.get_by_text("Audit log", exact=True)).to_be_visible()
            expect(other.locator("body")).not_to_contain_text(EDITOR["email"])  # identities: editors only
        finally:
            context.close()

    # 3. the editor removes the import (a real click sends exactly the trigger the readers' forgeries carried)
    page.goto(f"{url}/data")
    wait_for_app(page, timeout=60_000)
    page.locator(f".st-key-rm_{iid} button").filter(visible=True).click()
    expect(page.locator('[data-testid="stAlert"]').filter(has_text=f"Removed {sample.name}")).to_be_visible(
        timeout=60_000)
    assert SurveyStore(home).list() == []
    assert [t.import_id for t in Ledger(SurveyStore(home)).trash()] == [iid]
    expect(page.locator('[class*="st-key-restore_"]')).to_have_count(1)

    # 4. the audit log: on the page and as CSV, the editor's two actions with the editor's identity
    wait_for_app(page, timeout=60_000)
    page.get_by_role("button", name="Audit log (CSV)").scroll_into_view_if_needed()  # tables draw when in view
    audit = _grid(page, "Signed in with")  # the audit log's table
    expect(audit).to_have_count(1, timeout=30_000)
    with page.expect_download(timeout=60_000) as dl:
        page.locator(".st-key-dl_audit button").click()
    path = tmp_path / "audit.csv"
    dl.value.save_as(path)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert [(r["action"], r["user"], r["user_name"], r["signed_in_with"], r["file"], r["import_id"])
            for r in rows] == [("remove", EDITOR["email"], EDITOR["name"], "oidc", sample.name, iid),
                               ("import", EDITOR["email"], EDITOR["name"], "oidc", sample.name, iid)]
    assert {r["sha256"] for r in rows} == {hashlib.sha256(sample.read_bytes()).hexdigest()}
    cells = audit.locator("[role=gridcell]")
    expect(cells.first).to_be_attached(timeout=30_000)
    texts = cells.all_text_contents()
    assert texts.count(EDITOR["email"]) == 2 and {"Imported", "Removed (to the trash)"} <= set(texts)
    assert "organisation sign-in" in texts

    # 5. sign out: the sidebar offers sign-in again and the controls are gone
    page.unroute_all()
    _sidebar(page).get_by_role("button", name="Sign out").click()
    # Streamlit clears its cookie and sends the browser to the provider's end-session page, which asks to confirm
    page.wait_for_url(re.compile(r"/oauth2/end_session"), timeout=30_000)
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(re.compile("^" + re.escape(url)), timeout=30_000)
    page.goto(f"{url}/data")
    wait_for_app(page, timeout=60_000)
    expect(_sidebar(page).get_by_role("button", name="Sign in")).to_be_visible(timeout=30_000)
    expect(page.locator(EDIT_CONTROLS)).to_have_count(0)
    log = app["log"].read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]
