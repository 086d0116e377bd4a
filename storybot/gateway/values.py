"""The values an nginx gateway is rendered from, each checked before it reaches the file.

Every value ends up inside ``nginx.conf`` as written, so each is held to a strict
shape (a host name, an origin, an absolute path without nginx's special characters):
a value that could break out of its directive is refused with a message naming it.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Form = Literal["two-hosts", "one-host"]
"""``two-hosts``: the UI on the site's domain, the API on its own; ``one-host``: both on one."""

HEADERS_MORE_MODULE = "/usr/lib/nginx/modules/ngx_http_headers_more_filter_module.so"
"""Where Debian's libnginx-mod-http-headers-more-filter puts the module."""

_LABEL = r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)"
_HOST_NAME = re.compile(rf"{_LABEL}(\.{_LABEL})*")
_ORIGIN = re.compile(
    r"(https?)://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::([0-9]{1,5}))?", re.IGNORECASE
)
# A path goes into nginx unquoted: no blank, quote, brace, semicolon, variable or comment.
_PATH = re.compile(r"/[A-Za-z0-9._/@+=,:~-]*")


def _host_name(value: str, what: str) -> str:
    if len(value) > 253 or not _HOST_NAME.fullmatch(value):
        raise ValueError(f"{what} {value!r} is not a host name (such as storybot.example.com)")
    return value.lower()


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value.strip("[]"))
    except ValueError:
        return False
    return True


def _origin(value: str) -> str:
    found = _ORIGIN.fullmatch(value)
    problem = found is None
    if found is not None:
        host, port = found.group(2), found.group(3)
        if host.startswith("["):
            problem = not _is_ip(host)
        else:
            problem = not (_HOST_NAME.fullmatch(host) or _is_ip(host))
        problem = problem or (port is not None and not 1 <= int(port) <= 65535)
    if problem:
        raise ValueError(
            f"{value!r} is not an origin: write scheme://host[:port] without a path or a "
            "trailing slash (https://storybot.example.com, http://localhost:3000)"
        )
    return value.lower()


class GatewayValues(BaseModel):
    """What differs between one Storybot gateway and another; the defaults are production's.

    ``run_dir``, ``user`` and ``listen_address`` exist for a gateway that is not the
    machine's own nginx (a test on high ports): with ``run_dir`` the pid file, the logs
    and nginx's temporary files go there instead of ``/run`` and ``/var/log/nginx``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    form: Form = "two-hosts"
    site_domain: str = "storybot.example.com"
    api_domain: str = "api.storybot.example.com"
    http_port: int = Field(default=80, ge=1, le=65535)
    https_port: int = Field(default=443, ge=1, le=65535)
    cert: str | None = None
    key: str | None = None
    upstream: str = "127.0.0.1:5000"
    static_root: str = "/srv/storybot/current/static"
    allow_origins: tuple[str, ...] = ("http://localhost:3000",)
    acme_root: str = "/var/www/letsencrypt"
    user: str = "www-data"
    run_dir: str | None = None
    listen_address: str | None = None
    headers_more_module: str = HEADERS_MORE_MODULE

    @field_validator("site_domain")
    @classmethod
    def _site(cls, value: str) -> str:
        return _host_name(value, "the site domain")

    @field_validator("api_domain")
    @classmethod
    def _api(cls, value: str) -> str:
        return _host_name(value, "the API domain")

    @field_validator("cert", "key", "static_root", "acme_root", "run_dir", "headers_more_module")
    @classmethod
    def _path(cls, value: str | None) -> str | None:
        if value is not None and not _PATH.fullmatch(value):
            raise ValueError(
                f"{value!r} must be an absolute path of letters, digits and ._/@+=,:~- only"
            )
        if value is None:
            return None
        return value.rstrip("/") or "/"

    @field_validator("upstream")
    @classmethod
    def _upstream(cls, value: str) -> str:
        host, sep, port = value.rpartition(":")
        if host.startswith("["):
            good_host = host.endswith("]") and _is_ip(host)
        else:
            good_host = bool(_HOST_NAME.fullmatch(host)) or (":" not in host and _is_ip(host))
        if not sep or not good_host or not port.isdigit() or not 1 <= int(port) <= 65535:
            raise ValueError(f"the upstream {value!r} is not HOST:PORT (such as 127.0.0.1:5000)")
        return value

    @field_validator("allow_origins")
    @classmethod
    def _origins(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_origin(origin) for origin in value)

    @field_validator("user")
    @classmethod
    def _user(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z_][a-z0-9_-]{0,31}", value):
            raise ValueError(f"{value!r} is not a user name")
        return value

    @field_validator("listen_address")
    @classmethod
    def _listen(cls, value: str | None) -> str | None:
        if value is not None and not _is_ip(value):
            raise ValueError(f"the listen address {value!r} is not an IP address")
        return value

    @model_validator(mode="after")
    def _distinct(self) -> GatewayValues:
        if self.http_port == self.https_port:
            raise ValueError("the HTTP and HTTPS ports must differ")
        if self.form == "two-hosts" and self.site_domain == self.api_domain:
            raise ValueError("the two-hosts form needs an API domain of its own (or --one-host)")
        return self

    @property
    def cert_path(self) -> str:
        """The certificate chain: given, else certbot's for the site domain."""
        return self.cert or f"/etc/letsencrypt/live/{self.site_domain}/fullchain.pem"

    @property
    def key_path(self) -> str:
        """The certificate's private key: given, else certbot's for the site domain."""
        return self.key or f"/etc/letsencrypt/live/{self.site_domain}/privkey.pem"

    @property
    def https_suffix(self) -> str:
        """``:PORT`` for a URL of the HTTPS port, empty on 443."""
        return "" if self.https_port == 443 else f":{self.https_port}"

    @property
    def site_origin(self) -> str:
        """The origin the UI is served from."""
        return f"https://{self.site_domain}{self.https_suffix}"

    @property
    def api_origin(self) -> str:
        """The origin the API answers on (the site's own in the one-host form)."""
        if self.form == "one-host":
            return self.site_origin
        return f"https://{self.api_domain}{self.https_suffix}"

    @property
    def cors_origins(self) -> list[str]:
        """The origins whose pages may call the API: the site's, then the ones given."""
        return list(dict.fromkeys([self.site_origin, *self.allow_origins]))

    @property
    def server_names(self) -> list[str]:
        """Every host name this gateway answers for."""
        if self.form == "one-host":
            return [self.site_domain]
        return [self.site_domain, self.api_domain]

    def listen(self, port: int) -> list[str]:
        """The ``listen`` addresses of a port: the one given, else every IPv4 and IPv6 one."""
        if self.listen_address is None:
            return [str(port), f"[::]:{port}"]
        address = self.listen_address
        return [f"[{address}]:{port}" if ":" in address else f"{address}:{port}"]
