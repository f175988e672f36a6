import path from 'node:path';
import type { Config } from '../../src/config';
import { PgProfileStore } from '../../src/profiles/pg-store';
import { Store } from '../../src/store/store';
import { runWaymark } from '../support/cli';
import { dirWith } from '../support/files';
import { storeEnv, testConfig } from '../support/harness';

/** `waymark templates` as a user runs it: a real bin/waymark process on the test run's PostgreSQL. */

describe('waymark templates', () => {
  let config: Config;
  let store: Store;
  let env: Record<string, string>;

  beforeAll(async () => {
    config = testConfig();
    store = new Store(config);
    env = { ...storeEnv(config), WAYMARK_DATA_DIR: config.dataDir, WAYMARK_LOG_LEVEL: 'silent' };
    const profiles = new PgProfileStore(store, config.profileKeepKeys, config.limits);
    await profiles.apply('ada', { traits: { first_name: '<Ada>' }, contact: { email: 'ada@example.com' } }, 'set-up');
  });
  afterAll(() => store.close());

  it('validate: names the file, field and line of each problem, and exits 1', async () => {
    const dir = dirWith({
      'ok.yaml': 'id: ok\nchannel: sms\ntext: Hello\n',
      'bad.yaml': 'id: bad\nchannel: push\nvariables:\n  traits: [first_name]\ntitle: Hi\nbody: |\n  Hello\n  {{ first_name | shout }}\n',
    });
    const result = await runWaymark(['templates', 'validate', dir], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`invalid   ${path.join(dir, 'bad.yaml')}\n  error   body (line 8): unknown filter "shout"`);
    expect(result.stdout).toMatch(new RegExp(`ok        ${path.join(dir, 'ok.yaml')}  \\(ok@[0-9a-f]{12}, sms\\)`));
    expect(result.stdout).toContain('2 file(s): 1 ok, 0 with warnings, 1 invalid; 0 journey warning(s)');
  });

  it('publish: stores every shipped template once, records the actor, and publishing again changes nothing', async () => {
    const first = await runWaymark(['templates', 'publish', '--actor', 'ada'], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^new template {2}onboarding-welcome@[0-9a-f]{12} {2}\(journeys\/templates\/onboarding-welcome.yaml\)$/m);
    expect(first.stdout).toContain('12 new template(s), 0 new version(s), 0 unchanged, 0 refused; recorded as made by ada');
    const again = await runWaymark(['templates', 'publish', '--actor', 'grace'], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('0 new template(s), 0 new version(s), 12 unchanged, 0 refused');

    const list = await runWaymark(['templates', 'list'], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^churn-last-chance +push +[0-9a-f]{12} +1 +\S+ by ada$/m);
    const history = await runWaymark(['templates', 'list', 'onboarding-welcome'], env);
    expect(history.stdout).toMatch(/^\S+ {2}ada {2}first version [0-9a-f]{12}$/m);
  });

  it('publish: refuses invalid files and channel changes, with their lines, and publishes the valid files all the same', async () => {
    const dir = dirWith({
      'fine.yaml': 'id: fine-sms\nchannel: sms\ntext: Your code works\n',
      'broken.yaml': 'id: broken\nchannel: sms\ntext: |\n  Hi\n  {% if x %}\n',
      'moved.yaml': 'id: churn-last-chance\nchannel: sms\ntext: Come back\n',
    });
    const result = await runWaymark(['templates', 'publish', dir], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^new template {2}fine-sms@[0-9a-f]{12}/m);
    expect(result.stdout).toContain('1 new template(s), 0 new version(s), 0 unchanged, 2 refused');
    expect(result.stderr).toContain(`${path.join(dir, 'broken.yaml')} was refused (nothing in it was published):\n  - text (line 5): is not valid Liquid: tag {% if x %} not closed`);
    expect(result.stderr).toContain(`${path.join(dir, 'moved.yaml')} was refused (nothing in it was published):\n  - channel (line 2): template "churn-last-chance" is for the push channel`);
  });

  it("render: shows what a customer gets from the published version, from their stored profile, escaped in HTML only", async () => {
    const result = await runWaymark(['templates', 'render', 'onboarding-welcome', '--customer', 'ada'], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^template onboarding-welcome@[0-9a-f]{12} \(email, published\)$/m);
    expect(result.stdout).toMatch(/^customer ada {2}to ada@example.com; journey onboarding@[0-9a-f]{12} step welcome \(journey file\)$/m);
    expect(result.stdout).toContain('subject:   Welcome to Fieldnote, <Ada>');
    expect(result.stdout).toContain('--- html ---\n<p>Hi &lt;Ada&gt;,</p>');
    expect(result.stdout).toContain('--- text ---\nHi <Ada>,');
    expect(result.stdout).toContain('utm_campaign=onboarding&amp;utm_content=welcome');
  });

  it('render: a missing variable without a default, a bad --event and a missing --customer are refused with what to fix', async () => {
    const file = path.join(dirWith({ 'strict.yaml': 'id: onboarding-welcome\nchannel: email\nvariables:\n  traits: [first_name]\n  event: [coupon]\nsubject: Hi {{ first_name }}\nhtml: <p>{{ event.coupon }}</p>\ntext: "{{ event.coupon }}"\n' }), 'strict.yaml');
    const missing = await runWaymark(['templates', 'render', file, '--customer', 'grace', '--json'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('note: customer "grace" has no profile in the store');
    expect(missing.stderr).toContain('waymark: template "onboarding-welcome", field subject: this customer has no "first_name" (row 1 of the field); give it a fallback with | default: "..."');
    const json = await runWaymark(['templates', 'render', file, '--customer', 'ada', '--event', '{"coupon":"STAY20"}', '--json'], env);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ channel: 'email', subject: 'Hi <Ada>', html: '<p>STAY20</p>', text: 'STAY20' });
    const badEvent = await runWaymark(['templates', 'render', 'onboarding-welcome', '--customer', 'ada', '--event', '[1]'], env);
    expect(badEvent.code).toBe(1);
    expect(badEvent.stderr).toContain(`--event: must be a JSON object of the event's properties`);
    const usage = await runWaymark(['templates', 'render', 'onboarding-welcome'], env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("required option '--customer <id>' not specified");
  });
});
