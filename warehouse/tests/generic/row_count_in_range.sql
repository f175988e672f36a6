{#
  Exports whose row count this batch is outside [min_ratio, max_ratio] times their average over
  the last lookback_batches published batches (no history yet: nothing to compare, no failure).
  `model` is the rows-per-export table (source ops.batch_sources).
#}
{% test row_count_in_range(model, min_ratio, max_ratio, lookback_batches) %}
with this_batch as (
  select batch_id from {{ ref('batch_params') }}
),
recent as (
  select batch_id from {{ source('ops', 'batches') }}
  where status = 'published' and batch_id != (select batch_id from this_batch)
  qualify row_number() over (order by updated_at desc, batch_id) <= {{ lookback_batches }}
),
history as (
  select s.source, avg(s.rows_loaded) as usual_rows
  from {{ model }} as s join recent as r on r.batch_id = s.batch_id
  group by s.source
)
select c.source, c.rows_loaded, round(h.usual_rows, 1) as usual_rows
from {{ model }} as c
join history as h on h.source = c.source
where c.batch_id = (select batch_id from this_batch)
  and (c.rows_loaded < h.usual_rows * {{ min_ratio }} or c.rows_loaded > h.usual_rows * {{ max_ratio }})
{% endtest %}
