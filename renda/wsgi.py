import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renda.settings")
application = get_wsgi_application()

from issues.search import preload  # noqa: E402  (needs the apps loaded above)

preload()
