"""Where a build runs: the activity input's target, as the variables warehouse/profiles.yml reads."""
from __future__ import annotations

from typing import Literal, NotRequired, TypedDict, Union


class DuckDbTarget(TypedDict):
    kind: Literal['duckdb']
    duckdbFile: str
    datasetPrefix: str


class BigQueryTarget(TypedDict):
    kind: Literal['bigquery']
    project: str
    location: str
    datasetPrefix: str
    threads: int
    jobTimeoutSeconds: int
    # An emulator's http:// URL (tests); absent: Google's endpoint with Application Default Credentials.
    endpoint: NotRequired[str]


Target = Union[DuckDbTarget, BigQueryTarget]


def profile_env(target: Target) -> dict[str, str]:
    """The WAYMARK_DBT_* variables for this target (they exist only for profiles.yml)."""
    env = {'WAYMARK_DBT_DATASET_PREFIX': target['datasetPrefix']}
    if target['kind'] == 'duckdb':
        return {**env, 'WAYMARK_DBT_TARGET': 'duckdb', 'WAYMARK_DBT_DUCKDB_FILE': target['duckdbFile']}
    endpoint = target.get('endpoint', '')
    return {
        **env,
        'WAYMARK_DBT_TARGET': 'bigquery_emulator' if endpoint else 'bigquery',
        'WAYMARK_DBT_BIGQUERY_PROJECT': target['project'],
        'WAYMARK_DBT_BIGQUERY_LOCATION': target['location'],
        'WAYMARK_DBT_BIGQUERY_ENDPOINT': endpoint,
        'WAYMARK_DBT_THREADS': str(target['threads']),
        'WAYMARK_DBT_JOB_TIMEOUT_SECONDS': str(target['jobTimeoutSeconds']),
    }


def describe(target: Target) -> str:
    """For messages: the file, or the project."""
    return target['duckdbFile'] if target['kind'] == 'duckdb' else f"BigQuery project {target['project']}"
