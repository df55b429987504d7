"""Huddle's settings, read from ``HUDDLE_*`` variables (docs/design-notes.md, "Settings").

Production is the default: ``HUDDLE_DEBUG`` is off, a secret key is required and HTTPS hardening
is on, so ``manage.py check --deploy`` passes with no warnings. ``HUDDLE_HTTPS=false`` turns the
HTTPS-only settings off for a plain-HTTP install on localhost (``make run``).
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from huddle.core.env import (
    env_bool,
    env_database,
    env_email,
    env_fernet_keys,
    env_int,
    env_list,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("HUDDLE_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("HUDDLE_DEBUG", default=False)
HTTPS = env_bool("HUDDLE_HTTPS", default=not DEBUG)

SECRET_KEY = env_str("HUDDLE_SECRET_KEY", "insecure-dev-key-only-for-debug" if DEBUG else "")
if not DEBUG and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "HUDDLE_SECRET_KEY must be at least 50 characters when HUDDLE_DEBUG is false; generate "
        "one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )

# Provider API keys are encrypted at rest with these Fernet keys (core/crypto.py), never with
# SECRET_KEY: rotating one must not make the other unreadable. Newest first; older ones still
# decrypt. Unset: a fixed development key in debug; in production keys can't be saved until set.
HUDDLE_ENCRYPTION_KEYS = env_fernet_keys("HUDDLE_ENCRYPTION_KEY")

ALLOWED_HOSTS = env_list("HUDDLE_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("HUDDLE_CSRF_TRUSTED_ORIGINS", [])
# The address people use, for links in emails sent outside a request (invitations from the CLI).
SITE_URL = env_str("HUDDLE_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    # django-ninja's own static Swagger UI (swagger-ui-dist, Apache-2.0, pinned by uv.lock with
    # ninja): with the app installed, /api/v1/docs serves it from here, not from a CDN the CSP
    # blocks (issue 19).
    "ninja",
    "django_tasks_db",
    "huddle.core",
    "huddle.accounts",
    "huddle.sso",
    # Single sign-on by OpenID Connect (huddle/sso/signin.py): allauth speaks the protocol.
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "huddle.context",
    "huddle.library",
    "huddle.runs",
    "huddle.capture",
    "huddle.brand",
    "huddle.usage",
    "huddle.insights",
    "huddle.rituals",
    "huddle.mcp",
    # The OAuth 2.1 authorization server of /mcp (ChatGPT's and claude.ai's connectors):
    # huddle/mcp/oauth.py.
    "oauth2_provider",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "huddle.sso.sessions.UntrackedSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "huddle.core.middleware.HuddleErrorMiddleware",
    "huddle.core.middleware.NulCharacterMiddleware",
]

ROOT_URLCONF = "huddle.urls"
WSGI_APPLICATION = "huddle.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "huddle" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "huddle.accounts.context_processors.organizations",
            ],
            "builtins": ["huddle.core.templatetags.huddle_tags"],
        },
    },
]

DATABASES = {
    "default": env_database(
        "HUDDLE_DATABASE_URL", f"sqlite:///{VAR_DIR / 'huddle.sqlite3'}", base_dir=BASE_DIR
    )
}
if (
    DATABASES["default"]["ENGINE"].endswith("sqlite3")
    and DATABASES["default"]["NAME"] != ":memory:"
):
    # SQLite creates the file but not its folder; a fresh checkout has no var/ yet.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day

# django-allauth serves only the OpenID Connect sign-in (huddle/sso/signin.py decides who signs
# in and stores no social accounts); Huddle's own login, sign-up and password pages stay.
SOCIALACCOUNT_ADAPTER = "huddle.sso.signin.HuddleSocialAccountAdapter"
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = 10
SOCIALACCOUNT_OPENID_CONNECT_URL_PREFIX = "oidc"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("HUDDLE_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "huddle" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("HUDDLE_MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Two queues: "default" (imports, digests, webhooks, periodic work) and "mining" (pattern mining
# after an import, which can take minutes); `huddle worker` serves each with its own loop.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "mining"]}}

MAILERS = {"default": env_email("HUDDLE_EMAIL_URL", "console://")}
DEFAULT_FROM_EMAIL = env_str("HUDDLE_FROM_EMAIL", "Huddle <huddle@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security. With HTTPS on (the default outside debug) `check --deploy` has nothing to report.
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("HUDDLE_HSTS_SECONDS", 60 * 60 * 24 * 365 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# No inline scripts or styles anywhere: behaviour lives in static files (huddle.js …).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
# Behind reverse proxies: trust X-Forwarded-Proto, and take the client's address (for the login
# limit) from X-Forwarded-For as the outermost of HUDDLE_TRUSTED_PROXIES proxies appended it.
HUDDLE_BEHIND_PROXY = env_bool("HUDDLE_BEHIND_PROXY", default=False)
HUDDLE_TRUSTED_PROXIES = env_int("HUDDLE_TRUSTED_PROXIES", 1, minimum=1)
if HUDDLE_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The health check is for load balancers that speak plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# API tokens: how often (seconds) a token's last-used time is written at most.
HUDDLE_TOKEN_TOUCH_SECONDS = 60

# OAuth for /mcp (huddle/mcp/oauth.py, accounts/oauth.py): django-oauth-toolkit as the
# authorization server. Connectors register themselves (RFC 7591, open: they do so before anyone
# signs in), use the authorization code grant with PKCE S256, and get an hour-long access token
# and a 30-day refresh token that turns over at each use.
# http redirect URIs stay allowed by the toolkit for native apps' loopback callbacks (RFC 8252:
# Claude Desktop's mcp-remote bridge); huddle.mcp.oauth.RegistrationView refuses plain http to
# anything but loopback, so the toolkit's blanket warning about http schemes does not apply.
SILENCED_SYSTEM_CHECKS = ["oauth2_provider.W008"]
OAUTH2_PROVIDER = {
    "SCOPES": {"mcp": "Use your Huddle library, context and runs from an AI assistant"},
    "DEFAULT_SCOPES": ["mcp"],
    "PKCE_REQUIRED": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,  # S256 only, no "plain"
    # Only the authorization code grant (huddle.mcp.oauth.RegistrationView refuses the others):
    # a password grant would let a client try passwords past the login page's limit.
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "DCR_ENABLED": True,
    "DCR_REGISTRATION_PERMISSION_CLASSES": ("oauth2_provider.dcr.AllowAllDCRPermission",),
    "OAUTH2_VALIDATOR_CLASS": "huddle.mcp.oauth.Validator",
    "ACCESS_TOKEN_EXPIRE_SECONDS": 60 * 60,
    "REFRESH_TOKEN_EXPIRE_SECONDS": 60 * 60 * 24 * 30,
    "ROTATE_REFRESH_TOKEN": True,
    # RFC 9700 (OAuth 2.0 Security BCP): tokens only in the Authorization header, the `iss`
    # authorization-response parameter, tokens stored hashed, a replayed refresh token revokes
    # its whole family.
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "OAUTH2_PROTECTED_RESOURCE_NAME": "Huddle",
}
HUDDLE_INVITATION_DAYS = env_int("HUDDLE_INVITATION_DAYS", 7, minimum=1)

# Uploads (context files): refused above this size, before the body is read.
HUDDLE_MAX_UPLOAD_MB = env_int("HUDDLE_MAX_UPLOAD_MB", 20, minimum=1)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # larger uploads spool to a temporary file
FILE_UPLOAD_HANDLERS = [
    "huddle.core.uploads.CappedUploadHandler",  # stops reading past the cap
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Campaign tables: more rows than this are refused with a message (the table is kept compressed).
HUDDLE_CONTEXT_MAX_ROWS = env_int("HUDDLE_CONTEXT_MAX_ROWS", 200_000, minimum=1)
# Context uploads in XLSX, DOCX or PDF are parsed in a child process with these limits (processor
# seconds, megabytes of address space); past them the upload is refused with a message.
HUDDLE_UPLOAD_PARSE_SECONDS = env_int("HUDDLE_UPLOAD_PARSE_SECONDS", 120, minimum=1)
HUDDLE_UPLOAD_PARSE_MB = env_int("HUDDLE_UPLOAD_PARSE_MB", 1024, minimum=256)
# Chat-export imports: an archive whose entries would inflate past this many bytes is refused.
# Rows a usage report uploaded through the page or the API may hold (the CLI has no cap).
HUDDLE_USAGE_UPLOAD_MAX_ROWS = env_int("HUDDLE_USAGE_UPLOAD_MAX_ROWS", 200_000, minimum=1)
HUDDLE_IMPORT_MAX_BYTES = env_int("HUDDLE_IMPORT_MAX_BYTES", 1024**3, minimum=1)
# Exports of this many bytes or more are parsed in a second process beside the writing one.
HUDDLE_IMPORT_PARALLEL_BYTES = env_int("HUDDLE_IMPORT_PARALLEL_BYTES", 64 * 1024**2, minimum=0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Django logs refused requests with their path: keep secret links out of the log.
    "filters": {"redact_secrets": {"()": "huddle.core.accesslog.RedactSecrets"}},
    # On standard error: standard output carries commands' results (``--json``).
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "stream": "ext://sys.stderr",
            "filters": ["redact_secrets"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("HUDDLE_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # The MCP SDK logs each stateless request's start and end at INFO (huddle/mcp/http.py).
        "mcp": {"level": "WARNING"},
    },
}
