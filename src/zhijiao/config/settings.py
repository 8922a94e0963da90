"""The one settings module. Everything an operator may change comes from the environment.

Defaults are safe for the laptop demo: SQLite (WAL) and SqliteHuey under ``$ZHIJIAO_HOME``.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url


def _env_positive_int(name: str, default: int) -> int:
    try:
        value = int(os.environ.get(name, "").strip())
    except ValueError:
        return default
    return value if value > 0 else default


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


BASE_DIR = Path(__file__).resolve().parent.parent
HOME = Path(os.environ.get("ZHIJIAO_HOME", "./var")).resolve()
HOME.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Use ZHIJIAO_SECRET_KEY; otherwise keep a generated key in $ZHIJIAO_HOME so sessions survive restarts."""
    configured = os.environ.get("ZHIJIAO_SECRET_KEY")
    if configured:
        return configured
    key_file = HOME / "secret.key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("ZHIJIAO_DEBUG")
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ZHIJIAO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    origin.strip() for origin in os.environ.get("ZHIJIAO_CSRF_TRUSTED_ORIGINS", "").split(",") if origin.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "huey.contrib.djhuey",
    "ninja",
    "axes",
    "oauth2_provider",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "zhijiao.core",
    "zhijiao.org",
    "zhijiao.people",
    "zhijiao.curriculum",
    "zhijiao.access",
    "zhijiao.registry",
    "zhijiao.identity",
    "zhijiao.audit",
    "zhijiao.oidc",
    "zhijiao.privacy",
    "zhijiao.rp",
    "zhijiao.intake",
    "zhijiao.catalogue",
    "zhijiao.analytics",
    "zhijiao.resources",
    "zhijiao.services",
    "zhijiao.growth",
    "zhijiao.learning",
    "zhijiao.spaces",
    "zhijiao.xapi",
    "zhijiao.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "zhijiao.resources.serving.FilesOriginMiddleware",  # on ZHIJIAO_FILES_ORIGIN only /files/… exists
    "zhijiao.web.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # below the user, above every view: a signed-in answer is never stored in a cache
    "zhijiao.web.middleware.NoStoreMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # over-long or out-of-range query values are refused before a view turns them into SQL (core/params.py)
    "zhijiao.web.middleware.QueryLimitsMiddleware",
    "zhijiao.identity.middleware.IdleTimeoutMiddleware",
    "zhijiao.identity.middleware.AdminTwoFactorMiddleware",
    "zhijiao.identity.middleware.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "zhijiao.web.middleware.ZhijiaoErrorMiddleware",
    # last, as django-axes requires: it turns a lockout noticed during login into the lockout page
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zhijiao.config.urls"
WSGI_APPLICATION = "zhijiao.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zhijiao.web.context.navigation",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(HOME / "zhijiao.sqlite3"),
            # Keep each server thread's connection: a fresh one per request re-ran the PRAGMAs below and re-read
            # the whole schema (≈ 200 tables) on its first statement, several milliseconds of every request.
            "CONN_MAX_AGE": None,
            "OPTIONS": {
                # WAL lets the web process read while an import or the worker writes.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "identity.Account"
PASSWORD_HASHERS = [
    # argon2id at OWASP's parameters (see identity/hashers.py); hashes made with Django's defaults still verify
    "zhijiao.identity.hashers.OwaspArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    # only for the OAuth client secrets we generate (OAUTH2_PROVIDER["CLIENT_SECRET_HASHER"])
    "zhijiao.identity.hashers.ClientSecretHasher",
]
AUTHENTICATION_BACKENDS = [
    # first: refuses any login attempt for a locked-out username before a password is checked
    "axes.backends.AxesStandaloneBackend",
    # Django's model backend, accepting the account name, a mobile number or a 学籍号 as the login name
    "zhijiao.identity.backends.IdentifierBackend",
    # answers user.has_perm("curriculum.view") … from the access layer (access.permissions); authenticates no one
    "zhijiao.access.permissions.PermissionBackend",
]
# GB/T 22239 level 3: ≥ 8 characters from 3 of 4 classes, no personal information, none of the last 5.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "zhijiao.identity.passwords.ComplexityValidator"},
    {"NAME": "zhijiao.identity.passwords.PersonalInfoValidator"},
    {"NAME": "zhijiao.identity.passwords.HistoryValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
SESSION_COOKIE_SECURE = _env_bool("ZHIJIAO_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Behind TLS (the same switch as secure cookies): browsers keep to HTTPS for a year.
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if SESSION_COOKIE_SECURE else 0
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = HOME / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": HOME / "media"},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the app directories too, so `zhijiao demo` works without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

REDIS_URL = os.environ.get("REDIS_URL", "")
HUEY: dict[str, object]
if REDIS_URL:
    HUEY = {"huey_class": "huey.RedisHuey", "name": "zhijiao", "url": REDIS_URL, "immediate": False}
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "zhijiao",
        "filename": str(HOME / "jobs.sqlite3"),
        "immediate": False,
    }
if _env_bool("ZHIJIAO_JOBS_IMMEDIATE"):
    HUEY["immediate"] = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ZHIJIAO_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Zhijiao's own settings.
ZHIJIAO_DEMO_PASSWORD = os.environ.get("ZHIJIAO_DEMO_PASSWORD", "")
# Requests per minute per client on the exchange API (/api/v1/exchange/…); a missing or unusable value gives 120.
ZHIJIAO_EXCHANGE_RATE = _env_positive_int("ZHIJIAO_EXCHANGE_RATE", 120)
ZHIJIAO_PAGE_SIZE = 20
# Login lockout (django-axes): this many failures for one username lock it for ZHIJIAO_LOCKOUT_MINUTES.
ZHIJIAO_LOCKOUT_ATTEMPTS = _env_positive_int("ZHIJIAO_LOCKOUT_ATTEMPTS", 5)
ZHIJIAO_LOCKOUT_MINUTES = _env_positive_int("ZHIJIAO_LOCKOUT_MINUTES", 15)
# A session with no request for this long ends on the server.
ZHIJIAO_IDLE_MINUTES = _env_positive_int("ZHIJIAO_IDLE_MINUTES", 30)
# A one-time activation code for an account provisioned from the registry is valid this many days.
ZHIJIAO_ACTIVATION_DAYS = _env_positive_int("ZHIJIAO_ACTIVATION_DAYS", 14)
# Administrators' passwords expire after this many days (GB/T 22239); the change page follows.
ZHIJIAO_ADMIN_PASSWORD_DAYS = _env_positive_int("ZHIJIAO_ADMIN_PASSWORD_DAYS", 90)
OTP_TOTP_ISSUER = "智教"
# Wrong TOTP codes count as failed logins for django-axes, which locks the account; django-otp's own growing delay
# would only make a mistyped code refuse the next, right one.
OTP_TOTP_THROTTLE_FACTOR = 0

AXES_FAILURE_LIMIT = ZHIJIAO_LOCKOUT_ATTEMPTS
AXES_COOLOFF_TIME = timedelta(minutes=ZHIJIAO_LOCKOUT_MINUTES)
# By username only: many pupils share one school NAT address.
AXES_LOCKOUT_PARAMETERS = ["username"]
# Axes warns when the address is not a lockout parameter; leaving it out is the decision above.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# The lock runs a fixed time from the failure that set it; tries made while locked do not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "zhijiao.identity.lockout.lockout_response"
# Failures count against the account whatever identifier was typed (account name, mobile number, 学籍号).
AXES_USERNAME_CALLABLE = "zhijiao.identity.backends.axes_username"
# Lockouts and unlocks go to the audit log, which has its own retention; axes keeps only the failure counters.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# Masked in the attempt records (axes's defaults, and never a TOTP code; passwords are masked by axes itself).
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp_token"]
ZHIJIAO_AUDIT_RETENTION_DAYS = _env_positive_int("ZHIJIAO_AUDIT_RETENTION_DAYS", 186)  # GB/T 22239: ≥ 6 months
# Appends outside a transaction (audited reads) of concurrent requests share one commit (audit/services.py)
ZHIJIAO_AUDIT_GROUP_COMMIT = _env_bool("ZHIJIAO_AUDIT_GROUP_COMMIT", True)


def _audit_key() -> bytes:
    """The key sealing the audit log's hash chain (HMAC-SHA256): ZHIJIAO_AUDIT_KEY, else $ZHIJIAO_HOME/audit.key.

    It must live outside the database, or whoever can write the database can re-seal a rewritten log. In
    production keep it in the environment (a secrets manager), not on the database's disk.
    """
    configured = os.environ.get("ZHIJIAO_AUDIT_KEY", "").strip()
    if configured:
        return configured.encode()
    key_file = HOME / "audit.key"
    try:  # created 0600 in one step, never readable by others for a moment
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return key_file.read_text().strip().encode()


ZHIJIAO_AUDIT_KEY = _audit_key()
# Append-only copies of the chain head outside the database (one line per anchoring, see zhijiao.audit.anchors);
# put it on another disk or an append-only (chattr +a) file in production.
ZHIJIAO_AUDIT_ANCHOR_FILE = Path(
    os.environ.get("ZHIJIAO_AUDIT_ANCHOR_FILE", "") or HOME / "audit-anchors.log"
).resolve()
# Also send each anchor to the operator's syslog: "/dev/log" or "host:port" (UDP).
_audit_syslog = os.environ.get("ZHIJIAO_AUDIT_SYSLOG", "").strip()
if _audit_syslog:
    _host, _, _port = _audit_syslog.rpartition(":")
    LOGGING["handlers"]["audit_syslog"] = {  # type: ignore[index]
        "class": "logging.handlers.SysLogHandler",
        "address": (_host, int(_port)) if _host and _port.isdigit() else _audit_syslog,
        "formatter": "plain",
    }
    LOGGING["loggers"]["zhijiao.audit.anchor"] = {  # type: ignore[index]
        "handlers": ["console", "audit_syslog"],
        "level": "INFO",
        "propagate": False,
    }
# Analytics: dated Parquet snapshots of the registry (one folder per Beijing date); keep this many, 0 keeps all.
ZHIJIAO_WAREHOUSE_DIR = Path(os.environ.get("ZHIJIAO_WAREHOUSE_DIR", "") or HOME / "warehouse").resolve()
ZHIJIAO_WAREHOUSE_KEEP = _env_positive_int("ZHIJIAO_WAREHOUSE_KEEP", 0)
# Recompute resource value scores (resources.value) after this many usage events, besides nightly.
ZHIJIAO_VALUE_EVERY_EVENTS = _env_positive_int("ZHIJIAO_VALUE_EVERY_EVENTS", 1000)
# Keep each statistics query's rows in memory until the next snapshot (a snapshot never changes); 0 runs every query.
ZHIJIAO_ANALYTICS_KEEP_RESULTS = _env_bool("ZHIJIAO_ANALYTICS_KEEP_RESULTS", True)
# PIPL art. 28/31: a pupil under this age needs a guardian's consent before a third-party app gets their data
# (where the bureau's ConsentPolicy asks for it).
ZHIJIAO_MINOR_CONSENT_AGE = _env_positive_int("ZHIJIAO_MINOR_CONSENT_AGE", 14)
# Resource centre: uploaded files live checksum-addressed under this folder (resources/<sha[:2]>/<sha>).
ZHIJIAO_MEDIA_DIR = Path(os.environ.get("ZHIJIAO_MEDIA_DIR", "") or HOME / "media").resolve()
# Where resource files and their previews are kept (decision 0014): "local" (below ZHIJIAO_MEDIA_DIR, the default)
# or "s3", an S3-compatible bucket (MinIO, Ceph RGW, a cloud's S3 endpoint) through django-storages. Keys come from
# AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (boto3 reads them); temporary upload files stay local either way.
ZHIJIAO_STORAGE = "s3" if os.environ.get("ZHIJIAO_STORAGE", "").strip().lower() == "s3" else "local"
if ZHIJIAO_STORAGE == "s3":
    STORAGES["resources"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("ZHIJIAO_S3_BUCKET", "zhijiao"),
            "endpoint_url": os.environ.get("ZHIJIAO_S3_ENDPOINT") or None,
            "region_name": os.environ.get("ZHIJIAO_S3_REGION") or None,
            "location": os.environ.get("ZHIJIAO_S3_PREFIX", "").strip("/"),
            "addressing_style": os.environ.get("ZHIJIAO_S3_ADDRESSING_STYLE", "path"),  # MinIO wants path style
            "file_overwrite": True,  # keys are checksums: the same key always means the same bytes
            "default_acl": None,  # private; the app streams every download after its own access check
        },
    }
else:
    STORAGES["resources"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": ZHIJIAO_MEDIA_DIR},
    }
# A separate origin for user files (decision 0016), e.g. https://files.example.edu.cn: downloads and
# inline views redirect there with a signed address valid this many seconds (long enough to watch a lesson video).
# Point its DNS at the same app; its host is allowed automatically. Empty: files come from the platform's origin.
ZHIJIAO_FILES_ORIGIN = os.environ.get("ZHIJIAO_FILES_ORIGIN", "").strip().rstrip("/")
ZHIJIAO_FILES_URL_SECONDS = _env_positive_int("ZHIJIAO_FILES_URL_SECONDS", 2 * 3600)
if ZHIJIAO_FILES_ORIGIN:
    _files_host = urlsplit(ZHIJIAO_FILES_ORIGIN).hostname or ""
    if _files_host and _files_host not in ALLOWED_HOSTS:
        ALLOWED_HOSTS.append(_files_host)
# The largest single-file upload the plain (non-JavaScript) form accepts, in MiB.
ZHIJIAO_RESOURCE_MAX_MB = _env_positive_int("ZHIJIAO_RESOURCE_MAX_MB", 200)
# The largest file the resumable chunked upload (resources.uploads, decision 0013) accepts, in MiB.
ZHIJIAO_RESOURCE_UPLOAD_MAX_MB = _env_positive_int("ZHIJIAO_RESOURCE_UPLOAD_MAX_MB", 4096)

# Single sign-on (django-oauth-toolkit as the OpenID Connect provider). The client model is DOT's own;
# the app registry's extra fields live in zhijiao.oidc.RegisteredApp. Named here because migrations refer to it.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"

# The OpenID Connect provider (zhijiao.oidc; decision 0008). Signing keys: ZHIJIAO_OIDC_KEY (PEM) or files under
# $ZHIJIAO_HOME/oidc/ made on first use and rotated with `zhijiao oidc-keys rotate` (restart to take effect).
from zhijiao.core.scope_labels import oidc_scope_titles  # noqa: E402  (imports nothing from Django)
from zhijiao.oidc.keys import load_signing_keys  # noqa: E402  (imports nothing from Django)

ZHIJIAO_OIDC_KEYS = load_signing_keys(env_pem=os.environ.get("ZHIJIAO_OIDC_KEY", ""), directory=HOME / "oidc")
# A delivery of a back-channel logout token gives up after this many seconds (then retries a few times).
ZHIJIAO_OIDC_BACKCHANNEL_TIMEOUT = _env_positive_int("ZHIJIAO_OIDC_BACKCHANNEL_TIMEOUT", 5)
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OAUTH2_VALIDATOR_CLASS": "zhijiao.oidc.validators.ZhijiaoValidator",
    "OIDC_RSA_PRIVATE_KEY": ZHIJIAO_OIDC_KEYS.active,
    "OIDC_RSA_PRIVATE_KEYS_INACTIVE": list(ZHIJIAO_OIDC_KEYS.inactive),
    # Behind a proxy that rewrites the host, set the public issuer (e.g. https://sso.example.edu.cn).
    "OIDC_ISS_ENDPOINT": os.environ.get("ZHIJIAO_OIDC_ISSUER", "").rstrip("/"),
    # sign-in scopes and their plain-words titles (core.scope_labels); resources:* are API scopes an app uses
    # to call /api/v1/resources as the person (zhijiao.oidc.api_auth)
    "SCOPES": oidc_scope_titles(),
    "DEFAULT_SCOPES": ["openid"],
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OIDC_TOKEN_ENDPOINT_AUTH_METHODS_SUPPORTED": ["client_secret_basic", "client_secret_post", "none"],
    # PKCE: public clients must use it (the validator decides per client), and only S256 is accepted.
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": _env_positive_int("ZHIJIAO_OIDC_CODE_SECONDS", 60),
    "ACCESS_TOKEN_EXPIRE_SECONDS": _env_positive_int("ZHIJIAO_OIDC_ACCESS_TOKEN_SECONDS", 600),
    "ID_TOKEN_EXPIRE_SECONDS": _env_positive_int("ZHIJIAO_OIDC_ID_TOKEN_SECONDS", 600),
    "REFRESH_TOKEN_EXPIRE_SECONDS": _env_positive_int("ZHIJIAO_OIDC_REFRESH_TOKEN_SECONDS", 8 * 3600),
    # Each refresh token works once; presenting a used one revokes its whole family (a stolen copy is dead).
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "REFRESH_TOKEN_GRACE_PERIOD_SECONDS": 0,
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    # Ask only when the spec says we must: no id_token_hint, or one for another person than the one signed in.
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    "OIDC_RP_INITIATED_LOGOUT_ACCEPT_EXPIRED_TOKENS": True,
    # Client secrets are 128 random characters: a fast salted hash (see identity/hashers.py).
    "CLIENT_SECRET_HASHER": "zj_secret_sha256",
}

