import { randomUUID } from 'node:crypto';
import type { RenderedContent } from '../../src/channels/port';
import { CONTENT_FAILURES, ContentGenerationError, type ContentGenerator, type Generation, type GenerationRequest } from '../../src/content/port';

/** A generator under test and a view of its far side (what a provider received), if it has one. */
export interface GeneratorFixture {
  generator: ContentGenerator;
  /** Everything the far side received, as raw text, oldest first ([] for an adapter without one). */
  received(): string[];
  close(): Promise<void>;
}

const BASELINES: Record<'email' | 'sms' | 'push' | 'in_app', RenderedContent> = {
  email: { channel: 'email', subject: 'Welcome to Fieldnote', preheader: 'Your workspace is ready', html: '<p>Hello</p>', text: 'Hello, your workspace is ready.' },
  sms: { channel: 'sms', text: 'Your Fieldnote code is 123456' },
  push: { channel: 'push', title: 'New comment', body: 'Someone replied to your note' },
  in_app: { channel: 'in_app', body: 'Try the new board view' },
};

/** A request for one customer whose facts carry `marker` in every value. */
export function generationRequest(channel: keyof typeof BASELINES, marker: string, signal?: AbortSignal): GenerationRequest {
  return {
    channel,
    baseline: BASELINES[channel],
    brief: 'A friendlier version that uses their first name',
    customer: { traits: { first_name: `Ada-${marker}`, plan: `pro-${marker}` }, event: {}, journey: 'Onboarding' },
    maxChars: { subject: 100, text: 5_000, title: 65, body: 240 },
    ...(signal ? { signal } : {}),
  };
}

/** Settles a generate call: the generation, or the typed error. */
async function settle(generator: ContentGenerator, request: GenerationRequest): Promise<Generation | ContentGenerationError> {
  try {
    return await generator.generate(request);
  } catch (err) {
    if (err instanceof ContentGenerationError) return err;
    throw err;
  }
}

/**
 * The behaviour every ContentGenerator must have, run against each adapter (tests/content/*.test.ts):
 * content for the channel asked or a typed failure, nothing from one customer's request in
 * another's, and no content once the send is cancelled.
 */
export function generatorContract(name: string, open: () => Promise<GeneratorFixture>): void {
  describe(`the ContentGenerator contract: ${name}`, () => {
    let fixture: GeneratorFixture;
    beforeAll(async () => {
      fixture = await open();
    });
    afterAll(() => fixture?.close());

    it('has a name', () => {
      expect(fixture.generator.name).toMatch(/^[a-z][a-z0-9-]*$/);
    });

    it.each(['email', 'sms', 'push', 'in_app'] as const)('answers %s content with every required field, or fails with a known code and a reason', async (channel) => {
      const outcome = await settle(fixture.generator, generationRequest(channel, randomUUID()));
      if (outcome instanceof ContentGenerationError) {
        expect(Object.keys(CONTENT_FAILURES)).toContain(outcome.code);
        expect(outcome.message.length).toBeGreaterThan(10);
        return;
      }
      expect(outcome.content.channel).toBe(channel);
      expect(outcome.model).toMatch(/\S/);
      const required = { email: ['subject', 'text'], sms: ['text'], push: ['title', 'body'], in_app: ['body'] }[channel];
      for (const field of required) expect((outcome.content as unknown as Record<string, string>)[field]).toMatch(/\S/);
      expect(outcome.content).not.toHaveProperty('html');
    });

    it("sends a provider nothing of one customer's request in another's", async () => {
      const first = randomUUID();
      const second = randomUUID();
      const before = fixture.received().length;
      await settle(fixture.generator, generationRequest('email', first));
      const mark = fixture.received().length;
      await settle(fixture.generator, generationRequest('email', second));
      const secondCalls = fixture.received().slice(mark);
      for (const call of secondCalls) expect(call).not.toContain(first);
      // Whatever reached the far side for the first customer carried their data, not the second's.
      for (const call of fixture.received().slice(before, mark)) expect(call).not.toContain(second);
    });

    it('gives no content for a cancelled send', async () => {
      const controller = new AbortController();
      controller.abort(new Error('the send was cancelled'));
      await expect(fixture.generator.generate(generationRequest('sms', randomUUID(), controller.signal))).rejects.toThrow();
    });
  });
}
