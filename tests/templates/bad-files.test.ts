import path from 'node:path';
import { ALIAS_BOMB, padded } from '../support/bad-files';
import { runWaymark } from '../support/cli';
import { dirWith } from '../support/files';
import { storeEnv, testConfig } from '../support/harness';

/**
 * One bad template file among good ones (an alias bomb, lists or tags nested thousands deep, a
 * file over WAYMARK_TEMPLATE_MAX_BYTES): `waymark templates validate|publish DIR` refuses it with
 * its name and what is wrong, and goes on with the others.
 */

const LEVELS = 10_000;

function folder(): { dir: string; problems: Record<string, RegExp> } {
  const dir = dirWith({
    'hello.yaml': 'id: hello\nchannel: sms\ntext: Hello, reply STOP to opt out\n',
    'bomb.yaml': ALIAS_BOMB,
    'deep.yaml': `id: deep\nchannel: sms\nvariables: ${'['.repeat(LEVELS)}${']'.repeat(LEVELS)}\ntext: Hi\n`,
    'deep-tags.yaml': `id: deep-tags\nchannel: sms\ntext: "${'{% if true %}'.repeat(LEVELS)}Hi${'{% endif %}'.repeat(LEVELS)}"\n`,
    'huge.yaml': padded('id: huge\nchannel: sms\ntext: Hi\n', 300_000),
  });
  return {
    dir,
    problems: {
      'bomb.yaml': /\(root\): is not valid YAML: Excessive alias count indicates a resource exhaustion attack; write out what its aliases \(\*name\) stand for/,
      'deep.yaml': /\(line 3\): nests lists and maps too deeply to be read; write it with fewer levels/,
      'deep-tags.yaml': /text \(line 3\): nests tags too deeply to be read; write it with fewer levels/,
      'huge.yaml': /\(root\): is 300000 bytes, over WAYMARK_TEMPLATE_MAX_BYTES \(262144\)/,
    },
  };
}

describe('bad template files next to good ones', () => {
  it('templates validate DIR names each bad file and its problem, passes the good one, and exits 1', async () => {
    const { dir, problems } = folder();
    const result = await runWaymark(['templates', 'validate', dir], { WAYMARK_LOG_LEVEL: 'warn' });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`^ok +${path.join(dir, 'hello.yaml')} +\\(hello@[0-9a-f]{12}, sms\\)`, 'm'));
    for (const [file, problem] of Object.entries(problems)) {
      const block = result.stdout.split(/\n(?=\S)/).find((b) => b.startsWith(`invalid   ${path.join(dir, file)}\n`));
      expect(block).toMatch(problem);
    }
    expect(result.stdout).toContain('5 file(s): 1 ok, 0 with warnings, 4 invalid');
    expect(result.stdout + result.stderr).not.toMatch(/Maximum call stack size exceeded/);
  });

  it('templates publish DIR publishes the good file, refuses each bad one with its name and problem, and exits 1', async () => {
    const { dir, problems } = folder();
    const config = testConfig();
    const result = await runWaymark(['templates', 'publish', dir, '--actor', 'ada'], { ...storeEnv(config), WAYMARK_DATA_DIR: config.dataDir, WAYMARK_LOG_LEVEL: 'warn' });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^new template {2}hello@[0-9a-f]{12}/m);
    expect(result.stdout).toContain('1 new template(s), 0 new version(s), 0 unchanged, 4 refused');
    for (const [file, problem] of Object.entries(problems)) {
      const block = result.stderr.split('\n\n').find((b) => b.trim().startsWith(`${path.join(dir, file)} was refused (nothing in it was published):`));
      expect(block).toMatch(problem);
    }
    expect(result.stdout + result.stderr).not.toMatch(/Maximum call stack size exceeded/);
  });
});
