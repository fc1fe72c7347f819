"""WTForms (Flask-WTF) forms of the web UI; every form carries a CSRF token."""
