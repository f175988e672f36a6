#!/usr/bin/env bash
# Builds the Temporal server (the Go module go.temporal.io/server, from the Go module proxy) and its
# SQL schema tool into .tools/temporal-server/<version>/, with the module's PostgreSQL schema beside
# them: what `npm run cluster` runs (a Temporal cluster on PostgreSQL, the production shape). Built
# once (about 10 minutes on 2 cores); again only when the version below changes. Needs Go 1.23+.
set -euo pipefail
cd "$(dirname "$0")/.."
TEMPORAL_SERVER_VERSION=1.29.1
out=".tools/temporal-server/$TEMPORAL_SERVER_VERSION"
say() { printf 'cluster-build: %s\n' "$*" >&2; }
if [ -x "$out/bin/temporal-server" ] && [ -x "$out/bin/temporal-sql-tool" ] && [ -d "$out/schema/postgresql" ]; then
  exit 0
fi
command -v go >/dev/null || { say "Go is needed to build the Temporal server (https://go.dev/dl/, 1.23 or later); or set WAYMARK_CLUSTER_SERVER_DIR to a folder with bin/temporal-server, bin/temporal-sql-tool and schema/"; exit 1; }
mkdir -p "$out/bin"
say "building Temporal server $TEMPORAL_SERVER_VERSION and its SQL tool with $(go version | cut -d' ' -f3) (about 10 minutes the first time)..."
GOBIN="$(pwd)/$out/bin" GOFLAGS=-mod=mod go install "go.temporal.io/server/cmd/server@v$TEMPORAL_SERVER_VERSION" "go.temporal.io/server/cmd/tools/sql@v$TEMPORAL_SERVER_VERSION"
mv "$out/bin/server" "$out/bin/temporal-server"
mv "$out/bin/sql" "$out/bin/temporal-sql-tool"
module="$(go env GOMODCACHE)/go.temporal.io/server@v$TEMPORAL_SERVER_VERSION"
rm -rf "$out/schema" && mkdir -p "$out/schema" && cp -r "$module/schema/postgresql" "$out/schema/" && chmod -R u+w "$out/schema"
say "built: $out/bin/temporal-server, $out/bin/temporal-sql-tool"
