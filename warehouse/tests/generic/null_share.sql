{#
  A critical column missing (null or blank) in more than max_share of the batch's rows of an
  export: a source that stopped sending a field, not one odd row. The failing rows are the rows
  missing it (so a reason counts bad rows), returned only when their share passes the threshold.
#}
{% test null_share(model, column_name, max_share) %}
with batch_rows as (
  select * from {{ model }}
  where _batch_id = (select batch_id from {{ ref('batch_params') }})
),
counted as (
  select {{ countif('coalesce(' ~ trim_space(column_name) ~ ", '') = ''") }} as missing, count(*) as total from batch_rows
)
select b.*
from batch_rows as b
cross join counted as c
where coalesce({{ trim_space('b.' ~ column_name) }}, '') = '' and {{ safe_divide('c.missing', 'c.total') }} > {{ max_share }}
{% endtest %}
