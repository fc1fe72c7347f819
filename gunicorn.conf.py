"""Gunicorn settings shared by every way the product runs (read from the working directory).

The access log goes through :class:`web.gunicorn_logging.RedactingLogger`, which cuts the tokens of
invitation and password-reset links out of logged URLs and Referer headers.

**The application is loaded once, in the master, and its objects are frozen before the workers
are forked** (issue 17, docs/performance.md). ``preload_app`` imports ``wsgi:app`` in the master;
the garbage collector is off while it loads (no freed „holes“ in the pages the workers will
share), and :func:`when_ready` moves everything loaded into the collector's permanent generation
(``gc.freeze()``, CPython ≥ 3.7) before the first fork. A worker's collections then never touch
the reference-count headers of those objects, so the pages stay shared copy-on-write instead of
being copied into every worker; the workers collect their own objects as usual. Forked workers
must not share the master's database connections: :func:`post_fork` drops the pool the worker
inherited (SQLAlchemy's ``engine.dispose(close=False)``, as its documentation prescribes for
``os.fork()``); Redis clients (redis-py, kombu) notice the new process id and reconnect by
themselves. ``--reload`` (development) cannot be combined with preloading: then nothing of this
applies.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path
from typing import Any

logger_class = "web.gunicorn_logging.RedactingLogger"
preload_app = True

if "gunicorn" in Path(sys.argv[0]).parts[-2:] or Path(sys.argv[0]).name == "gunicorn":
    # in gunicorn's master only (not when a test or a tool reads these settings): until the
    # application is loaded and frozen (when_ready)
    gc.disable()


def when_ready(server: Any) -> None:
    """In the master, the application loaded, before the first worker is forked: freeze what is
    loaded, then collect again (only what is created from now on)."""
    gc.freeze()
    gc.enable()
    server.log.info("gc.freeze(): %s objects of the loaded application frozen", gc.get_freeze_count())


def post_fork(server: Any, worker: Any) -> None:
    """In each new worker: forget the database connections inherited from the master (they stay
    open for the master; the worker's pool opens its own)."""
    gc.enable()
    app = getattr(server.app, "callable", None)
    if app is None:  # not preloaded (e.g. --reload): the worker loads the application itself
        return
    from web.extensions import db

    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)


def on_reload(server: Any) -> None:
    """``SIGHUP`` re-reads this file (which turned the collector off again); the application is not
    loaded again, so the master collects as usual from here on."""
    gc.enable()
