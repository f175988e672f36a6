{#
  `dbt source freshness`, measured at the batch's as-of cutoff (the first instant after its date)
  instead of the wall clock: an export of 31 March is judged as of 31 March, whenever it is built
  (a backfill, a batch run again). Rows dated at or after the cutoff (a clock set in the future,
  a typo in a year) are not evidence of freshness and are left out. No row at all counts as
  stale. Overrides dbt's
  default__collect_freshness (dispatch search order in dbt_project.yml).
#}
{% macro default__collect_freshness(source, loaded_at_field, filter) %}
  {% call statement('collect_freshness', fetch_result=True, auto_begin=False) -%}
    select
      coalesce(max({{ loaded_at_field }}), cast('1970-01-01 00:00:00' as {{ dbt.type_timestamp() }})) as max_loaded_at,
      (select cutoff from {{ dataset('build') }}.batch_params) as snapshotted_at
    from {{ source }}
    where {{ loaded_at_field }} < (select cutoff from {{ dataset('build') }}.batch_params)
    {% if filter %}
      and ({{ filter }})
    {% endif %}
  {% endcall %}
  {{ return(load_result('collect_freshness')) }}
{% endmacro %}
