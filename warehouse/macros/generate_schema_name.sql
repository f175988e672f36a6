{#
  A layer's dataset (DuckDB: schema) is the deployment's prefix and the layer: +schema: build ->
  waymark_build, as the pipeline's own SQL names them (src/warehouse/datasets.ts renames the same
  way when WAYMARK_WAREHOUSE_DATASET_PREFIX sets another prefix). Not dbt's <target>_<schema>.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
  {%- if custom_schema_name -%}{{ dataset(custom_schema_name | trim) }}{%- else -%}{{ target.schema }}{%- endif -%}
{%- endmacro %}

{% macro dataset(layer) -%}{{ env_var('WAYMARK_DBT_DATASET_PREFIX', 'waymark_') }}{{ layer }}{%- endmacro %}
