#!/usr/bin/env bash
# Installs the pinned Azurite into tools/azurite/node_modules (used by the test suite).
# Idempotent: a second run with the same lock file does nothing.
set -euo pipefail
cd "$(dirname "$0")"
if [ -x node_modules/.bin/azurite-blob ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
  exit 0
fi
if ! command -v npm >/dev/null; then
  echo "npm is required to install Azurite for the tests (Node 20 + npm)" >&2
  exit 1
fi
if [ -f package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
else
  npm install --no-audit --no-fund --loglevel=error
fi
test -x node_modules/.bin/azurite-blob
