import { loadConfig } from '../../src/config';
import { engines } from '../../src/templates/liquid';
import { TemplateChangeError, TemplateStore } from '../../src/templates/template-store';
import { sealTemplate, templateLimits, validateTemplate } from '../../src/templates/validate';
import { Store } from '../../src/store/store';
import { testConfig } from '../support/harness';

/** Template versions in the real PostgreSQL: immutable, content-addressed, one current version, every change with its actor. */

const liquid = engines(templateLimits(loadConfig({})));
function sealed(input: Record<string, unknown>) {
  const result = validateTemplate(input, liquid);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return sealTemplate(result.template);
}
const v1 = sealed({ id: 'hello', channel: 'push', title: 'Hello', body: 'First words' });
const v2 = sealed({ id: 'hello', channel: 'push', title: 'Hello', body: 'Better words' });

describe('TemplateStore', () => {
  let store: Store;
  let templates: TemplateStore;
  beforeAll(() => {
    store = new Store(testConfig());
    templates = new TemplateStore(store);
  });
  afterAll(() => store.close());

  it('publishes a first version, treats the same content as a no-op, and makes a new content the current version', async () => {
    expect(await templates.publish(v1, 'hello.yaml', 'ada')).toEqual({ outcome: 'new-template', version: v1.version });
    expect(await templates.publish(v1, 'elsewhere.yaml', 'grace')).toEqual({ outcome: 'unchanged', version: v1.version });
    expect(await templates.publish(v2, 'hello.yaml', 'grace')).toEqual({ outcome: 'new-version', version: v2.version, previous: v1.version });

    expect(await templates.get('hello')).toEqual({ definition: v2.definition, version: v2.version });
    expect(await templates.get('hello', v1.version)).toEqual({ definition: v1.definition, version: v1.version });
    expect(await templates.get('hello', 'ffffffffffff')).toBeUndefined();
    expect(await templates.get('nope')).toBeUndefined();

    const history = await templates.history('hello');
    expect(history.map((c) => [c.action, c.fromVersion, c.version, c.actor])).toEqual([
      ['publish', null, v1.version, 'ada'],
      ['publish', v1.version, v2.version, 'grace'],
    ]);
    const [state] = await templates.states();
    expect(state).toMatchObject({ templateId: 'hello', channel: 'push', currentVersion: v2.version, versions: 2, changedBy: 'grace' });
    const { rows } = await store.query<{ source: string }>('SELECT source FROM template_versions WHERE template_id = $1 ORDER BY published_at', ['hello']);
    expect(rows.map((r) => r.source)).toEqual(['hello.yaml', 'hello.yaml']); // the no-op stored nothing
  });

  it('makes an older version current again when its content is published again, without a new version row', async () => {
    expect(await templates.publish(v1, 'hello.yaml', 'linus')).toEqual({ outcome: 'new-version', version: v1.version, previous: v2.version });
    expect((await templates.states())[0]).toMatchObject({ currentVersion: v1.version, versions: 2, changedBy: 'linus' });
  });

  it('refuses to change a template to another channel, naming what to do', async () => {
    const sms = sealed({ id: 'hello', channel: 'sms', text: 'Hello by text' });
    await expect(templates.publish(sms, 'hello.yaml', 'ada')).rejects.toThrow(TemplateChangeError);
    await expect(templates.publish(sms, 'hello.yaml', 'ada')).rejects.toThrow('template "hello" is for the push channel, and journeys send it there; to send it by sms, publish it under a new id');
    expect((await templates.get('hello'))?.definition.channel).toBe('push');
  });

  it('lets concurrent publishes of one new template record exactly one first version', async () => {
    const fresh = sealed({ id: 'race', channel: 'sms', text: 'Hi' });
    const outcomes = await Promise.all([1, 2, 3].map((n) => templates.publish(fresh, 'race.yaml', `actor-${n}`)));
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(['new-template', 'unchanged', 'unchanged']);
    expect(await templates.history('race')).toHaveLength(1);
  });
});
