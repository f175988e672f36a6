import fs from 'node:fs';
import path from 'node:path';
import { SOURCE_EXPORTS } from '../../src/warehouse/sources';

/** One row of a source's export, as the source sends it: text fields, some missing or null. */
export type ExportRow = Record<string, string | null>;

/**
 * A hand-made export in `landingDir`/`exportId`: the rows given per source (every other source's
 * file is written empty, as an export always holds all of them) and its manifest.
 */
export function writeExport(landingDir: string, exportId: string, asOf: string, rows: Partial<Record<string, ExportRow[]>>): void {
  const dir = path.join(landingDir, exportId);
  fs.mkdirSync(dir, { recursive: true });
  for (const name of Object.keys(rows)) {
    if (!SOURCE_EXPORTS.some((s) => s.name === name)) throw new Error(`no source export named ${name}`);
  }
  for (const source of SOURCE_EXPORTS) {
    const lines = (rows[source.name] ?? []).map((row) => JSON.stringify(row));
    fs.writeFileSync(path.join(dir, `${source.name}.ndjson`), lines.length ? `${lines.join('\n')}\n` : '');
  }
  const counts = Object.fromEntries(SOURCE_EXPORTS.map((s) => [s.name, rows[s.name]?.length ?? 0]));
  fs.writeFileSync(path.join(dir, 'manifest.json'), `${JSON.stringify({ exportId, asOf, rows: counts }, null, 2)}\n`);
}

/** Shorthands for the rows the tests need, with the fields each source really sends. */
export const rows = {
  contact: (id: string, email: string, modified: string, extra: ExportRow = {}): ExportRow => ({
    Id: id, Email: email, FirstName: 'Ana', LastName: 'Silva', AccountName: 'Acme', Plan__c: 'pro', NumberOfEmployees: '42',
    CreatedDate: '2025-06-01T00:00:00Z', LastModifiedDate: modified, ...extra,
  }),
  lead: (id: string, email: string, status: string, extra: ExportRow = {}): ExportRow => ({ Id: id, Email: email, Company: 'Acme', Status: status, ConvertedContactId: null, CreatedDate: '2026-01-10T00:00:00Z', ...extra }),
  order: (id: string, shopId: string, email: string, createdAt: string, extra: ExportRow = {}): ExportRow => ({ id, customer_id: shopId, email, created_at: createdAt, total_price: '120.00', currency: 'USD', financial_status: 'paid', ...extra }),
  app: (id: string, shopId: string, micros: string, extra: ExportRow = {}): ExportRow => ({ event_id: id, user_id: shopId, event_name: 'feature_used', event_timestamp: micros, platform: 'ios', app_version: '4.2.1', ...extra }),
  hit: (hitId: string | null, shopId: string, at: string, extra: ExportRow = {}): ExportRow => ({ hitId, fullVisitorId: '1000000001', userId: shopId, hitTimestamp: at, eventAction: 'page_view', pagePath: '/docs', utmCampaign: null, ...extra }),
  ticket: (id: string, email: string, status: string, extra: ExportRow = {}): ExportRow => ({ id, requester_email: email, status, priority: 'normal', created_at: '2026-03-20T10:00:00Z', satisfaction_rating: null, ...extra }),
  open: (id: string, shopId: string, email: string, at: string): ExportRow => ({ id, external_id: shopId, email, canvas_id: 'onboarding', canvas_step_name: 'welcome_email', canvas_variation_name: 'control', event: 'open', time: at }),
  /** A Braze engagement event (send, open, click) of a Canvas step and variation. */
  engagement: (id: string, shopId: string, email: string, event: string, at: string, canvas: { canvas_id: string; canvas_step_name: string | null; canvas_variation_name: string | null }): ExportRow => ({
    id, external_id: shopId, email, ...canvas, event, time: at,
  }),
};

/** Epoch microseconds of an ISO time, as Firebase exports its event_timestamp. */
export const micros = (iso: string): string => `${Date.parse(iso)}000`;
