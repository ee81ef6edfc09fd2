# The same steps as `make run`: a slim Python, `pip install .`, uvicorn app.main:app.
# tests/test_docker.py checks that the two stay in step; `make lint` runs hadolint on this file.
FROM python:3.11-slim

# PORT: where uvicorn listens. WEB_CONCURRENCY: worker processes (uvicorn reads it).
# FORWARDED_ALLOW_IPS: proxies whose X-Forwarded-* headers are trusted (uvicorn reads it);
# set it to the proxy's address when running behind one (README: "Two replicas").
# DESCENT_*: the app's limits and headers (README: "Settings").
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=8000 \
    WEB_CONCURRENCY=1 \
    DESCENT_KERNEL_CACHE=/srv/descent-kernels

WORKDIR /srv/descent
COPY pyproject.toml README.md requirements.lock ./
COPY app ./app
COPY templates ./templates
COPY static ./static
# The code stays owned by root: the server's user can read it but not change it.
RUN pip install -c requirements.lock . \
    && useradd --create-home --shell /usr/sbin/nologin --uid 10001 descent \
    && mkdir /srv/descent-kernels && chown 10001 /srv/descent-kernels

USER 10001
# Kernels compiled at build, into a cache keyed on the engine's sources: every worker of the
# container loads them at start (well under a second) instead of compiling its own.
# numba also keys each kernel on the CPU it was compiled for (model and features): an image
# run on another CPU model compiles at its first start (~30 s, each worker, inside the
# health check's start period) into the same writable cache, and loads from it thereafter.
RUN python -m app.engine.run.warm
EXPOSE 8000
# Docker Engine >= 25 (API 1.44) probes every --start-interval during --start-period, so the
# container reports healthy within a second of the app answering (its workers load the kernels
# compiled above in a few seconds) instead of at the first --interval probe, 30 s in; an older
# engine probes at --interval only. Failures in the start period do not count against --retries.
HEALTHCHECK --interval=30s --timeout=3s --start-period=60s --start-interval=1s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=2)"]
# The app writes one access line per request (logger descent.access), so uvicorn's own
# access log is off, as in `make run`; --http adds a read timeout on slow requests and the
# keep-alive timeout (DESCENT_HEADER_TIMEOUT_SECONDS, DESCENT_KEEP_ALIVE_SECONDS).
CMD ["sh", "-c", "exec uvicorn app.main:app --host 0.0.0.0 --port \"$PORT\" --workers \"$WEB_CONCURRENCY\" --proxy-headers --no-access-log --http app.middleware.protocol:Guarded --ws-max-size 65536 --ws-per-message-deflate false"]
