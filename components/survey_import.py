"""The survey import flow of the Data page: upload -> preview with evidence -> confirm -> result -> removable.

Nothing is written before the user confirms; a document that cannot be read gets one message saying what
is wrong and what was expected. Once confirmed, the preview gives way to the result: what was stored (ISCMs,
facts, counted from the stored import and the dataset merged with it), links to the profiles it changed and
a way to import another document; there is no Confirm button left to press twice. The result is kept in
the session, so it survives reruns; another document starts a fresh preview.

All text from the document is shown as text (tables, escaped Markdown); tables have readable column labels,
ISCM names and dates (iscm.survey.review, iscm.dates); no page names a path of the server.
"""

from __future__ import annotations

import hashlib
import logging

import streamlit as st

from components import auth
from components.data import survey_store
from components.navigate import profile_link
from components.tables import table
from iscm.audit import Ledger, public_message, readable_log
from iscm.dataset import Dataset, sample_surveys
from iscm.dates import readable_utc
from iscm.export_tables import to_csv_bytes
from iscm.markup import escape_markdown
from iscm.survey.extract import ParseResult, parse_document
from iscm.survey.read import SurveyImportError, max_upload_mb
from iscm.survey.review import (
    differences_table,
    entries_table,
    facts_table,
    import_outcome,
    iscm_names,
    new_fact_count,
)
from iscm.survey.store import StoredImport, StoreError

_STATE = "survey_parse"
_DONE = "survey_import_done"       # the confirmed import: {"sha": ..., "import_id": ..., "created": bool}
_ROUND = "survey_upload_round"     # "Import another document" counts up: a new, empty uploader
_SAMPLE = "survey_sample_file"
_LOG = logging.getLogger(__name__)


def _store_error(e: StoreError, store) -> None:  # noqa: ANN001
    """A store problem as the user sees it: what went wrong and the fix, without the server's paths."""
    _LOG.warning("survey store: %s", e)
    st.error(escape_markdown(public_message(str(e), store.home)), icon=":material/error:")


def _parsed(name: str, data: bytes, sha: str, ds: Dataset) -> ParseResult | str:
    """Parse once per file and dataset version (reruns reuse it); an error comes back as its message."""
    key = (sha, ds.version)
    cached = st.session_state.get(_STATE)
    if cached and cached[0] == key:
        return cached[1]
    try:
        result: ParseResult | str = parse_document(name, data, ds)
    except SurveyImportError as e:
        result = e.message
    st.session_state[_STATE] = (key, result)
    return result


def import_section(ds: Dataset) -> None:
    st.header("Import survey summaries")
    limit_mb = max_upload_mb()
    st.markdown(
        "Import IOM's 2019 *Summary of Findings per ISCM* (or a document in its format) as text, Markdown, PDF "
        "or Word (DOCX). Each entry is matched to an ISCM; you see every extracted fact with the sentence it "
        "comes from, and what it would add, before anything is stored. Imported facts appear on every page "
        f"with provenance *survey* and can be removed again. Limit: {limit_mb:.0f} MB per file."
    )
    access = auth.current()
    auth.mode_notice(access)
    store = survey_store()
    if not access.can_edit:  # readers get no upload, no confirm, no remove: the controls are never drawn
        _stored_imports(store, access, ds)
        _audit_log(store, access)
        return
    up = st.file_uploader("Survey document", type=["txt", "md", "pdf", "docx"], key=_uploader_key(),
                          help="One document may hold many ISCM entries, one after another.")
    sample = _sample_choice()
    doc = (up.name, up.getvalue()) if up is not None else (sample.name, sample.read_bytes()) if sample else None
    sha = hashlib.sha256(doc[1]).hexdigest() if doc is not None else ""
    done = _confirmed(sha, store)
    if done is not None:
        _result(*done, ds)
    elif doc is not None:
        name, data = doc
        result = _parsed(name, data, sha, ds)
        if isinstance(result, str):
            st.error(escape_markdown(result), icon=":material/error:")
        else:
            _preview(name, data, result, ds, store, access)
    _stored_imports(store, access, ds)
    _trash(store, access, ds)
    _audit_log(store, access)


def _uploader_key() -> str:
    """The uploader's key: a new one after "Import another document" (Streamlit cannot empty an uploader)."""
    n = st.session_state.get(_ROUND, 0)
    return "survey_upload" if n == 0 else f"survey_upload_{n}"


