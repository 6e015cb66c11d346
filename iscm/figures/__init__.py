"""Pure Plotly figure builders: (tables or graph, options) -> go.Figure. No Streamlit here."""
