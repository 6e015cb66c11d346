"""Pure Plotly figure builders: (tables or graph, options) -> go.Figure. No Streamlit here.

`for_theme` gives a finished figure the text colours of a light or dark page (the house style, `_house`).
"""

from iscm.figures._house import for_theme

__all__ = ["for_theme"]
