"""Gunicorn's access log (``gunicorn.conf.py``) never holds a link token or a bearer token."""

from __future__ import annotations

import datetime
import logging
import runpy

from gunicorn.config import Config
from support import PROJECT_ROOT

from web.gunicorn_logging import RedactingLogger, redact


class _Response:
    status = "200 OK"
    sent = 1234
    headers = (("Content-Type", "text/html"),)


def test_gunicorn_conf_selects_the_redacting_logger():
    settings = runpy.run_path(str(PROJECT_ROOT / "gunicorn.conf.py"))
    assert settings["logger_class"] == "web.gunicorn_logging.RedactingLogger"


def test_access_log_lines_have_tokens_redacted(tmp_path):
    log_file = tmp_path / "access.log"
    cfg = Config()
    cfg.set("accesslog", str(log_file))
    cfg.set("access_log_format", '%(h)s "%(r)s" %(s)s "%(f)s" %(U)s %({authorization}i)s')
    logger = RedactingLogger(cfg)
    token = "eyJ1IjoxMiwiZiI6ImFiYyJ9.Zx1Y2A.c2lnbmF0dXJl"
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/obnova-hesla/{token}?x=1",
        "PATH_INFO": f"/obnova-hesla/{token}",
        "QUERY_STRING": "x=1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.7",
        "HTTP_REFERER": f"https://plneni.example/pozvanka/{token}",
    }
    request_headers = [("AUTHORIZATION", "Bearer pln_tajnytokenXYZ"), ("REFERER", environ["HTTP_REFERER"])]
    logger.access(_Response(), request_headers, environ, datetime.timedelta(milliseconds=12))
    for handler in logger.access_log.handlers:
        handler.flush()
    line = log_file.read_text(encoding="utf-8")
    for handler in list(logger.access_log.handlers) + list(logger.error_log.handlers):
        handler.close()
    logging.getLogger("gunicorn.access").handlers.clear()
    logging.getLogger("gunicorn.error").handlers.clear()
    assert "/obnova-hesla/[redacted]" in line and "/pozvanka/[redacted]" in line
    assert "Bearer [redacted]" in line and "10.0.0.7" in line and " 200 " in line
    assert token not in line and "pln_tajnytokenXYZ" not in line


def test_redact_leaves_other_urls_alone():
    assert redact("GET /zaznamy/12/historie HTTP/1.1") == "GET /zaznamy/12/historie HTTP/1.1"
    assert redact("/pozvanka/abc.def") == "/pozvanka/[redacted]"
