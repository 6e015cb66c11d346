"""ISCM Atlas entry point: a router over the page modules in pages/ (each page draws the shared frame)."""

import streamlit as st

from components import warmup

warmup.wait()  # a warm-up started by serve.py finishes first (returns at once without one)

from components.frame import app_pages  # noqa: E402 - after the warm-up, which imports it

st.navigation(app_pages(), position="hidden").run()
