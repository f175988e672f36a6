-- Exports whose row count this batch is outside [@min_ratio, @max_ratio] times their average over
-- the last @lookback_batches published batches (no history yet: nothing to compare, no failure).
WITH this_batch AS (
  SELECT batch_id FROM waymark_build.batch_params
),
recent AS (
  SELECT batch_id FROM waymark_ops.batches
  WHERE status = 'published' AND batch_id != (SELECT batch_id FROM this_batch)
  QUALIFY ROW_NUMBER() OVER (ORDER BY updated_at DESC) <= @lookback_batches
),
history AS (
  SELECT s.source, AVG(s.rows_loaded) AS usual_rows
  FROM waymark_ops.batch_sources AS s JOIN recent AS r ON r.batch_id = s.batch_id
  GROUP BY s.source
)
SELECT c.source, c.rows_loaded, ROUND(h.usual_rows, 1) AS usual_rows
FROM waymark_ops.batch_sources AS c
JOIN history AS h ON h.source = c.source
WHERE c.batch_id = (SELECT batch_id FROM this_batch)
  AND (c.rows_loaded < h.usual_rows * @min_ratio OR c.rows_loaded > h.usual_rows * @max_ratio)
