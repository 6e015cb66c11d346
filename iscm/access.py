"""Who may change the survey store: the editing mode, and which signed-in users are editors.

Pure rules, no Streamlit (components/auth.py reads the server's address, the secrets and `st.user` and asks
these functions). Everyone reads everything; only editing (importing, removing, restoring, emptying the
trash) is controlled, by one setting:

- `ISCM_EDITING=open`: everyone who reaches the server may edit (a tool on one's own computer).
- `ISCM_EDITING=oidc`: editors are users signed in with the organisation's OpenID Connect provider whose
  e-mail or group is on `ISCM_EDITORS`, or whose token carries the claim named by `ISCM_EDITOR_CLAIM`.
- `ISCM_EDITING=off`: nobody edits through the dashboard (the command line still imports).

Unset, the mode follows from how the server is reached: `open` when it listens on loopback only, otherwise
`oidc` when sign-in is configured, otherwise `off`. A value that is not one of the three turns editing off
(fail closed) with a message naming the setting.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

ENV_MODE = "ISCM_EDITING"
ENV_EDITORS = "ISCM_EDITORS"
ENV_CLAIM = "ISCM_EDITOR_CLAIM"
MODES = ("open", "oidc", "off")

_TRUE = {"true", "yes", "1", "on"}


@dataclass(frozen=True)
class Mode:
    name: str          # open | oidc | off
    explicit: bool     # set with ISCM_EDITING (else derived from the address and the sign-in configuration)
    reason: str        # why this mode is on (a clause, no final full stop)
    problem: str = ""  # a setting that could not be used, with its fix ("" when none)


def is_loopback(address: str | None) -> bool:
    """True when a server bound to `address` is reachable from this computer only.

    No address means Streamlit's default, every interface. Host names other than `localhost` are not
    resolved: they count as reachable from the network.
    """
    if not address:
        return False
    a = address.strip().strip("[]").lower()
    if a == "localhost":
        return True
    try:
        return ipaddress.ip_address(a).is_loopback
    except ValueError:
        return False


def resolve_mode(setting: str | None, *, address: str | None, auth_configured: bool, testing: bool = False) -> Mode:
    """The editing mode from the ISCM_EDITING value (None or "" when unset) and the server's situation.

    `testing` is a test harness that runs the app in-process (Streamlit's AppTest): it counts as local.
    """
    value = (setting or "").strip().lower()
    if value in MODES:
        return Mode(value, True, f"{ENV_MODE}={value} is set")
    if value:
        return Mode("off", True, f"{ENV_MODE} holds a value that is not a mode",
                    problem=f"{ENV_MODE}={setting!r} is not one of open, oidc, off — set one of them; until "
                            "then nobody can edit.")
    if is_loopback(address):
        return Mode("open", False, f"the server listens on {address}, so only people at this computer reach it")
    if testing:
        return Mode("open", False, "this is an in-process test run, which counts as this computer only")
    where = f"on {address}" if address else "on every network interface"
    if auth_configured:
        return Mode("oidc", False, f"the server listens {where} and sign-in is configured")
    return Mode("off", False, f"the server listens {where} and sign-in is not configured, so editors could not "
                              "be told apart from anyone else")


@dataclass(frozen=True)
class Identity:
    """A signed-in user, from the claims of their ID token."""
    subject: str
    email: str
    email_verified: bool
    name: str
    groups: tuple[str, ...]

    @property
    def user_id(self) -> str:
        """What the audit log records as the user: the e-mail, else the provider's subject."""
        return self.email or self.subject

    @property
    def label(self) -> str:
        if self.name and self.email and self.name != self.email:
            return f"{self.name} <{self.email}>"
        return self.name or self.email or self.subject


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(v for v in re.split(r"[\s,]+", value) if v)
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(str(v) for v in value if isinstance(v, (str, int)) and str(v))
    return ()


def identity_from_claims(claims: Mapping[str, Any]) -> Identity | None:
    """The signed-in user, or None for an anonymous visitor (no `is_logged_in`, or no subject/e-mail)."""
    if claims.get("is_logged_in") is not True:
        return None
    sub = str(claims.get("sub") or "")
    email = str(claims.get("email") or "").strip()
    if not (sub or email):
        return None
    verified = claims.get("email_verified", True)
    verified = verified if isinstance(verified, bool) else str(verified).lower() in _TRUE
    name = str(claims.get("name") or claims.get("preferred_username") or "").strip()
    return Identity(subject=sub, email=email, email_verified=verified, name=name,
                    groups=_strings(claims.get("groups")))


@dataclass(frozen=True)
class EditorRule:
    """Which signed-in users are editors: e-mails and groups on a list, and/or a claim of the token."""
    entries: frozenset[str] = frozenset()   # lower-cased e-mails and group names/ids
    claim: str = ""                         # name of a claim that marks editors ("" = none)
    claim_value: str = ""                   # the value it must hold or contain ("" = any true value)
    problem: str = ""

    @classmethod
    def from_settings(cls, editors: str | None, claim: str | None) -> EditorRule:
        entries = frozenset(e.lower() for e in _strings(editors or ""))
        name, _, value = (claim or "").strip().partition("=")
        problem = ""
        if name and not re.fullmatch(r"[A-Za-z0-9_.:/-]{1,100}", name.strip()):
            problem = (f"{ENV_CLAIM}={claim!r} does not name a claim — write a claim name, optionally with "
                       "=value (e.g. roles=iscm-editor); it is ignored until then.")
            name, value = "", ""
        return cls(entries=entries, claim=name.strip(), claim_value=value.strip(), problem=problem)

    @property
    def empty(self) -> bool:
        return not self.entries and not self.claim

    def allows(self, identity: Identity | None, claims: Mapping[str, Any]) -> bool:
        if identity is None:
            return False
        if identity.email and identity.email_verified and identity.email.lower() in self.entries:
            return True
        if any(g.lower() in self.entries for g in identity.groups):
            return True
        if self.claim and self.claim in claims:
            got = claims[self.claim]
            if not self.claim_value:
                return got is True or (isinstance(got, str) and got.strip().lower() in _TRUE)
            return self.claim_value in _strings(got) or got == self.claim_value
        return False

    def describe(self) -> str:
        parts = []
        if self.entries:
            parts.append(f"{len(self.entries)} e-mail(s) or group(s) in {ENV_EDITORS}")
        if self.claim:
            parts.append(f"the claim '{self.claim}'" + (f" holding '{self.claim_value}'" if self.claim_value
                                                       else " set to true"))
        return " or ".join(parts) if parts else f"nobody yet ({ENV_EDITORS} and {ENV_CLAIM} are unset)"


def can_edit(mode: Mode, identity: Identity | None, rule: EditorRule, claims: Mapping[str, Any]) -> bool:
    """Whether this visitor may change the survey store."""
    if mode.name == "open":
        return True
    if mode.name == "oidc":
        return rule.allows(identity, claims)
    return False
