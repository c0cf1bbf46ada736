"""The example deployment files in deploy/ match the app."""

import http.server
import os
import re
import shutil
import socket
import subprocess
import threading
import time
import warnings
from functools import partial
from pathlib import Path

import pytest
import requests

PROJECT = Path(__file__).resolve().parent.parent
DEPLOY = PROJECT / "deploy"
SETTINGS = (PROJECT / "studygroup" / "settings.py").read_text()


def test_environment_example_names_only_variables_the_settings_read():
    names = re.findall(
        r"^#? ?([A-Z][A-Z0-9_]+)=", (DEPLOY / "studygroup.env.example").read_text(), re.M
    )
    assert names, "the example sets variables"
    assert [name for name in names if f'"{name}"' not in SETTINGS] == []


def test_environment_example_is_what_the_readme_documents():
    readme = (PROJECT / "README.md").read_text()
    names = re.findall(
        r"^#? ?([A-Z][A-Z0-9_]+)=", (DEPLOY / "studygroup.env.example").read_text(), re.M
    )
    assert [name for name in names if f"`{name}`" not in readme] == []


def test_nginx_site_hands_media_over_where_the_app_points():
    site = (DEPLOY / "nginx" / "studygroup.conf").read_text()
    assert "location /protected-media/ {\n        internal;" in site
    assert re.search(r'"DJANGO_MEDIA_ACCEL_PREFIX", "/protected-media/"', SETTINGS)
    assert "client_max_body_size 25m;" in site


@pytest.mark.skipif(
    shutil.which("nginx") is None or shutil.which("openssl") is None,
    reason="nginx or openssl is not installed",
)
def test_nginx_site_is_valid(tmp_path):
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=study.example.org",
            "-keyout",
            str(tmp_path / "key.pem"),
            "-out",
            str(tmp_path / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )
    site = (DEPLOY / "nginx" / "studygroup.conf").read_text()
    site = site.replace(
        "/etc/letsencrypt/live/study.example.org/fullchain.pem", str(tmp_path / "cert.pem")
    )
    site = site.replace(
        "/etc/letsencrypt/live/study.example.org/privkey.pem", str(tmp_path / "key.pem")
    )
    site = site.replace("/var/log/nginx/", f"{tmp_path}/")
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n    include {tmp_path}/site.conf;\n}}\n"
    )
    result = subprocess.run(
        ["nginx", "-t", "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


@pytest.mark.parametrize("unit", ["studygroup-web.service", "studygroup-worker.service"])
def test_systemd_units_read_the_environment_file(unit):
    text = (DEPLOY / "systemd" / unit).read_text()
    assert "EnvironmentFile=/etc/studygroup/studygroup.env" in text
    assert "KillSignal=SIGTERM" in text


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _replaying_upstream(responses):
    """An HTTP server on 127.0.0.1 standing for the app: it answers what the
    app answered in the test (`responses`: cookie → Django response), so
    nginx sees the app's real status and headers."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            response = responses[self.headers.get("Cookie", "")]
            self.send_response(response.status_code)
            for name, value in response.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(response.content)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.mark.skipif(
    shutil.which("nginx") is None or shutil.which("openssl") is None,
    reason="nginx or openssl is not installed",
)
def test_nginx_site_sends_local_uploads_to_members_only(
    tmp_path, settings, member_client, outsider_client
):
    """The example site in front of the app with DJANGO_MEDIA_SERVE=accel:
    the app's answer to a member becomes the file, sent by nginx with the
    sandbox headers; its answer to a visitor (the login redirect) passes
    unchanged; the internal location cannot be opened by its address."""
    settings.MEDIA_SERVE = "accel"
    (settings.MEDIA_ROOT / "slides" / "2026").mkdir(parents=True)
    (settings.MEDIA_ROOT / "slides" / "2026" / "발표.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    url = "/media/slides/2026/%EB%B0%9C%ED%91%9C.pdf"
    name = "/media/slides/2026/발표.pdf"
    login_redirect = outsider_client.get(name)
    upstream = _replaying_upstream({"member=1": member_client.get(name), "": login_redirect})
    port = _free_port()
    site = (DEPLOY / "nginx" / "studygroup.conf").read_text()
    site = re.sub(
        r"(upstream studygroup_app \{\n)(.*?)(    keepalive)",
        rf"\g<1>    server 127.0.0.1:{upstream.server_port};\n\g<3>",
        site,
        flags=re.S,
    )
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{port} ssl http2;").replace(
        "listen [::]:443 ssl http2;\n", ""
    )
    site = site.replace("listen 80;", f"listen 127.0.0.1:{_free_port()};").replace(
        "listen [::]:80;\n", ""
    )
    site = site.replace("/srv/studygroup/media/", f"{settings.MEDIA_ROOT}/")
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            str(tmp_path / "key.pem"),
            "-out",
            str(tmp_path / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )
    site = site.replace(
        "/etc/letsencrypt/live/study.example.org/fullchain.pem", str(tmp_path / "cert.pem")
    )
    site = site.replace(
        "/etc/letsencrypt/live/study.example.org/privkey.pem", str(tmp_path / "key.pem")
    )
    site = site.replace("/var/log/nginx/", f"{tmp_path}/")
    (tmp_path / "site.conf").write_text(site)
    # Started by root, nginx's workers would be `nobody`, who cannot read
    # the test's private folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    (tmp_path / "nginx.conf").write_text(
        f"{user}pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n    include /etc/nginx/mime.types;\n    client_body_temp_path {tmp_path};\n"
        f"    proxy_temp_path {tmp_path};\n    include {tmp_path}/site.conf;\n}}\n"
    )
    nginx = subprocess.Popen(
        ["nginx", "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"], stderr=subprocess.PIPE
    )
    base = f"https://127.0.0.1:{port}"
    get = partial(requests.get, verify=False, allow_redirects=False, timeout=10)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the certificate is made up
            for _ in range(100):
                try:
                    get(base + "/")
                    break
                except requests.ConnectionError:
                    time.sleep(0.05)
            member = get(base + url, headers={"Cookie": "member=1"})
            anonymous = get(base + url)
            internal = get(
                base + "/protected-media/slides/2026/%EB%B0%9C%ED%91%9C.pdf",
                headers={"Cookie": "member=1"},
            )
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        upstream.shutdown()

    assert (member.status_code, member.content) == (200, b"%PDF-1.4\n%%EOF\n")
    assert member.headers["Content-Type"] == "application/pdf"
    assert member.headers["X-Content-Type-Options"] == "nosniff"
    assert (
        member.headers["Content-Security-Policy"] == "sandbox; default-src 'none'; img-src 'self'"
    )
    assert login_redirect.url.startswith("/accounts/login/?next=/media/slides/2026/")
    assert (anonymous.status_code, anonymous.headers["Location"]) == (302, login_redirect.url)
    assert internal.status_code == 404
