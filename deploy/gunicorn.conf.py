"""gunicorn's settings for Samverkansmätaren: `gunicorn -c deploy/gunicorn.conf.py`.

Every value can be changed from the environment (the systemd unit's EnvironmentFile) without
editing this file; the app's own settings (DATABASE_URL, PUBLIC_URL, TRUSTED_PROXIES, …)
come from the environment or instance/config.py as always (README, "Running it for a
förbund").
"""

import multiprocessing
import os

from flask import Flask

from survey.settings import Settings


def _number(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


# The app, built by its factory in each worker (not in the master: no database connection
# is opened before the fork).
wsgi_app = "survey:create_app()"

# Where nginx reaches it (deploy/nginx/samverkan.conf's upstream). Loopback only: nothing
# but the proxy should talk to gunicorn.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")

# gunicorn's rule of thumb, 2 × cores + 1 processes, each with a few threads: a request
# mostly waits for the database, and threads cost less memory than processes.
workers = _number("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1)
threads = _number("GUNICORN_THREADS", 4)
worker_class = "gthread"

# A request taking longer than this is stuck (the largest, a 20,000-response research
# workbook, takes ~30 s): the worker is killed and replaced.
timeout = _number("GUNICORN_TIMEOUT", 120)
# On HUP (reload) and on stop, workers finish the requests they hold for this long.
graceful_timeout = _number("GUNICORN_GRACEFUL_TIMEOUT", 30)
# nginx keeps connections to the app servers open (its upstream `keepalive`) for up to 60 s
# (`keepalive_timeout` there): gunicorn must keep them longer, or it may close one just as
# nginx sends a post on it, which nginx does not retry (a 502 for that person).
keepalive = _number("GUNICORN_KEEPALIVE", 75)
# Replace a worker after this many requests (± jitter so they do not all restart at
# once): memory a long-running process gathers is given back.
max_requests = _number("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _number("GUNICORN_MAX_REQUESTS_JITTER", 200)

# Reload (new code, new settings) by HUP to the master (`systemctl reload samverkan`):
# new workers start, the old ones finish what they hold. gunicorn's control socket (in the
# home folder, which the systemd unit hides) is not needed for that.
control_socket_disable = True

# Logs to stdout/stderr, i.e. the journal under systemd; set GUNICORN_ACCESS_LOG to a file
# (and use deploy/logrotate/samverkan) to keep them in files instead.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Every field of a line is masked before it is written: no respondent's or set-password
# link's token, in the path or in the Referer (survey/web/logs.py).
logger_class = "survey.web.logs.MaskedAccessLogger"
# Client (as ProxyFix took it from X-Forwarded-For), time, request line, status, bytes,
# Referer, user agent, milliseconds.
access_log_format = '%(h)s - - %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'

# The app's settings, read here as the app reads them. Reading them in the master also
# makes the instance's generated secret key (when SECRET_KEY is not set) once, before the
# workers start, instead of each new worker racing to write its own.
_settings = Settings.load(os.environ.get("SURVEY_INSTANCE_PATH") or Flask("survey").instance_path)

# Who may tell gunicorn that a request came over HTTPS (X-Forwarded-Proto): the proxy's
# address (nginx on this machine: loopback) when the app is told it runs behind proxies
# (TRUSTED_PROXIES, applied by the app's ProxyFix), and nobody when it is not, so that
# gunicorn and the app never disagree about the scheme or the client.
forwarded_allow_ips = (
    os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1") if _settings.trusted_proxies else ""
)
# Only the header nginx sets (deploy/nginx/samverkan.conf). With gunicorn's defaults a
# client could add X-Forwarded-Ssl or X-Forwarded-Protocol, which nginx passes on, and
# gunicorn would refuse the request as saying two things about its scheme.
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}
