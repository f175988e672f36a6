{#
  Where BigQuery and DuckDB differ and dbt's cross-database macros (dbt.safe_cast, dbt.concat,
  dbt.hash, dbt.datediff, dbt.type_*) do not cover it, or cover it with another meaning. Each has a
  default (DuckDB) and a bigquery__ version; the models call these instead of either dialect.
#}

{# dbt's default safe_cast is a plain CAST, and dbt-duckdb keeps it: bad text would fail the model
   instead of giving NULL as BigQuery's SAFE_CAST does. DuckDB's TRY_CAST also reads text BigQuery
   refuses ('12.5' and '120.0' as integers, 13 and 120; '1_000' and '1e3', 1000; '1_000' as a float;
   '2026-03-01T10:00:00' as a date) and misses some it reads ('-0x123'): text becomes an integer,
   a float or a date only in the forms BigQuery converts (its literals), else NULL. Other values
   and types: TRY_CAST. tests/fixtures/dbt-golden pins each form. #}
{% macro duckdb__safe_cast(field, type) -%}
  {%- set t = type | string | lower | trim -%}
  {%- set text = 'cast(' ~ field ~ ' as varchar)' -%}
  {%- if t in ('bigint', 'int64', 'integer', 'int') -%}
  (case
    when typeof({{ field }}) <> 'VARCHAR' then try_cast({{ field }} as {{ type }})
    when regexp_full_match({{ text }}, '\s*[+-]?[0-9]+\s*') then try_cast({{ text }} as {{ type }})
    {#- DuckDB reads '0x1A' but neither '-0x1A' nor ' 0x1A': the digits alone, then the sign. #}
    when regexp_full_match({{ text }}, '\s*[+-]?0[xX][0-9a-fA-F]+\s*')
      then (case when contains({{ text }}, '-') then -1 else 1 end) * try_cast(regexp_replace({{ text }}, '[\s+-]', '', 'g') as {{ type }})
  end)
  {%- elif t in ('double', 'float64', 'float8') -%}
  (case
    when typeof({{ field }}) <> 'VARCHAR' then try_cast({{ field }} as {{ type }})
    when regexp_full_match({{ text }}, '\s*[+-]?(([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?|(?i:inf|infinity|nan))\s*') then try_cast({{ text }} as {{ type }})
  end)
  {%- elif t == 'date' -%}
  (case
    when typeof({{ field }}) <> 'VARCHAR' then try_cast({{ field }} as date)
    when regexp_full_match({{ text }}, '\s*[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}\s*') then try_cast({{ text }} as date)
  end)
  {%- else -%}
  try_cast({{ field }} as {{ type }})
  {%- endif -%}
{%- endmacro %}

{#
  Text as a TIMESTAMP, as BigQuery's SAFE_CAST reads it: its canonical form only
  (YYYY-[M]M-[D]D[( |T|t)[H]H:[M]M:[S]S[.up to 6 digits][Z|z|+-H[H][:M[M]]| tz name]]), UTC
  unless the text says otherwise, else NULL. DuckDB's TRY_CAST(... AS TIMESTAMP) drops the offset,
  and its TIMESTAMPTZ reads more ('2026/03/30', '10:00' without seconds, '24:00:00') and less
  (a lower-case t or z, a one-digit offset hour '-7').
#}
{% macro parse_timestamp(text) -%}{{ return(adapter.dispatch('parse_timestamp', 'waymark')(text)) }}{%- endmacro %}
{% macro default__parse_timestamp(text) -%}
(case when regexp_full_match({{ text }}, '\s*[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ]([01]?[0-9]|2[0-3]):[0-5]?[0-9]:[0-5]?[0-9]([.][0-9]{1,6})?([Zz]|[+-][0-9]{1,2}(:[0-9]{1,2})?| +[A-Za-z][A-Za-z0-9_+/-]*)?)?\s*')
  {#- DuckDB's spelling of the same: T and Z in upper case, the offset's hours and minutes in two digits. #}
  then try_cast(try_cast(
    regexp_replace(regexp_replace(regexp_replace(regexp_replace({{ text }},
      '^(\s*[0-9]{4}-[0-9]{1,2}-[0-9]{1,2})t', '\1T'),
      '([0-9])z(\s*)$', '\1Z\2'),
      '(:[0-9]{1,2}([.][0-9]*)?[+-])([0-9])(:|\s*$)', '\10\3\4'),
      '([+-][0-9]{2}:)([0-9])(\s*)$', '\10\2\3')
    as timestamptz) as timestamp)
end)
{%- endmacro %}
{% macro bigquery__parse_timestamp(text) -%}safe_cast({{ text }} as timestamp){%- endmacro %}

{# Epoch microseconds (Firebase) as a TIMESTAMP. #}
{% macro timestamp_from_micros(x) -%}{{ return(adapter.dispatch('timestamp_from_micros', 'waymark')(x)) }}{%- endmacro %}
{% macro default__timestamp_from_micros(x) -%}make_timestamp({{ x }}){%- endmacro %}
{% macro bigquery__timestamp_from_micros(x) -%}timestamp_micros({{ x }}){%- endmacro %}

{# BigQuery's REGEXP_CONTAINS (a match anywhere); the pattern is given without quotes. #}
{% macro regexp_contains(value, pattern) -%}{{ return(adapter.dispatch('regexp_contains', 'waymark')(value, pattern)) }}{%- endmacro %}
{% macro default__regexp_contains(value, pattern) -%}regexp_matches({{ value }}, '{{ pattern }}'){%- endmacro %}
{% macro bigquery__regexp_contains(value, pattern) -%}regexp_contains({{ value }}, r'{{ pattern }}'){%- endmacro %}

{# NULL where b is 0, as BigQuery's SAFE_DIVIDE. #}
{% macro safe_divide(a, b) -%}{{ return(adapter.dispatch('safe_divide', 'waymark')(a, b)) }}{%- endmacro %}
{% macro default__safe_divide(a, b) -%}(case when {{ b }} <> 0 then {{ a }} / {{ b }} end){%- endmacro %}
{% macro bigquery__safe_divide(a, b) -%}safe_divide({{ a }}, {{ b }}){%- endmacro %}

{#
  TRIM(x) as BigQuery's: every leading and trailing whitespace character of Unicode's White_Space
  list (tab, new line, no-break space, ideographic space...). DuckDB's trim() removes spaces and
  the other space separators, not a tab or a new line.
#}
{% macro trim_space(text) -%}{{ return(adapter.dispatch('trim_space', 'waymark')(text)) }}{%- endmacro %}
{% macro default__trim_space(text) -%}
regexp_replace({{ text }}, '^[\x{09}-\x{0D}\x{20}\x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}]+|[\x{09}-\x{0D}\x{20}\x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}]+$', '', 'g')
{%- endmacro %}
{% macro bigquery__trim_space(text) -%}trim({{ text }}){%- endmacro %}

{# GREATEST and LEAST of a list of expressions, NULL when one is (BigQuery's); DuckDB's skip NULLs. #}
{% macro greatest(values) -%}{{ return(adapter.dispatch('greatest', 'waymark')(values)) }}{%- endmacro %}
{% macro default__greatest(values) -%}(case when {{ _any_null(values) }} then null else greatest({{ values | join(', ') }}) end){%- endmacro %}
{% macro bigquery__greatest(values) -%}greatest({{ values | join(', ') }}){%- endmacro %}

{% macro least(values) -%}{{ return(adapter.dispatch('least', 'waymark')(values)) }}{%- endmacro %}
{% macro default__least(values) -%}(case when {{ _any_null(values) }} then null else least({{ values | join(', ') }}) end){%- endmacro %}
{% macro bigquery__least(values) -%}least({{ values | join(', ') }}){%- endmacro %}

{% macro _any_null(values) -%}{% for v in values %}({{ v }}) is null{{ ' or ' if not loop.last }}{% endfor %}{%- endmacro %}

{% macro countif(condition) -%}{{ return(adapter.dispatch('countif', 'waymark')(condition)) }}{%- endmacro %}
{% macro default__countif(condition) -%}count_if({{ condition }}){%- endmacro %}
{% macro bigquery__countif(condition) -%}countif({{ condition }}){%- endmacro %}

{# The week's Sunday, as a DATE (Google Ads' weeks). dbt.date_trunc('week', x) starts on Sunday on BigQuery, on Monday on DuckDB. #}
{% macro week_start_sunday(d) -%}{{ return(adapter.dispatch('week_start_sunday', 'waymark')(d)) }}{%- endmacro %}
{% macro default__week_start_sunday(d) -%}(cast({{ d }} as date) - cast(dayofweek(cast({{ d }} as date)) as integer)){%- endmacro %}
{% macro bigquery__week_start_sunday(d) -%}date_trunc(cast({{ d }} as date), week(sunday)){%- endmacro %}

{# One row per day from start to end (DATE expressions that may name columns of the rows it is joined to), column `day`. #}
{% macro days_between(start_date, end_date) -%}{{ return(adapter.dispatch('days_between', 'waymark')(start_date, end_date)) }}{%- endmacro %}
{% macro default__days_between(s, e) -%}unnest(cast(generate_series(cast({{ s }} as date), cast({{ e }} as date), interval 1 day) as date[])) as days(day){%- endmacro %}
{% macro bigquery__days_between(s, e) -%}unnest(generate_date_array({{ s }}, {{ e }})) as day{%- endmacro %}

{# dbt.type_float() is FLOAT64 on BigQuery but FLOAT (32-bit) on DuckDB: 163.42 would become 163.4199981689453. #}
{% macro type_float64() -%}{{ return(adapter.dispatch('type_float64', 'waymark')()) }}{%- endmacro %}
{% macro default__type_float64() -%}double{%- endmacro %}
{% macro bigquery__type_float64() -%}float64{%- endmacro %}

{# dbt.dateadd on BigQuery gives a DATETIME, which BigQuery neither compares with a TIMESTAMP nor
   takes in GENERATE_DATE_ARRAY: these keep the type they are given. #}
{% macro timestamp_add(ts, n, unit) -%}{{ return(adapter.dispatch('timestamp_add', 'waymark')(ts, n, unit)) }}{%- endmacro %}
{% macro default__timestamp_add(ts, n, unit) -%}({{ ts }} + ({{ n }}) * interval 1 {{ unit }}){%- endmacro %}
{% macro bigquery__timestamp_add(ts, n, unit) -%}timestamp_add({{ ts }}, interval {{ n }} {{ unit }}){%- endmacro %}

{% macro date_add(d, n, unit) -%}{{ return(adapter.dispatch('date_add', 'waymark')(d, n, unit)) }}{%- endmacro %}
{% macro default__date_add(d, n, unit) -%}cast({{ d }} + ({{ n }}) * interval 1 {{ unit }} as date){%- endmacro %}
{% macro bigquery__date_add(d, n, unit) -%}date_add({{ d }}, interval {{ n }} {{ unit }}){%- endmacro %}

{#
  An epoch number in seconds, milliseconds, microseconds or nanoseconds, as a timestamp: the unit
  is the one that puts it between 2000 and 2100 (the four ranges do not overlap). Anything else
  (42, a negative number, text) is null, never 1970.
#}
{% macro epoch_to_timestamp(text) -%}
{%- set n = dbt.safe_cast(text, dbt.type_bigint()) -%}
case
  when {{ n }} between 946684800 and 4102444800 then {{ timestamp_from_micros(n ~ ' * 1000000') }}
  when {{ n }} between 946684800000 and 4102444800000 then {{ timestamp_from_micros(n ~ ' * 1000') }}
  when {{ n }} between 946684800000000 and 4102444800000000 then {{ timestamp_from_micros(n) }}
  when {{ n }} between 946684800000000000 and 4102444800000000000 then {{ timestamp_from_micros('cast(floor(' ~ n ~ ' / 1000) as ' ~ dbt.type_bigint() ~ ')') }}
end
{%- endmacro %}
