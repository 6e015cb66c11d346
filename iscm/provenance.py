"""Rules on where facts come from: source tiers, sites that are not sources, editor notes, survey documents.

`iscm.dataset` runs `check(...)` on every ISCM file; each rule yields `(field, problem, fix)` triples that
become `file:field: problem — fix` lines. The rules exist because users cite this data: a fact shown with a
source must be checkable in that source, and a strong claim must rest on a strong source.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from iscm.model import WEAK_SOURCE_KINDS, ISCMRecord, Source

Finding = tuple[str, str, str]

# Hosts that copy or rewrite what others published (document mirrors, wikis, blogs): never a source.
_MIRROR_HOSTS = (
    "docslib.org", "docplayer.net", "docsbay.net", "docest.com", "expydoc.com", "lawsdocbox.com", "studylib.net",
    "pdfcoffee.com", "dokumen.pub", "idoc.pub", "scribd.com", "documents.pub", "silo.tips", "kupdf.net",
    "fdocuments.us", "fdocuments.net", "vdocuments.mx", "vdocuments.net", "vdocuments.site", "pdfslide.net",
    "wikitia.com", "wikiwand.com", "wiki-gateway.eudic.net", "everybodywiki.com", "tehsil.xyz", "juicebox.com.au",
    "denederlandsegrondwet.nl",  # republishes Dutch and EU government news under its own addresses
)
# Sites that gather other outlets' articles (the newspaper or the ministry it quotes is the source, not the gatherer).
_AGGREGATOR_HOSTS = ("djazairess.com", "maghress.com", "mebusiness.ae")
_BLOG_HOSTS = ("wordpress.com", "blogspot.com", "medium.com", "substack.com", "tumblr.com", "meerajhogasundram.com",
               "visionclave.com.do")


def bare_host(host: str) -> str:
    """A host name as people name the site: lower case, without a leading "www." (also for
    `iscm.export.source_host`)."""
    host = host.lower()
    return host[4:] if host.startswith("www.") else host


def unfit_site(url: str | None) -> str | None:
    """'a wiki', 'a blog', 'a mirror site' or 'a news aggregator' when the address is one of those, else None."""
    if not url:
        return None
    host = bare_host(urlsplit(url).hostname or "")

    def on(hosts: tuple[str, ...]) -> bool:
        return any(host == h or host.endswith("." + h) for h in hosts)

    if on(_MIRROR_HOSTS):
        return "a wiki" if "wiki" in host else "a mirror site"
    if on(_AGGREGATOR_HOSTS):
        return "a news aggregator"
    if "wiki" in host.split(".")[0] or host.endswith("wikipedia.org"):
        return "a wiki"
    if on(_BLOG_HOSTS) or host.startswith("blog.") or "/blog/" in (urlsplit(url).path or ""):
        return "a blog"
    return None


# Words that talk about how the file was made rather than about the ISCM: an editor's doubts ('not verified',
# 'believed', 'could not be read'), the editor's search ('no meeting was found': say 'the sources cited report no
# meeting'), the editor's own earlier drafts ('earlier listings') and placeholders ('XXX') say nothing a reader can
# check in a source.
# Also first-person words ('we', 'our'): a source is quoted or paraphrased in its own voice or the third person, and
# a 'we' in evidence is the editor speaking. ('us' is left out: it cannot be told apart from 'US'.)
_EDITOR_NOTE = re.compile(
    r"\b(?:the seed|in the seed|the reference(?! (?:year|period))|tagged in|tagged|tagging|slug|the brief|th(?:is|e) file|"
    r"our data|unverified|unchecked|background knowledge|the corpus|excerpts?|the extract|presum\w*|"
    r"the dataset now|we saw|coded (?:here|as|by)|we|our|ours|TODO|FIXME|XXX|"
    r"not (?:verified|confirmed|checked)|could not be (?:read|verified|confirmed|checked|found)|believed|"
    r"thought to|earlier listings?|(?:was|were|latest|source) found)\b", re.IGNORECASE)


def editor_note(text: str) -> str | None:
    m = _EDITOR_NOTE.search(text or "")
    return m.group(0) if m else None


# ---------------------------------------------------------------------------------------------- text matching
_STOP = frozenset([
    "a", "an", "and", "are", "as", "at", "be", "been", "by", "for", "from", "has", "have", "in", "into", "is",
    "it", "its", "of", "on", "or", "that", "the", "their", "this", "to", "was", "were", "which", "with",
    "within", "also", "per", "via", "who", "whom", "than", "then", "there", "these", "those", "such", "not",
    "no",
])
_ENTRY = re.compile(r"Name of the Inter-?state consultation mechanism \(ISCM\)\s*:\s*(.+)", re.IGNORECASE)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"(\w)-\s*\n\s*(\w)", r"\1\2", text)  # words broken over a line end
    return text.lower().replace("’", "'")


_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ed", "es", "s", "ly")


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) > len(suffix) + 3:
            word = word[: -len(suffix)]
            break
    return word.rstrip("e")[:6] if len(word) > 4 else word


def tokens(text: str) -> set[str]:
    """Content words, stemmed and cut to six letters so 'shares' meets 'sharing' and 'participating' meets
    'participation'."""
    return {_stem(w) for w in re.findall(r"[a-z0-9]+", _fold(text))
            if w not in _STOP and (len(w) > 2 or w.isdigit())}


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", _fold(name)).strip()


@lru_cache(maxsize=16)
def _entries(path: str, mtime: float) -> dict[str, str]:
    """Heading -> text of each ISCM entry of a survey summary (the whole text under '' when it has none)."""
    text = Path(path).read_text(encoding="utf-8", errors="replace")
    heads = list(_ENTRY.finditer(text))
    if not heads:
        return {"": text}
    out = {}
    for i, m in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        out[_key(m.group(1))] = text[m.start():end]
    return out


def found_in(claim: str, text: str, *, share: float = 0.8) -> bool:
    """True when at least `share` of the claim's content words occur in the text."""
    want = tokens(claim)
    if not want:
        return False
    return len(want & tokens(text)) / len(want) >= share


