"""Write the sample survey summaries in data/samples/ (TXT, DOCX, PDF) from the default dataset.

    python tools/make_samples.py           # (re)write the files
    python tools/make_samples.py --check   # exit 1 when a committed file no longer matches the data

Each sample is laid out like IOM's 2019 "Summary of Findings per ISCM": a preamble, then per ISCM a line
"Name of the Inter-state consultation mechanism (ISCM): ..." and five numbered sections. The sentences are
built from the atlas's own sourced data (themes, structures, partners, links, summaries), so a sample says
nothing the data does not. Like a real PDF export, the TXT and PDF carry page numbers, a running footer, a
footnote and a word broken over a line end; the DOCX carries the same text as Word paragraphs. Everything is
deterministic: the same data gives the same files.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from iscm.dataset import DEFAULT_DATA_DIR, Dataset, load  # noqa: E402

OUT = ROOT / "data" / "samples"
WIDTH = 92          # characters per line in the TXT and PDF
PER_PAGE = 46       # lines per page
FOOTER = "ISCM Atlas sample survey summary"
FIXED_DATE = "2026-01-01T00:00:00+00:00"  # PDF creation date, so the bytes do not change from run to run


@dataclass(frozen=True)
class Sample:
    stem: str
    title: str
    iscms: tuple[str, ...]


SAMPLES = (
    Sample("sample-asia-pacific", "Asia and the Pacific", ("bali-process", "colombo-process", "commit-process")),
    Sample("sample-africa", "Africa", ("midsa", "midwa", "igad-rcp")),
    Sample("sample-americas", "the Americas", ("sacm", "ocam", "rcm-puebla-process")),
)


def _join(items: list[str]) -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _row(ds: Dataset, iscm_id: str):
    return ds.iscms.set_index("iscm_id").loc[iscm_id]


def _themes(ds: Dataset, iscm_id: str, level: str) -> list[str]:
    t = ds.iscm_themes[(ds.iscm_themes["iscm_id"] == iscm_id) & (ds.iscm_themes["level"] == level)]
    return [ds.theme_label(x).lower() for x in t["theme_id"]]


def _entry(ds: Dataset, iscm_id: str, footnote: bool) -> list[list[str]]:
    """The paragraphs of one entry: [heading], then per section [title, paragraph, ...]."""
    row = _row(ds, iscm_id)
    name = row["short_name"]
    focus, mentioned = _themes(ds, iscm_id, "focus"), _themes(ds, iscm_id, "mentioned")
    since = ds.iscm_themes[(ds.iscm_themes["iscm_id"] == iscm_id) & ds.iscm_themes["since"].notna()]
    members = ds.memberships[(ds.memberships["iscm_id"] == iscm_id) & (ds.memberships["role"] == "member")]
    observers = ds.memberships[(ds.memberships["iscm_id"] == iscm_id) & (ds.memberships["role"] == "observer")]
    orgs = ds.iscm_organizations[ds.iscm_organizations["iscm_id"] == iscm_id]
    links = ds.iscm_links[ds.iscm_links["source_id"] == iscm_id]

    evolution = f"{name} was established in {int(row['established'])}. " if row["established"] else ""
    evolution += f"Its thematic focus currently includes {_join(focus)}."
    if mentioned:
        evolution += f" Its meetings have also addressed {_join(mentioned)}."
    for _, t in since.iterrows():
        evolution += f" {ds.theme_label(t['theme_id'])} was added to its agenda in {int(t['since'])}."

    national = (f"National level: the {len(members)} participating States are {_join(sorted(members['country']))}"
                + ("1" if footnote else "") + ".")
    if len(observers):
        national += f" Observer States: {_join(sorted(observers['country']))}."
    regional = "Regional level: " + (
        "it is linked with " + _join([f"the {ds.iscm_name(t)}" if ds.iscm_name(t).endswith("Process")
                                             else ds.iscm_name(t) for t in links["target_id"]]) + "."
        if len(links) else f"its members form one regional dialogue covering {row['regions'].replace('; ', ', ')}.")
    gg = ds.iscm_themes[(ds.iscm_themes["iscm_id"] == iscm_id) & (ds.iscm_themes["theme_id"] == "global_governance")]
    glob = "Global level: " + (gg["evidence"].iloc[0].rstrip(".") + "." if len(gg)
                               else f"no role of {name} in global processes is recorded.")

    structures = f"The structures of {name} are its {_join(row['structures'].split('; '))}."
    if row["secretariat"]:
        structures += f" Secretariat: {row['secretariat']}."
    if row["funding"]:
        structures += f" Funding: {row['funding']}."

    by_role: dict[str, list[str]] = {}
    for _, o in orgs.iterrows():
        by_role.setdefault(o["role"], []).append(ds.org_label(o["org_id"]))
    role_words = {"secretariat": "as secretariat", "partner": "as partners", "observer": "as observers",
                  "member": "as members", "funder": "as funders", "technical-support": "for technical support"}
    partnerships = ("It works with " + "; ".join(f"{_join(v)} {role_words[k]}" for k, v in by_role.items()) + "."
                    if by_role else f"{name} names no partner organizations.")

    return [
        [f"Name of the Inter-state consultation mechanism (ISCM): {name}"],
        ["1. Evolution of programing and thematic focus", evolution],
        ["2. Contribution to migration governance at national, (inter)regional and global levels (with examples)",
         national, regional, glob],
        ["3. Salient ISCM structures", structures],
        ["4. Partnership models by the ISCM", partnerships],
        ["5. Added value of Membership in the given ISCM for States and Organizations (with examples)",
         row["summary"]],
    ]


def _preamble(sample: Sample, ds: Dataset) -> list[str]:
    return [
        "Summary of Findings per ISCM (sample)",
        f"This sample follows the layout of IOM's 2019 summaries of findings per inter-state consultation "
        f"mechanism on migration (ISCM) so that the import of the Data page can be tried out. It covers three "
        f"ISCMs of {sample.title}. Every statement below is taken from the ISCM Atlas dataset, where each fact "
        f"carries the public source it comes from.",
    ]


def paragraphs(sample: Sample, ds: Dataset, *, footnote: bool = False) -> list[str]:
    """The sample as paragraphs: the DOCX text (with `footnote`, the first entry carries a footnote marker)."""
    out = list(_preamble(sample, ds))
    for i, iscm_id in enumerate(sample.iscms):
        for block in _entry(ds, iscm_id, footnote=footnote and i == 0):
            out.extend(block)
    return out


_HEADING = re.compile(r"Name of the Inter-state|\d\. [A-Z]")
_MARKER = re.compile(r"[a-z)]1\.")


def _footnote() -> str:
    return "1 Participation as recorded in the ISCM Atlas; the sources cited there give the date of each list."


def _wrap(paragraph: str, hyphenate: bool) -> list[str]:
    lines = textwrap.wrap(paragraph, WIDTH, break_long_words=False, break_on_hyphens=False)
    if hyphenate:  # break one long word over a line end, as typesetting does ("partici-" / "pating")
        for i in range(len(lines) - 1):
            nxt = lines[i + 1].split(" ", 1)
            word = nxt[0]
            if word.isalpha() and word.islower() and len(word) >= 10 and len(lines[i]) + 6 <= WIDTH:
                cut = len(word) // 2
                lines[i] += " " + word[:cut] + "-"
                lines[i + 1] = word[cut:] + (" " + nxt[1] if len(nxt) > 1 else "")
                break
    return lines


def lines(sample: Sample, ds: Dataset) -> list[str]:
    """The sample as text lines with page furniture: the TXT (pages end with a page number and a form feed)."""
    body: list[str] = []
    hyphenated = False
    for para in paragraphs(sample, ds, footnote=True):
        wrapped = _wrap(para, hyphenate=not hyphenated)
        hyphenated = hyphenated or any(ln.endswith("-") for ln in wrapped)
        body += wrapped + [""]
    # the footnote goes at the foot of the page that holds its marker
    pages: list[list[str]] = []
    rest = body
    while rest:
        page, rest = rest[:PER_PAGE], rest[PER_PAGE:]
        while rest and page and (not page[-1] or _HEADING.match(page[-1])):  # a heading stays with its text
            rest = [page.pop(), *rest]
        pages.append(page)
    out: list[str] = []
    for n, page in enumerate(pages, start=1):
        out += page
        if any(_MARKER.search(ln) for ln in page):
            out += ["", _footnote()]
        out += ["", FOOTER, f"{n}", "\f"]
    return out


def txt_bytes(sample: Sample, ds: Dataset) -> bytes:
    return ("\n".join(lines(sample, ds)) + "\n").encode("utf-8")


def pdf_bytes(sample: Sample, ds: Dataset) -> bytes:
    import datetime as dt

    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_creation_date(dt.datetime.fromisoformat(FIXED_DATE))
    pdf.set_auto_page_break(False)
    pdf.set_font("Helvetica", size=8)  # core font: Latin-1, so typographic characters are straightened
    table = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})
    pdf.add_page()
    text_lines = lines(sample, ds)
    for i, line in enumerate(text_lines):
        if line == "\f":
            if i + 1 < len(text_lines):
                pdf.add_page()
            continue
        text = line.translate(table).encode("latin-1", "replace").decode("latin-1")
        if text.strip():
            pdf.cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.ln(5)
    return bytes(pdf.output())


def docx_bytes(sample: Sample, ds: Dataset) -> bytes:
    import docx

    d = docx.Document()
    props = d.core_properties
    props.author = "ISCM Atlas"
    props.title = f"Summary of Findings per ISCM (sample): {sample.title}"
    for p in paragraphs(sample, ds):
        d.add_paragraph(p)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


BUILDERS = {"txt": txt_bytes, "docx": docx_bytes, "pdf": pdf_bytes}


def build(ds: Dataset | None = None) -> dict[str, bytes]:
    """File name -> bytes of every sample file."""
    ds = ds if ds is not None else load(DEFAULT_DATA_DIR)
    return {f"{s.stem}.{ext}": make(s, ds) for s in SAMPLES for ext, make in BUILDERS.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="compare the committed TXT files with the data")
    args = ap.parse_args(argv)
    files = build()
    if args.check:
        stale = [n for n, b in files.items() if n.endswith(".txt") and (OUT / n).read_bytes() != b]
        for n in stale:
            print(f"data/samples/{n} no longer matches the data — run python tools/make_samples.py")
        return 1 if stale else 0
    OUT.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (OUT / name).write_bytes(data)
        print(f"wrote data/samples/{name} ({len(data):,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
