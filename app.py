"""ISCM Atlas entry point: a router over the page modules in pages/ (each page draws the shared frame)."""

import streamlit as st

from components.frame import PAGES

pages = [
    st.Page(path, title=title, url_path=url, icon=icon, default=(i == 0))
    for i, (path, title, url, icon) in enumerate(PAGES)
]
st.navigation(pages, position="hidden").run()
