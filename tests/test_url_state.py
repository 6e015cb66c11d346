"""Widgets bound to the URL and chart clicks followed into it (components/url_state.py), through AppTest."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def bound_widgets() -> None:
    import streamlit as st

    from components.url_state import url_widget

    picked = url_widget(st.multiselect, "iscm", label="ISCMs", options=["a", "b", "c"], key="pick")
    country = url_widget(st.selectbox, "country", label="State", options=["DEU", "MLT"], key="state",
                         parse=str.upper, index=None)
    st.markdown(f"picked={','.join(picked)} country={country}")


def shown(at: AppTest) -> str:
    return at.markdown[0].value


def test_widgets_are_seeded_from_the_url_and_unknown_values_dropped():
    at = AppTest.from_function(bound_widgets)
    at.query_params["iscm"] = "c,x,a"
    at.query_params["country"] = "deu"
    at.run()
    assert not at.exception
    assert at.multiselect(key="pick").value == ["c", "a"]
    assert at.selectbox(key="state").value == "DEU"
    assert shown(at) == "picked=c,a country=DEU"


def test_a_widget_change_writes_the_url_and_a_new_url_reseeds_the_widget():
    at = AppTest.from_function(bound_widgets).run()
    assert shown(at) == "picked= country=None"
    at.multiselect(key="pick").set_value(["b", "a"]).run()
    assert at.query_params["iscm"] == "b,a"
    at.selectbox(key="state").set_value("MLT").run()
    assert at.query_params["country"] == "MLT"
    assert shown(at) == "picked=b,a country=MLT"
    at.multiselect(key="pick").set_value([]).run()
    assert "iscm" not in at.query_params
    at.query_params["country"] = "DEU"  # a pasted link: the URL wins over what the widget held
    at.run()
    assert at.selectbox(key="state").value == "DEU"


def clicked_chart() -> None:
    import streamlit as st

    from components.url_state import chart_key, follow_click

    st.markdown(f"key={chart_key('chart')} node={st.query_params.get('node')}")
    click = st.session_state.get("fake_click")  # stands in for the ids a chart selection event carries
    follow_click(click, param="node", chart="chart")


def test_a_click_goes_into_the_url_once_and_the_chart_is_redrawn_cleared():
    at = AppTest.from_function(clicked_chart).run()
    assert at.markdown[0].value == "key=chart_0 node=None"
    at.session_state["fake_click"] = "iscm:a"
    at.run()
    assert at.query_params["node"] == "iscm:a"
    assert at.markdown[0].value == "key=chart_1 node=iscm:a"  # a new chart key: the selection starts empty
    at.run()  # the same click again changes nothing
    assert at.markdown[0].value == "key=chart_1 node=iscm:a"
