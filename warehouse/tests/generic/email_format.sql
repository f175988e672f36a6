{# Values that are not a normalised email address (lower case, no spaces, one @, a dotted domain). #}
{% test email_format(model, column_name) %}
select {{ column_name }} as value from {{ model }}
where {{ column_name }} is not null and not {{ regexp_contains(column_name, '^[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}$') }}
{% endtest %}