# Text messages (core.outbox.send_sms: 招生 sign-in codes and results, notice reminders): a dotted path to a gateway
# ``core.outbox.Sender`` (empty: the local outbox only); ZHIJIAO_SMS_SHOW_CODES shows a sign-in code's text on the
# page (a local demo without a gateway, load tests).
ZHIJIAO_SMS_SENDER = os.environ.get("ZHIJIAO_SMS_SENDER", "").strip()
ZHIJIAO_SMS_SHOW_CODES = _env_bool("ZHIJIAO_SMS_SHOW_CODES")

# ---- E-mail (spaces: reminders of unread notices through the e-mail channel; docs/operator-guide "邮件提醒")
# With ZHIJIAO_EMAIL_HOST set, mail goes out by SMTP; without it, each message is written as a file under
# $ZHIJIAO_HOME/mail (the demo) — the outbox table records every message either way. Tests use Django's locmem.
ZHIJIAO_EMAIL_HOST = os.environ.get("ZHIJIAO_EMAIL_HOST", "").strip()
if ZHIJIAO_EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = ZHIJIAO_EMAIL_HOST
    EMAIL_PORT = _env_positive_int("ZHIJIAO_EMAIL_PORT", 25)
    EMAIL_HOST_USER = os.environ.get("ZHIJIAO_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("ZHIJIAO_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = _env_bool("ZHIJIAO_EMAIL_STARTTLS")
    EMAIL_USE_SSL = _env_bool("ZHIJIAO_EMAIL_SSL")
    EMAIL_TIMEOUT = _env_positive_int("ZHIJIAO_EMAIL_TIMEOUT", 20)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(HOME / "mail")
DEFAULT_FROM_EMAIL = os.environ.get("ZHIJIAO_EMAIL_FROM", "智教平台 <noreply@zhijiao.local>")
# The outbox's sender per channel (core.outbox, decision 0061-one-outbox); a channel not named here (work
# chat, SMS without a gateway) keeps its messages in the local outbox only. SMS: ZHIJIAO_SMS_SENDER above.
ZHIJIAO_OUTBOX_SENDERS = {"email": "zhijiao.core.outbox.MailSender"}
# The address in reminder texts (the platform's public URL); blank: the text names no link.
ZHIJIAO_PUBLIC_URL = os.environ.get("ZHIJIAO_PUBLIC_URL", "").rstrip("/")
