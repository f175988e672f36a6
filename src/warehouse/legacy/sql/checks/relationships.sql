-- Child rows whose key has no parent row.
SELECT child.{column} AS orphan_key, COUNT(*) AS rows_with_it
FROM {table} AS child
LEFT JOIN {to} AS parent ON parent.{field} = child.{column}
WHERE child.{column} IS NOT NULL AND parent.{field} IS NULL
GROUP BY orphan_key
