"""The training activities, registered by explicit name (the contract with workflows/pipeline/retraining.ts):

- trainModel: reads the model's rows from the warehouse, trains a challenger, returns it as ONNX with its figures.

A failure a retry cannot fix (too few rows, one class only, a model over its size cap) is non-retryable
(TrainingRefused); the warehouse held by a build or unreachable is retryable (WarehouseUnavailable).
"""
from __future__ import annotations

import asyncio
from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError

from .data import TrainingDataUnavailable, read_rows
from .train import TrainingRefused, TrainRequest, train


@activity.defn(name='trainModel')
async def train_model(request: TrainRequest) -> dict[str, Any]:
    activity.heartbeat('reading rows')
    try:
        rows = await asyncio.to_thread(read_rows, request['target'], request['table'], request['population'], [*request['features'], request['label']])
        activity.heartbeat(f'training on {len(rows)} rows')
        return await asyncio.to_thread(train, request, rows)
    except TrainingDataUnavailable as err:
        raise ApplicationError(f"the {request['model']} model's rows: {err}", type='WarehouseUnavailable') from err
    except (TrainingRefused, ValueError, KeyError) as err:
        raise ApplicationError(str(err), type='TrainingRefused', non_retryable=True) from err
