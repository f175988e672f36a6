-- The batch's rows whose timestamp is missing or unreadable (as text or as epoch microseconds), when their share is above @max_share.
SELECT unreadable, total, SAFE_DIVIDE(unreadable, total) AS share
FROM (
  SELECT
    COUNTIF(COALESCE(SAFE_CAST({column} AS TIMESTAMP), TIMESTAMP_MICROS(SAFE_CAST({column} AS INT64))) IS NULL) AS unreadable,
    COUNT(*) AS total
  FROM {table}
  WHERE _batch_id = @batch_id
)
WHERE SAFE_DIVIDE(unreadable, total) > @max_share
