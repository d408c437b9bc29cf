"""The ASGI process serves only the Server-Sent Event streams (DESIGN: pages stay on WSGI)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vzaemo.settings")
application = get_asgi_application()
