import { freePort } from '../../src/free-port';
import { HightouchReverseEtl } from '../../src/reverse-etl/hightouch';
import { HightouchClient } from '../../src/reverse-etl/hightouch-client';
import { ReverseEtlError } from '../../src/reverse-etl/port';
import { HightouchServer } from '../support/hightouch-server';
import { reverseEtlContract } from './contract';

const TOKEN = 'ht-secret-token-7f3a';
let server: HightouchServer;
beforeAll(async () => {
  server = await HightouchServer.start({ token: TOKEN, syncIds: ['11', '12'], rows: 120 });
});
afterAll(() => server?.close());
afterEach(() => server.clearScript());

const client = (overrides: { timeoutMs?: number; token?: string } = {}) => new HightouchClient({ url: server.url, token: overrides.token ?? TOKEN, timeoutMs: overrides.timeoutMs ?? 5_000, maxReasonChars: 200 });
const hightouch = (overrides: { timeoutMs?: number; token?: string } = {}) => new HightouchReverseEtl(client(overrides), ['11', '12']);

reverseEtlContract('Hightouch (the typed client against a Hightouch-compatible server on loopback)', () => ({
  adapter: hightouch(),
  sync: '11',
  model: 'churn',
  unknownSync: '99',
  rows: 120,
  holdRun: async () => {
    const runId = server.startRun('11');
    return {
      release: async () => {
        server.finish(runId);
        return runId;
      },
    };
  },
  failNextRun: (reason) => server.failNextRun('11', reason),
  runs: () => server.runs.filter((r) => r.syncId === '11').length,
}));

