"""The training rows of one model: its population of the warehouse's ml_training table, read from the
engine the pipeline builds in (the target of warehouse/target.py), oldest first."""
from __future__ import annotations

from typing import Any, Literal

from warehouse.target import Target

Population = Literal['active', 'prospects', 'customers']

# Who each model learns from (columns of warehouse/models/history/ml_training.sql).
POPULATIONS: dict[str, str] = {
    'active': 'not is_prospect and days_since_active is not null',
    'prospects': 'is_prospect',
    'customers': 'not is_prospect',
}


class TrainingDataUnavailable(Exception):
    """The table cannot be read now (the DuckDB file held by a build, BigQuery unreachable): a retry may succeed."""


def read_rows(target: Target, table: str, population: Population, columns: list[str]) -> list[dict[str, Any]]:
    if population not in POPULATIONS:
        raise ValueError(f'population {population!r} is not one of {", ".join(POPULATIONS)}')
    if not table.replace('_', '').replace('.', '').isalnum():
        raise ValueError(f'table {table!r} is not dataset.table')
    wanted = ', '.join(['customer_id', 'cast(feature_date as string) as feature_date', 'segment', *columns])
    sql = f'select {wanted} from {table} where {POPULATIONS[population]} order by feature_date, customer_id'
    return _duckdb(target['duckdbFile'], sql) if target['kind'] == 'duckdb' else _bigquery(target, sql)


def _duckdb(file: str, sql: str) -> list[dict[str, Any]]:
    import os

    import duckdb
    if not os.path.exists(file):
        raise ValueError(f'no warehouse at {file}: the models learn from a published batch (waymark schedules trigger runs one)')
    try:
        connection = duckdb.connect(file, read_only=True)
    except duckdb.IOException as err:  # held by another process (a build, the pipeline worker)
        raise TrainingDataUnavailable(f'{file}: {err}') from err
    try:
        try:
            cursor = connection.execute(sql.replace(' as string)', ' as varchar)'))
        except duckdb.CatalogException as err:
            raise ValueError(f'{file} has no ml_training table yet: the models learn from a batch published since it was added ({err})') from err
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]
    finally:
        connection.close()


def _bigquery(target: Target, sql: str) -> list[dict[str, Any]]:
    from google.api_core import exceptions
    from google.api_core.client_options import ClientOptions
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import bigquery
    endpoint = target.get('endpoint')
    client = bigquery.Client(project=target['project'], location=target['location'],
                             **({'client_options': ClientOptions(api_endpoint=endpoint), 'credentials': AnonymousCredentials()} if endpoint else {}))
    try:
        job = client.query(sql, job_config=bigquery.QueryJobConfig(use_legacy_sql=False))
        return [dict(row.items()) for row in job.result(timeout=target['jobTimeoutSeconds'])]
    except (exceptions.ServerError, exceptions.TooManyRequests) as err:
        raise TrainingDataUnavailable(str(err)) from err
    finally:
        client.close()
