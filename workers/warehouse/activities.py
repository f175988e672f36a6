"""The Temporal activities, registered by explicit name (the names are the whole contract with
workflows/pipeline/warehouse-remote.ts):

- dbtBuild: the batch's transform (models, tests, source freshness);
- dbtHistory: the history models, after a publish.

Each heartbeats its progress at every node and at least every third of the heartbeat timeout; a retry
goes on after the nodes the earlier attempt reported finished; a cancellation interrupts the statement
under way and ends the activity as cancelled; a failure names its node, and is non-retryable
(BatchInvalid, as the TypeScript stages) when a retry cannot fix it.
"""
from __future__ import annotations

import asyncio
import threading
import time
from typing import Any, Callable

from temporalio import activity
from temporalio.exceptions import ApplicationError

from .build import BuildFailed, BuildRequest, BuildResult, run_stage
from .progress import Progress
from .runner import DbtRunner

class WarehouseActivities:
    def __init__(self, runner: DbtRunner, cancel_grace_s: float) -> None:
        self.runner = runner
        # How long a cancelled build may take to stop (its statement interrupted) before the activity stops waiting for it.
        self.cancel_grace_s = cancel_grace_s

    @activity.defn(name='dbtBuild')
    async def dbt_build(self, request: BuildRequest) -> BuildResult:
        return await self._stage('transform', request)

    @activity.defn(name='dbtHistory')
    async def dbt_history(self, request: BuildRequest) -> BuildResult:
        return await self._stage('history', request)

    async def _stage(self, step: str, request: BuildRequest) -> BuildResult:
        info = activity.info()
        progress = Progress.resumed(step, info.heartbeat_details[0] if info.heartbeat_details else None)
        if progress.done:
            activity.logger.warning(f'{step}: going on after an earlier attempt, which did {len(progress.done)} of {progress.total}')
        loop = asyncio.get_running_loop()
        moved = asyncio.Event()
        cancel = threading.Event()
        work = _in_thread(loop, lambda: run_stage(self.runner, request, progress, lambda: loop.call_soon_threadsafe(moved.set), cancel))
        every = max(1.0, (info.heartbeat_timeout.total_seconds() if info.heartbeat_timeout else 30.0) / 3)
        activity.heartbeat(progress.details())
        try:
            while not work.done():
                woken = asyncio.ensure_future(moved.wait())
                await asyncio.wait({work, woken}, timeout=every, return_when=asyncio.FIRST_COMPLETED)
                woken.cancel()
                moved.clear()
                activity.heartbeat(progress.details())
            return await work
        except asyncio.CancelledError:
            await self._stop(work, cancel, progress)
            raise
        except BuildFailed as err:
            raise ApplicationError(str(err), type='WarehouseUnavailable' if err.retryable else 'BatchInvalid', non_retryable=not err.retryable) from err

    async def _stop(self, work: asyncio.Future[Any], cancel: threading.Event, progress: Progress) -> None:
        """Interrupts dbt (again and again: a node may start meanwhile) until it has returned, within a grace."""
        running = list(progress.running)
        cancel.set()
        deadline = time.monotonic() + self.cancel_grace_s
        while not work.done() and time.monotonic() < deadline:
            self.runner.interrupt()
            await asyncio.sleep(0.05)
        outcome = 'stopped' if work.done() else f'still running after {self.cancel_grace_s:.0f} s'
        if work.done() and not work.cancelled():
            work.exception()  # an interrupted build fails (Cancelled, BuildFailed): expected, and retrieved here
        activity.logger.warning(f'{progress.step}: cancelled while running {", ".join(running) or "nothing"}; dbt {outcome}; {len(progress.done)} nodes finished')


def _in_thread(loop: asyncio.AbstractEventLoop, work: Callable[[], BuildResult]) -> asyncio.Future[BuildResult]:
    """`work` on a daemon thread (dbt cannot be stopped from outside; a worker that exits must not wait for it)."""
    future: asyncio.Future[BuildResult] = loop.create_future()

    def settle(ok: bool, value: Any) -> None:
        if future.done():
            return
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)

    def run() -> None:
        try:
            value = work()
        except BaseException as err:  # noqa: BLE001 (handed to the activity)
            loop.call_soon_threadsafe(settle, False, err)
        else:
            loop.call_soon_threadsafe(settle, True, value)

    threading.Thread(target=run, name='dbt', daemon=True).start()
    return future
