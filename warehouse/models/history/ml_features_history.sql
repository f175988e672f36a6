-- The feature store across batches: each published batch's ml_features rows, kept under the
-- batch's as-of date, so a model can be retrained on the features as they were known on any
-- past date. Built after a publish only (tag history): a quarantined batch adds nothing. A
-- snapshot, once written, is never rewritten: a batch run again, or a late export published as of
-- the same (newest) date, adds nothing to it; late data lands in the next date's snapshot, so
-- training on a past date never sees what was learnt after it.
{{ config(
    materialized='incremental',
    unique_key=['as_of', 'customer_id', 'feature_date'],
    incremental_strategy=('merge' if target.type == 'bigquery' else 'delete+insert'),
    partition_by=({'field': 'as_of', 'data_type': 'date'} if target.type == 'bigquery' else none),
) }}
select p.as_of, f.*
from {{ ref('ml_features') }} as f
cross join {{ ref('batch_params') }} as p
{% if is_incremental() %}
where p.as_of not in (select distinct as_of from {{ this }})
{% endif %}
