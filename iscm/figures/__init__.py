"""Pure Plotly figure builders: (tables or graph, options) -> go.Figure. No Streamlit here.

`for_screen` prepares a finished figure for the browser under the page's light or dark theme (the house style,
`_house`; drawn with `st.plotly_chart(..., theme=None)`).
"""

from iscm.figures._house import for_screen

__all__ = ["for_screen"]
