import { ConfigError, loadConfig } from '../../src/config';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error(`${JSON.stringify(env)} was accepted`);
}

describe('reverse ETL settings', () => {
  it('default to the local sync, following a run for 2h at most, looking every 30s', () => {
    expect(loadConfig({}).reverseEtl).toEqual({ adapter: 'local', pollIntervalMs: 30_000, followMs: 7_200_000, hightouch: { url: 'https://api.hightouch.com', token: '', syncIds: [], timeoutMs: 30_000, maxReasonChars: 500 } });
  });

  it('with Hightouch, need its token and the syncs, each problem naming its variable', () => {
    expect(problems({ WAYMARK_REVERSE_ETL: 'hightouch' })).toEqual([
      'WAYMARK_HIGHTOUCH_TOKEN=[redacted]: must be set when WAYMARK_REVERSE_ETL=hightouch: an API key of the Hightouch workspace (Settings > API keys)',
      'WAYMARK_HIGHTOUCH_SYNC_IDS="": must name the syncs to run after a promotion when WAYMARK_REVERSE_ETL=hightouch (the number in a sync\'s URL in Hightouch)',
    ]);
    const config = loadConfig({ WAYMARK_REVERSE_ETL: 'hightouch', WAYMARK_HIGHTOUCH_TOKEN: 'key', WAYMARK_HIGHTOUCH_SYNC_IDS: '11, 12', WAYMARK_HIGHTOUCH_URL: 'http://127.0.0.1:9999/' });
    expect(config.reverseEtl.hightouch).toMatchObject({ url: 'http://127.0.0.1:9999', syncIds: ['11', '12'] });
  });

  it('refuse a sync named by anything but its id, a token sent in clear in production, an adapter that does not exist', () => {
    expect(problems({ WAYMARK_HIGHTOUCH_SYNC_IDS: '11,scores-to-braze' })).toEqual(['WAYMARK_HIGHTOUCH_SYNC_IDS="11,scores-to-braze": must be Hightouch sync ids (numbers), comma-separated']);
    const production = { WAYMARK_ENV: 'production', WAYMARK_API_KEYS: 'a1b2c3d4e5f6g7h8i9j0:events', WAYMARK_TEMPORAL_PAYLOAD_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}` };
    expect(problems({ ...production, WAYMARK_REVERSE_ETL: 'hightouch', WAYMARK_HIGHTOUCH_TOKEN: 'key', WAYMARK_HIGHTOUCH_SYNC_IDS: '11', WAYMARK_HIGHTOUCH_URL: 'http://hightouch.internal' })).toEqual([
      'WAYMARK_HIGHTOUCH_URL="http://hightouch.internal": must be https:// outside development and test (the API key travels with every call)',
    ]);
    expect(problems({ WAYMARK_REVERSE_ETL: 'census' })).toEqual(['WAYMARK_REVERSE_ETL="census": must be one of "local", "hightouch", "off"']);
  });
});
