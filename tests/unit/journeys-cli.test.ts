import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { dirWith } from '../support/files';
import { storeEnv, testConfig } from '../support/harness';

/**
 * `waymark journeys` as a user runs it: the real CLI in a child process, its exit code and what
 * it prints. Nothing here needs Temporal (a refused preview stops before starting a server; the
 * address below answers nothing, so `list` shows its counts as unavailable). The commands that
 * read the store get a fresh database on the test run's embedded PostgreSQL.
 */

const ROOT = path.join(__dirname, '../..');
const EXAMPLES = path.join(ROOT, 'docs/examples');
const FIXTURES = path.join(ROOT, 'tests/fixtures/journeys');


/** Settings for a store of one test's own: a new database on the test run's PostgreSQL. */
const freshStore = () => storeEnv(testConfig());

function waymark(args: string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(path.join(ROOT, 'bin/waymark'), args, {
    encoding: 'utf8',
    env: {
      ...process.env,
      WAYMARK_JOURNEYS_DIR: '',
      WAYMARK_LOG_LEVEL: 'warn',
      WAYMARK_TEMPORAL_ADDRESS: '127.0.0.1:1',
      WAYMARK_TEMPORAL_CONNECT_TIMEOUT: '1s',
      ...env,
    },
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}


const welcome = () => fs.readFileSync(path.join(EXAMPLES, 'welcome-series.yaml'), 'utf8');
/** The welcome series with its goal on the event its invite step waits for: that step's onEvent path is dead. */
const deadWelcome = () => welcome().replace('event: subscription_started', 'event: teammate_invited');

describe('waymark journeys validate', () => {
  it('reports one journey id in two files, naming both, and exits 1', () => {
    const dir = dirWith({ 'a.yaml': welcome(), 'b.json': JSON.stringify(YAML.parse(welcome())) });
    const { code, stdout } = waymark(['journeys', 'validate', path.join(dir, 'a.yaml'), path.join(dir, 'b.json')]);
    expect(code).toBe(1);
    expect(stdout).toContain(`invalid   ${path.join(dir, 'a.yaml')}\n  error   id (line 14): journey id "welcome-series" is also defined in ${path.join(dir, 'b.json')}`);
    expect(stdout).toContain(`invalid   ${path.join(dir, 'b.json')}\n  error   id (line 1): journey id "welcome-series" is also defined in ${path.join(dir, 'a.yaml')}`);
  });

  it('takes a folder, and reports a file that reuses a shipped journey id', () => {
    const dir = dirWith({ 'mine.yaml': welcome().replace('id: welcome-series', 'id: onboarding'), 'notes.md': '# not a journey' });
    const { code, stdout } = waymark(['journeys', 'validate', dir]);
    expect(code).toBe(1);
    expect(stdout).toContain('journey id "onboarding" is also defined in journeys/onboarding.ts');
    expect(stdout).not.toContain('notes.md');
  });

  it('prints warnings and exits 0, or 1 with --strict', () => {
    const file = path.join(dirWith({ 'dead.yaml': deadWelcome() }), 'dead.yaml');
    const loose = waymark(['journeys', 'validate', file]);
    expect(loose.code).toBe(0);
    expect(loose.stdout).toMatch(/^warnings {2}.*dead\.yaml {2}\(welcome-series@[0-9a-f]{12}\)\n {2}warning steps\.invite_prompt\.event \(line \d+\): every "teammate_invited" event/m);
    expect(loose.stdout).toContain('1 file(s): 0 ok, 1 with warnings, 0 invalid');
    const strict = waymark(['journeys', 'validate', '--strict', file]);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('(--strict: warnings fail)');
  });

  it('passes the examples in docs/ with no warning, even with --strict', () => {
    const { code, stdout } = waymark(['journeys', 'validate', '--strict', EXAMPLES]);
    expect(stdout).not.toMatch(/^(warnings|invalid) |^ +warning /m);
    expect(stdout).toContain('3 file(s): 3 ok, 0 with warnings, 0 invalid');
    expect(code).toBe(0);
  });

  it('names the line of a syntax error and of a reference to an unknown step', () => {
    const { code, stdout } = waymark(['journeys', 'validate', path.join(FIXTURES, 'bad-syntax.yaml'), path.join(FIXTURES, 'unknown-next.yaml')]);
    expect(code).toBe(1);
    expect(stdout).toContain('  error   (line 5): is not valid YAML');
    expect(stdout).toContain('  error   steps.nudge.next (line 8): refers to unknown step "dnoe"');
  });
});

describe('waymark journeys publish, list and show', () => {
  it('publishes the valid files of a folder, refuses an invalid one naming its file and line, and exits 1', () => {
    const store = freshStore();
    const dir = dirWith({ 'welcome.yaml': welcome(), 'unknown-next.yaml': fs.readFileSync(path.join(FIXTURES, 'unknown-next.yaml'), 'utf8') });
    const published = waymark(['journeys', 'publish', dir, '--actor', 'ada'], store);
    expect(published.code).toBe(1);
    expect(published.stdout).toMatch(new RegExp(`^new journey +welcome-series@[0-9a-f]{12} +\\(${path.join(dir, 'welcome.yaml')}\\)$`, 'm'));
    expect(published.stdout).toContain('1 new journey(s), 0 new version(s), 0 unchanged, 1 file(s) refused; recorded as made by ada');
    expect(published.stderr).toContain(`${path.join(dir, 'unknown-next.yaml')} was refused (nothing in it was published):\n  - steps.nudge.next (line 8): refers to unknown step "dnoe"`);
    expect(published.stderr).not.toMatch(/\n\s+at /); // no stack trace

    const listed = waymark(['journeys', 'list'], store);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^journey +current +status +versions +running\nwelcome-series +[0-9a-f]{12} +active +1 +\?$/m);
    expect(listed.stdout).toContain('not published yet: onboarding (journeys/onboarding.ts), ');
    expect(listed.stderr).toContain('running counts unavailable: cannot reach Temporal at 127.0.0.1:1');
  });

  it('publishes the shipped journeys by default; the same content again is unchanged', () => {
    const store = freshStore();
    const first = waymark(['journeys', 'publish'], store);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^new journey +onboarding@[0-9a-f]{12} +\(journeys\/onboarding\.ts\)$/m);
    // Their templates are not published in this store yet: each send step says so (a warning; publishing either first is fine).
    expect(first.stdout).toContain('\ntemplates:\n  warning journey "onboarding" step ');
    expect(first.stdout).toContain('journey "onboarding" step "welcome" sends email template "onboarding-welcome", which does not exist; add templates/onboarding-welcome.yaml and publish it');
    const again = waymark(['journeys', 'publish'], store);
    expect(again.stdout).toMatch(/^unchanged +onboarding@[0-9a-f]{12} /m);
    expect(again.stdout).toContain('0 new journey(s), 0 new version(s), 3 unchanged, 0 file(s) refused');
  });

  it('refuses a copied file that kept another file\'s journey id unless --force; diff ID FILE shows what publishing would change; publishing older content says "back to version"', () => {
    const store = freshStore();
    const dir = dirWith({ 'welcome.yaml': welcome(), 'copy.yaml': welcome().replace('Welcome', 'Welcome (copy)') });
    const [original, copy] = [path.join(dir, 'welcome.yaml'), path.join(dir, 'copy.yaml')];
    expect(waymark(['journeys', 'publish', original, '--actor', 'ada'], store).code).toBe(0);

    const refused = waymark(['journeys', 'publish', copy, '--actor', 'bob'], store);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`${copy} was refused: journey "welcome-series": its current version [0-9a-f]{12} was published from ${original} by ada at .*; publishing this file would replace it\\. Give the copy an id of its own, or publish it with --force\\.`));
    expect(refused.stdout).toContain('0 new journey(s), 0 new version(s), 0 unchanged, 1 file(s) refused');

    // What publishing the copy would change, before doing it.
    const diff = waymark(['journeys', 'diff', 'welcome-series', copy], store);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toMatch(new RegExp(`^welcome-series@[0-9a-f]{12} \\(current\\) -> ${copy} \\(welcome-series@[0-9a-f]{12}\\)\n`));
    expect(diff.stdout).toContain('name');
    expect(waymark(['journeys', 'diff', 'welcome-series', original], store).stdout).toContain('the same content: publishing the file would change nothing');

    const forced = waymark(['journeys', 'publish', copy, '--force', '--actor', 'bob'], store);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(/^new version +welcome-series +[0-9a-f]{12} -> [0-9a-f]{12}/m);
    // The original again: content published before is "back to version", not a new one.
    const back = waymark(['journeys', 'publish', original, '--force', '--actor', 'ada'], store);
    expect(back.stdout).toMatch(/^back to version welcome-series +[0-9a-f]{12} -> [0-9a-f]{12} \(first published \d{4}-/m);
    expect(back.stdout).toContain('0 new journey(s), 0 new version(s), 1 back to an earlier version, 0 unchanged, 0 file(s) refused');
  });

  it('refuses to roll back a journey with one version, and to change one never published, saying why', () => {
    const store = freshStore();
    waymark(['journeys', 'publish', path.join(EXAMPLES, 'winback.json')], store);
    const rollback = waymark(['journeys', 'rollback', 'winback'], store);
    expect(rollback.code).toBe(1);
    expect(rollback.stderr).toBe('waymark: journey "winback" has had only one version; there is nothing to roll back to\n');
    const pause = waymark(['journeys', 'pause', 'no-such-journey'], store);
    expect(pause.code).toBe(1);
    expect(pause.stderr).toContain(`no journey "no-such-journey" is published; 'waymark journeys list' shows those that are`);
    const diff = waymark(['journeys', 'diff', 'winback@zz', 'ffffffffffff'], store);
    expect(diff.code).toBe(1);
    expect(diff.stderr).toContain('"winback@zz": a version is hex digits');
    expect(diff.stderr).toContain('no version of any journey starts with "ffffffffffff"');
  });

  it('archives in the store even when Temporal cannot be reached, says its runs were not told, and exits 1', () => {
    const store = freshStore();
    waymark(['journeys', 'publish', path.join(EXAMPLES, 'winback.json')], store);
    const archived = waymark(['journeys', 'archive', 'winback', '--actor', 'ada'], store);
    expect(archived.code).toBe(1);
    expect(archived.stdout).toMatch(/^winback: active -> archived by ada; within 1s \(WAYMARK_CATALOG_REFRESH\) it takes no new customers$/m);
    expect(archived.stderr).toContain("its running runs were NOT told to exit: cannot reach Temporal at 127.0.0.1:1");
    expect(archived.stderr).toContain("Run 'waymark journeys archive winback' again once Temporal is reachable.");
    expect(waymark(['journeys', 'list'], store).stdout).toMatch(/^winback +[0-9a-f]{12} +archived +1 +\?$/m);
    expect(waymark(['journeys', 'history', 'winback'], store).stdout).toMatch(/ archive +at version [0-9a-f]{12} +by ada$/m);
  });

  it('shows branch conditions, filters and where each way leads, with no internal field paths', () => {
    const store = freshStore();
    const fromFile = waymark(['journeys', 'show', 'welcome-series'], { ...store, WAYMARK_JOURNEYS_DIR: EXAMPLES });
    expect(fromFile.code).toBe(0);
    const [shown, note] = fromFile.stdout.split('\n\nnot published: ');
    expect(note).toBe(`shown from ${path.join(EXAMPLES, 'welcome-series.yaml')}; 'waymark journeys publish' makes it live\n`);
    expect(shown).toContain('  entry:    signed_up where all(event.source in [web, mobile], event.invited_by not exists)');
    expect(shown).toContain('  exit:     unsubscribed where event.list = "marketing" ends the run as exited');
    expect(shown).toMatch(/if company_size ≥ 50 +-> book_demo/);
    expect(shown).toMatch(/if any\(performed project_created, plan = "pro"\) +-> invite_prompt/);
    expect(shown).toMatch(/else +-> getting_started/);
    expect(shown).toContain('wait up to 3d for teammate_invited where event.role ≠ "guest"');
    expect(shown).not.toMatch(/branches\.\d|paths\.\d|default:|onEvent:|journeys\/|docs\//);

    waymark(['journeys', 'publish', EXAMPLES], store);
    const published = waymark(['journeys', 'show', 'welcome-series'], store);
    expect(published.stdout.split('\n\n')[0]).toBe(shown!.split('\n\n')[0]); // the same header, read back from the store
    expect(published.stdout).toContain("status: active; the current version; 'waymark journeys versions welcome-series' lists every version");
  });
});

