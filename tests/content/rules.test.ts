import { ConfigError, loadConfig } from '../../src/config';
import { guardrailBreach } from '../../src/content/guardrails';
import { htmlFromText } from '../../src/content/html';
import { GeminiContentGenerator } from '../../src/content/gemini';
import type { GeneratedContent } from '../../src/content/port';
import type { RenderedContent } from '../../src/channels/port';
import { validateJourney, type ValidationIssue } from '../../src/journey/validate';

/** The pure rules around generated content: guardrails, the derived HTML, the step's `generate`, the config. */

const settings = loadConfig({}, { WAYMARK_CONTENT_BANNED_PHRASES: 'act now, 100% free', WAYMARK_CONTENT_MAX_SUBJECT_CHARS: '20', WAYMARK_CONTENT_MAX_SMS_CHARS: '40' }).content;
const LINK = 'https://app.fieldnote.example/start?c=ada';
const baseline: RenderedContent = { channel: 'email', subject: 'Welcome', html: `<p><a href="${LINK}">Start</a></p>`, text: `Hello Ada. Start here: ${LINK}` };
const email = (fields: Partial<Extract<GeneratedContent, { channel: 'email' }>>): GeneratedContent => ({ channel: 'email', subject: 'Hi Ada', text: `Good to see you. ${LINK}`, ...fields });

describe('guardrails on generated content', () => {
  it('passes content that keeps every rule', () => {
    expect(guardrailBreach(email({}), baseline, settings)).toBeUndefined();
  });

  it.each([
    ['a banned phrase, in any case', email({ text: `ACT NOW before it is gone ${LINK}` }), 'the text contains the banned phrase "act now" (WAYMARK_CONTENT_BANNED_PHRASES)'],
    ['a subject over its limit', email({ subject: 'A subject line far too long' }), 'the subject is 27 characters, more than WAYMARK_CONTENT_MAX_SUBJECT_CHARS=20'],
    ['a Liquid output left in', email({ text: `Hi {{ first_name }} ${LINK}` }), 'the text still holds a Liquid output "{{"'],
    ['a lone closing delimiter', email({ subject: 'Hi first_name }}' }), 'the subject still holds a Liquid delimiter "}}"'],
    ['a Liquid tag', email({ text: `{% if plan %}Pro{% endif %} ${LINK}` }), 'the text still holds a Liquid tag "{%"'],
    ["another tool's merge tag", email({ text: `Hi *|FNAME|* ${LINK}` }), 'the text still holds a Mailchimp "*|NAME|*" merge tag'],
    ['a link the template does not have', email({ text: `See ${LINK} or https://evil.example/login` }), 'it links to https://evil.example/login, which the template does not'],
    ["a dropped link of the template's", email({ text: 'Good to see you.' }), `it drops the template's link ${LINK}`],
  ])('refuses %s', (_, content, reason) => {
    expect(guardrailBreach(content, baseline, settings)).toContain(reason);
  });

  it('counts characters, not bytes, and holds each channel to its own limit', () => {
    const sms: RenderedContent = { channel: 'sms', text: 'Your code' };
    expect(guardrailBreach({ channel: 'sms', text: 'é'.repeat(40) }, sms, settings)).toBeUndefined();
    expect(guardrailBreach({ channel: 'sms', text: 'é'.repeat(41) }, sms, settings)).toBe('the text is 41 characters, more than WAYMARK_CONTENT_MAX_SMS_CHARS=40');
  });
});

describe("a generated email's HTML, from its text", () => {
  it('escapes everything, keeps paragraphs and line breaks, and makes links clickable', () => {
    expect(htmlFromText(`Hi <b>Ada</b> & co,\nwelcome.\n\nStart: ${LINK}.`)).toBe(
      `<p>Hi &lt;b&gt;Ada&lt;/b&gt; &amp; co,<br>\nwelcome.</p>\n<p>Start: <a href="${LINK}">${LINK}</a>.</p>`,
    );
  });

  it('escapes a link that carries markup instead of letting it out of the attribute', () => {
    expect(htmlFromText('https://x.example/?q=1&r=2')).toBe('<p><a href="https://x.example/?q=1&amp;r=2">https://x.example/?q=1&amp;r=2</a></p>');
  });
});

