# SafetyWalk: slim Python, non-root, data and media on volumes.
# Build: docker build -t safetywalk .
# Run:   docker run -p 8000:8000 -v sw-data:/data -v sw-media:/media \
#          -e SAFETYWALK_PUBLIC_URL=https://safetywalk.example.org safetywalk
# (production refuses to start without a public address that residents can reach)
FROM python:3.11-slim AS app

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    SAFETYWALK_DATA_DIR=/data \
    SAFETYWALK_MEDIA_DIR=/media \
    SAFETYWALK_ENVIRONMENT=production \
    HOST=0.0.0.0 \
    PORT=8000

# Pango and HarfBuzz for WeasyPrint (walk protocols as PDF); DejaVu so the PDF has a font;
# pg_dump and pg_restore for `safetywalk backup|restore` on PostgreSQL (a newer client reads an
# older server).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
       libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /srv/safetywalk
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
RUN pip install --no-cache-dir -e . \
    && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin safetywalk \
    && mkdir -p /data /media && chown -R safetywalk:safetywalk /data /media

USER safetywalk
VOLUME ["/data", "/media"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,os; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz')" || exit 1
# Migrate on start (idempotent) and serve. No demo data: a production database starts empty, so
# that `safetywalk restore` can fill it; `docker run … safetywalk load-demo --if-empty` adds Boden's.
# Behind a reverse proxy, set FORWARDED_ALLOW_IPS to the proxy's address (never '*' when the
# port is reachable directly: anyone could then claim any client address).
CMD ["sh", "-c", "safetywalk migrate && exec safetywalk serve"]
