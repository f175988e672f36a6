{# The batch's rows whose timestamp is missing or unreadable (as text, or as an epoch in a plausible unit), when their share is above max_share. #}
{% test readable_timestamps(model, column_name, max_share) %}
select unreadable, total, {{ safe_divide('unreadable', 'total') }} as share
from (
  select
    {{ countif('coalesce(' ~ parse_timestamp(column_name) ~ ', ' ~ epoch_to_timestamp(column_name) ~ ') is null') }} as unreadable,
    count(*) as total
  from {{ model }}
  where _batch_id = (select batch_id from {{ ref('batch_params') }})
) as counted
where {{ safe_divide('unreadable', 'total') }} > {{ max_share }}
{% endtest %}