def _confirmed(sha: str, store) -> tuple[StoredImport, bool] | None:  # noqa: ANN001
    """The import confirmed in this session, while the same document is chosen and the import is still
    stored; else None, and the result is forgotten (another document, or removed meanwhile: here, in
    another tab or by another editor)."""
    held = st.session_state.get(_DONE)
    if not held:
        return None
    stored = store.get(held["import_id"]) if sha == held["sha"] else None
    if stored is None:
        st.session_state.pop(_DONE, None)
        return None
    return stored, bool(held["created"])


def _result(stored: StoredImport, created: bool, ds: Dataset) -> None:
    """What the confirmed import stored, and where to see it: the preview collapsed into its outcome."""
    outcome = import_outcome(stored.result, ds)
    name, when = escape_markdown(stored.name), readable_utc(stored.imported_at)
    with st.container(border=True, key="import_result"):
        if created:
            st.success(f"{outcome.headline()} from {name}, stored on {when}.", icon=":material/check_circle:")
        else:
            st.info(f"{outcome.headline('Already imported')}. {name} was imported on {when}; nothing changed.",
                    icon=":material/info:")
        added = outcome.added
        st.caption(f"{added} of these facts {'is' if added == 1 else 'are'} new to the dataset and now "
                   f"show{'s' if added == 1 else ''} on every page with provenance *survey*; the others were in "
                   "it already or stay with the survey (countries mentioned, structures, funding). Each "
                   "profile shows the survey's sections on its *Survey findings* tab.")
        st.markdown(f"**Open the profile{'' if len(outcome.iscms) == 1 else 's'} it changed**")
        for i in outcome.iscms:
            about = f"{i.facts} fact{'' if i.facts == 1 else 's'}" + (f", {i.added} new to the dataset"
                                                                       if i.added else "")
            if i.new:
                about += ", added as a new ISCM"
            if i.iscm_id:
                profile_link(i.iscm_id, escape_markdown(f"{i.name} · {about}"))
            else:  # not in the dataset (it could not be merged): named, not linked
                st.markdown(escape_markdown(f"{i.name} · {about}"))
        if st.button("Import another document", icon=":material/upload_file:", key="import_another"):
            for k in (_DONE, _SAMPLE, _STATE):
                st.session_state.pop(k, None)
            st.session_state[_ROUND] = st.session_state.get(_ROUND, 0) + 1
            st.rerun()


def _sample_choice():  # noqa: ANN202 - a Path or None
    """No document at hand? The samples shipped in data/samples/ (written from the atlas's own data) try the flow."""
    samples = {p.name: p for p in sample_surveys()}
    if not samples:
        return None
    pick = st.selectbox("No document at hand? Pick a sample survey summary", list(samples), key="survey_sample_pick",
                        help="Samples in the format of IOM's 2019 summaries, written from this atlas's own sourced "
                             "data, as TXT, Word and PDF.")
    if st.button("Try with a sample", icon=":material/science:", key="survey_sample"):
        st.session_state[_SAMPLE] = pick
    chosen = st.session_state.get(_SAMPLE)
    return samples.get(chosen) if chosen else None


def _preview(name: str, data: bytes, result: ParseResult, ds: Dataset, store, access) -> None:  # noqa: ANN001
    n = len(result.entries)
    st.success(f"Read {n} ISCM entr{'y' if n == 1 else 'ies'} from this document. Check them, then confirm.",
               icon=":material/fact_check:")
    for w in result.warnings:
        st.warning(escape_markdown(w), icon=":material/warning:")
    table(entries_table(result, ds), key="import_entries")
    st.subheader("Extracted facts and their evidence")
    table(facts_table(result, ds), key="import_preview",
          column_config={"Evidence": st.column_config.TextColumn(width="large")})
    st.subheader("Compared with the current dataset")
    new = new_fact_count(result)
    st.caption(f"{new} new fact{'' if new == 1 else 's'} would be added with provenance *survey*. Where the "
               "survey differs from the dataset, the dataset's value is kept; facts marked “shown only” "
               "are not added.")
    table(differences_table(result, ds), key="import_diffs")
    if st.button("Confirm import", type="primary", icon=":material/download_done:", key="import_confirm"):
        try:
            stored, created = Ledger(store).import_file(name, data, result, auth.editor_actor(access))
        except StoreError as e:
            _store_error(e, store)
            return
        st.session_state.pop(_STATE, None)
        st.session_state[_DONE] = {"sha": stored.sha256, "import_id": stored.import_id, "created": created}
        st.rerun()


