"""The production recipe as processes, for tests/test_production_recipe.py: nginx from
deploy/nginx/samverkan.conf with a throw-away certificate, in front of gunicorn app servers
started with deploy/gunicorn.conf.py; and a small HTTPS client that keeps cookies and sends
a Referer as a browser does. Every process is started here and stopped by its own id."""

from __future__ import annotations

import http.client
import os
import random
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
#: Debian installs it in /usr/sbin, which is not on an ordinary user's PATH.
NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
#: Slow shared machines: starting a server is given this long before the test gives up.
START_SECONDS = 25


def free_ports(count: int) -> list[int]:
    """Ports nobody listens on now, chosen below the kernel's ephemeral range: a port the
    system hands out for port 0 (another test's server) or to an outgoing connection can be
    taken between choosing it here and the server binding it; these cannot."""
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    chosen: list[int] = []
    for port in random.sample(range(10000, low), 200):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        chosen.append(port)
        if len(chosen) == count:
            return chosen
    raise RuntimeError("no free ports below the ephemeral range")


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 valid for a day, made by the openssl command."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    args = "req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1"
    args += " -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1"
    subprocess.run(
        ["openssl", *args.split(), "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return cert, key


def render_site(replace: dict[str, str]) -> str:
    """deploy/nginx/samverkan.conf with its example values replaced, as the README says."""
    site = (DEPLOY / "nginx" / "samverkan.conf").read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in site, f"deploy/nginx/samverkan.conf no longer has {old!r}"
        site = site.replace(old, new)
    return site


def nginx_conf(folder: Path, site: Path) -> str:
    """The main file around the site, in place of Debian's /etc/nginx/nginx.conf: own pid,
    logs and temporary folders, one worker (so its turns between upstreams are exact)."""
    kinds = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    temp = "\n".join(f"    {kind}_temp_path {folder / kind};" for kind in kinds)
    user = "user root;\n" if os.geteuid() == 0 else ""  # the files here are root's own
    return f"""{user}worker_processes 1;
pid {folder / "nginx.pid"};
error_log {folder / "nginx-main-error.log"};
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
{temp}
    include {site};
}}
"""


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path

    def failed(self) -> str | None:
        if self.popen.poll() is None:
            return None
        return f"{self.name} exited ({self.popen.returncode}):\n{self.log.read_text()[-3000:]}"


def stop(processes: list[Process]) -> None:
    """KILL to each one's own process group (a server and its workers; the test is over,
    nothing is left to finish): only processes started here, by their own ids."""
    for process in processes:
        if process.popen.poll() is None:
            os.killpg(process.popen.pid, signal.SIGKILL)
    for process in processes:
        process.popen.wait(timeout=10)


def start(name: str, args: list[str], log: Path, **kwargs) -> Process:
    with log.open("wb") as out:
        popen = subprocess.Popen(
            args, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, **kwargs
        )
    return Process(name, popen, log)


def gunicorn(name: str, port: int, folder: Path, instance: Path) -> Process:
    """An app server as the systemd unit starts it: gunicorn -c deploy/gunicorn.conf.py,
    from the checkout, with the instance folder; one lean worker with two threads."""
    env = {
        **os.environ,
        "SURVEY_INSTANCE_PATH": str(instance),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "2",
        "GUNICORN_ACCESS_LOG": str(folder / f"{name}-access.log"),
    }
    args = [sys.executable, "-m", "gunicorn", "-c", str(DEPLOY / "gunicorn.conf.py")]
    return start(name, args, folder / f"{name}.log", cwd=ROOT, env=env)


def nginx(folder: Path, conf: Path) -> Process:
    error_log = str(folder / "nginx-main-error.log")
    args = [str(NGINX), "-p", f"{folder}/", "-e", error_log, "-c", str(conf), "-g", "daemon off;"]
    return start("nginx", args, folder / "nginx.log")


def wait_until_healthy(processes: list[Process], urls: list[tuple[int, ssl.SSLContext | None]]):
    """Poll /healthz on each port until it answers 200 (or a process dies, or time's up)."""
    deadline = time.monotonic() + START_SECONDS
    waiting = list(urls)
    while waiting:
        for process in processes:
            assert not process.failed(), process.failed()
        port, context = waiting[0]
        try:
            conn = _connection(port, context, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                waiting.pop(0)
                continue
        except OSError:
            pass
        assert time.monotonic() < deadline, f"port {port} not healthy in {START_SECONDS} s"
        time.sleep(0.1)


def _connection(port: int, context: ssl.SSLContext | None, timeout: float = 10):
    if context is None:
        return http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    return http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=timeout)


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def cookie(self, name: str) -> str | None:
        """The Set-Cookie line that sets `name`, with its attributes."""
        lines = self.headers.get_all("Set-Cookie") or []
        return next((line for line in lines if line.startswith(f"{name}=")), None)


@dataclass
class Browser:
    """One visitor over one kept-alive HTTPS connection: cookies kept, a same-origin
    Referer on every request after the first, redirects not followed (tests look at them)."""

    port: int
    context: ssl.SSLContext | None
    cookies: dict[str, str] = field(default_factory=dict)
    last_url: str | None = None

    def __post_init__(self) -> None:
        self.conn = _connection(self.port, self.context)
        self.origin = f"{'https' if self.context else 'http'}://127.0.0.1:{self.port}"

    def get(self, path: str, **headers: str) -> Answer:
        return self.send("GET", path, None, headers)

    def post(self, path: str, form: dict[str, str] | bytes, **headers: str) -> Answer:
        return self.send("POST", path, form, headers)

    def send(self, method: str, path: str, form, extra: dict[str, str]) -> Answer:
        headers = {k.replace("_", "-"): v for k, v in extra.items()}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.last_url:
            headers["Referer"] = self.last_url
        body = None
        if form is not None:
            body = form if isinstance(form, bytes) else _urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        answer = Answer(response.status, response.headers, response.read())
        self._keep(answer)
        if method == "GET":
            self.last_url = self.origin + path
        return answer

    def _keep(self, answer: Answer) -> None:
        for line in answer.headers.get_all("Set-Cookie") or []:
            name, _, rest = line.partition("=")
            value = rest.split(";", 1)[0]
            if re.search(r"(?i)max-age=0\b", line) or not value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value

    def close(self) -> None:
        self.conn.close()


def _urlencode(form: dict[str, str]) -> bytes:
    return urlencode(form).encode()
