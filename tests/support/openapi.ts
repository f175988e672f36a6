import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

interface Schema {
  $ref?: string;
  type?: string;
  required?: string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema;
  const?: unknown;
}

const SPEC = parse(fs.readFileSync(path.resolve(__dirname, '../../docs/openapi.yaml'), 'utf8')) as { components: { schemas: Record<string, Schema> }; paths: Record<string, unknown> };

export const OPENAPI_PATHS = Object.keys(SPEC.paths);

function resolve(schema: Schema): Schema {
  return schema.$ref ? SPEC.components.schemas[schema.$ref.replace('#/components/schemas/', '')]! : schema;
}

/**
 * Where `value` departs from docs/openapi.yaml's schema `name` (types, required and declared
 * properties, array items): the documented API checked against real answers. [] when it conforms.
 */
export function departures(value: unknown, name: string): string[] {
  const found: string[] = [];
  const check = (v: unknown, raw: Schema, at: string): void => {
    const s = resolve(raw);
    const kind = Array.isArray(v) ? 'array' : v === null ? 'null' : Number.isInteger(v) ? 'integer' : typeof v;
    if (s.type && !(s.type === kind || (s.type === 'number' && kind === 'integer'))) return void found.push(`${at}: ${kind}, documented as ${s.type}`);
    if (s.const !== undefined && v !== s.const) found.push(`${at}: ${JSON.stringify(v)}, documented as ${JSON.stringify(s.const)}`);
    if (kind === 'array' && s.items) (v as unknown[]).forEach((item, i) => check(item, s.items!, `${at}[${i}]`));
    // An object schema that declares no properties (additionalProperties: {}) takes any object, as JSON Schema's empty schema does.
    if (kind !== 'object' || (!s.type && !s.properties && !s.required)) return;
    const object = v as Record<string, unknown>;
    for (const key of s.required ?? []) if (!(key in object)) found.push(`${at}.${key}: missing, documented as required`);
    for (const [key, item] of Object.entries(object)) {
      const declared = s.properties?.[key] ?? s.additionalProperties;
      if (declared) check(item, declared, `${at}.${key}`);
      else found.push(`${at}.${key}: not documented`);
    }
  };
  check(value, { $ref: `#/components/schemas/${name}` }, name);
  return found;
}
