{#
  The batch's rows of an export whose timestamp is missing or unreadable (as text, or as an epoch
  in a plausible unit), when their share of the batch's rows passes max_share. The failing rows are
  the unreadable rows themselves (a reason counts bad rows).
#}
{% test readable_timestamps(model, column_name, max_share) %}
{% set unreadable = 'coalesce(' ~ parse_timestamp(column_name) ~ ', ' ~ epoch_to_timestamp(column_name) ~ ') is null' %}
with batch_rows as (
  select * from {{ model }}
  where _batch_id = (select batch_id from {{ ref('batch_params') }})
),
counted as (
  select {{ countif(unreadable) }} as unreadable, count(*) as total from batch_rows
)
select b.*
from batch_rows as b
cross join counted as c
where {{ unreadable }} and {{ safe_divide('c.unreadable', 'c.total') }} > {{ max_share }}
{% endtest %}
