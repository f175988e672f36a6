{# One export's raw rows without those of quarantined batches: what every model reads. #}
{% macro accepted(export) -%}
select * from {{ source('raw', export) }}
where _batch_id not in (select batch_id from {{ source('ops', 'batches') }} where status = 'quarantined')
{%- endmacro %}
