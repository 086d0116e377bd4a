#!/usr/bin/env bash
# Run every check and test: lint, format, types, then pytest on SQLite and PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh --dev
scripts/services.sh

echo "== ruff" >&2
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy" >&2
.venv/bin/mypy storybot
echo "== pytest" >&2
.venv/bin/pytest "$@"