def _entry_for(names_of: list[str], entries: dict[str, str]) -> str | None:
    if "" in entries:
        return entries[""]
    names = {_key(n) for n in names_of if n}
    for head, body in entries.items():
        if head in names or any(n and (head.startswith(n + " ") or n.startswith(head + " ")) for n in names):
            return body
    return None


# ---------------------------------------------------------------------------------------------- rules
def _backing(rec: ISCMRecord, aspect: str) -> list[Source]:
    """The sources behind one confidence mark: those the facts cite (members: those used for members)."""
    by_label = {s.label: s for s in rec.sources}
    default = next((s for s in rec.sources if s.url), rec.sources[0])
    if aspect == "themes":
        return [by_label.get(t.source or "", default) for t in rec.themes]
    if aspect == "organizations":
        return [by_label.get(o.source or "", default) for o in rec.organizations]
    named = [s for s in rec.sources if re.search(r"member|observer|particip|roster", s.used_for, re.I)]
    return named or list(rec.sources)


def check(rec: ISCMRecord, data_dir: Path | None,
          names: Callable[[str], list[str]] | None = None) -> Iterator[Finding]:
    """Every provenance problem of one ISCM record. `names(kind_id)` gives the names a registry id or an ISCM id
    answers to ("org:iom", "iscm:rabat-process"), used to check that a document names what a fact says it names."""
    for i, s in enumerate(rec.sources):
        what = unfit_site(s.url)
        if what:
            yield (f"sources[{i}].url", f"{s.url} is {what}, not a source",
                   "cite the page it copies or summarises (the ISCM's own site, a member government, IOM/UN) "
                   "or drop the facts it alone supports")
        if s.kind is None:
            yield (f"sources[{i}].kind", "source has no kind",
                   "add kind: iscm, government, igo, academic, news or web")
        if s.checked is None:
            yield (f"sources[{i}].checked", "source has no date it was checked",
                   "add checked: YYYY-MM-DD (the day the source was last read)")
    for aspect in ("members", "themes", "organizations"):
        if getattr(rec.confidence, aspect) != "high":
            continue
        backing = _backing(rec, aspect)
        if backing and all(s.kind in WEAK_SOURCE_KINDS for s in backing):
            labels = ", ".join(dict.fromkeys(s.label for s in backing))
            yield (f"confidence.{aspect}", f"'high' rests only on news or other-web sources ({labels})",
                   "cite an official ISCM, government, IGO/UN or academic source, or lower it to medium")
        if backing and all(not s.url and not s.document for s in backing):
            labels = ", ".join(dict.fromkeys(s.label for s in backing))
            yield (f"confidence.{aspect}", f"'high' rests only on sources with no address a reader can open ({labels})",
                   "give the document's web address (url:), cite a source that has one, or lower it to medium")
    texts = [("summary", rec.summary), ("theme_notes", rec.theme_notes), ("open_questions", rec.open_questions),
             ("funding", rec.funding or "")]
    texts += [(f"themes[{i}].evidence", t.evidence) for i, t in enumerate(rec.themes)]
    texts += [(f"organizations[{i}].evidence", o.evidence) for i, o in enumerate(rec.organizations)]
    texts += [(f"organizations[{i}].note", o.note) for i, o in enumerate(rec.organizations)]
    texts += [(f"linked_iscms[{i}].relation", link.relation) for i, link in enumerate(rec.linked_iscms)]
    texts += [(f"linked_iscms[{i}].evidence", link.evidence) for i, link in enumerate(rec.linked_iscms)]
    texts += [(f"sources[{i}].used_for", s.used_for) for i, s in enumerate(rec.sources)]
    for group in ("members", "observers", "chairs"):
        texts += [(f"{group}[{i}].note", p.note) for i, p in enumerate(getattr(rec, group))]
    for fld, text in texts:
        word = editor_note(text)
        if word:
            yield (fld, f"reads as a note about how the data was made ('{word}'), not a fact users can check",
                   "say what the source says, in words a reader can find there, or move the note to the commit "
                   "message")
    for i, t in enumerate(rec.themes):
        if not t.evidence.strip():
            yield (f"themes[{i}].evidence", "theme has no evidence",
                   "say what the cited source says about this theme")
    for i, o in enumerate(rec.organizations):
        if not o.evidence.strip():
            yield (f"organizations[{i}].evidence", f"organization '{o.org}' ({o.role}) has no evidence",
                   "say what the cited source says about this organization's role, in words a reader can find there")
    for i, link in enumerate(rec.linked_iscms):
        if not link.evidence.strip():
            yield (f"linked_iscms[{i}].evidence", f"link to '{link.id}' has no evidence",
                   "say what the cited source says about the tie between the two ISCMs")
    if data_dir is not None:
        yield from _document_checks(rec, data_dir, names)


