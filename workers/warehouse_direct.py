"""The warehouse builds without Temporal, for the tests and bench:ingest's direct baseline (the same code
as the activities, in a process kept warm as the worker is): one JSON request per line on stdin,
    {"stage": "transform" | "history", "input": {"batchId": ..., "target": {...}}}
one JSON answer per line on stdout: {"result": {...}} or {"error": "...", "retryable": false}.
usage: python3 workers/warehouse_direct.py <dbt project dir>  (PYTHONPATH as for warehouse_worker.py)
"""
from __future__ import annotations

import json
import sys
import threading

from warehouse.build import BuildFailed, run_stage
from warehouse.progress import Progress
from warehouse.runner import DbtRunner


def main(project_dir: str) -> None:
    # Answers only on stdout: what dbt prints goes to stderr.
    answers, sys.stdout = sys.stdout, sys.stderr
    runner = DbtRunner(project_dir)
    print(json.dumps({'ready': True}), file=answers, flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        try:
            result = run_stage(runner, request['input'], Progress(request['stage']), lambda: None, threading.Event())
            answer = {'result': result}
        except BuildFailed as err:
            answer = {'error': str(err), 'retryable': err.retryable}
        print(json.dumps(answer), file=answers, flush=True)


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
