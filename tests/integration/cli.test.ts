import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, runWaymark, type CliResult } from '../support/cli';
import { runProcess } from '../support/processes';
import { runCli } from '../../src/cli/program';
import { freePort } from '../../src/free-port';

/** Command names listed under "Commands:" in a help text (the implicit `help` command aside). */
function subcommands(help: string): string[] {
  const section = help.split(/^Commands:$/m)[1]?.split(/^\S/m)[0] ?? '';
  return section
    .split('\n')
    .filter((line) => /^ {2}\S/.test(line)) // wrapped descriptions are indented further
    .map((line) => line.trim().split(/\s/)[0]!)
    .filter((name) => name !== 'help');
}

/** The CLI run in this process (src/cli/program.ts, as bin/waymark runs it): exit code and what commander printed. */
async function runInProcess(args: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { writeOut: (text) => void (stdout += text), writeErr: (text) => void (stderr += text) });
  return { code, signal: null, stdout, stderr };
}

/**
 * `--help` of every command path, found by walking the help texts from the top, so a new command
 * is covered without editing this test. In this process: ~50 Node starts took minutes on a loaded
 * machine; the real binary's help and exit codes are checked below on a few commands.
 */
async function helpOfEveryCommand(): Promise<Map<string[], CliResult>> {
  const found = new Map<string[], CliResult>();
  const walk = async (at: string[]) => {
    const help = await runInProcess([...at, '--help']);
    if (at.length) found.set(at, help);
    for (const name of subcommands(help.stdout)) await walk([...at, name]);
  };
  await walk([]);
  return found;
}

