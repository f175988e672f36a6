import fs from 'node:fs';
import path from 'node:path';
import { SOURCE_EXPORTS } from '../sources';
import { makePerson, messyEmail, type Person } from './people';
import { seededRandom, type Random } from './random';

export interface SeedOptions {
  /** Landing folder; the export goes to <landingDir>/<exportId>/. */
  landingDir: string;
  customers: number;
  seed: number;
  /** The export's date (YYYY-MM-DD): activity ends on it, the pipeline computes marts as of it. */
  asOf: string;
  /** Web and app events per customer on average. */
  eventsPerCustomer: number;
  /** Days of history before asOf. */
  days: number;
  /** A broken export: a third of the web and app events carry unreadable timestamps. */
  corrupt?: boolean;
  exportId?: string;
}

export interface Manifest {
  exportId: string;
  asOf: string;
  seed: number;
  customers: number;
  rows: Record<string, number>;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const JOURNEYS = [
  { id: 'onboarding', steps: ['welcome_email', 'setup_tips', 'first_win'] },
  { id: 'trial-conversion', steps: ['trial_midpoint', 'upgrade_offer'] },
  { id: 'churn-prevention', steps: ['winback_offer', 'account_manager_call'] },
];
const AD_CAMPAIGNS = [
  { id: '9001', name: 'spring_sale' },
  { id: '9002', name: 'brand_search' },
  { id: '9003', name: 'retargeting' },
  { id: '9004', name: 'webinar' },
];

/** Buffered NDJSON writer: an export can hold millions of lines. */
function ndjsonWriter(file: string) {
  fs.writeFileSync(file, '');
  let lines: string[] = [];
  let count = 0;
  const flush = () => {
    if (lines.length) fs.appendFileSync(file, lines.join('\n') + '\n');
    lines = [];
  };
  return {
    write(row: Record<string, string | null>) {
      lines.push(JSON.stringify(row));
      count++;
      if (lines.length >= 20_000) flush();
    },
    close(): number {
      flush();
      return count;
    },
  };
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
/** GA360's export style: "2026-03-01 10:00:00+00". */
const gaTime = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ') + '+00';
/** Shopify's style: local time with the shop's offset (here UTC-5). */
const shopTime = (ms: number) => new Date(ms - 5 * 3_600_000).toISOString().slice(0, 19) + '-05:00';

/** A moment in the person's active window: before they went quiet, after the history starts. */
function activeMoment(person: Person, random: Random, endMs: number, days: number): number {
  const last = endMs - person.quietDays * DAY_MS;
  const first = endMs - days * DAY_MS;
  return Math.floor(first + random.next() * Math.max(DAY_MS, last - first));
}

/** A timestamp as a source sometimes sends it: missing or unreadable. */
function maybeBroken(text: string, random: Random, rate: number): string | null {
  if (!random.chance(rate)) return text;
  return random.pick([null, '', 'N/A', '31/02/2026 25:61']);
}

/**
 * Writes one export of the seven sources (nine files) with the messiness real exports have:
 * duplicates, emails in other case and spacing, late and out-of-order events, nulls, invalid rows.
 */
export function writeExports(options: SeedOptions): Manifest {
  const { customers, seed, asOf, eventsPerCustomer, days } = options;
  const exportId = options.exportId ?? `export-${asOf}-s${seed}-c${customers}${options.corrupt ? '-corrupt' : ''}`;
  const dir = path.join(options.landingDir, exportId);
  fs.mkdirSync(dir, { recursive: true });
  const random = seededRandom(seed);
  const endMs = Date.parse(`${asOf}T23:59:59Z`);
  const out = Object.fromEntries(SOURCE_EXPORTS.map((s) => [s.name, ndjsonWriter(path.join(dir, `${s.name}.ndjson`))]));
  const w = (name: string, row: Record<string, string | null>) => out[name]!.write(row);
  const brokenRate = options.corrupt ? 0.35 : 0.004;
  let hit = 0;

  for (let i = 0; i < customers; i++) {
    const p = makePerson(i, random);
    if (p.inSalesforce) {
      const contact = {
        Id: p.contactId, Email: messyEmail(p.email, random), FirstName: p.first, LastName: p.last, AccountName: p.company,
        Plan__c: p.plan, NumberOfEmployees: random.chance(0.1) ? null : String(p.employees),
        CreatedDate: iso(endMs - (days + 30) * DAY_MS), LastModifiedDate: iso(endMs - random.int(1, 240) * HOUR_MS),
      };
      w('salesforce_contacts', contact);
      // An older copy of the record, with the plan it had before: staging keeps the latest.
      if (random.chance(0.03)) w('salesforce_contacts', { ...contact, Plan__c: 'free', LastModifiedDate: iso(endMs - 60 * DAY_MS) });
      for (let o = random.int(0, 2); o > 0; o--) {
        w('salesforce_opportunities', { Id: `006${i}${o}`, ContactId: p.contactId, Amount: String(random.int(5, 200) * 100), StageName: random.pick(['Prospecting', 'Closed Won', 'Closed Lost']), CloseDate: iso(activeMoment(p, random, endMs, days)).slice(0, 10) });
      }
    }
    if (random.chance(0.25)) {
      w('salesforce_leads', { Id: `00Q${i}`, Email: messyEmail(p.email, random), Company: p.company, Status: p.inSalesforce ? 'Converted' : 'Open', ConvertedContactId: p.inSalesforce ? p.contactId : null, CreatedDate: iso(endMs - (p.inSalesforce ? days + 40 : i % 7) * DAY_MS) });
    }
    const visitor = `${1_000_000_000 + i * 7919}`;
    const events = Math.max(1, Math.round(eventsPerCustomer * (0.3 + 1.4 * p.engagement)));
    for (let e = 0; e < events; e++) {
      const at = activeMoment(p, random, endMs, days);
      if (p.inFirebase && random.chance(0.6)) {
        const row = { event_id: `fb-${i}-${e}`, user_id: p.shopId, event_name: random.pick(['session_start', 'screen_view', 'feature_used', 'feature_used', 'purchase_intent']), event_timestamp: maybeBroken(String(at * 1000), random, brokenRate), platform: random.pick(['ios', 'android']), app_version: random.pick(['4.1.0', '4.2.1', null]) };
        w('firebase_events', row);
        if (random.chance(0.02)) w('firebase_events', row); // the SDK re-sent a batch
      } else {
        const loggedIn = p.inShopify && random.chance(0.75);
        const row = { hitId: `${visitor}-${hit++}`, fullVisitorId: visitor, userId: loggedIn ? p.shopId : null, hitTimestamp: maybeBroken(gaTime(at), random, brokenRate), eventAction: random.pick(['page_view', 'page_view', 'add_to_cart', 'sign_in']), pagePath: random.pick(['/', '/pricing', '/docs', '/cart', '/account']), utmCampaign: random.chance(0.2) ? random.pick(AD_CAMPAIGNS).name : null };
        w('ga360_hits', row);
        if (random.chance(0.02)) w('ga360_hits', row);
      }
    }
    if (p.inShopify) {
      for (let o = Math.round(p.engagement * random.int(0, 5)); o > 0; o--) {
        const row = { id: `${5_000_000 + i * 10 + o}`, customer_id: p.shopId, email: messyEmail(p.email, random), created_at: shopTime(activeMoment(p, random, endMs, days)), total_price: random.chance(0.01) ? 'N/A' : (random.int(900, 25_000) / 100).toFixed(2), currency: 'USD', financial_status: random.pick(['paid', 'paid', 'paid', 'refunded', 'pending']) };
        w('shopify_orders', row);
        if (random.chance(0.02)) w('shopify_orders', row);
      }
    }
    if (p.inBraze) {
      for (const journey of JOURNEYS) {
        if (!random.chance(0.5)) continue;
        const variant = random.pick(['control', 'variant_a']);
        for (const step of journey.steps) {
          const sentAt = activeMoment(p, random, endMs, days);
          const base = { external_id: p.shopId, email: random.chance(0.1) ? null : messyEmail(p.email, random), canvas_id: journey.id, canvas_step_name: step, canvas_variation_name: variant };
          w('braze_engagement', { id: `bz-${i}-${journey.id}-${step}-send`, ...base, event: 'send', time: iso(sentAt) });
          if (random.chance(0.3 + 0.6 * p.engagement)) w('braze_engagement', { id: `bz-${i}-${journey.id}-${step}-open`, ...base, event: 'open', time: iso(sentAt + random.int(1, 48) * 3_600_000) });
          if (random.chance(0.4 * p.engagement)) w('braze_engagement', { id: `bz-${i}-${journey.id}-${step}-click`, ...base, event: 'click', time: iso(sentAt + random.int(49, 72) * 3_600_000) });
        }
      }
    }
    if (p.opensTickets) {
      for (let t = random.int(1, 3); t > 0; t--) {
        const unhappy = p.engagement < 0.2;
        w('zendesk_tickets', { id: `${80_000 + i * 5 + t}`, requester_email: random.chance(0.05) ? null : messyEmail(p.email, random), status: unhappy ? random.pick(['open', 'pending', 'solved']) : random.pick(['solved', 'solved', 'closed', 'open']), priority: random.pick(['low', 'normal', 'high', 'urgent']), created_at: iso(endMs - random.int(0, days) * DAY_MS), satisfaction_rating: unhappy ? random.pick(['bad', 'unoffered']) : random.pick(['good', 'unoffered', null]) });
      }
    }
  }
  for (let d = days - 1; d >= 0; d--) {
    const date = iso(endMs - d * DAY_MS).slice(0, 10);
    for (const c of AD_CAMPAIGNS) {
      const impressions = random.int(800, 5000);
      const clicks = Math.round(impressions * (0.01 + random.next() * 0.04));
      w('google_ads_campaign_stats', { date, campaign_id: c.id, campaign_name: c.name, impressions: String(impressions), clicks: String(clicks), cost_micros: String(clicks * random.int(300_000, 2_000_000)), conversions: String(Math.round(clicks * random.next() * 0.1)) });
    }
  }
  const rows = Object.fromEntries(Object.entries(out).map(([name, writer]) => [name, writer.close()]));
  const manifest: Manifest = { exportId, asOf, seed, customers, rows };
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}
