"""Runs the bqemulator CLI with DuckDB's `spatial` extension made optional.

bqemulator downloads that extension at start-up and refuses to start without it; CI reaches
package registries only, so the download fails there. Waymark uses no GEOGRAPHY columns, so a
missing extension only disables the ST_* functions. Usage: python3 scripts/bqemulator-offline.py start ...
(with PYTHONPATH=.tools/py/bqemulator, as scripts/setup.sh installs it).
"""
import sys

from bqemulator.cli import main
from bqemulator.storage import engine

_load_spatial = engine.DuckDBEngine._load_spatial


def _load_spatial_if_present(self):
    try:
        _load_spatial(self)
    except Exception as exc:  # the emulator raises its own InternalError; any failure here means "no extension"
        print(f"bqemulator-offline: DuckDB spatial extension unavailable, GEOGRAPHY disabled ({exc})", file=sys.stderr)


engine.DuckDBEngine._load_spatial = _load_spatial_if_present

if __name__ == "__main__":
    sys.exit(main())