describe('waymark journeys preview', () => {
  it('refuses an event type the journey never uses, naming it and the ones it uses, with exit code 2', () => {
    const { code, stderr } = waymark(['journeys', 'preview', 'trial-conversion', '--event', 'subscription_started@8d', '--event', 'subscribed@8d']);
    expect(code).toBe(2);
    expect(stderr).toContain('--event "subscribed@8d": journey trial-conversion never uses the event type "subscribed"');
    expect(stderr).toContain('the types it uses are subscription_started, trial_started');
  });

  it('says an entry event the entry filter refuses would not enter, and why, as the live router would, and runs nothing', () => {
    const file = path.join(EXAMPLES, 'welcome-series.yaml');
    const { code, stdout, stderr } = waymark(['journeys', 'preview', file, '--property', 'source=email']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain('Would not enter: the entry filter');
    expect(stdout).toContain('source');
    expect(stdout).not.toContain('Messages:');
  });

  it('refuses a malformed --event with exit code 2', () => {
    const { code, stderr } = waymark(['journeys', 'preview', 'trial-conversion', '--event', 'activated']);
    expect(code).toBe(2);
    expect(stderr).toContain('TYPE@AFTER');
  });

  it('has help on every subcommand, with an example', () => {
    for (const sub of ['publish', 'list', 'versions', 'show', 'diff', 'history', 'pause', 'resume', 'archive', 'rollback', 'validate', 'preview']) {
      const { code, stdout } = waymark(['journeys', sub, '--help']);
      expect({ sub, code, example: /Examples?:\n {2}(\S+=\S+ )?waymark journeys /.test(stdout) }).toEqual({ sub, code: 0, example: true });
    }
  });
});