describe("a send step's generate", () => {
  const journey = (generate: unknown) => ({
    id: 'gen',
    name: 'Gen',
    entry: { event: 'go' },
    start: 'a',
    steps: { a: { kind: 'send', channel: 'email', template: 't', generate, next: 'end' }, end: { kind: 'exit' } },
  });
  const issues = (generate: unknown): string[] => {
    const result = validateJourney(journey(generate), { maxWaitMs: 86_400_000 });
    return result.ok ? [] : result.issues.map((i: ValidationIssue) => `${i.path}: ${i.message}`);
  };

  it('takes a brief', () => {
    expect(issues({ brief: 'Warmer, and name their plan' })).toEqual([]);
  });

  it.each([
    ['an empty brief', { brief: '  ' }, 'must say what to write'],
    ['a brief over 1000 characters', { brief: 'x'.repeat(1_001) }, 'must be at most 1000 characters'],
    ['an unknown field', { brief: 'ok', tone: 'warm' }, 'tone'],
    ['no brief', {}, 'brief'],
  ])('refuses %s, at its path', (_, generate, message) => {
    const found = issues(generate);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/steps\.a\.generate/);
    expect(found[0]).toContain(message);
  });
});

describe('the content config', () => {
  const load = (env: Record<string, string>) => {
    try {
      loadConfig({}, env);
      return [];
    } catch (err) {
      return (err as ConfigError).problems;
    }
  };

  it('defaults to no model, and Gemini 2.5 Flash when one is asked for', () => {
    const { content } = loadConfig({});
    expect(content.generator).toBe('none');
    expect(content.gemini.model).toBe('gemini-2.5-flash');
  });

  it('needs a key or a Vertex AI project for Gemini, not both, and never prints the key', () => {
    expect(load({ WAYMARK_CONTENT_GENERATOR: 'gemini' })).toEqual([expect.stringMatching(/^WAYMARK_GEMINI_API_KEY=\[redacted\]: must be set when WAYMARK_CONTENT_GENERATOR=gemini/)]);
    const both = load({ WAYMARK_CONTENT_GENERATOR: 'gemini', WAYMARK_GEMINI_API_KEY: 'sekrit-key', WAYMARK_GEMINI_VERTEX_PROJECT: 'my-project' });
    expect(both).toEqual([expect.stringMatching(/^WAYMARK_GEMINI_VERTEX_PROJECT="my-project": must be empty when WAYMARK_GEMINI_API_KEY is set/)]);
    expect(both.join()).not.toContain('sekrit');
    const problems = load({ WAYMARK_CONTENT_GENERATOR: 'gemini', WAYMARK_GEMINI_API_KEY: 'sekrit-key', WAYMARK_GEMINI_MODEL: 'bad model' });
    expect(problems).toEqual(['WAYMARK_GEMINI_MODEL="bad model": must be a model name such as "gemini-2.5-flash"']);
    const url = load({ WAYMARK_ENV: 'production', WAYMARK_API_KEYS: 'a1b2c3d4e5f6g7h8i9j0k1l2:events', WAYMARK_TEMPORAL_PAYLOAD_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`, WAYMARK_GEMINI_API_KEY: 'sekrit-key', WAYMARK_GEMINI_BASE_URL: 'http://proxy.internal' });
    expect(url).toEqual([expect.stringMatching(/^WAYMARK_GEMINI_BASE_URL="http:\/\/proxy.internal": must be https:\/\//)]);
  });

  it("refuses a model budget that leaves the delivery activity no time to send", () => {
    const problems = load({ WAYMARK_CONTENT_GENERATOR: 'gemini', WAYMARK_GEMINI_API_KEY: 'k', WAYMARK_CONTENT_TIMEOUT: '10s', WAYMARK_CONTENT_RETRIES: '2', WAYMARK_ACTIVITY_START_TO_CLOSE: '30s' });
    expect(problems).toEqual([expect.stringMatching(/^WAYMARK_CONTENT_TIMEOUT="10s": .*WAYMARK_ACTIVITY_START_TO_CLOSE/)]);
  });

  it('builds a Vertex AI client from a project and location, without calling anything', () => {
    const config = loadConfig({}, { WAYMARK_CONTENT_GENERATOR: 'gemini', WAYMARK_GEMINI_VERTEX_PROJECT: 'my-project', WAYMARK_GEMINI_VERTEX_LOCATION: 'europe-west4' });
    expect(new GeminiContentGenerator(config.content).name).toBe('gemini');
  });
});
