"""The global filters every page honours, as a plain value that can live in a URL."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

from iscm.dataset import Dataset

# query-parameter name -> Filters field
PARAMS = {"iscm": "iscms", "theme": "themes", "region": "regions", "type": "types"}


@dataclass(frozen=True)
class Filters:
    iscms: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    types: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))

    def to_params(self) -> dict[str, str]:
        return {p: ",".join(getattr(self, f)) for p, f in PARAMS.items() if getattr(self, f)}

    @classmethod
    def from_params(cls, params: Mapping[str, str | list[str]]) -> Filters:
        """Read filters from query parameters (comma-separated or repeated); blanks are ignored."""
        values: dict[str, tuple[str, ...]] = {}
        for p, f in PARAMS.items():
            raw = params.get(p, "")
            items = raw if isinstance(raw, list) else [raw]
            values[f] = tuple(dict.fromkeys(v.strip() for item in items for v in str(item).split(",") if v.strip()))
        return cls(**values)

    def describe(self, ds: Dataset | None = None) -> str:
        """Human-readable filter state, e.g. for an exported chart's subtitle ('' when unfiltered)."""
        parts = []
        if self.iscms:
            names = [ds.iscm_name(i) for i in self.iscms] if ds else list(self.iscms)
            parts.append("ISCM: " + ", ".join(names))
        if self.themes:
            labels = [ds.theme_label(t) for t in self.themes] if ds else list(self.themes)
            parts.append("Theme: " + ", ".join(labels))
        if self.regions:
            parts.append("Region: " + ", ".join(self.regions))
        if self.types:
            parts.append("Type: " + ", ".join(self.types))
        return " · ".join(parts)

    def slug(self) -> str:
        """Short file-name part, e.g. 'theme-asylum_protection' ('all' when unfiltered)."""
        parts = [f"{p}-{'+'.join(getattr(self, f))}" for p, f in PARAMS.items() if getattr(self, f)]
        return "_".join(parts)[:80] or "all"


def matching_iscms(ds: Dataset, flt: Filters) -> list[str]:
    """Ids of the ISCMs that pass every active filter."""
    df = ds.iscms
    mask = df["iscm_id"].notna()
    if flt.iscms:
        mask &= df["iscm_id"].isin(flt.iscms)
    if flt.types:
        mask &= df["type"].isin(flt.types)
    if flt.regions:
        wanted = set(flt.regions)
        mask &= df["macro_regions"].map(lambda s: bool(wanted & set(s.split("; "))))
    if flt.themes:
        covering = set(ds.iscm_themes.loc[ds.iscm_themes["theme_id"].isin(flt.themes), "iscm_id"])
        mask &= df["iscm_id"].isin(covering)
    return df.loc[mask, "iscm_id"].tolist()


def apply_filters(ds: Dataset, flt: Filters) -> Dataset:
    """The dataset restricted to the ISCMs that pass the filters (the theme taxonomy stays whole)."""
    if not flt.active:
        return ds
    return ds.subset(matching_iscms(ds, flt))
