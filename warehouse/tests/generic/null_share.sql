{#
  A critical column missing (null or blank) in more than max_share of the batch's rows of an
  export: a source that stopped sending a field, not one odd row (macros/share_check.sql).
#}
{% test null_share(model, column_name, max_share) %}
{{ rows_past_share(model, 'coalesce(' ~ trim_space(column_name) ~ ", '') = ''", max_share) }}
{% endtest %}
