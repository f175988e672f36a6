import { MockActivityEnvironment } from '@temporalio/testing';
import { mergeAttributes } from '../../activities/pipeline/merge-attributes';
import { PgProfileStore } from '../../src/profiles/pg-store';
import { Store } from '../../src/store/store';
import { lastPublishedAt } from '../../src/warehouse/batch';
import { openDuckDb } from '../../src/warehouse/duckdb';
import { testConfig } from '../support/harness';
import type { AttributesMerged } from '../../workflows/pipeline/contract';

/** The merge step on a real DuckDB outbox and the test run's PostgreSQL (the activity context is the SDK's test one). */
describe('merging warehouse attributes into profiles', () => {
  it('updates every valid customer (with the email where it parses) and names the ones it leaves alone: an id the event API refuses, a profile over its limits', async () => {
    const config = testConfig();
    const store = new Store(config);
    const warehouse = await openDuckDb(':memory:');
    try {
      await lastPublishedAt(warehouse); // creates the ops tables
      const row = (customer: string, plan: string, email = 'NULL') => `('b1', '${customer}', 'attributes', ${email}, '${plan}', '11-50', 55, 'healthy', '')`;
      const rows = [
        row('c-1', 'pro', "'c1@example.com'"),
        row('bad id', 'pro'),
        row('c-2', 'team', "'not an email'"),
        row('c-full', 'x'.repeat(60)),
        `('b1', 'c-3', 'health_at_risk', 'c3@example.com', 'pro', '11-50', 20, 'at_risk', 'quiet')`,
      ];
      await warehouse.execute(`INSERT INTO waymark_ops.outbox VALUES ${rows.join(', ')}`, { jobId: 'outbox' });
      const profiles = new PgProfileStore(store, 10, { ...config.limits, maxTraitValueBytes: 50 });

      const merged: AttributesMerged = await new MockActivityEnvironment().run(mergeAttributes, warehouse, profiles, 'b1');
      expect(merged.updated).toBe(2);
      expect(merged.refused).toBe(2);
      expect(merged.examples).toEqual([expect.stringMatching(/^bad id: customerId: .*without spaces/), expect.stringMatching(/^c-full: .*WAYMARK_MAX_TRAIT_VALUE_BYTES/)]);
      expect(await profiles.get('c-1')).toEqual({ plan: 'pro', company_size: '11-50', health_score: 55, health_category: 'healthy', contact: { email: 'c1@example.com' } });
      // An address that does not parse is left out; the attributes still arrive.
      expect(await profiles.get('c-2')).toEqual({ plan: 'team', company_size: '11-50', health_score: 55, health_category: 'healthy' });
      expect(await profiles.get('c-full')).toEqual({});
      // health_at_risk rows are events, not attributes.
      expect(await profiles.get('c-3')).toEqual({});
    } finally {
      await warehouse.close();
      await store.close();
    }
  });
});
