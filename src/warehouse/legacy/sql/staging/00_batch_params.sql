-- The batch being built, as a one-row table the models and checks read: its id, its date, and
-- the first instant after that date (the bound of every "as of" computation).
CREATE OR REPLACE TABLE waymark_build.batch_params AS
SELECT @batch_id AS batch_id, CAST(@as_of AS DATE) AS as_of, SAFE_CAST(@cutoff AS TIMESTAMP) AS cutoff;
