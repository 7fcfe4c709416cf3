import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanarchive.settings")
application = get_wsgi_application()

if settings.WARM_COLUMNS:
    from fanarchive.search.columns import warm_in_background

    warm_in_background()
