{# customer_id: cus_ + the first 16 hex digits of the MD5 of an email (the anchor email of the person, see identity_links). #}
{% macro customer_id(email) -%}{{ dbt.concat(["'cus_'", "substr(" ~ dbt.hash(email) ~ ", 1, 16)"]) }}{%- endmacro %}

{# What counts as an email when linking identities (a looser test than the email_format check). #}
{% macro email_pattern() -%}^[^@\s]+@[^@\s]+\.[a-z]+${%- endmacro %}

{# A normalised email (lower case, without the whitespace around it, tabs and no-break spaces included), or null when the text is not one. #}
{% macro clean_email(text) -%}
case when {{ regexp_contains('lower(' ~ trim_space(text) ~ ')', email_pattern()) }} then lower({{ trim_space(text) }}) end
{%- endmacro %}

{#
  An identity key: a one-letter kind, ':', the value (e: email, c: Salesforce contact id,
  l: Salesforce lead id, s: the shop's customer id, which Braze's external_id, Firebase's user_id
  and GA360's userId also carry). The kind is one character, so two different pairs never make
  the same key. Null when the value is.
#}
{% macro identity_key(kind, value) -%}
case when {{ value }} is not null then {{ dbt.concat(["'" ~ kind ~ ":'", value]) }} end
{%- endmacro %}

{# The row's own id, or, when the source sent none, one derived from the row's content (its raw _row_key), so keyless rows never merge into each other. #}
{% macro row_id(column) -%}coalesce({{ column }}, {{ dbt.concat(["'row:'", "_row_key"]) }}){%- endmacro %}
