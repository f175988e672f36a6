{#
  The batch's rows of an export whose amount is present but not a number (a currency sign, a
  decimal comma, text), when their share of the batch's rows passes max_share. A missing amount
  is not counted here (null_share judges missing fields). Read as the models read it: the same
  cast (integer: a whole number, as cost_micros). The failing rows are the unreadable rows
  themselves (a reason counts bad rows).
#}
{% test readable_amounts(model, column_name, max_share, integer=false) %}
{% set type = dbt.type_bigint() if integer else type_float64() %}
{% set unreadable = 'coalesce(' ~ trim_space(column_name) ~ ", '') <> '' and " ~ dbt.safe_cast(column_name, type) ~ ' is null' %}
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
