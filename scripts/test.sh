#!/usr/bin/env bash
# Run every check and test: lint, format, types, then pytest on SQLite and PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh --dev
scripts/services.sh
# From Debian: epubcheck validates the EPUB export; chromium runs the browser tests
# (Playwright drives it; no browser is downloaded); fonts-noto-cjk for Japanese screenshots;
# the deployment tests (tests/deploy) run the real gateway, monitor and deploy path:
# nginx with headers-more, prometheus and promtool, sshd and rsync, systemd-analyze.
missing=()
command -v epubcheck >/dev/null || missing+=(epubcheck)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -d /usr/share/fonts/opentype/noto ] || missing+=(fonts-noto-cjk)
[ -x /usr/sbin/nginx ] || missing+=(nginx)
[ -e /usr/lib/nginx/modules/ngx_http_headers_more_filter_module.so ] \
  || missing+=(libnginx-mod-http-headers-more-filter)
[ -x /usr/bin/prometheus ] || missing+=(prometheus)
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)
[ -x /usr/bin/rsync ] || missing+=(rsync)
[ -x /usr/bin/systemd-analyze ] || missing+=(systemd)
command -v openssl >/dev/null || missing+=(openssl)
# The Fabric test makes each release's venv with the server's own Python, as a server does.
/usr/bin/python3 -c 'import ensurepip' 2>/dev/null || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing ${missing[*]} ..." >&2
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

echo "== ruff" >&2
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy" >&2
.venv/bin/mypy storybot
echo "== import-linter: the layers import one way, no cycles within one" >&2
.venv/bin/lint-imports --no-cache >/dev/null || .venv/bin/lint-imports --no-cache
echo "== web: lint, types (generated from the API's document, current), unit tests" >&2
(cd web && npm run lint --silent && npm run typecheck --silent && npm run api:check --silent \
  && npm test --silent)
echo "== web: end to end in chromium, against the real server" >&2
(cd web && E2E_SKIP_BUILD=1 npm run e2e --silent)
echo "== pytest" >&2
.venv/bin/pytest "$@"
