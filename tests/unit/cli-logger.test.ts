import { PassThrough } from 'node:stream';
import type { Config } from '../../src/config';
import { createLogger, type LogDestination } from '../../src/logger';

/** A stream standing in for stdout, a terminal or not; collects what the logger writes. */
function destination(isTTY: boolean): LogDestination & { text(): string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return Object.assign(stream, { isTTY, text: () => text });
}

function logOnce(logFormat: Config['logFormat'], isTTY: boolean): string {
  const out = destination(isTTY);
  const logger = createLogger({ logLevel: 'info', logFormat }, 'api', out);
  logger.info({ customerId: 'c1', context: { email: 'ada@example.com' } }, 'event accepted');
  logger.flush();
  return out.text();
}

const isJsonLines = (text: string) => text.trim().split('\n').every((line) => typeof JSON.parse(line) === 'object');

describe('log format', () => {
  it('auto: readable lines on a terminal, JSON when piped', () => {
    const terminal = logOnce('auto', true);
    expect(terminal).toMatch(/INFO.*\(api\): event accepted/);
    expect(terminal).not.toMatch(/^\{/);
    const piped = logOnce('auto', false);
    expect(isJsonLines(piped)).toBe(true);
    expect(JSON.parse(piped)).toMatchObject({ name: 'api', msg: 'event accepted', customerId: 'c1' });
  });

  it('json and pretty are what they say, whatever the output is', () => {
    expect(isJsonLines(logOnce('json', true))).toBe(true);
    const forced = logOnce('pretty', false);
    expect(forced).toContain('event accepted');
    expect(forced).not.toMatch(/^\{/);
    expect(forced).not.toContain('\u001b['); // no colour codes into a file or pipe
  });

  it('redacts personal data in both formats', () => {
    for (const text of [logOnce('pretty', true), logOnce('json', false)]) {
      expect(text).toContain('[redacted]');
      expect(text).not.toContain('ada@example.com');
    }
  });
});
