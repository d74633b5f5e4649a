"""The bare reference app of the benchmark: one view, no database, no middleware beyond Django's common one.

Its req/s under the same gunicorn as the portal is the ceiling the portal's pages are compared against."""

SECRET_KEY = "bench-bare-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
ROOT_URLCONF = "bare.urls"
INSTALLED_APPS: list[str] = []
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
DATABASES: dict = {}
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"
