import { NoContentGenerator } from '../../src/content/none';
import { testConfig } from '../support/harness';
import { generatorContract } from './contract';
import { sendPath, templateContent } from './sends';

generatorContract('NoContentGenerator', async () => ({
  generator: new NoContentGenerator(),
  received: () => [],
  close: async () => undefined,
}));

describe('sends without a model (the laptop default, real PostgreSQL)', () => {
  let path: Awaited<ReturnType<typeof sendPath>>;
  beforeAll(async () => {
    path = await sendPath(testConfig());
  });
  afterAll(() => path?.store.close());

  it('a step with generate sends its template, recording why on the message and in the ledger', async () => {
    const customer = await path.customer('Ada');
    const request = path.request(customer);
    const message = await path.send(request);

    const source = { kind: 'fallback', code: 'CONTENT_DISABLED', reason: 'no model is configured (WAYMARK_CONTENT_GENERATOR=none)' };
    expect(message.content).toEqual(templateContent(customer));
    expect(message.contentSource).toEqual(source);
    expect(await path.ledgerSource(request)).toEqual(source);
  });

  it('a step without generate sends its template as the source', async () => {
    const customer = await path.customer('Bob');
    const request = path.request(customer, null);
    const message = await path.send(request);

    expect(message.content).toEqual(templateContent(customer));
    expect(message.contentSource).toEqual({ kind: 'template' });
    expect(await path.ledgerSource(request)).toEqual({ kind: 'template' });
  });
});
