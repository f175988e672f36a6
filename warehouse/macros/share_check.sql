{#
  The batch's rows of an export for which `bad` holds, returned only when their share of the
  batch's rows of that export passes max_share: a check on a share whose failing rows are the bad
  rows themselves (a reason counts bad rows), so one odd row does not hold the batch. Used by the
  generic tests null_share, readable_timestamps and readable_amounts.
#}
{% macro rows_past_share(model, bad, max_share) %}
with batch_rows as (
  select * from {{ model }}
  where _batch_id = (select batch_id from {{ ref('batch_params') }})
),
counted as (
  select {{ countif(bad) }} as bad_rows, count(*) as all_rows from batch_rows
)
select b.*
from batch_rows as b
cross join counted as c
where {{ bad }} and {{ safe_divide('c.bad_rows', 'c.all_rows') }} > {{ max_share }}
{% endmacro %}
