import fs from 'node:fs';
import path from 'node:path';
import { JourneyStore } from '../../src/store/journeys';
import { Store } from '../../src/store/store';
import { TemplateStore } from '../../src/templates/template-store';
import { ALIAS_BOMB, deepFilterJson, deepFilterYaml, padded, welcomeYaml } from '../support/bad-files';
import { dirWith } from '../support/files';
import { storeEnv, testConfig } from '../support/harness';
import { killed, startWorkerProcess } from '../support/worker-process';

/**
 * A worker started with WAYMARK_PUBLISH_ON_START=true and bad files in WAYMARK_JOURNEYS_DIR (and
 * its templates folder) starts, logs each bad file's problem with its name, publishes the good
 * files and runs: one bad file must not stop every journey.
 */
describe('a journeys worker publishing on start, with bad files next to good ones (a real process)', () => {
  it('starts, logs each bad file with its problem, and publishes the good ones', async () => {
    const dir = dirWith({
      'welcome.yaml': welcomeYaml(),
      'bomb.yaml': ALIAS_BOMB,
      'deep.yaml': deepFilterYaml(2_000),
      'deep.json': deepFilterJson(2_000),
      'huge.yaml': padded(welcomeYaml().replace('id: welcome-series', 'id: huge'), 300_000),
    });
    fs.mkdirSync(path.join(dir, 'templates'));
    fs.writeFileSync(path.join(dir, 'templates/hello.yaml'), 'id: hello\nchannel: sms\ntext: Hello, reply STOP to opt out\n');
    fs.writeFileSync(path.join(dir, 'templates/bomb.yaml'), ALIAS_BOMB);

    const config = testConfig();
    const store = new Store(config);
    const worker = startWorkerProcess({
      ...storeEnv(config),
      WAYMARK_TEMPORAL_ADDRESS: process.env.WAYMARK_TEST_TEMPORAL_ADDRESS!,
      WAYMARK_JOURNEY_TASK_QUEUE: config.temporal.journeyTaskQueue,
      WAYMARK_JOURNEYS_DIR: dir,
      WAYMARK_TEMPLATES_DIR: path.join(dir, 'templates'),
      WAYMARK_PUBLISH_ON_START: 'true',
    });
    try {
      await worker.ready;
      const logged = worker.output();
      expect(logged).not.toMatch(/Maximum call stack size exceeded/);
      for (const [file, problem] of [
        ['bomb.yaml', 'is not valid YAML: Excessive alias count'],
        ['deep.yaml', 'nests lists and maps too deeply'],
        ['deep.json', 'nests lists and maps too deeply: more than 32 levels (WAYMARK_JOURNEY_MAX_DEPTH)'],
        ['huge.yaml', 'is 300000 bytes, over WAYMARK_JOURNEY_MAX_BYTES (262144)'],
      ]) {
        const line = logged.split('\n').find((l) => l.includes(`"source":"${path.join(dir, file!)}"`));
        expect(line).toContain(`${path.join(dir, file!)} was not loaded`);
        expect(line).toContain(problem);
      }
      const template = logged.split('\n').find((l) => l.includes(`"source":"${path.join(dir, 'templates/bomb.yaml')}"`));
      expect(template).toContain('template not published: is not valid YAML: Excessive alias count');

      expect((await new JourneyStore(store).states()).map((s) => s.journeyId)).toContain('welcome-series');
      expect((await new TemplateStore(store).states()).map((s) => s.templateId)).toEqual(['hello']);
      expect(worker.child.exitCode).toBeNull(); // still running
    } finally {
      await killed(worker.child);
      await store.close();
    }
  });
});
