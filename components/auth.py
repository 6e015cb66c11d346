"""Who is using the dashboard and whether they may edit: Streamlit's OpenID Connect sign-in (`st.login`,
`st.user`, `st.logout`, configured under `[auth]` in .streamlit/secrets.toml) and the rules of iscm/access.py.

`current()` is asked on every run; it is cheap (a few option and secret look-ups). Every change to the survey
store goes through `editor_actor()`, which refuses anyone who may not edit, so an edit control that was never
drawn cannot be reached by a forged widget value or URL either.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st
from streamlit import config as st_config

from iscm.access import (
    ENV_CLAIM,
    ENV_EDITORS,
    ENV_MODE,
    EditorRule,
    Identity,
    Mode,
    can_edit,
    identity_from_claims,
    resolve_mode,
)
from iscm.audit import OPEN_ACTOR, Actor
from iscm.markup import escape_markdown

_LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class Access:
    mode: Mode
    identity: Identity | None
    rule: EditorRule
    can_edit: bool
    sign_in: bool              # sign-in is configured ([auth] in secrets.toml)
    providers: tuple[str, ...]  # provider names for st.login ("" = the [auth] section itself)


class NotAnEditor(PermissionError):
    """A change was asked for by someone who may not edit."""


def _auth_section() -> Mapping[str, Any]:
    try:
        if not st.secrets.load_if_toml_exists():
            return {}
        section = st.secrets.get("auth")
    except Exception:  # noqa: BLE001 - unreadable secrets: sign-in is simply not configured
        _LOG.warning("the secrets could not be read; sign-in is off", exc_info=True)
        return {}
    return section if isinstance(section, Mapping) else {}


def _providers(section: Mapping[str, Any]) -> tuple[str, ...]:
    """`("",)` for a single provider configured in [auth] itself, else the names of its [auth.NAME] tables
    that hold a client id; () when sign-in is not configured."""
    if not section.get("redirect_uri") or not section.get("cookie_secret"):
        return ()
    if section.get("client_id") and section.get("server_metadata_url"):
        return ("",)
    return tuple(sorted(k for k, v in section.items() if isinstance(v, Mapping) and v.get("client_id")))


def _claims() -> dict[str, Any]:
    try:
        return dict(st.user.to_dict())
    except Exception:  # noqa: BLE001 - outside a script run
        return {}


def current() -> Access:
    """The editing mode, the signed-in user (if any) and whether they may edit, for this run."""
    providers = _providers(_auth_section())
    # config.get_option looked up at call time: AppTest patches it to say "global.appTest" during its runs
    mode = resolve_mode(os.environ.get(ENV_MODE), address=st_config.get_option("server.address"),
                        auth_configured=bool(providers), testing=bool(st_config.get_option("global.appTest")))
    claims = _claims() if providers or mode.name == "oidc" else {}
    identity = identity_from_claims(claims)
    rule = EditorRule.from_settings(os.environ.get(ENV_EDITORS), os.environ.get(ENV_CLAIM))
    # oidc asked for while nobody can sign in: fail closed
    allowed = can_edit(mode, identity, rule, claims) and not (mode.name == "oidc" and not providers)
    return Access(mode=mode, identity=identity, rule=rule, can_edit=allowed, sign_in=bool(providers),
                  providers=providers)


def editor_actor(access: Access | None = None) -> Actor:
    """Who is making a change, for the audit log; raises NotAnEditor for anyone who may not edit."""
    access = access or current()
    if not access.can_edit:
        raise NotAnEditor("only editors can change the imported surveys")
    if access.identity is not None:
        return Actor(access.identity.user_id, access.identity.name, "oidc")
    return OPEN_ACTOR


def account_sidebar(container) -> None:  # noqa: ANN001 - a Streamlit container
    """Sign-in / sign-out and the signed-in user's name, when sign-in is configured."""
    access = current()
    if not access.sign_in:
        return
    if access.identity is not None:
        role = "editor" if access.can_edit else "reader"
        container.caption(f"Signed in as **{escape_markdown(access.identity.name or access.identity.user_id)}** "
                          f"({role})")
        if container.button("Sign out", key="auth_logout", icon=":material/logout:"):
            st.logout()
        return
    for name in access.providers:
        label = f"Sign in with {name}" if name and len(access.providers) > 1 else "Sign in"
        if container.button(label, key=f"auth_login_{name or 'default'}", icon=":material/login:"):
            st.login(name or None)


def mode_notice(access: Access) -> None:
    """Say on the Data page which editing mode is on, why, and how to change it."""
    m = access.mode
    if m.problem:
        st.error(escape_markdown(m.problem), icon=":material/error:")
    if access.rule.problem:
        st.warning(escape_markdown(access.rule.problem), icon=":material/warning:")
    change = ("Change it with the setting `ISCM_EDITING` (`open`, `oidc` or `off`) where the server is started; "
              "the README's *Serving on a network* says how to set up sign-in.")
    if m.name == "open":
        st.info(f"Editing is **open**: everyone who can reach this dashboard can import and remove surveys "
                f"({escape_markdown(m.reason)}). {change}", icon=":material/lock_open:")
    elif m.name == "off":
        st.info(f"Editing is **off**: {escape_markdown(m.reason)}. Everyone can read; nobody can import or remove "
                f"here (imports can still be made on the server with `python -m iscm import FILE`). {change}",
                icon=":material/lock:")
    else:
        if not access.sign_in:
            who = ("Sign-in is not configured (no `[auth]` in `.streamlit/secrets.toml`), so nobody can edit "
                   "yet.")
        elif access.identity is None:
            who = "Sign in (in the sidebar) to edit if you are an editor."
        elif access.can_edit:
            who = f"You are signed in as {escape_markdown(access.identity.label)}, an editor."
        else:
            who = (f"You are signed in as {escape_markdown(access.identity.label)}, who is not an editor; ask "
                   "the dashboard's administrators to add you.")
        st.info(f"Editing needs sign-in (**oidc**): editors are {escape_markdown(access.rule.describe())}. {who} "
                f"{change}", icon=":material/lock_person:")
