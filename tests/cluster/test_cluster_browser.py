"""Replicas behind HAProxy, driven by Chromium: a browser stays on its replica; an import or a removal made
through one replica shows on a session of the other at its next rerun, without a restart; two imports made
at the same moment through the two replicas are both kept.

Which replica served what is read from HAProxy itself (its request log: tools/cluster.py's
`Cluster.requests()`), not only from the cookie the browser holds. A browser is pinned to a replica the way
HAProxy pins it: with the SERVERID cookie it would have inserted.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from iscm.survey.extract import parse_document
from tests.browser.conftest import wait_for_app
from tools.cluster import COOKIE, Cluster, Request

pytestmark = [pytest.mark.cluster, pytest.mark.browser]
EXCEPTION = '[data-testid="stException"]'


def open_context(browser: Browser, args: dict, c: Cluster, replica: str | None = None) -> BrowserContext:
    """A fresh browser profile; with `replica`, it holds the cookie HAProxy inserts for that replica."""
    ctx = browser.new_context(**args)
    if replica:
        ctx.add_cookies([{"name": COOKIE, "value": replica, "url": c.url}])
    return ctx


def replica_of(ctx: BrowserContext) -> str | None:
    return next((k["value"] for k in ctx.cookies() if k["name"] == COOKIE), None)


def websockets(reqs: list[Request]) -> list[Request]:
    return [r for r in reqs if r.path == "/_stcore/stream" and r.status == 101]


def rerun(page: Page) -> None:
    """A rerun of the page's session on its open websocket, as the user's 'R' key (Rerun) asks for it."""
    page.evaluate("() => document.activeElement && document.activeElement.blur()")  # no widget has the key
    page.keyboard.press("r")
    wait_for_app(page, timeout=60_000)


def survey_panel(page: Page):  # noqa: ANN201 - a Locator
    tab = page.get_by_role("tab", name=re.compile("Survey findings"))
    expect(tab).to_be_visible(timeout=60_000)
    tab.click()
    panel = page.locator('[role="tabpanel"]:visible')
    expect(panel).to_have_count(1)
    return panel


def upload(page: Page, c: Cluster, path) -> None:  # noqa: ANN001
    page.goto(f"{c.url}/data")
    wait_for_app(page, timeout=60_000)
    page.locator(".st-key-survey_upload input[type=file]").set_input_files(path)
    expect(page.locator('[data-testid="stAlert"]').filter(has_text=re.compile(r"Read \d+ ISCM entr"))).to_be_visible(
        timeout=60_000)


def test_a_browser_keeps_its_replica_across_reruns_and_reloads(atlas_cluster, browser, browser_context_args, ds,
                                                              needs_chromium):
    c = atlas_cluster
    since = len(c.requests())
    first = open_context(browser, browser_context_args, c)
    page = first.new_page()
    page.goto(c.url + "/")
    wait_for_app(page, timeout=60_000)
    mine = replica_of(first)
    assert mine in {r.name for r in c.replicas}

    # reruns of the same session (a page switch from the sidebar, the Rerun key), then two new sessions (reloads)
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Themes").click()
    expect(page).to_have_url(re.compile(r"/themes"), timeout=60_000)
    wait_for_app(page, timeout=60_000)
    expect(page.get_by_role("heading", name="Themes").first).to_be_visible()
    rerun(page)
    for _ in range(2):
        page.reload()
        wait_for_app(page, timeout=60_000)
    expect(page.locator(EXCEPTION)).to_have_count(0)
    # a file made by the session (/media/...) exists only in its replica: the download must reach it
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Data").click()
    wait_for_app(page, timeout=60_000)
    page.get_by_role("tab", name="iscms", exact=True).click()  # the table's tab (the page opens on the list)
    wait_for_app(page, timeout=60_000)
    with page.expect_download(timeout=60_000) as got:
        page.locator(".st-key-dl_iscms button").click()
    rows = list(csv.reader(io.StringIO(Path(got.value.path()).read_text(encoding="utf-8-sig"))))
    assert len(rows) - 1 == len(ds.iscms) and "iscm_id" in rows[0]
    assert replica_of(first) == mine

    # a second browser, arriving while the first is open, goes to the replica with fewer connections
    second = open_context(browser, browser_context_args, c)
    other = second.new_page()
    other.goto(c.url + "/")
    wait_for_app(other, timeout=60_000)
    theirs = replica_of(second)
    assert theirs in {r.name for r in c.replicas} - {mine}

    first_reqs = [r for r in c.requests()[since:] if r.server == mine]
    served = {r.server for r in c.requests()[since:]}
    assert served == {mine, theirs}
    # every request before the second browser arrived went to `mine`: page, scripts, health, websockets
    before_second = c.requests()[since:]
    cut = next(i for i, r in enumerate(before_second) if r.server == theirs)
    assert {r.server for r in before_second[:cut]} == {mine}
    assert len(websockets(first_reqs)) >= 3  # the first session and one per reload, all on `mine`
    media = [r.status for r in first_reqs if r.path.startswith("/media/")]
    assert media and set(media) == {200}  # the download (and the page's own media) found on `mine`
    assert len(websockets([r for r in c.requests()[since:] if r.server == theirs])) == 1
    first.close()
    second.close()


def test_an_import_through_one_replica_shows_on_the_other_at_its_next_rerun(
        atlas_cluster, empty_store, browser, browser_context_args, sample_survey, ds, needs_chromium):
    c = atlas_cluster
    parsed = parse_document(sample_survey.name, sample_survey.read_bytes(), ds)
    entry = next(e for e in parsed.entries if e.iscm_id)
    titles = [f"{s.number}. {s.title}" for s in entry.sections]
    assert titles
    on_r1 = open_context(browser, browser_context_args, c, "r1")
    on_r2 = open_context(browser, browser_context_args, c, "r2")
    editor, reader = on_r1.new_page(), on_r2.new_page()
    since = len(c.requests())

    # the reader (replica r2) has the profile open, before anything is imported
    reader.goto(f"{c.url}/profile?iscm={entry.iscm_id}")
    wait_for_app(reader, timeout=60_000)
    panel = survey_panel(reader)
    expect(panel).to_contain_text("No survey summary about this ISCM has been imported", timeout=30_000)

    # the editor imports through replica r1
    upload(editor, c, sample_survey)
    editor.get_by_role("button", name="Confirm import").click()
    expect(editor.locator('[data-testid="stAlert"]').filter(has_text="Imported: ").filter(
        has_text=f"from {sample_survey.name}, stored on")).to_be_visible(timeout=60_000)
    assert [s.name for s in empty_store.list()] == [sample_survey.name]

    # the reader's next rerun, same session, same replica: the import is there
    rerun(reader)
    panel = survey_panel(reader)
    expect(panel).to_contain_text(sample_survey.name, timeout=30_000)
    for title in titles:
        expect(panel).to_contain_text(title)

    reqs = c.requests()[since:]
    uploads = [r for r in reqs if r.path.startswith("/_stcore/upload_file") and r.method == "PUT"]
    assert uploads and {r.server for r in uploads} == {"r1"}  # the file went to the editor's replica
    # the reader's session never left r2 and never reconnected: one websocket, the first one
    assert [r.server for r in websockets(reqs) if r.server == "r2"] == ["r2"]
    assert {r.server for r in reqs if r.server != "r1"} == {"r2"}

    # and back: the reader removes it through r2; the editor's open profile on r1 drops it at its next rerun
    editor.goto(f"{c.url}/profile?iscm={entry.iscm_id}")
    wait_for_app(editor, timeout=60_000)
    expect(survey_panel(editor)).to_contain_text(sample_survey.name, timeout=30_000)
    reader.goto(f"{c.url}/data")
    wait_for_app(reader, timeout=60_000)
    remove = reader.locator('[class*="st-key-rm_"] button')
    expect(remove).to_have_count(1, timeout=30_000)
    remove.click()
    expect(reader.locator('[data-testid="stAlert"]').filter(has_text=f"Removed {sample_survey.name}")).to_be_visible(
        timeout=60_000)
    assert empty_store.list() == []
    rerun(editor)
    panel = survey_panel(editor)
    expect(panel).to_contain_text("No survey summary about this ISCM has been imported", timeout=30_000)
    for title in titles:
        expect(panel).not_to_contain_text(title)
    assert replica_of(on_r1) == "r1" and replica_of(on_r2) == "r2"
    on_r1.close()
    on_r2.close()


def test_two_imports_at_the_same_moment_through_two_replicas_are_both_kept(
        atlas_cluster, empty_store, browser, browser_context_args, sample_survey, atlantis_survey, needs_chromium):
    c = atlas_cluster
    docs = {"r1": sample_survey, "r2": atlantis_survey}
    contexts = {name: open_context(browser, browser_context_args, c, name) for name in docs}
    pages = {name: ctx.new_page() for name, ctx in contexts.items()}
    since = len(c.requests())
    for name, page in pages.items():
        upload(page, c, docs[name])
    buttons = {name: page.get_by_role("button", name="Confirm import") for name, page in pages.items()}
    for b in buttons.values():
        expect(b).to_be_enabled(timeout=30_000)
    for b in buttons.values():  # both clicks sent before either answer is awaited
        b.click(no_wait_after=True)
    for name, page in pages.items():
        expect(page.locator('[data-testid="stAlert"]').filter(has_text="Imported: ").filter(
            has_text=f"from {docs[name].name}, stored on")).to_be_visible(timeout=60_000)

    assert sorted(s.name for s in empty_store.list()) == sorted(d.name for d in docs.values())
    assert not (c.home / "quarantine").exists()
    # each replica's Data page lists both imports, and each replica's dataset has the new ISCM of the other's
    for page in pages.values():
        rerun(page)
        listed = page.locator('[data-testid="stMarkdownContainer"]').filter(has_text=re.compile(r"· imported "))
        expect(listed).to_have_count(2, timeout=30_000)
        for d in docs.values():
            expect(listed.filter(has_text=d.name)).to_have_count(1)
        page.goto(f"{c.url}/profile?iscm=survey-atlantis-dialogue-on-migration")
        wait_for_app(page, timeout=60_000)
        expect(page.get_by_text("This ISCM was added from an imported survey")).to_be_visible(timeout=30_000)
    reqs = c.requests()[since:]
    uploads = {r.server for r in reqs if r.path.startswith("/_stcore/upload_file") and r.method == "PUT"}
    assert uploads == {"r1", "r2"}
    for ctx in contexts.values():
        ctx.close()
