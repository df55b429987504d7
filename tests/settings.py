"""Settings for the test suite: the real settings, with a test key and fast password hashing."""

import os

os.environ.setdefault("HUDDLE_SECRET_KEY", "test-only-" + "x" * 60)
os.environ.setdefault("HUDDLE_HTTPS", "false")
os.environ.setdefault("HUDDLE_EMAIL_URL", "locmem://")
os.environ.setdefault("HUDDLE_ENCRYPTION_KEY", "dGVzdC1vbmx5LWVuY3J5cHRpb24ta2V5LTMyYnl0ZXM=")

from huddle.settings import *  # noqa: F403

# Tests don't run collectstatic; serve from the app folders.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING = {"version": 1, "disable_existing_loggers": False}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - whitenoise warns when it is missing
