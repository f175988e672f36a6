"""A stage's progress in the shape the TypeScript pipeline heartbeats (activities/pipeline/heartbeat.ts,
StageProgress): {step, total, done: {item: outcome}, running: [item]}, which `waymark schedules list` and
the Temporal UI show as "transform 12/31 (running marts.customer_health)".

Items are named for people: a model or snapshot by its folder and name (marts.customer_health), a test or
a freshness measure by the check it is for the pipeline (checks.events_unique_id, checks.events_fresh).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# What a finished node reports: kind (model | test | freshness), node (its dbt selector), status (dbt's:
# success | pass | warn | fail | error | skipped | runtime error), ms, and for checks failures, with the
# stored failing rows' relation {schema, table} (tests) or a sample (freshness); message on an error.
Outcome = dict[str, Any]

# Statuses after which a node need not run again on a retry.
FINISHED = {'success', 'pass', 'warn', 'fail'}


@dataclass
class Progress:
    step: str
    total: int = 0
    done: dict[str, Outcome] = field(default_factory=dict)
    running: list[str] = field(default_factory=list)

    def details(self) -> dict[str, Any]:
        return {'step': self.step, 'total': self.total, 'done': dict(self.done), 'running': list(self.running)}

    @classmethod
    def resumed(cls, step: str, before: Any) -> Progress:
        """What an earlier attempt of the same step reported finished (its last heartbeat) is carried over."""
        if not isinstance(before, dict) or before.get('step') != step or not isinstance(before.get('done'), dict):
            return cls(step)
        done = {item: o for item, o in before['done'].items() if isinstance(o, dict) and o.get('status') in FINISHED}
        return cls(step, int(before.get('total') or 0), done)


def item_name(node_info: Any) -> str:
    """marts.customer_health for a model, checks.<name> for a test."""
    if node_info.resource_type == 'test':
        return f'checks.{node_info.node_name}'
    folder = node_info.node_path.split('/')[0] if '/' in node_info.node_path else node_info.resource_type
    return f'{folder}.{node_info.node_name}'


def freshness_item(table: str) -> str:
    """The check a source's freshness is for the pipeline: checks.events_fresh for source build.events."""
    return f'checks.{table}_fresh'
