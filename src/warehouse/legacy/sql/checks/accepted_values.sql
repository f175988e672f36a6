-- Values outside the declared list (@values: the list joined with "|").
SELECT {column} AS value, COUNT(*) AS rows_with_it
FROM {table}
WHERE {column} IS NOT NULL AND STRPOS(CONCAT('|', @values, '|'), CONCAT('|', {column}, '|')) = 0
GROUP BY value
