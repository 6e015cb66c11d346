"""ISCM Atlas entry point: a router over the page modules in pages/ (each page draws the shared frame)."""

import streamlit as st

from components import warmup

warmup.wait()  # a warm-up started by serve.py finishes first (returns at once without one)

from components.frame import PAGES  # noqa: E402 - after the warm-up, which imports it

pages = [
    st.Page(path, title=title, url_path=url, icon=icon, default=(i == 0))
    for i, (path, title, url, icon) in enumerate(PAGES)
]
st.navigation(pages, position="hidden").run()
