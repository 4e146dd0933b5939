"""WSGI entry point (gunicorn wrp.config.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wrp.config.settings")
application = get_wsgi_application()
