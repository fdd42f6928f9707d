#!/usr/bin/env bash
# Install everything the tests need into ./.venv (and Debian's chromium for the browser
# tests, when missing), then run the test suite.
# Idempotent: re-running reuses the virtualenv. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if ! command -v chromium >/dev/null 2>&1; then
  # Browser tests drive Debian's chromium through Playwright (Playwright's own browser
  # download cannot work offline). Needs root or passwordless sudo.
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo -n"
  if command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's chromium for the browser tests" >&2
    $SUDO apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
  fi
fi
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
# lint and types first (rule sets in pyproject.toml); a finding fails the run like a test
.venv/bin/ruff check src tests bench scripts
.venv/bin/mypy
exec .venv/bin/python -m pytest "$@"
