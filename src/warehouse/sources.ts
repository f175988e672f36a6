import type { Column } from './port';

/**
 * The exports Waymark ingests: one raw table per export, every field kept as text, exactly as the
 * source sent it (staging casts and cleans). The field names are the sources' own.
 */
export interface SourceExport {
  /** Raw table name (waymark_raw.<name>) and file name (<name>.ndjson) in a landing folder. */
  name: string;
  system: string;
  fields: string[];
  /**
   * The fields that identify a person, by identity key kind (warehouse/macros/identity.sql): e an
   * email, c a Salesforce contact id, l a lead id, s the shop's customer id. Erasure deletes the
   * rows whose field holds one of a customer's keys (src/warehouse/erase.ts).
   */
  identifies: Readonly<Record<string, 'e' | 'c' | 'l' | 's'>>;
}

export const SOURCE_EXPORTS: readonly SourceExport[] = [
  { name: 'salesforce_contacts', system: 'Salesforce', fields: ['Id', 'Email', 'FirstName', 'LastName', 'AccountName', 'Plan__c', 'NumberOfEmployees', 'CreatedDate', 'LastModifiedDate'], identifies: { Id: 'c', Email: 'e' } },
  { name: 'salesforce_leads', system: 'Salesforce', fields: ['Id', 'Email', 'Company', 'Status', 'ConvertedContactId', 'CreatedDate'], identifies: { Id: 'l', Email: 'e', ConvertedContactId: 'c' } },
  { name: 'salesforce_opportunities', system: 'Salesforce', fields: ['Id', 'ContactId', 'Amount', 'StageName', 'CloseDate'], identifies: { ContactId: 'c' } },
  { name: 'ga360_hits', system: 'GA360', fields: ['hitId', 'fullVisitorId', 'userId', 'hitTimestamp', 'eventAction', 'pagePath', 'utmCampaign'], identifies: { userId: 's' } },
  { name: 'firebase_events', system: 'Firebase', fields: ['event_id', 'user_id', 'event_name', 'event_timestamp', 'platform', 'app_version'], identifies: { user_id: 's' } },
  { name: 'google_ads_campaign_stats', system: 'Google Ads', fields: ['date', 'campaign_id', 'campaign_name', 'impressions', 'clicks', 'cost_micros', 'conversions'], identifies: {} },
  { name: 'braze_engagement', system: 'Braze', fields: ['id', 'external_id', 'email', 'canvas_id', 'canvas_step_name', 'canvas_variation_name', 'event', 'time'], identifies: { external_id: 's', email: 'e' } },
  { name: 'shopify_orders', system: 'Shopify', fields: ['id', 'customer_id', 'email', 'created_at', 'total_price', 'currency', 'financial_status'], identifies: { customer_id: 's', email: 'e' } },
  { name: 'zendesk_tickets', system: 'Zendesk', fields: ['id', 'requester_email', 'status', 'priority', 'created_at', 'satisfaction_rating'], identifies: { requester_email: 'e' } },
];

/** Columns of a raw table: the export's fields as text, then where each row came from. */
export function rawColumns(source: SourceExport): Column[] {
  return [
    ...source.fields.map((name) => ({ name, type: 'STRING' as const })),
    { name: '_row_key', type: 'STRING' },
    { name: '_batch_id', type: 'STRING' },
    { name: '_loaded_at', type: 'TIMESTAMP' },
  ];
}

export function loadColumns(source: SourceExport): Column[] {
  return source.fields.map((name) => ({ name, type: 'STRING' as const }));
}
