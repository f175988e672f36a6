import { submitEvent } from '../../src/events/intake';
import { createDeps } from '../../src/runtime';
import { journeyWorkflowId } from '../../workflows/contract';
import type { journeyWorkflow } from '../../workflows/journey';
import { journeysDir } from '../support/api';
import { devServer, eventually } from '../support/dev-server';
import { GeminiServer, type GeminiAnswer } from '../support/gemini-server';
import { makeEvent, startWorker } from '../support/harness';
import { START_LINK, WELCOME } from './sends';

/** One email whose content a model writes from the WELCOME template. */
const generatedJourney = {
  id: 'generated-welcome',
  name: 'Generated welcome',
  entry: { event: 'generated_go' },
  start: 'hello',
  steps: {
    hello: { kind: 'send', channel: 'email', template: WELCOME.id, generate: { brief: 'A shorter, warmer welcome' }, next: 'end' },
    end: { kind: 'exit' },
  },
};

describe('a journey send step with generate, on a real run (dev server, real Gemini client, loopback Gemini)', () => {
  it("lands in the local outbox with the model's content, and with the template's (the reason recorded) whenever Gemini fails", async () => {
    const gemini = await GeminiServer.start();
    const dir = journeysDir([generatedJourney], { [`${WELCOME.id}.json`]: JSON.stringify(WELCOME) });
    const server = await devServer({
      WAYMARK_JOURNEYS_DIR: dir,
      WAYMARK_CONTENT_GENERATOR: 'gemini',
      WAYMARK_GEMINI_API_KEY: gemini.apiKey,
      WAYMARK_GEMINI_BASE_URL: gemini.url,
      WAYMARK_CONTENT_TIMEOUT: '2s',
      WAYMARK_CONTENT_RETRIES: '1',
      WAYMARK_CONTENT_RETRY_WAIT: '1s',
      WAYMARK_CONTENT_BANNED_PHRASES: 'act now',
    });
    const deps = createDeps(server.config);
    const stamp = Date.now();
    const [lucky, unlucky] = [`gen-lucky-${stamp}`, `gen-unlucky-${stamp}`] as const;
    /** Enters the customer and waits for the run to finish; returns what the outbox recorded for them. */
    const runFor = async (customerId: string) => {
      await submitEvent(server.client, server.config, makeEvent('generated_go', customerId, Date.now()));
      const run = server.client.workflow.getHandle<typeof journeyWorkflow>(journeyWorkflowId('generated-welcome', customerId));
      await eventually(() => run.describe().then(() => true, () => undefined), `${customerId}'s run`);
      const result = await run.result();
      return { path: result.path.filter((p) => p.kind === 'send').map((p) => p.outcome), outbox: await deps.outbox.list(customerId) };
    };
    try {
      // Every other way the model can fail ends the same way on a real run: the template's words, the code and reason recorded.
      const failures: Array<[string, GeminiAnswer, string]> = [
        ['rate-limited', { kind: 'rate_limited', retryDelay: '30s' }, 'CONTENT_RATE_LIMITED'],
        ['refused', { kind: 'rejected', message: 'Request contains an invalid argument.' }, 'CONTENT_REFUSED'],
        ['slow', { kind: 'slow', delayMs: 4_000 }, 'CONTENT_TIMEOUT'],
        ['blocked', { kind: 'prompt_blocked', blockReason: 'SAFETY' }, 'CONTENT_BLOCKED'],
        ['not-json', { kind: 'invalid_json' }, 'CONTENT_INVALID'],
        ['banned', { kind: 'success', fields: { subject: 'Act now', text: `Start: ${START_LINK}` } }, 'CONTENT_GUARDRAIL'],
      ];
      const worker = await startWorker(server.nativeConnection, server.config, deps);
      const [modelRun, fallbackRun, seen] = await worker.runUntil(async () => {
        const text = `Welcome aboard.\n\nStart here: ${START_LINK}${lucky}`;
        gemini.answerNext({ kind: 'success', fields: { subject: 'Glad you are here', text }, modelVersion: 'gemini-2.5-flash-002' });
        const first = await runFor(lucky);
        gemini.answerNext({ kind: 'server_error' }, { kind: 'server_error' });
        const second = await runFor(unlucky);
        const outcomes: Array<[string, unknown]> = [];
        for (const [name, answer] of failures) {
          gemini.answerNext(answer);
          const { path: sends, outbox } = await runFor(`gen-${name}-${stamp}`);
          expect(sends).toEqual([`sent email ${WELCOME.id}`]);
          expect(outbox[0]!.content).toMatchObject({ subject: 'Welcome to Fieldnote, there' });
          outcomes.push([name, outbox[0]!.contentSource?.kind === 'fallback' ? outbox[0]!.contentSource.code : outbox[0]!.contentSource]);
        }
        return [first, second, outcomes] as const;
      });

      expect(modelRun.path).toEqual([`sent email ${WELCOME.id}`]);
      expect(modelRun.outbox).toHaveLength(1);
      expect(modelRun.outbox[0]).toMatchObject({
        stepId: 'hello',
        generate: { brief: 'A shorter, warmer welcome' },
        content: { channel: 'email', subject: 'Glad you are here', text: `Welcome aboard.\n\nStart here: ${START_LINK}${lucky}` },
        contentSource: { kind: 'model', model: 'gemini-2.5-flash', modelVersion: 'gemini-2.5-flash-002' },
      });

      expect(fallbackRun.path).toEqual([`sent email ${WELCOME.id}`]);
      expect(fallbackRun.outbox).toHaveLength(1);
      expect(fallbackRun.outbox[0]).toMatchObject({
        content: { channel: 'email', subject: 'Welcome to Fieldnote, there', text: `Hi there, your free workspace is ready.\n\nStart: ${START_LINK}${unlucky}` },
        contentSource: { kind: 'fallback', code: 'CONTENT_UNAVAILABLE', reason: 'Gemini answered 500 INTERNAL: An internal error has occurred.' },
      });
      // Each send asked once; the second, once more after its 500 (WAYMARK_CONTENT_RETRIES=1).
      expect(gemini.received.slice(0, 3).map((r) => GeminiServer.prompt(r).includes(unlucky))).toEqual([false, true, true]);

      expect(seen).toEqual(failures.map(([name, , code]) => [name, code]));
    } finally {
      await deps.store.close();
      await server.close();
      await gemini.close();
    }
  });
});
