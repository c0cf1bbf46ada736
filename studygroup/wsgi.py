"""WSGI entry point: `gunicorn studygroup.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studygroup.settings")

application = get_wsgi_application()