def _document_checks(rec: ISCMRecord, data_dir: Path,
                     names: Callable[[str], list[str]] | None) -> Iterator[Finding]:
    for s in rec.sources:
        if not s.document:
            continue
        path = (data_dir / s.document).resolve()
        if not path.is_file():  # a clone without the document beside it: nothing to check against
            continue
        entries = _entries(str(path), path.stat().st_mtime)
        own_names = [rec.short_name, rec.full_name, rec.acronym or "", *rec.aliases]
        own = _entry_for(own_names, entries)
        cited: list[tuple[str, str, list[str], str | None]] = []  # (field, claim, names it must mention, entry)
        for i, t in enumerate(rec.themes):
            if t.source == s.label:
                cited.append((f"themes[{i}].evidence", t.evidence, [], own))
        for i, o in enumerate(rec.organizations):
            if o.source == s.label:
                cited.append((f"organizations[{i}].evidence", o.evidence, names(f"org:{o.org}") if names else [],
                              own))
        for i, link in enumerate(rec.linked_iscms):
            if link.source != s.label:
                continue
            other = names(f"iscm:{link.id}") if names else []
            if own is not None:
                must, entry = other, own
            else:  # a link may rest on the other ISCM's entry, when that entry names this one
                must, entry = [n for n in own_names if n], (_entry_for(other, entries) if other else None)
            cited.append((f"linked_iscms[{i}].relation", link.relation, must, entry))
            if link.evidence.strip():
                cited.append((f"linked_iscms[{i}].evidence", link.evidence, must, entry))
        for fld, claim, must_name, entry in cited:
            if entry is None:
                yield (fld, f"cites '{s.label}', which has no entry for {rec.short_name}",
                       "cite a source about this ISCM")
                continue
            if not claim.strip() or not found_in(claim, entry):
                yield (fld, f"'{claim}' is not found in '{s.label}' ({s.document})",
                       "quote or closely paraphrase what the document says, or cite the source it came from")
            elif must_name and not any(_named(n, entry) for n in must_name):
                yield (fld, f"'{s.label}' does not name {must_name[0]}",
                       "cite a source that names it, or remove the entry")


def _named(name: str, text: str) -> bool:
    key = _key(name)
    return bool(key) and re.search(rf"(?<![a-z0-9]){re.escape(key)}(?![a-z0-9])", _key(text)) is not None
