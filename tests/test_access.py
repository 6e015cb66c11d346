"""Who may edit (iscm/access.py): the editing mode and the editors rule, without Streamlit."""

from __future__ import annotations

import pytest

from iscm.access import EditorRule, can_edit, identity_from_claims, is_loopback, resolve_mode


@pytest.mark.parametrize("address,loopback", [
    ("127.0.0.1", True), ("127.0.1.1", True), ("::1", True), ("[::1]", True), ("localhost", True),
    (None, False), ("", False), ("0.0.0.0", False), ("::", False), ("192.168.1.20", False),
    ("dashboard.example.org", False),
])
def test_loopback_addresses(address, loopback):
    assert is_loopback(address) is loopback


@pytest.mark.parametrize("setting,address,auth,testing,mode", [
    (None, "127.0.0.1", False, False, "open"),       # make run: a local tool
    (None, "127.0.0.1", True, False, "open"),
    (None, None, False, False, "off"),               # Streamlit's default, every interface, no sign-in
    (None, "0.0.0.0", True, False, "oidc"),          # on a network with sign-in configured
    (None, "0.0.0.0", False, True, "open"),          # AppTest counts as local
    ("open", "0.0.0.0", False, False, "open"),       # an explicit choice wins
    (" OIDC ", "127.0.0.1", False, False, "oidc"),
    ("off", "127.0.0.1", True, True, "off"),
    ("yes", "127.0.0.1", True, False, "off"),        # a value that is not a mode: fail closed
])
def test_mode_defaults_and_explicit_settings(setting, address, auth, testing, mode):
    got = resolve_mode(setting, address=address, auth_configured=auth, testing=testing)
    assert got.name == mode
    assert got.explicit is bool((setting or "").strip())


def test_a_bad_setting_names_itself_and_the_fix():
    m = resolve_mode("opne", address="127.0.0.1", auth_configured=False)
    assert m.name == "off" and m.problem == ("ISCM_EDITING='opne' is not one of open, oidc, off — set one of them; "
                                             "until then nobody can edit.")


def test_reasons_say_why():
    assert "0.0.0.0" in resolve_mode(None, address="0.0.0.0", auth_configured=False).reason
    assert "every network interface" in resolve_mode(None, address=None, auth_configured=True).reason


ERIN = {"is_logged_in": True, "sub": "erin", "email": "Erin@Example.org", "name": "Erin Editor"}


def test_identity_from_claims():
    assert identity_from_claims({}) is None
    assert identity_from_claims({"email": "test@example.com"}) is None  # not signed in
    assert identity_from_claims({"is_logged_in": False, "email": "a@b.c"}) is None
    who = identity_from_claims({**ERIN, "groups": ["staff", "iscm-editors"]})
    assert (who.user_id, who.label, who.groups) == ("Erin@Example.org", "Erin Editor <Erin@Example.org>",
                                                     ("staff", "iscm-editors"))
    assert identity_from_claims({"is_logged_in": True, "sub": "x1"}).label == "x1"


def test_editors_by_email_group_or_claim():
    rule = EditorRule.from_settings("erin@example.org, iscm-editors", None)
    erin = identity_from_claims(ERIN)
    assert rule.allows(erin, ERIN)  # e-mails compare without case
    grp = {"is_logged_in": True, "sub": "g", "email": "g@example.org", "groups": ["ISCM-Editors"]}
    assert rule.allows(identity_from_claims(grp), grp)
    other = {"is_logged_in": True, "sub": "o", "email": "olu@example.org", "groups": ["staff"]}
    assert not rule.allows(identity_from_claims(other), other)
    assert not rule.allows(None, {})
    # an unverified e-mail is not trusted
    unverified = {**ERIN, "email_verified": False}
    assert not rule.allows(identity_from_claims(unverified), unverified)

    by_role = EditorRule.from_settings("", "roles=iscm-editor")
    app_role = {"is_logged_in": True, "sub": "r", "roles": ["reader", "iscm-editor"]}
    assert by_role.allows(identity_from_claims(app_role), app_role)
    assert not by_role.allows(identity_from_claims(other), other)
    flag = EditorRule.from_settings(None, "iscm_editor")
    yes, no = {**ERIN, "iscm_editor": True}, {**ERIN, "iscm_editor": "false"}
    assert flag.allows(identity_from_claims(yes), yes) and not flag.allows(identity_from_claims(no), no)
    assert EditorRule.from_settings(None, "bad claim!").problem.startswith("ISCM_EDITOR_CLAIM='bad claim!'")
    assert EditorRule.from_settings(None, None).describe().startswith("nobody yet")


def test_can_edit_per_mode():
    rule = EditorRule.from_settings("erin@example.org", None)
    erin = identity_from_claims(ERIN)
    for setting, anonymous, editor in (("open", True, True), ("oidc", False, True), ("off", False, False)):
        mode = resolve_mode(setting, address="0.0.0.0", auth_configured=True)
        assert can_edit(mode, None, rule, {}) is anonymous
        assert can_edit(mode, erin, rule, ERIN) is editor
