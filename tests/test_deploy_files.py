"""The container image and the compose file agree with each other and with the app: no container runtime
runs here (docs/deploy.md), so these checks read the files. The proxy configuration itself is checked by
HAProxy in tests/cluster/test_cluster_tools.py."""

from __future__ import annotations

import re

import yaml

from tests.conftest import ROOT

DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
HAPROXY = (ROOT / "deploy" / "haproxy.cfg").read_text(encoding="utf-8")


def _instructions(kind: str) -> list[str]:
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE)  # join continued lines
    return [line.split(None, 1)[1] for line in text.splitlines() if line.split(None, 1)[:1] == [kind]]


def test_image_is_multi_stage_slim_and_runs_as_a_user_with_a_health_check():
    froms = _instructions("FROM")
    assert len(froms) == 2 and {f.split(" AS ")[1] for f in froms} == {"build", "runtime"}
    assert "python:3.11-slim" in _instructions("ARG")[0]
    assert any("chromium" in r for r in _instructions("RUN"))
    runtime = DOCKERFILE[DOCKERFILE.index("AS runtime"):]
    assert re.search(r"^USER atlas$", runtime, re.M) and "USER root" not in runtime
    assert runtime.index("USER atlas") > runtime.rindex("\nRUN ")  # nothing runs as root after it
    (health,) = _instructions("HEALTHCHECK")
    assert "http://127.0.0.1:8501/_stcore/health" in health


def test_image_bakes_in_the_app_and_its_data_and_keeps_the_store_on_a_volume():
    copied = {src.rstrip("/") for c in _instructions("COPY") if not c.startswith("--from") for src in c.split()[:-1]}
    for part in ("app.py", "serve.py", "components", "pages", "iscm", "static", "data"):
        assert part in copied, part
    home = re.search(r"ISCM_ATLAS_HOME=(\S+)", DOCKERFILE).group(1)
    assert _instructions("VOLUME") == [f'["{home}"]']
    cmd = _instructions("CMD")[0]
    assert '"--server.address", "0.0.0.0"' in cmd and '"--server.port", "8501"' in cmd
    assert _instructions("EXPOSE") == ["8501"]


def test_compose_replicas_share_one_store_and_one_cookie_secret_behind_the_proxy():
    app, proxy = COMPOSE["services"]["app"], COMPOSE["services"]["proxy"]
    env = app["environment"]
    assert re.fullmatch(r"\$\{ISCM_EDITING:-(off|oidc)\}", env["ISCM_EDITING"])
    assert env["STREAMLIT_SERVER_COOKIE_SECRET"].startswith("${ISCM_COOKIE_SECRET:?")  # required, never a default
    home = env["ISCM_ATLAS_HOME"]
    assert f"surveys:{home}" in app["volumes"] and "surveys" in COMPOSE["volumes"]
    assert app["command"][-4:] == ["--server.address", "0.0.0.0", "--server.port", "8501"]
    assert "replicas" in app["deploy"] and app["deploy"]["resources"]["limits"]["cpus"] == "1.0"
    assert "./deploy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro" in proxy["volumes"]
    assert proxy["depends_on"]["app"]["condition"] == "service_healthy"
    # the proxy listens where compose publishes it and reaches the app service on the app's port
    assert proxy["ports"][0].endswith(":8080") and re.search(r"^\s*bind :8080$", HAPROXY, re.M)
    assert re.search(r"^\s*server-template app \S+ app:8501 ", HAPROXY, re.M)


def test_server_config_keeps_xsrf_protection_and_the_upload_limit_of_the_import():
    """XSRF protection stays on, and Streamlit refuses an upload over the limit the import itself applies (so a
    huge file never reaches the server's memory, and the import's own message names the same number)."""
    import tomllib

    from iscm.survey.read import DEFAULT_MAX_MB

    server = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))["server"]
    assert server["enableXsrfProtection"] is True
    assert server["maxUploadSize"] == DEFAULT_MAX_MB
