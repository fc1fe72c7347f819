"""WSGI entry point: ``gunicorn wsgi:app``; Celery: ``celery -A wsgi.celery_app worker``."""

from web import create_app

app = create_app()
celery_app = app.extensions["celery"]
