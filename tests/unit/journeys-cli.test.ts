import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { dirWith } from '../support/files';

/**
 * `waymark journeys` as a user runs it: the real CLI in a child process, its exit code and what
 * it prints. Nothing here needs Temporal (a refused preview stops before starting a server).
 */

const ROOT = path.join(__dirname, '../..');
const EXAMPLES = path.join(ROOT, 'docs/examples');
const FIXTURES = path.join(ROOT, 'tests/fixtures/journeys');


function waymark(args: string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(path.join(ROOT, 'bin/waymark'), args, {
    encoding: 'utf8',
    env: { ...process.env, WAYMARK_JOURNEYS_DIR: '', WAYMARK_LOG_LEVEL: 'warn', ...env },
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
    expect(stdout).toContain('2 file(s): 2 ok, 0 with warnings, 0 invalid');
    expect(code).toBe(0);
  });

  it('names the line of a syntax error and of a reference to an unknown step', () => {
    const { code, stdout } = waymark(['journeys', 'validate', path.join(FIXTURES, 'bad-syntax.yaml'), path.join(FIXTURES, 'unknown-next.yaml')]);
    expect(code).toBe(1);
    expect(stdout).toContain('  error   (line 5): is not valid YAML');
    expect(stdout).toContain('  error   steps.nudge.next (line 8): refers to unknown step "dnoe"');
  });
});

describe('waymark journeys list and show', () => {
  it('lists the valid journeys when a file in the folder is invalid, names that file and its line, and exits 1', () => {
    const dir = dirWith({ 'welcome.yaml': welcome(), 'unknown-next.yaml': fs.readFileSync(path.join(FIXTURES, 'unknown-next.yaml'), 'utf8') });
    const { code, stdout, stderr } = waymark(['journeys', 'list'], { WAYMARK_JOURNEYS_DIR: dir });
    expect(code).toBe(1);
    expect(stdout).toMatch(/^welcome-series +[0-9a-f]{12} {2}entry "signed_up"/m);
    expect(stdout).toMatch(/^onboarding /m);
    expect(stderr).toContain(`${path.join(dir, 'unknown-next.yaml')} was not loaded:\n  - steps.nudge.next (line 8): refers to unknown step "dnoe"`);
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('shows branch conditions, filters and where each way leads, with no internal field paths', () => {
    const { code, stdout } = waymark(['journeys', 'show', 'welcome-series'], { WAYMARK_JOURNEYS_DIR: EXAMPLES });
    expect(code).toBe(0);
    expect(stdout).toContain('  entry:    signed_up where all(event.source in [web, mobile], event.invited_by not exists)');
    expect(stdout).toContain('  exit:     unsubscribed where event.list = "marketing" ends the run as exited');
    expect(stdout).toMatch(/if company_size ≥ 50 +-> book_demo/);
    expect(stdout).toMatch(/if any\(performed project_created, plan = "pro"\) +-> invite_prompt/);
    expect(stdout).toMatch(/else +-> getting_started/);
    expect(stdout).toContain('wait up to 3d for teammate_invited where event.role ≠ "guest"');
    expect(stdout).not.toMatch(/branches\.\d|paths\.\d|default:|onEvent:|journeys\/|docs\//);
  });
});

describe('waymark journeys preview', () => {
  it('refuses an event type the journey never uses, naming it and the ones it uses, with exit code 2', () => {
    const { code, stderr } = waymark(['journeys', 'preview', 'trial-conversion', '--event', 'subscription_started@8d', '--event', 'subscribed@8d']);
    expect(code).toBe(2);
    expect(stderr).toContain('--event "subscribed@8d": journey trial-conversion never uses the event type "subscribed"');
    expect(stderr).toContain('the types it uses are subscription_started, trial_started');
  });

  it('refuses a malformed --event with exit code 2', () => {
    const { code, stderr } = waymark(['journeys', 'preview', 'trial-conversion', '--event', 'activated']);
    expect(code).toBe(2);
    expect(stderr).toContain('TYPE@AFTER');
  });

  it('has help on every subcommand, with an example', () => {
    for (const sub of ['list', 'show', 'validate', 'preview']) {
      const { code, stdout } = waymark(['journeys', sub, '--help']);
      expect({ sub, code, example: /Examples?:\n {2}(\S+=\S+ )?waymark journeys /.test(stdout) }).toEqual({ sub, code: 0, example: true });
    }
  });
});
