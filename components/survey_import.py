"""The survey import flow of the Data page: upload -> preview with evidence -> confirm -> stored -> removable.

Nothing is written before the user confirms; a document that cannot be read gets one message saying what
is wrong and what was expected. All text from the document is shown as text (tables, escaped Markdown).
"""

from __future__ import annotations

import hashlib
import logging

import pandas as pd
import streamlit as st

from components import auth
from components.data import survey_store
from iscm.audit import Ledger, public_message
from iscm.dataset import Dataset, sample_surveys
from iscm.export_tables import to_csv_bytes
from iscm.markup import escape_markdown
from iscm.survey.extract import ParseResult, parse_document
from iscm.survey.read import SurveyImportError, max_upload_mb
from iscm.survey.store import StoreError

_STATE = "survey_parse"
_LOG = logging.getLogger(__name__)


def _store_error(e: StoreError, store) -> None:  # noqa: ANN001
    """A store problem as the user sees it: what went wrong and the fix, without the server's paths."""
    _LOG.warning("survey store: %s", e)
    st.error(escape_markdown(public_message(str(e), store.home)), icon=":material/error:")


def _parsed(name: str, data: bytes, ds: Dataset) -> ParseResult | str:
    """Parse once per file and dataset version (reruns reuse it); an error comes back as its message."""
    key = (hashlib.sha256(data).hexdigest(), ds.version)
    cached = st.session_state.get(_STATE)
    if cached and cached[0] == key:
        return cached[1]
    try:
        result: ParseResult | str = parse_document(name, data, ds)
    except SurveyImportError as e:
        result = e.message
    st.session_state[_STATE] = (key, result)
    return result


def _entry_summary(result: ParseResult, ds: Dataset) -> pd.DataFrame:
    rows = []
    for e in result.entries:
        rows.append({
            "entry": e.name,
            "matched ISCM": ds.iscm_name(e.iscm_id) if e.iscm_id else "not matched: new ISCM, to be confirmed",
            "sections": f"{len(e.sections)}/5",
            "focus themes": sum(1 for t in e.themes if t.level == "focus"),
            "themes": len(e.themes), "countries": len(e.countries), "organizations": len(e.organizations),
            "ISCMs": len(e.iscms), "structures": len(e.structures),
        })
    return pd.DataFrame(rows)


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
        _stored_imports(store, access)
        _audit_log(store, access)
        return
    up = st.file_uploader("Survey document", type=["txt", "md", "pdf", "docx"], key="survey_upload",
                          help="One document may hold many ISCM entries, one after another.")
    sample = _sample_choice()
    if up is not None or sample is not None:
        name, data = (up.name, up.getvalue()) if up is not None else (sample.name, sample.read_bytes())
        result = _parsed(name, data, ds)
        if isinstance(result, str):
            st.error(escape_markdown(result), icon=":material/error:")
        else:
            _preview(name, data, result, ds, store, access)
    _stored_imports(store, access)
    _trash(store, access)
    _audit_log(store, access)


def _sample_choice():  # noqa: ANN202 - a Path or None
    """No document at hand? The samples shipped in data/samples/ (written from the atlas's own data) try the flow."""
    samples = {p.name: p for p in sample_surveys()}
    if not samples:
        return None
    pick = st.selectbox("No document at hand? Pick a sample survey summary", list(samples), key="survey_sample_pick",
                        help="Samples in the format of IOM's 2019 summaries, written from this atlas's own sourced "
                             "data, as TXT, Word and PDF.")
    if st.button("Try with a sample", icon=":material/science:", key="survey_sample"):
        st.session_state["survey_sample_file"] = pick
    chosen = st.session_state.get("survey_sample_file")
    return samples.get(chosen) if chosen else None


def _preview(name: str, data: bytes, result: ParseResult, ds: Dataset, store, access) -> None:  # noqa: ANN001
    n = len(result.entries)
    st.success(f"Read {n} ISCM entr{'y' if n == 1 else 'ies'} from this document. Check them, then confirm.",
               icon=":material/fact_check:")
    for w in result.warnings:
        st.warning(escape_markdown(w), icon=":material/warning:")
    st.dataframe(_entry_summary(result, ds), hide_index=True, width="stretch", key="import_entries")
    st.subheader("Extracted facts and their evidence")
    st.dataframe(result.preview(), hide_index=True, width="stretch", key="import_preview",
                 column_config={"evidence": st.column_config.TextColumn(width="large")})
    diffs = pd.DataFrame([d.model_dump() for d in result.differences], columns=["entry", "iscm_id", "kind", "id", "label", "dataset",
                                                      "survey", "change"])
    st.subheader("Compared with the current dataset")
    new = int((diffs["change"] == "new").sum())
    st.caption(f"{new} new fact(s) would be added with provenance 'survey'. 'differs' rows keep the curated "
               "value; 'info' rows are shown, not merged.")
    st.dataframe(diffs, hide_index=True, width="stretch", key="import_diffs")
    if st.button("Confirm import", type="primary", icon=":material/download_done:", key="import_confirm"):
        try:
            stored, created = Ledger(store).import_file(name, data, result, auth.editor_actor(access))
        except StoreError as e:
            _store_error(e, store)
            return
        st.session_state.pop(_STATE, None)
        shown = escape_markdown(name)
        if created:
            st.toast(f"Imported {shown}", icon=":material/check_circle:")
            st.session_state["import_message"] = f"Imported {shown}: {n} entr{'y' if n == 1 else 'ies'} stored."
        else:
            st.session_state["import_message"] = (f"{shown} was already imported on {stored.imported_at}; "
                                                  "nothing changed.")
        st.rerun()


def _stored_imports(store, access) -> None:  # noqa: ANN001
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
        names = ", ".join(imp.entry_names) or "no entries"
        c1.markdown(f"**{escape_markdown(imp.name)}** · {len(imp.entry_names)} entr"
                    f"{'y' if len(imp.entry_names) == 1 else 'ies'} ({escape_markdown(names)}) · imported "
                    f"{escape_markdown(imp.imported_at)}")
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


def _trash(store, access) -> None:  # noqa: ANN001
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
        c1.markdown(f"**{escape_markdown(t.stored.name)}** · {escape_markdown(', '.join(t.stored.entry_names))} · "
                    f"removed {escape_markdown(t.removed_at)} by {escape_markdown(t.removed_by)}")
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
    try:
        log = Ledger(store).events_frame()
    except StoreError as e:
        _store_error(e, store)
        return
    if not access.can_edit:
        log = log.drop(columns=["user", "user_name"])
    if log.empty:
        st.caption("No change recorded yet.")
        return
    st.caption(f"{len(log)} change(s), newest first." + ("" if access.can_edit else
                                                         " Who made each change is shown to editors."))
    st.dataframe(log, hide_index=True, width="stretch", key="audit_log",
                 column_config={"changes": st.column_config.TextColumn(width="large")})
    st.download_button("Audit log (CSV)", data=lambda: to_csv_bytes(log), file_name="iscm-audit-log.csv",
                       mime="text/csv", icon=":material/download:", key="dl_audit", on_click="ignore")
