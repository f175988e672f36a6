"""dbt in this process (dbtRunner), one invocation at a time: dbt keeps global state (flags, adapters,
the event manager), and a warm process skips the 1.2 s of importing dbt and most of the parsing.

Traps it handles: a callback that raises makes invoke() hang for ever, so callbacks are guarded; and
dbt-duckdb keeps its DuckDB connection (and the file's lock) open after invoke() returns, so it is
closed after each one: the pipeline worker (Node) opens the same file between builds.
"""
from __future__ import annotations

import atexit
import logging
import os
import shutil
import tempfile
import threading
from typing import Any, Callable

os.environ.setdefault('DBT_SEND_ANONYMOUS_USAGE_STATS', 'false')

from dbt.adapters.factory import FACTORY  # noqa: E402
from dbt.cli.main import dbtRunner, dbtRunnerResult  # noqa: E402

log = logging.getLogger('warehouse-worker')

OnEvent = Callable[[Any], None]


class DbtRunner:
    def __init__(self, project_dir: str) -> None:
        self.project_dir = project_dir
        # This process's own target/ and logs/ (partial parsing state, manifest, run results): two
        # workers on one machine must not share them, and the repository stays clean.
        self.work_dir = tempfile.mkdtemp(prefix='waymark-dbt-')
        atexit.register(shutil.rmtree, self.work_dir, True)
        self._lock = threading.Lock()

    def invoke(self, args: list[str], env: dict[str, str], on_event: OnEvent) -> dbtRunnerResult:
        """Runs `dbt <args>` against the project with `env` set (profiles.yml reads it); blocks."""
        def guarded(event: Any) -> None:
            try:
                on_event(event)
            except Exception:  # noqa: BLE001 (a raising callback hangs dbt)
                log.exception('dbt event callback failed (ignored)')

        with self._lock:
            os.environ.update(env)
            common = ['--project-dir', self.project_dir, '--profiles-dir', self.project_dir,
                      '--target-path', os.path.join(self.work_dir, 'target'), '--log-path', os.path.join(self.work_dir, 'logs')]
            try:
                return dbtRunner(callbacks=[guarded]).invoke([*args, *common, '--quiet'])
            finally:
                _close_duckdb()

    def interrupt(self) -> None:
        """Interrupts the statements dbt's connections are running (DuckDB: interrupt(); BigQuery: the jobs are cancelled)."""
        for adapter in list(FACTORY.adapters.values()):
            try:
                adapter.cancel_open_connections()
            except Exception:  # noqa: BLE001 (best effort: nothing may be open)
                pass

    def manifest_path(self) -> str:
        return os.path.join(self.work_dir, 'target', 'manifest.json')


def _close_duckdb() -> None:
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:
        return
    with DuckDBConnectionManager._LOCK:
        env = DuckDBConnectionManager._ENV
        DuckDBConnectionManager._ENV = None
    if env is not None:
        env.close()
