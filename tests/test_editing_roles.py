"""Roles on the Data page (AppTest): readers read, editors import, remove, restore and empty the trash; the
page says which editing mode is on; every change shows in the audit log; no server path reaches the page.

Sign-in itself (the OpenID Connect round trip) is tested in the browser: tests/browser/test_auth_browser.py.
Here `AppTest.user` plays the signed-in user, as Streamlit's cookie would.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from iscm.audit import Actor, Ledger
from iscm.survey.extract import parse_document
from iscm.survey.store import SurveyStore, import_id
from tests.conftest import shown

AUTH = {"auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
                 "client_id": "atlas", "client_secret": "s", "server_metadata_url":
                 "http://localhost:9/.well-known/openid-configuration"}}
ERIN = {"is_logged_in": True, "sub": "erin", "email": "erin@example.org", "name": "Erin Editor"}
OLU = {"is_logged_in": True, "sub": "olu", "email": "olu@example.org", "name": "Olu Reader"}


@pytest.fixture
def oidc(monkeypatch):
    monkeypatch.setenv("ISCM_EDITING", "oidc")
    monkeypatch.setenv("ISCM_EDITORS", "erin@example.org")


def _data_page(app_test, user: dict | None = None, secrets: dict | None = None):
    at = app_test()
    if secrets:
        at.secrets = secrets
    if user is not None:
        at.user = user
    at.run()
    at.switch_page("pages/data.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _texts(at) -> list[str]:  # noqa: ANN001
    return [shown(str(e.value)) for kind in ("markdown", "caption", "info", "error", "warning", "success")
            for e in getattr(at, kind)]


def _edit_controls(at) -> list[str]:  # noqa: ANN001
    keys = [b.key or "" for b in at.button] + [u.key or "" for u in at.get("file_uploader")]
    return [k for k in keys if k == "survey_upload" or k == "import_confirm" or k == "trash_empty"
            or k.startswith(("rm_", "restore_"))]


def _home() -> Path:
    return Path(os.environ["ISCM_ATLAS_HOME"])


def test_apptest_counts_as_local_so_editing_is_open(app_test):
    at = _data_page(app_test)
    (notice,) = [t for t in _texts(at) if t.startswith("Editing is")]
    assert notice.startswith("Editing is **open**: everyone who can reach this dashboard can import and remove")
    assert "ISCM_EDITING" in notice
    assert "survey_upload" in _edit_controls(at)
    assert not [b for b in at.sidebar.button if b.key and b.key.startswith("auth_")]  # no sign-in configured


def test_editor_imports_removes_restores_and_the_log_names_them(app_test, oidc, seed_text):
    at = _data_page(app_test, ERIN, AUTH)
    assert any("Signed in as **Erin Editor** (editor)" in shown(c.value) for c in at.sidebar.caption)
    assert "auth_logout" in [b.key for b in at.sidebar.button]
    notice = next(t for t in _texts(at) if t.startswith("Editing needs sign-in"))
    assert "You are signed in as Erin Editor <erin@example.org>, an editor." in notice

    at.file_uploader(key="survey_upload").upload("prague.txt", seed_text.encode(), "text/plain").run()
    at.button(key="import_confirm").click().run()
    iid = import_id(seed_text.encode())
    at.button(key=f"rm_{iid}").click().run()
    assert any("Removed prague.txt (moved to the trash)" in shown(s.value) for s in at.success)
    assert SurveyStore(_home()).list() == []
    (trashed,) = Ledger(SurveyStore(_home())).trash()
    at.button(key=f"restore_{trashed.entry}").click().run()
    assert any("Restored prague.txt." in shown(s.value) for s in at.success)
    assert [s.import_id for s in SurveyStore(_home()).list()] == [iid]

    log = next(d.value for d in at.dataframe if "What changed" in d.value.columns)
    assert list(log["Change"]) == ["Restored", "Removed (to the trash)", "Imported"]
    assert set(log["Who"]) == {"erin@example.org"} and set(log["Name"]) == {"Erin Editor"}
    assert set(log["Signed in with"]) == {"organisation sign-in"}
    assert set(log["File"]) == {"prague.txt"} and set(log["Import id"]) == {iid}
    assert "dl_audit" in [b.key for b in at.get("download_button")]

    at.button(key=f"rm_{iid}").click().run()
    at.button(key="trash_empty").click().run()
    assert any("Deleted 1 removed import(s) for good." in shown(s.value) for s in at.success)
    assert Ledger(SurveyStore(_home())).trash() == []


@pytest.mark.parametrize("who", ["signed-in non-editor", "anonymous reader"])
def test_readers_get_no_edit_control_and_cannot_reach_one(app_test, oidc, ds, who):
    data = b"Name of the ISCM: Atlantis Dialogue\n\n1. Evolution of programming and thematic focus\nLabour migration.\n"
    erin = Actor("erin@example.org", "Erin Editor", "oidc")
    ledger = Ledger(SurveyStore(_home()))
    stored, _ = ledger.import_file("atlantis.txt", data, parse_document("atlantis.txt", data, ds), erin)
    other, _ = ledger.import_file("lemuria.txt", data + b"x", parse_document("lemuria.txt", data + b"x", ds), erin)
    entry = ledger.remove(other.import_id, erin).entry
    before = sorted(str(p.relative_to(_home())) for p in _home().rglob("*"))

    user = OLU if who == "signed-in non-editor" else {}
    at = _data_page(app_test, user, AUTH)
    assert _edit_controls(at) == []
    assert any("atlantis.txt" in t for t in _texts(at))  # readers still see what is imported
    if who == "anonymous reader":
        assert "auth_login_default" in [b.key for b in at.sidebar.button]
        assert any("Sign in (in the sidebar) to edit" in t for t in _texts(at))
    else:
        assert any("Signed in as **Olu Reader** (reader)" in shown(c.value) for c in at.sidebar.caption)
        assert any("who is not an editor" in t for t in _texts(at))
    log = next(d.value for d in at.dataframe if "What changed" in d.value.columns)
    assert list(log["Change"]) == ["Removed (to the trash)", "Imported", "Imported"]
    assert not {"Who", "Name"} & set(log.columns) and "erin@example.org" not in log.to_csv()  # editors only

    # the keys of the editor's controls, set by hand, and URLs naming the actions: nothing happens
    for key in (f"rm_{stored.import_id}", "import_confirm", f"restore_{entry}", "trash_empty"):
        at.session_state[key] = True
    at.query_params["remove"] = stored.import_id
    at.query_params["restore"] = entry
    at.run()
    assert not at.exception and _edit_controls(at) == []
    at2 = app_test(remove=stored.import_id, action="remove", restore=entry)
    at2.secrets, at2.user = AUTH, user
    at2.run()
    at2.switch_page("pages/data.py").run()
    assert not at2.exception and _edit_controls(at2) == []
    assert sorted(str(p.relative_to(_home())) for p in _home().rglob("*")) == before
    assert [e.action for e in ledger.events()[0]] == ["import", "import", "remove"]


def test_oidc_without_sign_in_configured_lets_nobody_edit(app_test, oidc):
    at = _data_page(app_test, ERIN)  # even a user who looks signed in: there is no provider to trust
    assert _edit_controls(at) == []
    assert any("Sign-in is not configured" in t for t in _texts(at))


def test_off_mode_says_how_to_change_it(app_test, monkeypatch):
    monkeypatch.setenv("ISCM_EDITING", "off")
    at = _data_page(app_test)
    notice = next(t for t in _texts(at) if t.startswith("Editing is"))
    assert notice.startswith("Editing is **off**: ISCM_EDITING=off is set.")
    assert "python -m iscm import FILE" in notice and "`open`, `oidc` or `off`" in notice
    assert _edit_controls(at) == []


def test_a_mistyped_mode_turns_editing_off_with_a_message(app_test, monkeypatch):
    monkeypatch.setenv("ISCM_EDITING", "opne")
    at = _data_page(app_test)
    assert [shown(e.value) for e in at.error] == ["ISCM_EDITING='opne' is not one of open, oidc, off — set one of "
                                                 "them; until then nobody can edit."]
    assert _edit_controls(at) == []


def test_no_server_path_on_the_data_page(app_test, seed_text, tmp_path):
    at = _data_page(app_test)
    at.file_uploader(key="survey_upload").upload("prague.txt", seed_text.encode(), "text/plain").run()
    at.button(key="import_confirm").click().run()
    texts = _texts(at) + [shown(str(c.value)) for c in at.sidebar.caption]
    assert any("prague.txt" in t for t in texts)
    assert not [t for t in texts if str(tmp_path) in t or str(_home()) in t]


def test_an_unexpected_error_shows_no_message_path_or_stack_trace():
    """.streamlit/config.toml: showErrorDetails = "type" (the server log keeps the details)."""
    from streamlit.testing.v1 import AppTest

    def page():
        raise RuntimeError("cannot open /srv/atlas/secret.toml")

    (exc,) = AppTest.from_function(page).run().exception
    assert "/srv/atlas" not in exc.value and exc.stack_trace == []
    assert "redacted" in exc.value


def test_a_click_on_remove_after_another_tab_removed_it_changes_nothing(app_test, ds):
    """The list is read again before the buttons are drawn, so the stale click finds no button: no error, no
    second log line, and the page shows the import gone."""
    data = b"Name of the ISCM: Atlantis Dialogue\n\n1. Evolution of programming and thematic focus\nLabour migration.\n"
    stored, _ = Ledger(SurveyStore(_home())).import_file(
        "atlantis.txt", data, parse_document("atlantis.txt", data, ds), Actor("local user"))
    at = _data_page(app_test)
    Ledger(SurveyStore(_home())).remove(stored.import_id, Actor("other@example.org", "", "oidc"))
    at.button(key=f"rm_{stored.import_id}").click().run()
    assert not at.exception and not at.error
    assert f"rm_{stored.import_id}" not in _edit_controls(at)
    assert any(t == "No survey imported yet." for t in _texts(at))
    assert [e.user for e in Ledger(SurveyStore(_home())).events()[0]] == ["local user", "other@example.org"]
