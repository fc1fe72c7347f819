# One image for web (gunicorn), worker and beat (Celery) and the one-shot `flask db upgrade`
# (docker-compose.yml, docs/deployment.md). Two stages: the first compiles what has no wheel
# (PyICU) into a virtualenv at the versions of requirements/lock.txt; the second is the slim
# runtime with the system libraries the product loads (requirements/system-runtime.txt: ICU and
# the DejaVu fonts of the PDF), run as a non-root user.
# Debian 12 (bookworm): the release CI tests on, whose package names the lists use.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
COPY requirements/system-build.txt /tmp/system-build.txt
RUN apt-get update \
    && apt-get install -y --no-install-recommends $(sed -e 's/#.*//' /tmp/system-build.txt) \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY requirements requirements
COPY scripts/lockcheck.py scripts/lockcheck.py
RUN python -m venv /opt/venv && /opt/venv/bin/python scripts/lockcheck.py pyproject ""
COPY web web
COPY workflow workflow
COPY forms forms
COPY notifications notifications
COPY devdata devdata
# The lock as constraints: every dependency at its pinned version; lockcheck fails the build if
# pyproject.toml needs anything the lock lacks. Editable, so templates/, static/ and migrations/
# beside the packages are found (web.config.PROJECT_ROOT); /app is the same path in both stages.
RUN /opt/venv/bin/pip install --constraint requirements/lock.txt -e . \
    && /opt/venv/bin/python scripts/lockcheck.py installed "" \
    && /opt/venv/bin/pybabel -q compile -d web/translations

FROM ${PYTHON_IMAGE} AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/opt/venv/bin:$PATH \
    FLASK_APP=wsgi INSTANCE_PATH=/app/instance PLNENI_ENV=production
COPY requirements/system-runtime.txt /tmp/system-runtime.txt
RUN apt-get update \
    && apt-get install -y --no-install-recommends $(sed -e 's/#.*//' /tmp/system-runtime.txt) \
    && rm -rf /var/lib/apt/lists/* /tmp/system-runtime.txt \
    && useradd --system --home-dir /app --shell /usr/sbin/nologin plneni
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
COPY wsgi.py gunicorn.conf.py babel.cfg ./
COPY templates templates
COPY static static
COPY migrations migrations
COPY data/akcni-plan-2024-2025.json data/akcni-plan-2024-2025.json
RUN mkdir -p /app/instance && chown plneni /app/instance
USER plneni
# Health checks are per service in docker-compose.yml (web: /healthz; worker: celery inspect ping).
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "4", "--access-logfile", "-", "wsgi:app"]
