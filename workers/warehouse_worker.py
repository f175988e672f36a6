"""Waymark's Python activity worker: the warehouse activities (dbt builds, workers/warehouse/) and the
training activities (LightGBM to ONNX, workers/training/), each on a task queue of its own, so a model
being trained never holds up a batch's build. A worker fails the tasks of activities it has not
registered, so neither queue is shared with the TypeScript workers.

Started by `npm run warehouse-worker` (workers/warehouse-worker.ts), `npm run dev` and the tests, which
read Waymark's config (src/config.ts) and pass this process what it needs as one JSON argument:
    python3 workers/warehouse_worker.py '{"address": "127.0.0.1:7233", "namespace": "default",
        "taskQueue": "waymark-warehouse", "trainingTaskQueue": "waymark-training", "heartbeatEveryMs": 5000, "shutdownGraceMs": 10000, "projectDir": "warehouse"}'
with PYTHONPATH holding the packages of workers/requirements.txt, and the payload keys, if any, in the
environment (WAYMARK_TEMPORAL_PAYLOAD_KEYS, workers/payload_codec.py; not in the argument, which `ps` shows).
SIGTERM, SIGINT, or its standard input closing (the parent that started it has gone, however it went): the
build under way gets the grace to finish, then is cancelled.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
import threading
import time
from datetime import timedelta
from typing import Callable, TypedDict

STARTED = time.monotonic()

from temporalio.client import Client  # noqa: E402
from temporalio.service import TLSConfig  # noqa: E402
from temporalio.worker import Worker  # noqa: E402

from payload_codec import PayloadKey, PayloadKeysError, data_converter, payload_keys_from_env  # noqa: E402
from training.activities import train_model  # noqa: E402
from warehouse.activities import WarehouseActivities  # noqa: E402
from warehouse.runner import DbtRunner  # noqa: E402

log = logging.getLogger('warehouse-worker')


class TlsSettings(TypedDict, total=False):
    enabled: bool
    certFile: str
    keyFile: str
    caFile: str
    serverName: str


class Settings(TypedDict):
    address: str
    namespace: str
    taskQueue: str
    trainingTaskQueue: str
    heartbeatEveryMs: int
    shutdownGraceMs: int
    projectDir: str
    tls: TlsSettings


async def main(settings: Settings, keys: list[PayloadKey]) -> None:
    # The pipeline workflows' payloads are encrypted when WAYMARK_TEMPORAL_PAYLOAD_KEYS lists keys: the same keys here.
    log.info(f'payloads encrypted with key id {keys[0].id} ({len(keys)} key(s) listed for decryption)' if keys
             else 'payloads in clear (WAYMARK_TEMPORAL_PAYLOAD_KEYS is empty)')
    client = await Client.connect(settings['address'], namespace=settings['namespace'], data_converter=data_converter(keys),
                                  tls=_tls(settings.get('tls', {})), api_key=os.environ.get('WAYMARK_TEMPORAL_API_KEY') or None)
    # A build cancelled (or cut short by a stop) gets the same grace to stop as a build under way at a stop.
    activities = WarehouseActivities(DbtRunner(settings['projectDir']), settings['shutdownGraceMs'] / 1000)
    beat = timedelta(milliseconds=settings['heartbeatEveryMs'])
    worker = Worker(
        client,
        task_queue=settings['taskQueue'],
        activities=[activities.dbt_build, activities.dbt_history],
        # dbt runs one invocation at a time per process: more builds at once need more processes.
        max_concurrent_activities=1,
        # A stage's progress reaches the Temporal UI and `waymark schedules list` this soon (WAYMARK_PIPELINE_PROGRESS_EVERY).
        max_heartbeat_throttle_interval=beat,
        default_heartbeat_throttle_interval=beat,
        graceful_shutdown_timeout=timedelta(milliseconds=settings['shutdownGraceMs']),
    )
    # One model at a time (training uses a core): more at once need more processes.
    trainer = Worker(client, task_queue=settings['trainingTaskQueue'], activities=[train_model], max_concurrent_activities=1,
                     graceful_shutdown_timeout=timedelta(milliseconds=settings['shutdownGraceMs']))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    threading.Thread(target=_on_stdin_closed, args=(lambda: loop.call_soon_threadsafe(stop.set),), daemon=True).start()
    log.info(f"warehouse worker running: task queues {settings['taskQueue']} (dbt) and {settings['trainingTaskQueue']} (training) "
             f"at {settings['address']} (namespace {settings['namespace']}), dbt project {settings['projectDir']}, "
             f"ready in {time.monotonic() - STARTED:.1f} s")
    async with worker, trainer:
        await stop.wait()
        log.info('warehouse worker stopping')


def _tls(tls: TlsSettings) -> TLSConfig | bool:
    """The TLS of the TypeScript processes (src/temporal/connect.ts, which checked these files before starting this worker)."""
    if not tls.get('enabled'):
        return False

    def read(name: str) -> bytes | None:
        path = tls.get(name)
        if not path:
            return None
        with open(path, 'rb') as file:
            return file.read()
    return TLSConfig(server_root_ca_cert=read('caFile'), domain=tls.get('serverName') or None,
                     client_cert=read('certFile'), client_private_key=read('keyFile'))


def _on_stdin_closed(then: Callable[[], object]) -> None:
    """Reads standard input to its end: a parent that dies (even SIGKILLed) closes it, and this worker must not outlive it."""
    # os.read, not sys.stdin: a daemon thread blocked in a buffered read aborts the interpreter's exit.
    while os.read(0, 4096):
        pass
    log.info('standard input closed: the process that started this worker has gone')
    then()


if __name__ == '__main__':
    # force: importing dbt has already given the root logger a handler of its own.
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format='%(asctime)s %(levelname)s %(name)s: %(message)s', force=True)
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    try:
        payload_keys = payload_keys_from_env()
    except PayloadKeysError as err:
        sys.exit(str(err))  # names the entry, never a key
    asyncio.run(main(json.loads(sys.argv[1]), payload_keys))