describe('the Hightouch client', () => {
  it('calls the v1 API with the bearer token: the newest run first, then a trigger with a JSON body', async () => {
    const from = server.received.length;
    const started = await hightouch().startOrFollow('12');
    const [list, trigger] = server.received.slice(from);
    expect(list).toMatchObject({ method: 'GET', path: '/api/v1/syncs/12/runs', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(Object.fromEntries(list!.query)).toEqual({ orderBy: 'createdAt', limit: '1' });
    expect(trigger).toMatchObject({ method: 'POST', path: '/api/v1/syncs/12/trigger', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: {} });
    expect(started).toEqual({ runId: expect.stringMatching(/^\d+$/), alreadyRunning: false, status: { state: 'running', progress: 'triggered' } });
    // A run is looked at by its id; its progress is Hightouch's status.
    expect(await hightouch().runStatus('12', started.runId)).toEqual({ state: 'running', progress: 'processing 50%' });
    expect(Object.fromEntries(server.received.at(-1)!.query)).toEqual({ runId: started.runId });
    // Looked at until it ends, so the next start finds the sync idle.
    expect(await hightouch().runStatus('12', started.runId)).toEqual({ state: 'succeeded', rows: 120, summary: "120 rows synced (the model's query gave 120)" });
  });

  it('a retried start finds the run its first attempt triggered, and triggers no other', async () => {
    const before = server.triggers('12');
    // The trigger's answer never arrives: the attempt times out after Hightouch started the run.
    server.answerNext({ kind: 'usual' }, { kind: 'slow', delayMs: 5_000 });
    const lost = await hightouch({ timeoutMs: 1_000 }).startOrFollow('12').catch((e: unknown) => e);
    expect(lost).toMatchObject({ code: 'HIGHTOUCH_TIMEOUT', retryable: true, message: 'Hightouch POST /api/v1/syncs/12/trigger did not answer within 1000ms (WAYMARK_HIGHTOUCH_TIMEOUT)' });
    expect(server.triggers('12')).toBe(before + 1);
    const retried = await hightouch().startOrFollow('12');
    expect(retried.alreadyRunning).toBe(true);
    expect(server.triggers('12')).toBe(before + 1);
    server.finish(retried.runId);
  });

  it('refuses for good a 4xx other than 429, in Hightouch\'s words, with what to check', async () => {
    const wrongToken = await hightouch({ token: 'not-the-token' }).startOrFollow('11').catch((e: unknown) => e);
    expect(wrongToken).toBeInstanceOf(ReverseEtlError);
    expect(wrongToken).toMatchObject({ code: 'HIGHTOUCH_REJECTED', retryable: false, message: 'Hightouch GET /api/v1/syncs/11/runs refused the request (401: Unauthorized); check WAYMARK_HIGHTOUCH_TOKEN (an API key of the workspace the syncs are in)' });
    server.answerNext({ kind: 'rejected', status: 422, body: { message: 'Validation failed', details: { syncId: 'must be a number' } } });
    expect(await hightouch().startOrFollow('11').catch((e: unknown) => e)).toMatchObject({ retryable: false, message: expect.stringContaining('(422: Validation failed: {"syncId":"must be a number"})') });
    server.answerNext({ kind: 'rejected', status: 400, body: { error: `bad request for token ${TOKEN}` } });
    // Hightouch's text is kept, never the token it echoes.
    expect(await hightouch().runStatus('11', '1').catch((e: unknown) => e)).toMatchObject({ retryable: false, message: expect.stringContaining('(400: bad request for token [secret])') });
  });

  it('has a rate limit and a server error retried (at Retry-After), a body that is not Hightouch\'s too', async () => {
    server.answerNext({ kind: 'rate_limited', retryAfterSeconds: 7 });
    expect(await hightouch().startOrFollow('11').catch((e: unknown) => e)).toMatchObject({ code: 'HIGHTOUCH_RATE_LIMITED', retryable: true, retryAfterMs: 7_000, message: expect.stringContaining('429') });
    server.answerNext({ kind: 'server_error', status: 503 });
    expect(await hightouch().startOrFollow('11').catch((e: unknown) => e)).toMatchObject({ code: 'HIGHTOUCH_SERVER_ERROR', retryable: true, message: 'Hightouch GET /api/v1/syncs/11/runs failed with 503: Internal Server Error' });
    server.answerNext({ kind: 'invalid_json' });
    expect(await hightouch().startOrFollow('11').catch((e: unknown) => e)).toMatchObject({ code: 'HIGHTOUCH_INVALID_ANSWER', retryable: true });
  });

  it('says a Hightouch it cannot reach is to be retried, naming the URL', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const gone = new HightouchReverseEtl(new HightouchClient({ url, token: TOKEN, timeoutMs: 5_000, maxReasonChars: 200 }), ['11']);
    expect(await gone.startOrFollow('11').catch((e: unknown) => e)).toMatchObject({ code: 'HIGHTOUCH_NETWORK', retryable: true, message: `Hightouch GET /api/v1/syncs/11/runs failed: ECONNREFUSED (at ${url}, WAYMARK_HIGHTOUCH_URL)` });
  });

  it('stops at the caller\'s cancellation, with the caller\'s reason', async () => {
    server.answerNext({ kind: 'slow', delayMs: 3_000 });
    const cancel = new AbortController();
    const call = hightouch().startOrFollow('11', cancel.signal).catch((e: unknown) => e);
    cancel.abort(new Error('activity cancelled'));
    expect(await call).toMatchObject({ message: 'activity cancelled' });
  });

  it('reads a run that ended with rows rejected as a success with a warning; cancelled and interrupted runs as failed', async () => {
    const run = (status: string, extra: object = {}) => ({ id: 7, status, createdAt: '2026-03-31T10:00:00Z', successfulRows: { addedCount: 90, changedCount: 5, removedCount: 0 }, failedRows: { addedCount: 3, changedCount: 0, removedCount: 0 }, querySize: 98, completionRatio: 1, ...extra });
    const answers = [run('warning', { error: 'invalid email on 3 rows' }), run('cancelled'), run('interrupted', { error: 'warehouse connection reset' })];
    for (const r of answers) server.answerNext({ kind: 'ok', body: { data: [r], hasMore: false } });
    expect(await hightouch().runStatus('11', '7')).toEqual({ state: 'succeeded', rows: 95, summary: "95 rows synced, 3 rejected by the destination (the model's query gave 98)", warning: '3 rows rejected by the destination: invalid email on 3 rows' });
    expect(await hightouch().runStatus('11', '7')).toEqual({ state: 'failed', reason: 'cancelled, without a reason from Hightouch' });
    expect(await hightouch().runStatus('11', '7')).toEqual({ state: 'failed', reason: 'interrupted (Hightouch resumes it in a run of its own): warehouse connection reset' });
  });
});
