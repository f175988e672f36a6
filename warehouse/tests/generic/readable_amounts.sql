{#
  The batch's rows of an export whose amount is present but not a number (a currency sign, a
  decimal comma, text), past max_share of the batch's rows (macros/share_check.sql). A missing
  amount is not counted here (null_share judges missing fields). Read as the models read it: the
  same cast (integer: a whole number, as cost_micros).
#}
{% test readable_amounts(model, column_name, max_share, integer=false) %}
{% set type = dbt.type_bigint() if integer else type_float64() %}
{{ rows_past_share(model, 'coalesce(' ~ trim_space(column_name) ~ ", '') <> '' and " ~ dbt.safe_cast(column_name, type) ~ ' is null', max_share) }}
{% endtest %}
