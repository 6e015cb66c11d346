"""Country codes and names: ISO 3166 alpha-3 through pycountry, plus Kosovo (XKX) and everyday aliases.

XKX is a user-assigned code (not in ISO 3166) that the EU, IOM and others use for Kosovo.

Survey documents name States the way people write them ("Russia", "Moldova", "Kosovo*", "Türkiye",
"DR Congo"), so lookups go through a table of pycountry names, their short and inverted forms and a curated
alias list. Nothing here raises on user text: an unknown name gives None.

`PhraseMatcher` is the fast phrase finder shared with `iscm.survey.vocabulary`: every phrase goes into one trie-shaped
regular expression, so a scan costs one pass over the text however many names there are (a plain
alternation of ~900 names is ten times slower on a long text).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from typing import NamedTuple

import pycountry

EXTRA_CODES = {"XKX": "Kosovo"}

# Display names where pycountry's name is the inverted official form ("Moldova, Republic of").
_DISPLAY = {
    "BOL": "Bolivia", "COD": "DR Congo", "FSM": "Micronesia", "IRN": "Iran", "KOR": "Republic of Korea",
    "MDA": "Moldova", "PRK": "DPR Korea", "PSE": "Palestine", "TZA": "Tanzania", "VEN": "Venezuela",
    "VGB": "British Virgin Islands", "VIR": "US Virgin Islands", "VAT": "Holy See", "TWN": "Taiwan",
    "SHN": "Saint Helena", "FLK": "Falkland Islands", "CCK": "Cocos (Keeling) Islands",
    "MAF": "Saint Martin", "SXM": "Sint Maarten", "BES": "Bonaire, Sint Eustatius and Saba",
    "RUS": "Russian Federation", "SYR": "Syria", "LAO": "Lao PDR", "VNM": "Viet Nam", "TUR": "Türkiye",
}

# Names in common use that pycountry does not carry (or carries only in another form).
ALIASES: dict[str, str] = {
    "Kosovo": "XKX", "Republic of Kosovo": "XKX",
    "Russia": "RUS", "Russian Federation": "RUS",
    "Moldova": "MDA", "Republic of Moldova": "MDA",
    "Türkiye": "TUR", "Turkiye": "TUR", "Turkey": "TUR", "Republic of Türkiye": "TUR",
    "Czechia": "CZE", "Czech Republic": "CZE",
    "Viet Nam": "VNM", "Vietnam": "VNM",
    "Republic of Korea": "KOR", "South Korea": "KOR", "Korea": "KOR",
    "Democratic People's Republic of Korea": "PRK", "North Korea": "PRK", "DPRK": "PRK", "DPR Korea": "PRK",
    "Côte d'Ivoire": "CIV", "Cote d'Ivoire": "CIV", "Ivory Coast": "CIV",
    "Cabo Verde": "CPV", "Cape Verde": "CPV",
    "Eswatini": "SWZ", "Swaziland": "SWZ", "Kingdom of Eswatini": "SWZ",
    "DR Congo": "COD", "D.R. Congo": "COD", "DRC": "COD", "Democratic Republic of Congo": "COD",
    "Democratic Republic of the Congo": "COD", "Congo-Kinshasa": "COD",
    "Republic of the Congo": "COG", "Republic of Congo": "COG", "Congo-Brazzaville": "COG", "Congo": "COG",
    "Lao PDR": "LAO", "Laos": "LAO", "Lao People's Democratic Republic": "LAO",
    "Syria": "SYR", "Syrian Arab Republic": "SYR",
    "Iran": "IRN", "Islamic Republic of Iran": "IRN",
    "Bolivia": "BOL", "Venezuela": "VEN", "Tanzania": "TZA", "United Republic of Tanzania": "TZA",
    "United States": "USA", "United States of America": "USA", "USA": "USA", "U.S.A.": "USA",
    "United Kingdom": "GBR", "UK": "GBR", "Great Britain": "GBR", "Britain": "GBR",
    "United Kingdom of Great Britain and Northern Ireland": "GBR",
    "North Macedonia": "MKD", "Republic of North Macedonia": "MKD", "Macedonia": "MKD",
    "former Yugoslav Republic of Macedonia": "MKD", "FYROM": "MKD",
    "Brunei": "BRN", "Micronesia": "FSM", "Palestine": "PSE", "State of Palestine": "PSE",
    "Vatican": "VAT", "Holy See": "VAT", "Timor-Leste": "TLS", "East Timor": "TLS",
    "Myanmar": "MMR", "Burma": "MMR", "Gambia": "GMB", "The Gambia": "GMB", "Bahamas": "BHS",
    "Netherlands": "NLD", "Holland": "NLD",
    "Hong Kong": "HKG", "Hong Kong SAR": "HKG", "Hong Kong, China": "HKG",
    "Macao": "MAC", "Macau": "MAC", "Macao SAR": "MAC", "Macao, China": "MAC", "Taiwan": "TWN",
    "Saint Kitts and Nevis": "KNA", "St Kitts and Nevis": "KNA", "St. Kitts and Nevis": "KNA",
    "Saint Lucia": "LCA", "St Lucia": "LCA", "St. Lucia": "LCA",
    "Saint Vincent and the Grenadines": "VCT", "St Vincent and the Grenadines": "VCT",
    "St. Vincent and the Grenadines": "VCT",
    "Sao Tome and Principe": "STP", "São Tomé and Príncipe": "STP",
    "Bosnia-Herzegovina": "BIH", "Bosnia": "BIH",
    "Kyrgyz Republic": "KGZ", "Slovak Republic": "SVK",
    "Curaçao": "CUW", "Curacao": "CUW", "UAE": "ARE", "Emirates": "ARE",
    "Cocos Islands": "CCK", "Falkland Islands": "FLK", "Saint Helena": "SHN",
    "Saint Martin": "MAF", "Sint Maarten": "SXM",
    "British Virgin Islands": "VGB", "US Virgin Islands": "VIR", "U.S. Virgin Islands": "VIR",
    "New Caledonia": "NCL", "French Polynesia": "PYF",
}

# Forms whose short version is shared by two codes ("Korea", "Congo", "Virgin Islands") are not derived
# automatically; ALIASES above settles the common ones.
_SOFT_PREFIXES = ("the ",)


@cache
def _alpha3_names() -> dict[str, str]:
    names = {c.alpha_3: getattr(c, "common_name", None) or c.name for c in pycountry.countries}
    names.update(_DISPLAY)
    names.update(EXTRA_CODES)
    return names


def is_valid_iso3(code: str) -> bool:
    """True for an ISO 3166 alpha-3 code (any case) or XKX."""
    return isinstance(code, str) and code.upper() in _alpha3_names()


def country_name(iso3: str) -> str:
    """Short English name for a code; the code itself when unknown (never raises on user data)."""
    return _alpha3_names().get(iso3.upper(), iso3)


def all_iso3() -> frozenset[str]:
    return frozenset(_alpha3_names())


# --- text folding -------------------------------------------------------------------------------------------

def _fold_table() -> dict[int, str]:
    """Length-preserving map to plain forms: accents off, curly quotes and dashes straight, odd spaces plain.

    Length preservation is the point: offsets found in the folded text are offsets in the original, so the
    evidence shown to users is always the text they wrote.
    """
    table: dict[int, str] = {}
    for cp in range(0xC0, 0x250):
        ch = chr(cp)
        base = unicodedata.normalize("NFKD", ch)[0]
        if base != ch and len(base) == 1 and base.isascii():
            table[cp] = base
    table.update({ord(k): v for k, v in {
        "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ı": "i", "İ": "I",
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'", "\u00b4": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
        "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u2009": " ", "\u200a": " ", "\u2002": " ", "\u2003": " ",
        "\ufe60": "&", "\uff06": "&",
    }.items()})
    return table


_FOLD = _fold_table()
_FOLD_CHARS = {chr(k): v for k, v in _FOLD.items()}
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _fold_run(m: re.Match[str]) -> str:
    return "".join(_FOLD_CHARS.get(c, c) for c in m.group(0))


def fold(text: str) -> str:
    """Accent-, quote- and dash-insensitive form of `text`, same length (offsets stay valid).

    Survey text is mostly ASCII, so only the runs of other characters are looked up (str.translate with a
    dict would visit every character).
    """
    return text if text.isascii() else _NON_ASCII.sub(_fold_run, text)


def fold_lower(text: str) -> str:
    """`fold` plus lower case; still the same length (İ, the one char whose lower() grows, is folded first)."""
    return fold(text).lower()


_CANON_TIGHT = re.compile(r"\s*([/&+])\s*")
_CANON_SPACE = re.compile(r"\s*-\s*|\s+")


def _canonical(phrase: str, case_sensitive: bool) -> str:
    """The key a phrase and any text it matches share: spacing around - / & and runs of blanks ignored."""
    s = fold(phrase) if case_sensitive else fold_lower(phrase)
    s = _CANON_TIGHT.sub(r"\1", s.replace(".", ""))
    return _CANON_SPACE.sub(" ", s).strip()


# --- phrase matcher -----------------------------------------------------------------------------------------

_SEP_RX = {" ": r"(?:\s*-\s*|\s+)", "-": r"(?:\s*-\s*|\s+)", "/": r"\s*/\s*", "&": r"\s*&\s*", "+": r"\s*\+\s*"}


def _unit_rx(ch: str) -> str:
    if ch in _SEP_RX:
        return _SEP_RX[ch]
    if ch == "*":
        return r"\w*"
    if ch == "?":
        return r"\w"
    if ch == ".":
        return r"\.?"  # "St. Lucia", "St Lucia"; "U.S.A." and "USA"
    return re.escape(ch)


def _trie_regex(phrases: Iterable[str]) -> str:
    """One regex over all phrases; at every node the longer continuation is tried first."""
    root: dict = {}
    for p in phrases:
        node = root
        for ch in p:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        kids = [(k, v) for k, v in node.items() if k != ""]
        if not kids:
            return ""
        # wildcard/separator units sort after literals so a literal continuation is tried first
        kids.sort(key=lambda kv: (kv[0] in _SEP_RX or kv[0] in "*?.", kv[0]))
        parts = [_unit_rx(k) + build(v) for k, v in kids]
        body = parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
        if "" in node:
            body = "(?:" + body + ")?"
        return body

    return build(root)


class Match(NamedTuple):
    key: object          # what the phrase stands for (an ISO3 code, ('org', id), ...)
    text: str            # the matched text as written
    start: int
    end: int


class PhraseMatcher:
    """Find many phrases in text at once; longest match wins, never inside a word.

    Each phrase is case-sensitive (acronyms such as "EC", "CIS ExCom") or not (names such as "prague
    process"); both kinds run as one trie regex each, the insensitive one over a lower-cased copy of the text.
    Phrases may contain `*` (any word ending) and `?` (one letter), as the theme taxonomy's keywords do.
    """

    def __init__(self, phrases: Iterable[tuple[str, object, bool]]):
        self._keys: dict[tuple[bool, str], object] = {}
        self._wild: list[tuple[bool, re.Pattern[str], object]] = []
        forms: dict[bool, set[str]] = {True: set(), False: set()}
        for phrase, key, cs in phrases:
            phrase = " ".join(phrase.split())
            if not phrase:
                continue
            form = fold(phrase) if cs else fold_lower(phrase)
            form = re.sub(r"\s*([/&+])\s*", r"\1", form)
            form = re.sub(r"\s*-\s*", "-", form)
            forms[cs].add(form)
            if "*" in form or "?" in form:
                rx = re.compile(_trie_regex([form]) + r"\Z")
                self._wild.append((cs, rx, key))
            else:
                self._keys.setdefault((cs, _canonical(phrase, cs)), key)
        self._memo: dict[bool, dict[str, object | None]] = {True: {}, False: {}}
        self._rx: dict[bool, re.Pattern[str] | None] = {}
        for cs, fs in forms.items():
            self._rx[cs] = re.compile(r"(?<!\w)" + _trie_regex(sorted(fs)) + r"(?!\w)") if fs else None

    def _key_for(self, cs: bool, matched: str) -> object | None:
        memo = self._memo[cs]
        if matched in memo:
            return memo[matched]
        if len(memo) > 50_000:
            memo.clear()
        key = memo[matched] = self._lookup(cs, matched)
        return key

    def _lookup(self, cs: bool, matched: str) -> object | None:
        key = self._keys.get((cs, _canonical(matched, cs)))
        if key is not None:
            return key
        for wcs, rx, wkey in self._wild:
            if wcs == cs and rx.match(matched):
                return wkey
        return None

    def find(self, text: str, *, folded: str | None = None, lowered: str | None = None) -> list[Match]:
        """All non-overlapping matches in reading order (longest first where two start together).

        `folded`/`lowered` may pass `fold(text)`/`fold_lower(text)` when the caller already has them.
        """
        found: list[Match] = []
        for cs, rx in self._rx.items():
            if rx is None:
                continue
            if cs:
                hay = folded if folded is not None else fold(text)
            else:
                hay = lowered if lowered is not None else fold_lower(text)
            key_for = self._key_for
            for m in rx.finditer(hay):
                a, b = m.span()
                key = key_for(cs, hay[a:b])
                if key is not None:
                    found.append(Match(key, text[a:b], a, b))
        if self._rx[True] is not None and self._rx[False] is not None:
            found.sort(key=lambda m: (m.start, m.start - m.end))
            out: list[Match] = []
            last_end = -1
            for m in found:
                if m.start >= last_end:
                    out.append(m)
                    last_end = m.end
            return out
        return found


# --- country names ------------------------------------------------------------------------------------------

def _invert(name: str) -> list[str]:
    """'Korea, Republic of' -> 'Republic of Korea'; 'Congo, The Democratic Republic of the' -> '... the Congo'."""
    if "," not in name:
        return []
    head, tail = (s.strip() for s in name.split(",", 1))
    tail = re.sub(r"^the\s+", "", tail, flags=re.I)
    return [f"{tail} {head}"]


def _strip_parens(name: str) -> str:
    return re.sub(r"\s*\([^)]*\)", "", name).strip()


@cache
def _name_forms() -> tuple[tuple[str, str], ...]:
    """Every known way of writing a country (as written, for matching) with its ISO3.

    pycountry's names, common and official names, their inverted forms ('Korea, Republic of' ->
    'Republic of Korea'), the UN style ('Iran (Islamic Republic of)'), the part before a comma, and the
    curated ALIASES. A derived form claimed by two codes ('Virgin Islands') is dropped; ALIASES always win.
    """
    derived: dict[str, dict[str, str]] = {}

    def add(name: str, code: str) -> None:
        for n in (name, _strip_parens(name)):
            n = n.strip()
            for pre in _SOFT_PREFIXES:
                if n.lower().startswith(pre):
                    n = n[len(pre):]
            if n:
                derived.setdefault(_canonical(n, False), {})[code] = n

    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            v = getattr(c, attr, None)
            if not v:
                continue
            add(v, c.alpha_3)
            for inv in _invert(v):
                add(inv, c.alpha_3)
            if "," in v:
                head, tail = (x.strip() for x in v.split(",", 1))
                add(head, c.alpha_3)
                add(f"{head} ({tail})", c.alpha_3)
    forms = {k: next(iter(v.items())) for k, v in derived.items() if len(v) == 1}
    for alias, code in ALIASES.items():
        n = alias[4:] if alias.lower().startswith("the ") else alias
        forms[_canonical(n, False)] = (code, n)
    return tuple((name, code) for code, name in forms.values())


@cache
def names_by_iso3() -> dict[str, tuple[str, ...]]:
    """ISO3 -> every known way of writing that country (names, official names, aliases), for search boxes."""
    out: dict[str, list[str]] = {}
    for name, code in _name_forms():
        out.setdefault(code, []).append(name)
    return {code: tuple(dict.fromkeys(names)) for code, names in out.items()}


@cache
def _name_table() -> dict[str, str]:
    """Canonical name key -> ISO3, for `lookup`."""
    return {_canonical(name, False): code for name, code in _name_forms()}


@cache
def _country_matcher() -> PhraseMatcher:
    # Match case-insensitively and check the capital afterwards: catches "Republic Of Moldova" in a title
    # while "turkey" or "chad" in lower case stay words, not States.
    return PhraseMatcher((name, code, False) for name, code in _name_forms() if len(name) > 2 or name == "UK")


_FOOTNOTE_TAIL = re.compile(r"[\s*†‡§¹²³⁰-⁹\d]+$")


def lookup(name: str | None) -> str | None:
    """ISO3 for a country name, alias or code ("Kosovo*" -> XKX, "Russia" -> RUS, "DEU" -> DEU); else None."""
    if not isinstance(name, str):
        return None
    s = name.strip().strip("\"'“”‘’«»")
    s = _FOOTNOTE_TAIL.sub("", s) if not s.isdigit() else s
    s = s.strip(" .,;:")
    if not s or len(s) > 120:
        return None
    if len(s) == 3 and s.isalpha() and s.upper() in _alpha3_names():
        return s.upper()
    key = _canonical(s, False)
    if key.startswith("the "):
        key = key[4:]
    table = _name_table()
    if key in table:
        return table[key]
    inverted = re.fullmatch(r"(.+?)\s*\((.+)\)", key)  # "iran (islamic republic of)"
    if inverted:
        return table.get(f"{inverted.group(2)} {inverted.group(1)}") or table.get(inverted.group(1))
    return None


def find_countries(text: str, *, lowered: str | None = None) -> list[tuple[str, str, int]]:
    """Countries named in running text: (iso3, matched text, start offset), in reading order.

    Longest name wins ("Equatorial Guinea" is not also "Guinea"; "Nigeria" is not "Niger"), names are only
    found on word boundaries, and the first letter must be a capital ("Chad", not "chad"). `lowered` may
    pass `fold_lower(text)` when the caller already has it.
    """
    if not isinstance(text, str) or not text:
        return []
    out = []
    for m in _country_matcher().find(text, lowered=lowered):
        if m.text[:1].isupper() or m.text[:1].isdigit():
            out.append((str(m.key), m.text, m.start))
    return out
