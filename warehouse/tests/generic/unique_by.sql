{# Keys that appear more than once within the same `by` (e.g. an event id within its source). #}
{% test unique_by(model, column_name, by) %}
select {{ by }} as scope, {{ column_name }} as key_value, count(*) as copies
from {{ model }}
where {{ column_name }} is not null
group by 1, 2
having count(*) > 1
{% endtest %}
