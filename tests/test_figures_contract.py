"""`iscm/figures/` only draws: every public builder takes tables and returns a Plotly figure.

Table building lives in the core (`iscm/membership.py`, `iscm/themes.py`, `iscm/network.py`, ...), so a
figure module that grew a table builder or a click parser again fails here.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import typing

import plotly.graph_objects as go

import iscm.figures


def _public_functions():
    for info in pkgutil.iter_modules(iscm.figures.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"iscm.figures.{info.name}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if not name.startswith("_") and fn.__module__ == module.__name__:
                yield module.__name__, name, fn


def test_every_public_figure_function_returns_a_figure():
    found = list(_public_functions())
    assert len(found) >= 15  # the walk really finds the builders
    wrong = []
    for module, name, fn in found:
        ret = typing.get_type_hints(fn).get("return")
        if not (inspect.isclass(ret) and issubclass(ret, go.Figure)):
            wrong.append(f"{module}.{name} -> {ret}")
    assert wrong == [], "figure modules may only hold builders that return a Figure:\n" + "\n".join(wrong)


def test_one_definition_of_each_shared_helper():
    """One house style, one CSV writer, one Markdown escaper, one free-port helper in the whole code base."""
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[1]
    sources = [p for d in ("iscm", "components", "pages", "benchmarks", "tools", "tests")
               for p in (root / d).rglob("*.py")] + [root / "app.py", root / "serve.py"]
    text = {p: p.read_text(encoding="utf-8") for p in sources}
    patterns = {
        "house style": r"^def (house_layout|style)\(",
        "plotly template registration": r"pio\.templates\[[^\]]+\]\s*=",
        "CSV writer": r"^def to_csv\w*\(",
        "font": r"^FONT\s*=",
        "Markdown escaper": r"^def (escape_markdown|escape_md|md_escape|_md|_escape)\(",
        "free-port helper": r"\.bind\(\(\"127\.0\.0\.1\", 0\)\)",
    }
    for what, pattern in patterns.items():
        hits = [f"{p.relative_to(root)}" for p, t in text.items() for _ in re.finditer(pattern, t, re.M)]
        if what == "house style":
            assert sorted(hits) == ["iscm/figures/_house.py"] * 2, (what, hits)
        else:
            assert len(hits) == 1, (what, hits)
