import { loadConfig } from '../../src/config';
import { ChannelError, type MessageChannel } from '../../src/channels/port';
import { GeminiContentGenerator } from '../../src/content/gemini';
import { GeminiServer, type GeminiAnswer } from '../support/gemini-server';
import { testConfig } from '../support/harness';
import { generatorContract } from './contract';
import { sendPath, START_LINK, templateContent, type Customer } from './sends';

/** Gemini settings pointing the real @google/genai client at a loopback server (1s: the shortest duration the config takes). */
const geminiEnv = (server: GeminiServer): Record<string, string> => ({
  WAYMARK_CONTENT_GENERATOR: 'gemini',
  WAYMARK_GEMINI_API_KEY: server.apiKey,
  WAYMARK_GEMINI_BASE_URL: server.url,
  WAYMARK_CONTENT_TIMEOUT: '1s',
  WAYMARK_CONTENT_RETRIES: '1',
  WAYMARK_CONTENT_RETRY_WAIT: '1s',
  WAYMARK_CONTENT_RETRY_MAX_WAIT: '2s',
  WAYMARK_CONTENT_BANNED_PHRASES: 'act now,100% free',
  WAYMARK_CONTENT_MAX_SUBJECT_CHARS: '60',
});

generatorContract('GeminiContentGenerator (loopback Gemini)', async () => {
  const server = await GeminiServer.start();
  return {
    generator: new GeminiContentGenerator(loadConfig({}, { WAYMARK_ENV: 'test', ...geminiEnv(server) }).content),
    received: () => server.received.map((r) => r.raw),
    close: () => server.close(),
  };
});

