"""ISCM Atlas core library: data model, loading, analysis and figures. Never imports Streamlit."""
