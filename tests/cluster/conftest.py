"""Cluster tests: two app processes on one survey store behind a real HAProxy (tools/cluster.py), driven by
Debian's Chromium through Playwright. Without haproxy or Chromium they skip with the reason; under CI
(CI=true), which installs both (.ci/run), a missing one is a failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from iscm.survey.store import SurveyStore
from tests.browser.conftest import browser_context_args, browser_type_launch_args, chromium_path
from tests.conftest import IN_CI, ROOT, SEED
from tools.cluster import Cluster, cluster, haproxy_path

__all__ = ["browser_context_args", "browser_type_launch_args"]  # Playwright's fixtures, as in tests/browser/

SAMPLES = ROOT / "data" / "samples"
# A second survey document, different from every sample: an ISCM the dataset does not know.
ATLANTIS = ("Name of the Inter-state consultation mechanism (ISCM): Atlantis Dialogue on Migration\n\n"
            "1. Evolution of programming and thematic focus\n"
            "Its thematic focus is labour migration and remittances. It works with IOM and the Bali Process.\n\n"
            "3. Salient ISCM structures\nA chair and a secretariat; funded by member states' contributions.\n")


def missing(what: str) -> None:
    if IN_CI:
        pytest.fail(what)
    pytest.skip(what)


@pytest.fixture(scope="session")
def atlas_cluster(tmp_path_factory) -> Cluster:
    """Two replicas and HAProxy for the whole test session (a test that imports starts from `empty_store`)."""
    if haproxy_path() is None:
        missing("haproxy is not installed (`apt-get install haproxy`) - cluster tests need it")
    with cluster(2, home=tmp_path_factory.mktemp("cluster") / "store") as c:
        yield c


@pytest.fixture
def empty_store(atlas_cluster) -> SurveyStore:
    """The cluster's shared store, emptied before the test (as an editor would, through the store)."""
    store = SurveyStore(atlas_cluster.home)
    for imp in store.list():
        store.remove(imp.import_id)
    assert store.list() == []
    return store


@pytest.fixture
def needs_chromium() -> None:
    if chromium_path() is None:
        missing("no Chromium found (install Debian's `chromium` or set CHROMIUM_PATH) - browser tests need it")


@pytest.fixture(scope="session")
def sample_survey() -> Path:
    """A survey summary to import: the first of data/samples/ when there is one (text first), else the seed
    beside the checkout (shared/seeds/)."""
    kinds = (".txt", ".md", ".docx", ".pdf")
    samples = sorted((p for p in SAMPLES.glob("*") if p.suffix.lower() in kinds),
                     key=lambda p: (kinds.index(p.suffix.lower()), p.name))
    if samples:
        return samples[0]
    if not SEED.is_file():
        missing(f"no sample survey: neither {SAMPLES}/ nor {SEED} exists")
    return SEED


@pytest.fixture
def atlantis_survey(tmp_path) -> Path:
    path = tmp_path / "atlantis-dialogue.txt"
    path.write_text(ATLANTIS, encoding="utf-8")
    return path
