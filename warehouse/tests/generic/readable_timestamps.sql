{#
  The batch's rows of an export whose timestamp is missing or unreadable (as text, or as an epoch
  in a plausible unit), past max_share of the batch's rows (macros/share_check.sql).
#}
{% test readable_timestamps(model, column_name, max_share) %}
{{ rows_past_share(model, 'coalesce(' ~ parse_timestamp(column_name) ~ ', ' ~ epoch_to_timestamp(column_name) ~ ') is null', max_share) }}
{% endtest %}
