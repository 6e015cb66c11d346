"""Streamlit building blocks shared by the pages (frame, filters, chart panel, tables)."""
