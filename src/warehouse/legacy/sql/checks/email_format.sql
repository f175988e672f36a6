-- Values that are not a normalised email address (lower case, no spaces, one @, a dotted domain).
SELECT {column} AS value FROM {table}
WHERE {column} IS NOT NULL AND NOT REGEXP_CONTAINS({column}, r'^[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}$')
