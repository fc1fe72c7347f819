"""Gunicorn settings shared by every way the product runs (read from the working directory).

The access log goes through :class:`web.gunicorn_logging.RedactingLogger`, which cuts the tokens of
invitation and password-reset links out of logged URLs and Referer headers.
"""

logger_class = "web.gunicorn_logging.RedactingLogger"
