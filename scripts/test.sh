#!/usr/bin/env bash
# Run every check and test: lint, format, types, then pytest on SQLite and PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh --dev
scripts/services.sh
# epubcheck validates the EPUB export in the tests (Debian package, Java).
command -v epubcheck >/dev/null || {
  echo "Installing epubcheck ..." >&2
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq epubcheck >/dev/null
}

echo "== ruff" >&2
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy" >&2
.venv/bin/mypy storybot
echo "== pytest" >&2
.venv/bin/pytest "$@"
