import path from 'node:path';
import { SHIPPED_JOURNEYS } from '../../journeys';
import { loadConfig } from '../../src/config';
import type { Journey } from '../../src/journey/schema';
import { checkTemplateFiles, templateRefProblems, validTemplates } from '../../src/templates/catalog';
import { engines } from '../../src/templates/liquid';
import { checkTemplateFile } from '../../src/templates/template-file';
import { templateLimits } from '../../src/templates/validate';
import { ROOT } from '../support/cli';
import { dirWith } from '../support/files';

/** Template files checked as `waymark templates validate` checks them: each problem with its file line. */

const limits = templateLimits(loadConfig({}));
const liquid = engines(limits);
const check = (name: string, text: string) => checkTemplateFile(path.join(dirWith({ [name]: text }), name), liquid, limits);
const messages = (c: ReturnType<typeof check>) => c.issues.map((i) => `${i.path}@${i.line}: ${i.message}`);

const EMAIL = `id: welcome
channel: email
variables:
  traits: [first_name]
  event: [plan]
subject: "Hi {{ first_name | default: 'there' }}"
html: |
  <p>Hello</p>
  <p>{{ first_name | default: "there" }} on {{ event.plan }}</p>
text: "Hi {{ first_name | default: 'there' }}"
`;

describe('template files', () => {
  it('accepts a valid template and gives it a content-addressed version', () => {
    const a = check('welcome.yaml', EMAIL);
    expect(a.issues).toEqual([]);
    expect(a.published?.definition).toMatchObject({ id: 'welcome', channel: 'email', variables: { traits: ['first_name'], event: ['plan'] } });
    expect(a.published?.version).toMatch(/^[0-9a-f]{12}$/);
    expect(check('other-name.yaml', EMAIL).published?.version).toBe(a.published?.version);
    expect(check('welcome.yaml', EMAIL.replace('Hello', 'Hello!')).published?.version).not.toBe(a.published?.version);
  });

  it('names the line of an unknown variable inside a block field, and says what to declare', () => {
    const c = check('t.yaml', EMAIL.replace('on {{ event.plan }}', 'on {{ event.plna }} {{ frist_name }}'));
    expect(messages(c)).toEqual([
      expect.stringMatching(/^html@9: unknown variable "event.plna": the event property "plna" is not listed under variables.event \(plan\)/),
      expect.stringMatching(/^html@9: unknown variable "frist_name": "frist_name" is not listed under variables.traits \(first_name\)/),
    ]);
    expect(c.published).toBeUndefined();
  });

  it('refuses unknown fixed fields, filters, file-reading tags and Braze-only syntax, each at its line', () => {
    const text = EMAIL.replace('<p>Hello</p>', '<p>{{ contact.fax }}</p>')
      .replace('text: "Hi', 'text: "{{ first_name | shout }} Hi')
      .replace('subject: "Hi {{ first_name', 'subject: "Hi {{${first_name}}} {{ first_name');
    expect(messages(check('t.yaml', text))).toEqual([
      expect.stringMatching(/^subject@6: holds a Braze "\$\{name\}" attribute \("\$\{first_name\}/),
      expect.stringMatching(/^html@8: unknown variable "contact.fax": contact has contact.email, contact.phone, contact.timezone, contact.locale$/),
      expect.stringMatching(/^text@10: unknown filter "shout"; the filters allowed are abs, append/),
    ]);
    expect(messages(check('t.yaml', EMAIL.replace('<p>Hello</p>', '{% include "secrets.txt" %}')))).toEqual([expect.stringMatching(/^html@8: unknown tag "include"; the tags allowed are/)]);
    expect(messages(check('t.yaml', EMAIL.replace('<p>Hello</p>', '{% connected_content https://x.example %}')))).toEqual([
      expect.stringMatching(/^html@8: the Braze-only tag "connected_content" is not supported here/),
    ]);
    expect(messages(check('t.yaml', EMAIL.replace('<p>Hello</p>', 'Hi *|FNAME|*')))).toEqual([expect.stringMatching(/^html@8: holds a Mailchimp "\*\|NAME\|\*" merge tag/)]);
  });

  it('names the line of shape problems: missing field, unknown key, unknown channel, reserved trait name', () => {
    expect(messages(check('t.yaml', EMAIL.replace(/^text: .*$/m, 'txt: "x"')))).toEqual([
      'text@undefined: is required',
      expect.stringMatching(/^txt@10: Unrecognized key: "txt"; remove it or check its spelling/),
    ]);
    expect(messages(check('t.yaml', EMAIL.replace('channel: email', 'channel: fax')))).toEqual(['channel@2: is not a known channel; use one of "email", "sms", "push", "in_app"']);
    expect(messages(check('t.yaml', EMAIL.replace('traits: [first_name]', 'traits: [first_name, journey]')))).toEqual([expect.stringMatching(/^variables.traits@4: must not name contact, customer, event, journey/)]);
  });

  it('reads JSON too, naming the line of the field', () => {
    const json = `{\n  "id": "sms-1",\n  "channel": "sms",\n  "text": "Hi {{ nme }}"\n}\n`;
    expect(messages(check('t.json', json))).toEqual([expect.stringMatching(/^text@4: unknown variable "nme"/)]);
    expect(messages(check('t.json', '{\n  "id": "x",\n')).join()).toMatch(/is not valid JSON/);
  });

  it('warns about declared variables no field reads', () => {
    const c = check('t.yaml', EMAIL.replace('traits: [first_name]', 'traits: [first_name, plan]'));
    expect(c.issues).toEqual([]);
    expect(c.warnings).toEqual([{ path: 'variables.traits', line: 4, message: '"plan" is declared but no field reads it; remove it' }]);
  });

  it('refuses every file of a template id used twice, naming the other', () => {
    const dir = dirWith({ 'a.yaml': EMAIL, 'b.yaml': EMAIL.replace('Hello', 'Hi') });
    const { checked } = checkTemplateFiles([dir], liquid, limits);
    expect(checked.map((c) => c.issues.map((i) => `${i.line}: ${i.message}`))).toEqual([
      [`1: template id "welcome" is also used by ${path.join(dir, 'b.yaml')}; none of them is published until each id is used once (rename or remove one)`],
      [`1: template id "welcome" is also used by ${path.join(dir, 'a.yaml')}; none of them is published until each id is used once (rename or remove one)`],
    ]);
    expect(validTemplates(checked)).toEqual([]);
  });
});

describe('template settings', () => {
  it('default to the "templates" folder of the journeys folder, and stop start-up on a bad value, naming the variable', () => {
    expect(loadConfig({}).templates.dir).toBe(path.join('journeys', 'templates'));
    expect(loadConfig({ WAYMARK_JOURNEYS_DIR: '/srv/journeys' }).templates.dir).toBe('/srv/journeys/templates');
    expect(loadConfig({ WAYMARK_TEMPLATES_DIR: '/srv/templates' }).templates.dir).toBe('/srv/templates');
    expect(() => loadConfig({ WAYMARK_TEMPLATE_RENDER_LIMIT: 'soon' })).toThrow(/WAYMARK_TEMPLATE_RENDER_LIMIT="soon": must be/);
    expect(() => loadConfig({ WAYMARK_TEMPLATE_MAX_BYTES: '10' })).toThrow('WAYMARK_TEMPLATE_MAX_BYTES="10": must be at least 1024');
  });

  it('refuse a template file over WAYMARK_TEMPLATE_MAX_BYTES unread', () => {
    const small = templateLimits(loadConfig({ WAYMARK_TEMPLATE_MAX_BYTES: '1024' }));
    const file = path.join(dirWith({ 'big.yaml': EMAIL + `# ${'x'.repeat(1_100)}\n` }), 'big.yaml');
    expect(checkTemplateFile(file, liquid, small).issues).toEqual([{ path: '', message: expect.stringMatching(/^is \d+ bytes, over WAYMARK_TEMPLATE_MAX_BYTES \(1024\); split it, or raise the limit$/) }]);
  });
});

describe('the shipped templates', () => {
  const { checked } = checkTemplateFiles([path.join(ROOT, 'journeys/templates')], liquid, limits);
  const shipped = Object.values(SHIPPED_JOURNEYS) as Journey[];

  it('are all valid, without warnings', () => {
    expect(checked.filter((c) => c.issues.length || c.warnings.length)).toEqual([]);
  });

  it('cover every send step of the shipped journeys, each for its channel', () => {
    const channels = new Map(validTemplates(checked).map((t) => [t.published.definition.id, t.published.definition.channel]));
    expect(templateRefProblems(shipped, channels, 'report')).toEqual([]);
    // The check itself finds a missing template and a channel mismatch.
    channels.delete('onboarding-nudge');
    channels.set('churn-last-chance', 'email');
    expect(templateRefProblems(shipped, channels, 'report').map((p) => p.message)).toEqual([
      'journey "onboarding" step "nudge" sends email template "onboarding-nudge", which does not exist; add templates/onboarding-nudge.yaml and publish it',
      'journey "churn-prevention" step "last_chance" sends push template "churn-last-chance", which is for the email channel; change the step\'s channel or use a push template',
    ]);
    expect(templateRefProblems(shipped, channels, 'ignore')).toHaveLength(1);
  });
});
