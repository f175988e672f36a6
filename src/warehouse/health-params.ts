import type { Config } from '../config';

/** The health score's weights and cut-offs and the lifecycle thresholds (config's `health`), which dbt reads with the batch. */
export type HealthParams = Config['health'];

/** Column of waymark_ops.current_batch for each setting (warehouse/models/staging/batch_params.sql passes them on). */
const COLUMNS: Record<Exclude<keyof HealthParams, 'paidPlans'>, string> = {
  healthyFrom: 'healthy_from',
  watchFrom: 'watch_from',
  quietWatchDays: 'quiet_watch_days',
  quietWatchPenalty: 'quiet_watch_penalty',
  quietRiskDays: 'quiet_risk_days',
  quietRiskPenalty: 'quiet_risk_penalty',
  orderWindowDays: 'order_window_days',
  noOrderPenalty: 'no_order_penalty',
  engagementWindowDays: 'engagement_window_days',
  noEngagementPenalty: 'no_engagement_penalty',
  openTicketPenalty: 'open_ticket_penalty',
  maxOpenTickets: 'max_open_tickets',
  badRatingPenalty: 'bad_rating_penalty',
  activeDays: 'active_days',
  lapsedDays: 'lapsed_days',
};

/**
 * The settings as select items (`CAST(@healthy_from AS INT64) AS healthy_from, ...`) and their
 * parameters. Paid plans go as one text, each plan between commas (",starter,pro,"), so a plan is
 * paid when ",<plan>," occurs in it: the same test on both engines.
 */
export function healthColumns(health: HealthParams): { select: string; params: Record<string, string> } {
  const params: Record<string, string> = { paid_plans: `,${health.paidPlans.join(',')},` };
  const items = ['@paid_plans AS paid_plans'];
  for (const [key, column] of Object.entries(COLUMNS)) {
    params[column] = String(health[key as keyof typeof COLUMNS]);
    items.push(`CAST(@${column} AS INT64) AS ${column}`);
  }
  return { select: items.join(', '), params };
}
