import { PassThrough } from 'node:stream';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';

const EMAIL = 'ana.private@example.com';
const PAYLOAD_KEY = Buffer.alloc(32, 9).toString('base64');
const SECRETS = { WAYMARK_BRAZE_API_KEY: 'braze-5f0c1a52-2d1e', WAYMARK_GEMINI_API_KEY: 'AIzaGeminiKey-77', WAYMARK_API_KEYS: 'apikey-0123456789abcdef:events', WAYMARK_DATABASE_URL: 'postgres://waymark:pg%2Fpass-word@db.internal:5432/waymark', WAYMARK_TEMPORAL_API_KEY: 'tmprl-cloud-key-4242', WAYMARK_TEMPORAL_PAYLOAD_KEYS: `k1:${PAYLOAD_KEY}` };

/** A logger from a config with every kind of secret set, writing JSON lines to a string. */
function capture() {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const config = loadConfig({}, { WAYMARK_ENV: 'test', WAYMARK_LOG_LEVEL: 'info', WAYMARK_LOG_FORMAT: 'json', ...SECRETS });
  return { logger: createLogger(config, 'worker', out), text: () => text };
}

describe('what the log path redacts beyond structured fields', () => {
  it('the data an error quotes (message, stack, every field), in our errors and in the Temporal SDK\'s `error`', () => {
    const { logger, text } = capture();
    // As PostgreSQL's error for a refused row reads: the JSON document in `where`.
    const refused = Object.assign(new Error(`insert failed for ${EMAIL}`), { code: '22P05', where: `JSON data, line 1: {"email":"${EMAIL}","phone":"+14155550123"}` });
    logger.warn({ error: refused, durationMs: 12 }, 'Activity failed');
    logger.error(new Error(`no sender for ${EMAIL}`));
    logger.warn({ err: `connection lost while writing ${EMAIL}` }, `retrying the update of ${EMAIL}`);
    const lines = text().trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(3);
    expect(text()).not.toContain(EMAIL);
    expect(text()).not.toContain('4155550123');
    expect(lines[0]).toMatchObject({ msg: 'Activity failed', durationMs: 12, error: { message: 'insert failed for [email]', code: '22P05', where: expect.stringContaining('[phone]') } });
    expect(lines[1]).toMatchObject({ msg: 'no sender for [email]', err: { type: 'Error', message: 'no sender for [email]' } });
    expect(lines[2]).toMatchObject({ msg: 'retrying the update of [email]', err: 'connection lost while writing [email]' });
  });

  it('keeps dates, which look like phone numbers to the pattern', () => {
    const { logger, text } = capture();
    logger.warn('journey archived by ops at 2026-12-06T10:00:00.000Z; call +1 415 555 0123');
    expect(JSON.parse(text()).msg).toBe('journey archived by ops at 2026-12-06T10:00:00.000Z; call [phone]');
  });

  it('every configured secret, anywhere in a line', () => {
    const { logger, text } = capture();
    logger.child({ component: 'braze' }).error({ err: new Error('Braze said: bad key braze-5f0c1a52-2d1e'), request: { headers: 'x-goog-api-key: AIzaGeminiKey-77' } }, 'key apikey-0123456789abcdef refused');
    logger.info({ url: SECRETS.WAYMARK_DATABASE_URL }, 'connecting with password pg/pass-word');
    logger.warn({ env: SECRETS.WAYMARK_TEMPORAL_PAYLOAD_KEYS }, 'Temporal refused api key tmprl-cloud-key-4242');
    for (const secret of ['braze-5f0c1a52-2d1e', 'AIzaGeminiKey-77', 'apikey-0123456789abcdef', 'pg%2Fpass-word', 'pg/pass-word', 'tmprl-cloud-key-4242', PAYLOAD_KEY]) expect(text()).not.toContain(secret);
    expect(text()).toContain('[secret]');
  });
});
