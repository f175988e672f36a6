-- Keys that appear more than once (within {by} when the check names it).
SELECT {by} AS scope, {column} AS key_value, COUNT(*) AS copies
FROM {table}
WHERE {column} IS NOT NULL
GROUP BY scope, key_value
HAVING COUNT(*) > 1
