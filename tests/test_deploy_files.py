"""The example deployment files in deploy/ match the app."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
DEPLOY = PROJECT / "deploy"
SETTINGS = (PROJECT / "studygroup" / "settings.py").read_text()


def test_environment_example_names_only_variables_the_settings_read():
    names = re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", (DEPLOY / "studygroup.env.example").read_text(), re.M)
    assert names, "the example sets variables"
    assert [name for name in names if f'"{name}"' not in SETTINGS] == []


def test_environment_example_is_what_the_readme_documents():
    readme = (PROJECT / "README.md").read_text()
    names = re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", (DEPLOY / "studygroup.env.example").read_text(), re.M)
    assert [name for name in names if f"`{name}`" not in readme] == []


def test_nginx_site_hands_media_over_where_the_app_points():
    site = (DEPLOY / "nginx" / "studygroup.conf").read_text()
    assert "location /protected-media/ {\n        internal;" in site
    assert re.search(r'"DJANGO_MEDIA_ACCEL_PREFIX", "/protected-media/"', SETTINGS)
    assert "client_max_body_size 25m;" in site


@pytest.mark.skipif(shutil.which("nginx") is None or shutil.which("openssl") is None, reason="nginx or openssl is not installed")
def test_nginx_site_is_valid(tmp_path):
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=study.example.org",
         "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
        check=True, capture_output=True,
    )
    site = (DEPLOY / "nginx" / "studygroup.conf").read_text()
    site = site.replace("/etc/letsencrypt/live/study.example.org/fullchain.pem", str(tmp_path / "cert.pem"))
    site = site.replace("/etc/letsencrypt/live/study.example.org/privkey.pem", str(tmp_path / "key.pem"))
    site = site.replace("/var/log/nginx/", f"{tmp_path}/")
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n    include {tmp_path}/site.conf;\n}}\n"
    )
    result = subprocess.run(["nginx", "-t", "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


@pytest.mark.parametrize("unit", ["studygroup-web.service", "studygroup-worker.service"])
def test_systemd_units_read_the_environment_file(unit):
    text = (DEPLOY / "systemd" / unit).read_text()
    assert "EnvironmentFile=/etc/studygroup/studygroup.env" in text
    assert "KillSignal=SIGTERM" in text
