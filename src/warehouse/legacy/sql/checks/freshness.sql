-- The table's newest row, when it is older than @max_age_hours at the end of the as-of day (@cutoff).
SELECT newest, TIMESTAMP_DIFF(cutoff, newest, HOUR) AS age_hours
FROM (SELECT MAX({column}) AS newest, SAFE_CAST(@cutoff AS TIMESTAMP) AS cutoff FROM {table})
WHERE newest IS NULL OR TIMESTAMP_DIFF(cutoff, newest, HOUR) > @max_age_hours
