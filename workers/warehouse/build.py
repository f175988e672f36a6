"""One batch's dbt work, the same with or without Temporal (activities.py, workers/warehouse_direct.py):

- transform: `dbt build` of everything but the history (models, then each one's tests, failing rows
  stored), then `dbt source freshness` (measured at the batch's as-of cutoff);
- history: `dbt build --select tag:history`, once the batch is published.

Nodes an earlier attempt finished (carried in `progress`) are left out. A node that fails names itself
in the error; a failure a retry cannot fix (SQL the warehouse refuses, a model that does not compile)
is marked so, and one a retry may get past (the DuckDB file held by another process, BigQuery
unavailable) is not.
"""
from __future__ import annotations

import json
import os
import re
import threading
from typing import Any, Callable, Required, TypedDict

from .progress import Outcome, Progress, freshness_item, item_name
from .runner import DbtRunner
from .target import Target, describe, profile_env


class BuildRequest(TypedDict, total=False):
    batchId: Required[str]
    target: Required[Target]
    # Each export's freshness warning threshold in hours (dbt reads it as WAYMARK_DBT_SOURCE_FRESHNESS_HOURS).
    sourceFreshnessHours: int


class BuildResult(TypedDict):
    step: str
    total: int
    done: dict[str, Outcome]
    # Nodes an earlier attempt had finished, left out of this one.
    carried: int


