-- ML features: one row per customer per day for the 30 days up to the batch's date, point-in-time
-- correct: a row for day D uses only events that happened before D ended (ml_feature_days), so a
-- model scoring day D's row sees what a model trained on earlier days' rows saw.
select f.*
from {{ ref('ml_feature_days') }} as f
where f.feature_date > (select {{ date_add('as_of', -30, 'day') }} from {{ ref('batch_params') }})