describe('generated content on a send: the real Gemini client, a loopback Gemini, real PostgreSQL', () => {
  let server: GeminiServer;
  let path: Awaited<ReturnType<typeof sendPath>>;
  beforeAll(async () => {
    server = await GeminiServer.start();
    path = await sendPath(testConfig(geminiEnv(server)));
  });
  afterAll(async () => {
    await path?.store.close();
    await server?.close();
  });

  /** Fields a model could write for `customer` that keep every guardrail. */
  const modelFields = (customer: Customer, extra: Record<string, string> = {}) => ({
    subject: `${customer.firstName}, your workspace is waiting`,
    text: `Good to have you, ${customer.firstName}.\n\nYour ${customer.plan} plan is ready: ${START_LINK}${customer.id}`,
    ...extra,
  });

  /** One send of WELCOME with `generate`, the server answering `answers` in turn: the message recorded, the calls it made. */
  async function generateFor(answers: (c: Customer) => GeminiAnswer[]) {
    const customer = await path.customer('Ada');
    server.answerNext(...answers(customer));
    const before = server.received.length;
    const request = path.request(customer);
    const started = Date.now();
    const message = await path.send(request);
    return { customer, message, calls: server.received.slice(before), tookMs: Date.now() - started, ledger: await path.ledgerSource(request) };
  }

  it("sends the model's content, with the model and its version recorded on the message and in the ledger", async () => {
    const { customer, message, calls, ledger } = await generateFor((c) => [{ kind: 'success', fields: modelFields(c, { preheader: 'Two minutes to set up' }), modelVersion: 'gemini-2.5-flash-preview-05' }]);

    const source = { kind: 'model', model: 'gemini-2.5-flash', modelVersion: 'gemini-2.5-flash-preview-05' };
    expect(message.contentSource).toEqual(source);
    expect(ledger).toEqual(source);
    const link = `${START_LINK}${customer.id}`;
    expect(message.content).toEqual({
      channel: 'email',
      subject: `${customer.firstName}, your workspace is waiting`,
      preheader: 'Two minutes to set up',
      text: `Good to have you, ${customer.firstName}.\n\nYour ${customer.plan} plan is ready: ${link}`,
      html: `<p>Good to have you, ${customer.firstName}.</p>\n<p>Your ${customer.plan} plan is ready: <a href="${link}">${link}</a></p>`,
    });
    // One call, as Gemini's API takes it: the key in its header, structured JSON output with the email's fields.
    expect(calls).toHaveLength(1);
    expect(calls[0]!.path).toMatch(/\/models\/gemini-2\.5-flash:generateContent$/);
    expect(calls[0]!.headers['x-goog-api-key']).toBe(server.apiKey);
    expect(calls[0]!.body?.generationConfig).toMatchObject({ responseMimeType: 'application/json', responseSchema: { required: ['subject', 'text'] } });
    expect(Object.keys(calls[0]!.body!.generationConfig!.responseSchema!.properties!)).toEqual(['subject', 'preheader', 'text']);
    // The prompt carries the brief, the template's words and this customer's declared traits; never their address.
    const prompt = GeminiServer.prompt(calls[0]!);
    expect(prompt).toContain('A warmer welcome that names their plan');
    expect(prompt).toContain(`your ${customer.plan} workspace is ready`);
    expect(prompt).toContain(customer.firstName);
    expect(calls[0]!.raw).not.toContain(customer.email);
  });

  it('retries a 429 after the retryDelay Google gives, then sends the model content', async () => {
    const { message, calls } = await generateFor((c) => [{ kind: 'rate_limited', retryDelay: '1.5s' }, { kind: 'success', fields: modelFields(c) }]);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(1_450);
    expect(message.contentSource).toMatchObject({ kind: 'model' });
  });

  it('retries a 500 once (WAYMARK_CONTENT_RETRIES), then sends the model content', async () => {
    const { message, calls } = await generateFor((c) => [{ kind: 'server_error' }, { kind: 'success', fields: modelFields(c) }]);
    expect(calls).toHaveLength(2);
    expect(message.contentSource).toMatchObject({ kind: 'model' });
  });

  /** Each failure ends in the template's content, with its code and reason recorded on the message and in the ledger. */
  it.each<[string, (c: Customer) => GeminiAnswer[], number, string, RegExp]>([
    ['a 429 asking for a wait beyond WAYMARK_CONTENT_RETRY_MAX_WAIT', () => [{ kind: 'rate_limited', retryDelay: '30s' }], 1, 'CONTENT_RATE_LIMITED', /^Gemini answered 429 RESOURCE_EXHAUSTED: .*it asks to wait 30000ms, more than WAYMARK_CONTENT_RETRY_MAX_WAIT/],
    ['a 429 again after its retry', () => [{ kind: 'rate_limited', retryDelay: '1s' }, { kind: 'rate_limited', retryDelay: '1s' }], 2, 'CONTENT_RATE_LIMITED', /^Gemini answered 429 RESOURCE_EXHAUSTED/],
    ['a 500 again after its retry', () => [{ kind: 'server_error' }, { kind: 'server_error', status: 503 }], 2, 'CONTENT_UNAVAILABLE', /^Gemini answered 503 UNAVAILABLE: An internal error has occurred/],
    ['a 400 (not retried)', () => [{ kind: 'rejected', message: 'Request contains an invalid argument.' }], 1, 'CONTENT_REFUSED', /^Gemini answered 400 INVALID_ARGUMENT: Request contains an invalid argument\.$/],
    ['a 400 that echoes the API key (redacted, never recorded)', () => [{ kind: 'rejected', message: `API key not valid: ${server.apiKey}` }], 1, 'CONTENT_REFUSED', /^Gemini answered 400 INVALID_ARGUMENT: API key not valid: \[secret\]$/],
    ['an answer slower than WAYMARK_CONTENT_TIMEOUT', () => [{ kind: 'slow', delayMs: 60_000 }], 1, 'CONTENT_TIMEOUT', /^Gemini did not answer within WAYMARK_CONTENT_TIMEOUT \(1000ms\)$/],
    ['a blocked prompt', () => [{ kind: 'prompt_blocked', blockReason: 'SAFETY' }], 1, 'CONTENT_BLOCKED', /^Gemini blocked the prompt \(SAFETY\)$/],
    ['an answer stopped for safety', () => [{ kind: 'answer_blocked' }], 1, 'CONTENT_BLOCKED', /^Gemini blocked the answer \(finishReason SAFETY\)$/],
    ['an answer that is not JSON', () => [{ kind: 'invalid_json' }], 1, 'CONTENT_INVALID', /^the answer is not JSON: "Sure! Here is your email/],
    ['JSON without a required field', () => [{ kind: 'success', fields: { subject: 'Hi' } }], 1, 'CONTENT_INVALID', /^the answer is not email content: text /],
    ['an empty subject', (c) => [{ kind: 'success', fields: modelFields(c, { subject: '   ' }) }], 1, 'CONTENT_INVALID', /^the answer is not email content: subject must not be empty$/],
    ['a banned phrase', (c) => [{ kind: 'success', fields: modelFields(c, { subject: 'Act now: your workspace' }) }], 1, 'CONTENT_GUARDRAIL', /^the subject contains the banned phrase "act now"/],
    ['a subject over WAYMARK_CONTENT_MAX_SUBJECT_CHARS', (c) => [{ kind: 'success', fields: modelFields(c, { subject: 'x'.repeat(61) }) }], 1, 'CONTENT_GUARDRAIL', /^the subject is 61 characters, more than WAYMARK_CONTENT_MAX_SUBJECT_CHARS=60$/],
    ['a placeholder left unfilled', (c) => [{ kind: 'success', fields: modelFields(c, { subject: 'Welcome, {{ first_name }}' }) }], 1, 'CONTENT_GUARDRAIL', /^the subject still holds a Liquid output "\{\{"/],
    ['a dropped link', () => [{ kind: 'success', fields: { subject: 'Welcome', text: 'Hello there' } }], 1, 'CONTENT_GUARDRAIL', /^it drops the template's link https:\/\/app\.fieldnote\.example\/start/],
  ])('falls back to the template on %s', async (_, answers, callCount, code, reason) => {
    const { customer, message, calls, tookMs, ledger } = await generateFor(answers);

    expect(message.content).toEqual(templateContent(customer));
    expect(message.contentSource).toEqual({ kind: 'fallback', code, reason: expect.stringMatching(reason) });
    expect(ledger).toEqual(message.contentSource);
    expect(calls).toHaveLength(callCount);
    // The answer would come after a minute: done within 20 s, the call gave up at its 1 s timeout (with room for a loaded machine).
    if (code === 'CONTENT_TIMEOUT') expect(tookMs).toBeLessThan(20_000);
  });

  it("puts only this customer's data in the prompt: another customer's never reaches the request the server received", async () => {
    const ada = await path.customer('Ada');
    const bob = await path.customer('Bob');
    const before = server.received.length;
    await path.send(path.request(ada));
    await path.send(path.request(bob));
    const [adaCall, bobCall] = server.received.slice(before);

    expect(GeminiServer.prompt(adaCall!)).toContain(ada.firstName);
    expect(GeminiServer.prompt(bobCall!)).toContain(bob.firstName);
    for (const value of [ada.id, ada.firstName, ada.plan, ada.email]) expect(bobCall!.raw).not.toContain(value);
    for (const value of [bob.id, bob.firstName, bob.plan, bob.email]) expect(adaCall!.raw).not.toContain(value);
  });

  it('a send without generate makes no call and records the template as its source', async () => {
    const customer = await path.customer('Ada');
    const before = server.received.length;
    const request = path.request(customer, null);
    const message = await path.send(request);
    expect(server.received).toHaveLength(before);
    expect(message.contentSource).toEqual({ kind: 'template' });
    expect(await path.ledgerSource(request)).toEqual({ kind: 'template' });
  });

  describe('a retry of the same send sends the same words', () => {
    /** The outbox, refusing the first attempt for now (as a provider's 503 would), then delivering. */
    const failingOnce = (): MessageChannel => {
      let calls = 0;
      return {
        provider: 'local',
        keyed: true,
        deliver: (message) => (++calls === 1 ? Promise.reject(new ChannelError('503: try again', 'not-sent')) : path.outbox.deliver(message)),
      };
    };

    it("the model's content, pinned at the first attempt, without asking the model again", async () => {
      const customer = await path.customer('Ada');
      const first = { subject: `First words for ${customer.firstName}`, text: `First. ${START_LINK}${customer.id}` };
      // Asked again, the server would answer its default content (which the guardrails refuse: it drops the link).
      server.answerNext({ kind: 'success', fields: first });
      const request = path.request(customer);
      const channel = failingOnce();
      const before = server.received.length;

      await expect(path.send(request, channel)).rejects.toMatchObject({ type: 'SEND_NOT_SENT' });
      const message = await path.send(request, channel);

      expect(message.content).toMatchObject(first);
      expect(message.contentSource).toMatchObject({ kind: 'model' });
      expect(server.received).toHaveLength(before + 1);
    });

    it("the template chosen as a fallback, without asking the model again", async () => {
      const customer = await path.customer('Ada');
      server.answerNext({ kind: 'rejected', message: 'API key expired' });
      const request = path.request(customer);
      const channel = failingOnce();
      const before = server.received.length;

      await expect(path.send(request, channel)).rejects.toMatchObject({ type: 'SEND_NOT_SENT' });
      const message = await path.send(request, channel); // the server would now answer with content

      expect(message.content).toEqual(templateContent(customer));
      expect(message.contentSource).toEqual({ kind: 'fallback', code: 'CONTENT_REFUSED', reason: 'Gemini answered 400 INVALID_ARGUMENT: API key expired' });
      expect(server.received).toHaveLength(before + 1);
    });
  });
});
