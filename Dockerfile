# One image for web, worker and beat.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN apt-get update && apt-get install -y --no-install-recommends libicu-dev pkg-config build-essential \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY web web
COPY workflow workflow
COPY forms forms
COPY notifications notifications
RUN pip install -e .
COPY . .
RUN if ls web/translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then pybabel -q compile -d web/translations; fi \
    && useradd --system --home /app plneni && mkdir -p /app/instance && chown -R plneni /app/instance
USER plneni
ENV FLASK_APP=wsgi INSTANCE_PATH=/app/instance
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "4", "wsgi:app"]
