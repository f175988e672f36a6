import { eventOf } from '../../activities/pipeline/send-events';
import type { OutboxRow } from '../../src/warehouse/batch';

const row = (customer_id: string): OutboxRow => ({ customer_id, kind: 'health_at_risk', email: null, plan: 'pro', company_size: '11-50', health_score: 22, health_category: 'at_risk', reasons: 'no logins' });
const at = '2026-03-31T00:00:00.000Z';

describe("the pipeline's event ids", () => {
  it('are the same for the same batch and customer (a resent page is dropped by the router)', () => {
    expect(eventOf(row('c1'), 'b1', at).messageId).toBe(eventOf(row('c1'), 'b1', '2026-04-01T00:00:00.000Z').messageId);
  });

  it('differ for every other (batch, customer) pair, even when a separator appears in either', () => {
    const ids = [
      eventOf(row('b:c'), 'a', at),
      eventOf(row('c'), 'a:b', at),
      eventOf(row('1:c'), 'a', at),
      eventOf(row('c'), 'a:1', at),
    ].map((e) => e.messageId);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
