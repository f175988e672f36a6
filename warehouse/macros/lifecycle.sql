{#
  The lifecycle stages' thresholds (models/staging/customer_360.sql), in one place: a paying
  customer seen within `active` days is active, within `lapsed` days lapsed, else churned.
#}
{% macro lifecycle_days(stage) -%}{{ {'active': 30, 'lapsed': 90}[stage] }}{%- endmacro %}

{# Salesforce plans (Plan__c, lower case) that are paid: a contact on one is a customer even before an order reaches the shop. #}
{% macro lifecycle_paid_plans() -%}{{ return(['starter', 'pro', 'enterprise']) }}{%- endmacro %}
