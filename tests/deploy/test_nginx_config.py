"""``storybot deploy nginx``: the rendered configuration passes ``nginx -t``, the shipped
examples are what the command renders today, and bad values are refused by name."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from storybot.cli import main
from tests.deploy.conftest import DEPLOY
from tests.deploy.nginx_support import check_config, make_certificate, own_user

EXAMPLES = {"storybot.conf": (), "storybot-one-host.conf": ("--one-host",)}


def _cli(*args: str) -> tuple[int, str]:
    """``storybot deploy nginx ARGS`` in this process (the live test runs it as a child)."""
    result = CliRunner().invoke(main, ["deploy", "nginx", *args])
    return result.exit_code, result.output


@pytest.mark.parametrize(("name", "args"), EXAMPLES.items())
def test_the_shipped_examples_are_what_the_command_renders(name: str, args: tuple[str]) -> None:
    code, rendered = _cli(*args)
    assert code == 0, rendered
    assert (DEPLOY / "nginx" / name).read_text(encoding="utf-8") == rendered, (
        f"deploy/nginx/{name} is stale: render it again with "
        f"storybot deploy nginx {' '.join(args)} -o deploy/nginx/{name}"
    )


@pytest.mark.parametrize("args", EXAMPLES.values(), ids=EXAMPLES.keys())
def test_each_form_passes_nginx_check(tmp_path: Path, args: tuple[str]) -> None:
    """The production values of each form, only the certificate (a throwaway one) and the
    run folder changed: ``nginx -t`` loads headers-more and accepts every directive."""
    cert, key = make_certificate(tmp_path, "storybot.example.com", "api.storybot.example.com")
    config = tmp_path / "nginx.conf"
    code, text = _cli(
        *args, "--cert", str(cert), "--key", str(key), "--run-dir", str(tmp_path),
        "--user", own_user(),
    )  # fmt: skip
    assert code == 0, text
    config.write_text(text, encoding="utf-8")
    checked = check_config(config, tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr


def test_nginx_check_fails_without_the_certificate(tmp_path: Path) -> None:
    """The check is real: a certificate that is not there fails it."""
    config = tmp_path / "nginx.conf"
    code, text = _cli(
        "--cert", str(tmp_path / "none.pem"), "--run-dir", str(tmp_path), "--user", own_user()
    )
    assert code == 0
    config.write_text(text, encoding="utf-8")
    checked = check_config(config, tmp_path)
    assert checked.returncode != 0
    assert "none.pem" in checked.stderr


def test_the_production_defaults() -> None:
    code, text = _cli()
    assert code == 0
    assert "load_module /usr/lib/nginx/modules/ngx_http_headers_more_filter_module.so;" in text
    assert "user www-data;" in text
    assert "pid /run/nginx.pid;" in text
    assert "/etc/letsencrypt/live/storybot.example.com/fullchain.pem;" in text
    assert "/etc/letsencrypt/live/storybot.example.com/privkey.pem;" in text
    assert "server 127.0.0.1:5000;" in text
    assert "root /srv/storybot/current/static;" in text
    assert "root /var/www/letsencrypt;" in text
    assert '"https://storybot.example.com" $http_origin;' in text
    assert '"http://localhost:3000" $http_origin;' in text
    assert "listen 443 ssl http2;" in text
    assert "listen [::]:443 ssl http2;" in text


def test_origins_given_replace_the_development_one_and_the_site_stays() -> None:
    code, text = _cli(
        "--allow-origin", "https://app.example.org", "--allow-origin", "HTTPS://B.example.org:8443"
    )
    assert code == 0
    assert '"https://storybot.example.com" $http_origin;' in text
    assert '"https://app.example.org" $http_origin;' in text
    assert '"https://b.example.org:8443" $http_origin;' in text
    assert "localhost:3000" not in text


def test_the_one_host_form_has_no_api_host_and_proxies_api() -> None:
    code, text = _cli("--one-host", "--site-domain", "stories.example.net")
    assert code == 0
    assert "api.storybot.example.com" not in text
    assert "location ^~ /api/ {" in text
    assert "server_name stories.example.net;" in text
    assert "connect-src 'self';" in text


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (("--https-port", "70000"), "--https-port"),
        (("--http-port", "0"), "--http-port"),
        (("--http-port", "8443", "--https-port", "8443"), "ports must differ"),
        (
            ("--allow-origin", "https://storybot.example.com/"),
            "--allow-origin: 'https://storybot.example.com/' is not",
        ),
        (("--allow-origin", "*"), "--allow-origin"),
        (("--allow-origin", "ftp://files.example.com"), "is not an origin"),
        (("--site-domain", "evil.example;}"), "--site-domain"),
        (("--api-domain", "storybot.example.com"), "API domain of its own"),
        (("--upstream", "127.0.0.1"), "--upstream"),
        (("--upstream", "127.0.0.1:99999"), "--upstream"),
        (("--static-root", "/srv/a b"), "--static-root"),
        (("--cert", "/etc/x.pem;include /etc/passwd"), "--cert"),
        (("--user", "Root Admin"), "--user"),
        (("--listen-address", "localhost"), "--listen-address"),
    ],
)
def test_bad_values_are_refused_by_name(args: tuple[str, ...], complaint: str) -> None:
    code, text = _cli(*args)
    assert code == 2, text
    assert complaint in text
    assert "http {" not in text


def test_relative_paths_become_absolute_and_links_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "releases" / "7" / "static").mkdir(parents=True)
    (tmp_path / "current").symlink_to(tmp_path / "releases" / "7")
    monkeypatch.chdir(tmp_path)
    code, text = _cli("--static-root", "current/static")
    assert code == 0
    assert f"root {tmp_path}/current/static;" in text  # not releases/7: a deploy moves the link


def test_output_file(tmp_path: Path) -> None:
    target = tmp_path / "storybot.conf"
    code, _ = _cli("-o", str(target))
    assert code == 0
    assert target.read_text(encoding="utf-8") == _cli()[1]
