#!/usr/bin/env bash
# Start Storybot on its embedded defaults: SQLite in ./instance and the built-in model.
# Installs what is missing first. Settings come from STORYBOT_* variables (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
exec .venv/bin/storybot serve "$@"
