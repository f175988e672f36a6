"""One model trained without Temporal: the training activity's own code (workers/training/), for
bench:score and the tests. Reads the request (the activity's input, src/scoring/train-request.ts) as
JSON on standard input; prints the trained model as JSON, or {"error": ..., "refused": true|false}:
refused when a retry cannot help (too few rows, one class only), as the activity's TrainingRefused.
Run with PYTHONPATH holding the packages of workers/requirements.txt and this folder."""
from __future__ import annotations

import json
import sys

from training.data import TrainingDataUnavailable, read_rows
from training.train import TrainingRefused, train

if __name__ == '__main__':
    request = json.load(sys.stdin)
    try:
        rows = read_rows(request['target'], request['table'], request['population'], [*request['features'], request['label']])
        answer = train(request, rows)
    except TrainingDataUnavailable as err:
        answer = {'error': str(err), 'refused': False}
    except (TrainingRefused, ValueError, KeyError) as err:
        answer = {'error': str(err), 'refused': True}
    json.dump(answer, sys.stdout)
