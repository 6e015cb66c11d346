# syntax=docker/dockerfile:1
# ISCM Atlas: the dashboard with its default dataset baked in; imported surveys live on a volume
# (ISCM_ATLAS_HOME). compose.yaml runs several replicas behind HAProxy; docs/deploy.md has the details
# and says what was and was not tested.
#
#   docker build -t iscm-atlas .
#   docker run --rm -p 8501:8501 -v iscm-surveys:/var/lib/iscm-atlas iscm-atlas

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- build: the Python dependencies in a virtualenv (all have wheels: no compiler needed) -----------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
COPY requirements.txt /tmp/requirements.txt
RUN /opt/venv/bin/pip install --requirement /tmp/requirements.txt

# --- runtime: slim Python + Debian's Chromium (kaleido draws PNG/SVG/PDF exports with it) -------------------
FROM ${PYTHON_IMAGE} AS runtime
RUN apt-get update \
 && apt-get install --yes --no-install-recommends chromium fonts-liberation fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 atlas \
 && useradd --system --uid 10001 --gid atlas --create-home --home-dir /home/atlas --shell /usr/sbin/nologin atlas \
 && mkdir -p /var/lib/iscm-atlas \
 && chown atlas:atlas /var/lib/iscm-atlas
COPY --from=build /opt/venv /opt/venv

WORKDIR /app
# The application and its data belong to root: the app (user atlas) reads them and writes only to the
# survey store and its own cache under /home/atlas.
COPY app.py serve.py requirements.txt ./
COPY .streamlit/config.toml .streamlit/config.toml
COPY components/ components/
COPY pages/ pages/
COPY iscm/ iscm/
COPY static/ static/
COPY data/ data/

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    BROWSER_PATH=/usr/bin/chromium \
    ISCM_ATLAS_HOME=/var/lib/iscm-atlas \
    ISCM_EDITING=off \
    STREAMLIT_SERVER_HEADLESS=true \
    STREAMLIT_SERVER_FILE_WATCHER_TYPE=none \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false

# The baked-in dataset must be valid: the build stops here with the problem list otherwise.
RUN python -m iscm validate

USER atlas
VOLUME ["/var/lib/iscm-atlas"]
EXPOSE 8501
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"]
# Inside a container the server must listen on every interface (the proxy reaches it over the network).
CMD ["python", "serve.py", "--server.address", "0.0.0.0", "--server.port", "8501"]
