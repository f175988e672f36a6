-- Rows missing a value that must be there.
SELECT * FROM {table} WHERE {column} IS NULL
