"""WSGI entry point: ``gunicorn govopen.wsgi``."""

from govopen.startup import load_settings_or_exit

load_settings_or_exit()

from django.core.wsgi import get_wsgi_application  # noqa: E402

from govopen.mount import mounted  # noqa: E402

application = mounted(get_wsgi_application())  # under GOVOPEN_URL_PREFIX when one is set

# Load jieba's dictionary now: under gunicorn's preload_app (govopen/gunicorn.conf.py) this happens once in the
# master and the workers share it, instead of each loading its own copy at its first search.
from disclosure.search.segment import warm_up  # noqa: E402

warm_up()
