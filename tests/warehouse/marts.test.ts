import type { DirectBuilds } from '../../src/warehouse/dbt-direct';
import { rows } from '../support/exports';
import { startDirectBuildsProcess } from '../support/warehouse-python';
import { said, warehouseWorld } from '../support/warehouse-world';

/**
 * The marts toward the data foundation's model, on a hand-made export whose answers are worked
 * out by hand: attribution (last touch and linear), campaign ROAS and ROI, Customer 360's revenue,
 * engagement and completeness, lead scoring features, and the KPIs.
 */

let dbt: DirectBuilds;
beforeAll(async () => {
  dbt = await startDirectBuildsProcess();
}, 120_000);
afterAll(() => dbt?.close());

describe('marts on a hand-made export', () => {
  let world: ReturnType<typeof warehouseWorld>;

  beforeAll(async () => {
    world = warehouseWorld(dbt);
    const hit = (id: string, shop: string, at: string, campaign: string | null) => rows.hit(id, shop, at, { utmCampaign: campaign });
    world.export('marts', '2026-03-31', {
      // Ana came from "spring", then "retarget", then paid 120; Bo paid 80 with no campaign (organic).
      ga360_hits: [hit('h1', 'shop-a', '2026-03-10 09:00:00+00', 'spring'), hit('h2', 'shop-a', '2026-03-20 09:00:00+00', 'retarget'), hit('h3', 'shop-a', '2026-03-21 09:00:00+00', null)],
      shopify_orders: [rows.order('9001', 'shop-a', 'ana@shop.test', '2026-03-25T10:00:00-05:00'), rows.order('9002', 'shop-b', 'bo@shop.test', '2026-03-28T10:00:00-05:00', { total_price: '80.00' })],
      google_ads_campaign_stats: [{ date: '2026-03-24', campaign_id: 'c-2', campaign_name: 'retarget', impressions: '1000', clicks: '50', cost_micros: '40000000', conversions: '1' }],
      // Cy is a prospect (free plan) with an open opportunity of 5000 and a closed-lost one.
      salesforce_contacts: [rows.contact('003C1', 'cy@corp.test', '2026-03-01T09:00:00Z', { Plan__c: 'free', NumberOfEmployees: null })],
      salesforce_leads: [rows.lead('00QC1', 'cy@corp.test', 'Working')],
      salesforce_opportunities: [
        { Id: '006C1', ContactId: '003C1', Amount: '5000', StageName: 'Prospecting', CloseDate: '2026-04-30' },
        { Id: '006C2', ContactId: '003C1', Amount: '900', StageName: 'Closed Lost', CloseDate: '2026-02-01' },
      ],
      braze_engagement: [rows.open('b1', 'shop-a', 'ana@shop.test', '2026-03-29T09:00:00Z')],
    });
    expect(said(await world.run('marts'))).toBe('published');
  }, 120_000);

  it('attributes each paid order to its campaigns: all to the last touch, or split equally (linear); organic orders to none', async () => {
    expect(await world.query('SELECT order_id, campaign, model, attributed_revenue FROM waymark_marts.attribution ORDER BY model, campaign')).toEqual([
      { order_id: '9001', campaign: 'retarget', model: 'last_touch', attributed_revenue: 120 },
      { order_id: '9001', campaign: 'retarget', model: 'linear', attributed_revenue: 60 },
      { order_id: '9001', campaign: 'spring', model: 'linear', attributed_revenue: 60 },
    ]);
  });

  it('gives a campaign its revenue, ROAS and ROI where its cost is known', async () => {
    expect(await world.query("SELECT campaign_name, cost, revenue_last_touch, revenue_linear, roas, roi FROM waymark_marts.campaign_performance")).toEqual([
      { campaign_name: 'retarget', cost: 40, revenue_last_touch: 120, revenue_linear: 60, roas: 3, roi: 2 },
    ]);
  });

  it("keeps each person's revenue to date, email engagement and profile completeness", async () => {
    expect(await world.query('SELECT email, revenue_to_date, paid_orders_to_date, email_engagements, profile_completeness FROM waymark_staging.customer_360 ORDER BY email')).toEqual([
      { email: 'ana@shop.test', revenue_to_date: 120, paid_orders_to_date: 1, email_engagements: 1, profile_completeness: 0.17 },
      { email: 'bo@shop.test', revenue_to_date: 80, paid_orders_to_date: 1, email_engagements: 0, profile_completeness: 0.17 },
      // Names, company and plan known; no size, no shop id: 4 of 6.
      { email: 'cy@corp.test', revenue_to_date: 0, paid_orders_to_date: 0, email_engagements: 0, profile_completeness: 0.67 },
    ]);
  });

  it('scores prospects only, with their lead, opportunities and activity', async () => {
    expect(await world.query('SELECT email, lifecycle_stage, lead_status, lead_age_days, open_opportunities, open_pipeline, won_opportunities FROM waymark_marts.lead_scoring')).toEqual([
      { email: 'cy@corp.test', lifecycle_stage: 'lead', lead_status: 'Working', lead_age_days: 80, open_opportunities: 1, open_pipeline: 5000, won_opportunities: 0 },
    ]);
  });

  it('computes the KPIs by their documented definitions', async () => {
    expect(await world.query('SELECT customers, leads, paying, active, churned, conversion_rate, churn_rate, clv_to_date, revenue_30d FROM waymark_marts.kpis')).toEqual([
      { customers: 3, leads: 1, paying: 2, active: 2, churned: 0, conversion_rate: 0.6667, churn_rate: 0, clv_to_date: 100, revenue_30d: 200 },
    ]);
  });
});
