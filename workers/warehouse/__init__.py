"""Waymark's warehouse activities in Python: dbt builds of the warehouse/ project, for the TypeScript
pipeline workflows (workflows/pipeline/warehouse-remote.ts declares them on that side).

Never name a module here (or anywhere on the Python path) `dbt_*`: dbt's plugin loader imports every
top-level module with that prefix, which would run it a second time inside dbt.
"""