describe('bin/waymark', () => {
  let helps: Map<string[], CliResult>;
  let paths: string[][];
  beforeAll(async () => {
    helps = await helpOfEveryCommand();
    paths = [...helps.keys()];
  });

  it('finds every command in the help texts', () => {
    const names = paths.map((p) => p.join(' '));
    expect(names).toEqual(expect.arrayContaining(['dev', 'demo', 'config', 'customer', 'journeys', 'events', 'events send', 'events replay', 'sends unconfirmed']));
    expect(names.filter((n) => n.startsWith('journeys ')).length).toBeGreaterThanOrEqual(4);
  });

  it('documents the exit codes in the top-level help', async () => {
    const { code, stdout } = await runWaymark(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: waymark /m);
    expect(stdout).toMatch(/Exit codes:\n\s+0 .*\n\s+1 .*failed[\s\S]*\n\s+2 .*usage/);
  });

  it('prints help and exits 0 for every command and subcommand', async () => {
    for (const [at, { code, stdout, stderr }] of helps) {
      expect({ at, code, stderr }).toEqual({ at, code: 0, stderr: '' });
      expect(stdout).toContain(`Usage: waymark ${at.join(' ')}`);
      expect(stdout).toMatch(/Examples?:/);
    }
    // The real binary gives the same, for a command and a subcommand.
    for (const at of [['customer'], ['journeys', 'publish']]) {
      const real = await runWaymark([...at, '--help']);
      expect({ code: real.code, stderr: real.stderr }).toEqual({ code: 0, stderr: '' });
      expect(real.stdout).toBe(helps.get(paths.find((p) => p.join(' ') === at.join(' '))!)!.stdout);
    }
  });

  it('exits 2 naming an unknown option, for every command', async () => {
    const run = async (at: string[], runner: (args: string[]) => Promise<CliResult>) => {
      // Required options are given, so the unknown option is the only problem.
      const given = at.join(' ') === 'events send' ? ['--type', 'signed_up', '--customer', 'c1'] : [];
      return { at, ...(await runner([...at, ...given, '--no-such-option'])) };
    };
    const runs = [];
    for (const at of [[], ...paths]) runs.push(await run(at, runInProcess));
    runs.push(await run(['events', 'send'], runWaymark), await run(['sends', 'resolve', 'k'], runWaymark));
    for (const { at, code, stderr } of runs) {
      expect({ at, code }).toEqual({ at, code: 2 });
      expect(stderr).toContain("unknown option '--no-such-option'");
      expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
  });

  it('exits 2 on an unknown command, a missing argument and no command at all', async () => {
    const unknown = await runWaymark(['jurneys']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'jurneys'");
    const missing = await runWaymark(['customer']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing required argument 'customerId'");
    const none = await runWaymark([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Usage: waymark');
  });

  it("names a bad setting and what it must be, in words rather than the schema library's", async () => {
    const { code, stdout, stderr } = await runWaymark(['config'], { WAYMARK_API_PORT: '99999', WAYMARK_LOG_FORMAT: 'fancy' });
    expect(code).toBe(1);
    expect(stdout).toContain('WAYMARK_LOG_FORMAT'); // the list is still printed, to help fix it
    expect(stderr).toContain('WAYMARK_API_PORT="99999": must be at most 65535');
    expect(stderr).toContain('WAYMARK_LOG_FORMAT="fancy": must be one of "auto", "json", "pretty"');
    expect(stderr).not.toMatch(/Too big|Invalid option|expected/);

    const secrets = await runWaymark(['config'], { WAYMARK_BRAZE_API_KEY: 'braze-key-123', WAYMARK_GEMINI_API_KEY: 'gemini-key-456', WAYMARK_API_KEYS: 'api-key-789:events', WAYMARK_DATABASE_URL: 'postgres://waymark:pw-321@db.internal:5432/waymark' });
    // The whole listing, to its verdict (a loaded run once saw it end early: this says how the process ended).
    expect({ code: secrets.code, signal: secrets.signal, stderr: secrets.stderr, end: secrets.stdout.trimEnd().split('\n').pop() }).toEqual({ code: 0, signal: null, stderr: '', end: 'configuration is valid' });
    expect(secrets.stdout).not.toMatch(/braze-key-123|gemini-key-456|api-key-789|pw-321/);
    expect(secrets.stdout).toMatch(/WAYMARK_BRAZE_API_KEY\s+""\s+= \[set\]/);
    expect(secrets.stdout).toContain('= postgres://waymark:[set]@db.internal:5432/waymark');

    const other = await runWaymark(['demo'], { WAYMARK_API_PORT: 'abc' });
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('WAYMARK_API_PORT="abc": must be a number');
    expect(other.stderr).not.toMatch(/\n\s+at /);
  });

  it('reads a settings file (WAYMARK_ENV_FILE, else .env in the project folder) in every command, the environment outranking it; a WAYMARK_ name it does not know is refused', async () => {
    const dir = fs.mkdtempSync(path.join(process.env.WAYMARK_TEST_DIR ?? os.tmpdir(), 'waymark-env-'));
    const file = path.join(dir, 'waymark.env');
    const port = await freePort();
    fs.writeFileSync(file, `# ports moved for this machine\nWAYMARK_TEMPORAL_ADDRESS=127.0.0.1:${port}\nexport WAYMARK_API_PORT="9123"\nPGPASSWORD=not-ours\n`);
    // A fresh shell: nothing in the environment but the file's name; `customer` goes where the file says.
    const customer = await runWaymark(['customer', 'c1'], { WAYMARK_ENV_FILE: file, WAYMARK_TEMPORAL_CONNECT_TIMEOUT: '1s' });
    expect(customer.code).toBe(1);
    expect(customer.stderr).toContain(`cannot reach Temporal at 127.0.0.1:${port} (WAYMARK_TEMPORAL_ADDRESS)`);
    const shown = await runWaymark(['config'], { WAYMARK_ENV_FILE: file, WAYMARK_API_PORT: '9200' });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`settings file: ${file} (the environment outranks it)`);
    expect(shown.stdout).toMatch(new RegExp(`WAYMARK_TEMPORAL_ADDRESS\\s+"[^"]*"\\s+= 127\\.0\\.0\\.1:${port}  \\(settings file\\)`));
    expect(shown.stdout).toMatch(/WAYMARK_API_PORT\s+"\d+"\s+= 9200\n/);
    // The same validation as the environment's, saying where the value came from; a typo is named, with the setting meant.
    fs.writeFileSync(file, 'WAYMARK_API_PORT=99999\nWAYMARK_TEMPORAL_ADRESS=127.0.0.1:7233\n');
    const typo = await runWaymark(['config'], { WAYMARK_ENV_FILE: file });
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain(`WAYMARK_TEMPORAL_ADRESS (in ${file}) is not a Waymark setting (did you mean WAYMARK_TEMPORAL_ADDRESS?)`);
    fs.writeFileSync(file, 'WAYMARK_API_PORT=99999\n');
    const bad = await runWaymark(['config'], { WAYMARK_ENV_FILE: file });
    expect(bad.stderr).toContain(`WAYMARK_API_PORT="99999" (from ${file}): must be at most 65535`);
    const missing = await runWaymark(['config'], { WAYMARK_ENV_FILE: path.join(dir, 'nowhere.env') });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cannot read it (ENOENT)');
  });

  it('says Temporal is unreachable, where, and what to do, without a stack trace', async () => {
    const port = await freePort();
    const { code, stderr } = await runWaymark(['customer', 'c1'], { WAYMARK_TEMPORAL_ADDRESS: `127.0.0.1:${port}`, WAYMARK_TEMPORAL_CONNECT_TIMEOUT: '1s' });
    expect(code).toBe(1);
    expect(stderr).toContain(`cannot reach Temporal at 127.0.0.1:${port} (WAYMARK_TEMPORAL_ADDRESS)`);
    expect(stderr).toContain("'npm run dev' starts one");
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('names the option to fix when events send is given a bad value', async () => {
    const { code, stderr } = await runWaymark(['events', 'send', '--type', 'signed_up', '--customer', 'has space']);
    expect(code).toBe(1);
    expect(stderr).toContain('--customer: customerId must be printable ASCII without spaces');
    const badProperty = await runWaymark(['events', 'send', '--type', 'signed_up', '--customer', 'c1', '--property', 'plan']);
    expect(badProperty.code).toBe(2);
    expect(badProperty.stderr).toContain("'--property <key=value>' argument 'plan' is invalid. write it as key=value");
  });

  it('prints an unexpected error as one line with a hint, and its stack only at debug level', async () => {
    // A data folder below a regular file: creating it fails in a way no check anticipates.
    const file = path.join(fs.mkdtempSync(path.join(process.env.WAYMARK_TEST_DIR ?? os.tmpdir(), 'waymark-cli-')), 'a-file');
    fs.writeFileSync(file, '');
    const env = { WAYMARK_DATA_DIR: path.join(file, 'data') };
    const plain = await runWaymark(['dev'], env);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/^waymark: ENOTDIR: not a directory[^\n]*\nRun with WAYMARK_LOG_LEVEL=debug for details\.\n$/);

    const debug = await runWaymark(['dev'], { ...env, WAYMARK_LOG_LEVEL: 'debug' });
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/ENOTDIR[^\n]*\n\s+at /);
  });

  it('says what to give events replay instead of a missing file or a folder', async () => {
    const folder = fs.mkdtempSync(path.join(process.env.WAYMARK_TEST_DIR ?? os.tmpdir(), 'waymark-cli-'));
    const missing = await runWaymark(['events', 'replay', path.join(folder, 'nope.jsonl')]);
    expect(missing).toMatchObject({ code: 1, stderr: `cannot read ${path.join(folder, 'nope.jsonl')}: no such file\n` });
    const asFolder = await runWaymark(['events', 'replay', folder]);
    expect(asFolder).toMatchObject({ code: 1, stderr: `${folder} is a folder; give a JSON Lines file (one event per line)\n` });
  });
});

describe('npm scripts', () => {
  /** `npm run script`'s exit code and output. */
  const npmRun = async (script: string, env: Record<string, string>) => {
    const { code, stdout, stderr } = await runProcess('npm', ['run', script], { cwd: ROOT, env: { ...process.env, ...env } });
    return { code, output: stdout + stderr };
  };
  // The set-up script refuses a TEMPORAL_CLI that is not an executable, so whether it ran shows.
  // The bad port makes every command stop at its configuration check, right after the set-up.
  const env = { TEMPORAL_CLI: '/nonexistent/temporal', WAYMARK_API_PORT: 'not-a-port' };

  it.each(['worker', 'api'])('production command %s runs no set-up (installs nothing)', async (script) => {
    const { code, output } = await npmRun(script, env);
    expect(code).toBe(1);
    expect(output).toContain('WAYMARK_API_PORT="not-a-port": must be a number');
    expect(output).not.toContain('setup:');
  });

  it('a development command runs the set-up first', async () => {
    const { code, output } = await npmRun('demo', env);
    expect(code).not.toBe(0);
    expect(output).toContain("setup: temporal: '/nonexistent/temporal' (from the environment) is not an executable file");
  });
});
