"""Celery bound to the Flask app: every task runs inside an application context.

The pattern is Flask's own ``examples/celery``: a ``Task`` subclass that pushes the app context,
the configuration taken from ``app.config["CELERY"]`` (JSON serializer, ``acks_late``, see
:mod:`web.config`). Tasks take ids, never ORM objects. Each task is one unit of work
(:func:`workflow.db.unit_of_work`).
"""

from __future__ import annotations

from celery import Celery, Task
from flask import Flask

from workflow.db import unit_of_work


def celery_init_app(app: Flask) -> Celery:
    """Create the Celery application for ``app`` and store it as ``app.extensions["celery"]``.

    :param app: the configured Flask application.
    :returns: the Celery application; its tasks run in ``app``'s context.
    """

    class FlaskTask(Task):
        """Runs in ``app``'s context as one unit of work: committed when the task returns, rolled
        back when it raises (:func:`workflow.db.unit_of_work`), so a failing task writes nothing."""

        def __call__(self, *args: object, **kwargs: object) -> object:
            with app.app_context(), unit_of_work():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(app.config["CELERY"])
    celery_app.set_default()
    celery_app.autodiscover_tasks(["notifications", "workflow"], related_name="tasks", force=True)
    from notifications.events import subscribe

    subscribe()  # domain events become outbox rows when a session commits (tasks too)
    app.extensions["celery"] = celery_app
    return celery_app