def _stored_imports(store, access, ds: Dataset) -> None:  # noqa: ANN001
    msg = st.session_state.pop("import_message", None)
    if msg:
        st.success(msg, icon=":material/check_circle:")
    st.subheader("Imported surveys")
    try:
        imports = store.list()
    except StoreError as e:
        _store_error(e, store)
        return
    if not imports:
        st.caption("No survey imported yet.")
        return
    for imp in imports:
        c1, c2 = st.columns([5, 1], vertical_alignment="center")
        c1.markdown(f"**{escape_markdown(imp.name)}** · {_about(imp, ds)} · imported on "
                    f"{readable_utc(imp.imported_at)}")
        if access.can_edit and c2.button("Remove", key=f"rm_{imp.import_id}", icon=":material/delete:"):
            try:
                moved = Ledger(store).remove(imp.import_id, auth.editor_actor(access))
            except StoreError as e:
                _store_error(e, store)
                return
            st.session_state["import_message"] = (
                f"Removed {escape_markdown(imp.name)} (moved to the trash)." if moved else
                f"{escape_markdown(imp.name)} was removed already (in another tab or by another editor).")
            st.rerun()
    st.caption("Each import keeps the original file and the confirmed result on the server."
               + (" Remove moves an import to the trash, from which an editor can restore it." if access.can_edit
                  else ""))


def _about(imp: StoredImport, ds: Dataset) -> str:
    """ "2 ISCMs: MIDSA, MIDWA" (escaped Markdown): the ISCMs an import is about, by name."""
    names = iscm_names(imp.result, ds)
    if not names:
        return "no entries"
    return f"{len(names)} ISCM{'' if len(names) == 1 else 's'}: {escape_markdown(', '.join(names))}"


def _trash(store, access, ds: Dataset) -> None:  # noqa: ANN001
    """Removed imports, for editors: restore one, or empty the trash (the only step that deletes)."""
    ledger = Ledger(store)
    try:
        trashed = ledger.trash()
    except StoreError as e:
        _store_error(e, store)
        return
    st.subheader("Trash")
    if not trashed:
        st.caption("The trash is empty. Removed imports wait here until an editor empties it.")
        return
    st.caption("Removed imports, newest first. Restore puts one back exactly as it was; emptying the trash "
               "deletes them for good.")
    for t in trashed:
        c1, c2 = st.columns([5, 1], vertical_alignment="center")
        c1.markdown(f"**{escape_markdown(t.stored.name)}** · {_about(t.stored, ds)} · removed on "
                    f"{readable_utc(t.removed_at)} by {escape_markdown(t.removed_by)}")
        if c2.button("Restore", key=f"restore_{t.entry}", icon=":material/restore_from_trash:"):
            try:
                restored, why = ledger.restore(t.entry, auth.editor_actor(access))
            except StoreError as e:
                _store_error(e, store)
                return
            st.session_state["import_message"] = (f"Restored {escape_markdown(restored.name)}." if restored
                                                  else f"Not restored: {escape_markdown(why)}")
            st.rerun()
    if st.button(f"Empty the trash ({len(trashed)})", key="trash_empty", icon=":material/delete_forever:"):
        try:
            n = ledger.empty_trash(auth.editor_actor(access))
        except StoreError as e:
            _store_error(e, store)
            return
        st.session_state["import_message"] = f"Deleted {n} removed import(s) for good."
        st.rerun()


def _audit_log(store, access) -> None:  # noqa: ANN001
    """Every import, removal and restore: who, when, which file (name, SHA-256), what it added or removed.
    Readers see what changed; who changed it (e-mail, name) is shown to editors only."""
    st.subheader("Audit log")
    ledger = Ledger(store)
    try:
        log = ledger.events_frame()
    except StoreError as e:
        _store_error(e, store)
        return
    if not access.can_edit:
        log = log.drop(columns=["user", "user_name"])
    if log.empty:
        st.caption("No change recorded yet.")
        return
    st.caption(f"{len(log)} change(s), newest first; times in UTC. The CSV holds the log as recorded."
               + ("" if access.can_edit else " Who made each change is shown to editors."))
    table(readable_log(log), key="audit_log",
          column_config={"What changed": st.column_config.TextColumn(width="large")})
    st.download_button("Audit log (CSV)", data=lambda: to_csv_bytes(log), file_name="iscm-audit-log.csv",
                       mime="text/csv", icon=":material/download:", key="dl_audit", on_click="ignore")
