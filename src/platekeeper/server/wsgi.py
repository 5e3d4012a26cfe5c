"""A WSGI application for servers other than uvicorn."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "platekeeper.server.settings")
application = get_wsgi_application()
