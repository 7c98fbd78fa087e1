# appfleet API and worker image: one image, the command chooses the role
# (`appfleet serve`, `appfleet worker`, `appfleet migrate`). See README "Deploy".
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    APPFLEET_DATA_DIR=/data

# pg_dump/pg_restore for `appfleet backup`; espeak-ng is the offline voice.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client espeak-ng \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install .

RUN useradd --system --uid 10001 --home-dir /data appfleet \
    && mkdir -p /data \
    && chown appfleet /data
USER appfleet

EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)"]
# SIGTERM lets in-flight requests finish (gunicorn's 30 s graceful timeout).
STOPSIGNAL SIGTERM
CMD ["appfleet", "serve", "--host", "0.0.0.0", "--workers", "2"]