class BuildFailed(Exception):
    def __init__(self, message: str, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


class Cancelled(Exception):
    """The build stopped because it was asked to (the activity was cancelled)."""


# Errors worth another attempt: the warehouse was busy or away, not the SQL wrong.
RETRYABLE = re.compile(r'Could not set lock|Conflicting lock|IO Error|[Cc]onnection (refused|reset|aborted)|Failed to connect|'
                       r'timed? ?out|[Rr]ate ?limit|backendError|internalError|[Ss]ervice [Uu]navailable|\b50[0-4] (POST|GET|Internal|Bad Gateway|Gateway)')

HISTORY = 'tag:history'


def run_stage(runner: DbtRunner, request: BuildRequest, progress: Progress, beat: Callable[[], None], cancel: threading.Event) -> BuildResult:
    """Runs progress.step ('transform' or 'history') for the batch; `beat` is called whenever the progress moves."""
    carried = len(progress.done)
    target = request['target']
    if target['kind'] == 'duckdb' and not os.path.exists(target['duckdbFile']):
        # dbt-duckdb would create an empty file and fail on every source: say where the file should be.
        raise BuildFailed(f"{progress.step}: no DuckDB file at {target['duckdbFile']} on this machine: the warehouse worker must run "
                          'where the pipeline worker keeps the file (the same machine, or the same volume)', retryable=True)
    env = {**profile_env(target), 'WAYMARK_DBT_SOURCE_FRESHNESS_HOURS': str(int(request.get('sourceFreshnessHours', 24)))}
    history = progress.step == 'history'
    build = ['build', '--fail-fast', *(['--select', HISTORY] if history else ['--exclude', HISTORY])]
    _invoke(runner, build, env, progress, beat, cancel, request)
    if not history:
        _freshness(runner, env, progress, beat, cancel, request)
    return {'step': progress.step, 'total': progress.total, 'done': progress.done, 'carried': carried}


def _left_out(progress: Progress, kind: str) -> list[str]:
    return [o['node'] for o in progress.done.values() if o.get('kind') == kind]


def _invoke(runner: DbtRunner, args: list[str], env: dict[str, str], progress: Progress, beat: Callable[[], None],
            cancel: threading.Event, request: BuildRequest) -> None:
    done_before = [n for kind in ('model', 'test') for n in _left_out(progress, kind)]
    if done_before:
        # Exactly those nodes: eager indirect selection would also leave out the tests of a model done.
        args = [*args, '--exclude', *done_before, '--indirect-selection', 'empty']
    counted = len(progress.done)

    def on_event(event: Any) -> None:
        name = event.info.name
        if name == 'LogStartLine':
            later = _freshness_count(runner, progress) if progress.step == 'transform' else 0
            progress.total = max(progress.total, counted + event.data.total + later)
        elif name == 'NodeStart':
            progress.running.append(item_name(event.data.node_info))
            beat()
        elif name == 'NodeFinished':
            info, result = event.data.node_info, event.data.run_result
            item = item_name(info)
            if item in progress.running:
                progress.running.remove(item)
            progress.done[item] = _outcome(info, result)
            beat()

    _check_cancel(cancel)
    result = runner.invoke(args, env, on_event)
    _check_cancel(cancel)
    _raise_failure(result, progress, request)
    if not result.success:
        raise BuildFailed(f'{progress.step}: dbt reported a failure on {describe(request["target"])} without naming a node', retryable=False)


def _outcome(info: Any, result: Any) -> Outcome:
    test = info.resource_type == 'test'
    outcome: Outcome = {'kind': 'test' if test else 'model', 'node': info.node_name, 'status': str(result.status),
                        'ms': round(result.execution_time * 1000)}
    if test:
        outcome['failures'] = int(result.num_failures or 0)
        outcome['relation'] = {'schema': info.node_relation.schema, 'table': info.node_relation.alias}
    if str(result.status) in ('error', 'runtime error'):
        outcome['message'] = result.message
    return outcome


def _freshness(runner: DbtRunner, env: dict[str, str], progress: Progress, beat: Callable[[], None],
               cancel: threading.Event, request: BuildRequest) -> None:
    """`dbt source freshness` of the sources not measured yet; each is one of the batch's checks."""
    args = ['source', 'freshness']
    done_before = _left_out(progress, 'freshness')
    if done_before:
        args += ['--exclude', *done_before]
    running = 'checks.freshness'
    progress.running.append(running)
    beat()
    _check_cancel(cancel)
    result = runner.invoke(args, env, lambda _event: None)
    progress.running.remove(running)
    for r in getattr(result.result, 'results', None) or []:
        source = r.node
        status = str(r.status)
        outcome: Outcome = {'kind': 'freshness', 'node': f'source:{source.source_name}.{source.name}', 'status': status,
                            'ms': round(r.execution_time * 1000)}
        if status in ('pass', 'warn', 'error'):
            stale = status != 'pass'
            outcome['failures'] = 1 if stale else 0
            if stale:
                outcome['sample'] = json.dumps([{'newest': r.max_loaded_at.isoformat(), 'as_of': r.snapshotted_at.isoformat(),
                                                 'age_hours': int(r.age // 3600)}])
            # dbt says "error" for stale, which is a failing check for the pipeline, not a failed build;
            # "warn" (past warn_after only) is one that reports without holding the batch.
            outcome['status'] = 'fail' if stale else 'pass'
            if status == 'warn':
                outcome['advisory'] = True
        else:
            outcome['message'] = r.message
        progress.done[freshness_item(source.name)] = outcome
    progress.total = max(progress.total, len(progress.done))
    beat()
    _check_cancel(cancel)
    _raise_failure(result, progress, request)


def _freshness_count(runner: DbtRunner, progress: Progress) -> int:
    """Sources with a freshness threshold not measured yet (from the manifest dbt has just written)."""
    try:
        with open(runner.manifest_path()) as f:
            sources = json.load(f)['sources'].values()
    except (OSError, ValueError, KeyError):
        return 0
    measured = set(_left_out(progress, 'freshness'))
    fresh = [s for s in sources if (s.get('freshness') or {}).get('error_after', {}).get('count') or (s.get('freshness') or {}).get('warn_after', {}).get('count')]
    return len([s for s in fresh if f"source:{s['source_name']}.{s['name']}" not in measured])


def _check_cancel(cancel: threading.Event) -> None:
    if cancel.is_set():
        raise Cancelled()


def _raise_failure(result: Any, progress: Progress, request: BuildRequest) -> None:
    """The first node that errored, named; or dbt's own failure (a project that does not parse, a profile...).
    A stale source is not one: `source freshness` fails then, and the pipeline counts it as a failing check."""
    failed = [(item, o) for item, o in progress.done.items() if o['status'] in ('error', 'runtime error')]
    if failed:
        item, outcome = failed[0]
        message = f"{item}: {outcome.get('message') or outcome['status']}"
        raise BuildFailed(f'{progress.step}: {message}', retryable=bool(RETRYABLE.search(message)))
    if result.exception is not None:
        message = f'{type(result.exception).__name__}: {result.exception}'
        raise BuildFailed(f'{progress.step}: dbt failed on {describe(request["target"])}: {message}', retryable=bool(RETRYABLE.search(message)))
