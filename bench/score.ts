import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config';
import { freePort } from '../src/free-port';
import { WithStandIn } from '../src/scoring/fallback';
import { LocalModelScorer } from '../src/scoring/local-scorer';
import { FEATURES, type Features } from '../src/scoring/models';
import { OnnxModel } from '../src/scoring/onnx';
import type { Scorer } from '../src/scoring/port';
import { ModelRegistry } from '../src/scoring/registry';
import { RuleScorer } from '../src/scoring/rules';
import { trainDirect } from '../src/scoring/train-direct';
import { trainRequestFor } from '../src/scoring/train-request';
import { Store } from '../src/store/store';
import { writeTrainingRows } from '../tests/support/training-rows';
import { benchStoreEnv } from './bench-store';

const USAGE = 'usage: npm run bench:score -- [--scores N] [--customers N]';
const say = (line: string) => process.stderr.write(`${line}\n`);

/** Microseconds at a quantile of sorted samples. */
const at = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

/** `scores` scores one after another, as a journey's condition asks for them: each one's time in microseconds. */
async function time(scorer: Scorer, rows: Features[], scores: number): Promise<number[]> {
  const took: number[] = [];
  for (let i = 0; i < scores; i++) {
    const started = process.hrtime.bigint();
    await scorer.score('churn', rows[i % rows.length]!);
    took.push(Number(process.hrtime.bigint() - started) / 1_000);
  }
  return took.sort((a, b) => a - b);
}

/**
 * `npm run bench:score`: the time of one churn score in this process, from the registry's champion
 * (onnxruntime-node, as journeys score), through the stand-in wrapper journeys use (the model within
 * its budget, else the rules), next to the rule stand-in alone, in the same run on the same rows.
 * The model is trained first by the Python trainer, on rows of a DuckDB file; the registry is the
 * bench's own embedded PostgreSQL. Paths alternate in rounds so neither gains from going second.
 */
async function main(): Promise<number> {
  const { values } = parseArgs({ options: { scores: { type: 'string' }, customers: { type: 'string' }, help: { type: 'boolean' } } });
  if (values.help) return console.log(USAGE), 0;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waymark-bench-score-'));
  const config = loadConfig(process.env, { WAYMARK_DATA_DIR: dataDir, WAYMARK_DUCKDB_FILE: path.join(dataDir, 'training.duckdb'), ...benchStoreEnv(await freePort()), ...(values.scores ? { WAYMARK_BENCH_SCORES: values.scores } : {}), ...(values.customers ? { WAYMARK_BENCH_SCORE_CUSTOMERS: values.customers } : {}) });
  const { scores, scoreCustomers } = config.bench;
  const store = new Store(config);
  try {
    say(`training the churn model on ${scoreCustomers} customers' rows (Python, LightGBM -> ONNX)...`);
    await writeTrainingRows(config.warehouse.duckdbFile, scoreCustomers);
    const trained = await trainDirect(trainRequestFor(config, 'churn'));
    const registry = new ModelRegistry(store);
    const version = await registry.register(trained, 'bench:score');
    await registry.decide('churn', version.version, 'champion', 'bench:score', 'bench');
    // The rows scored: the held-out probes (real feature vectors), over and over.
    const rows: Features[] = trained.probes.map((p) => Object.fromEntries(FEATURES.map((f, i) => [f, p.features[i] ?? null])) as Features);
    const rules = new RuleScorer({ quietDays: config.scoring.ruleQuietDays, engagedEvents: config.scoring.ruleEngagedEvents });
    const local = new LocalModelScorer(registry, config.scoring.refreshMs);
    const journeys = new WithStandIn(local, rules, config.scoring.budgetMs);
    const paths: Array<[string, Scorer]> = [['rules (stand-in)', rules], ['local model', local], ['model, else rules', journeys]];
    for (const [, scorer] of paths) await time(scorer, rows, Math.min(1_000, scores)); // warm: the model loaded, the code compiled
    const rounds = 4;
    const samples = new Map<string, number[]>(paths.map(([name]) => [name, []]));
    for (let r = 0; r < rounds; r++) {
      say(`round ${r + 1}/${rounds}: ${scores / rounds} scores per path...`);
      for (const [name, scorer] of r % 2 ? [...paths].reverse() : paths) samples.get(name)!.push(...(await time(scorer, rows, Math.floor(scores / rounds))));
    }
    const batch = await OnnxModel.load(Buffer.from(trained.onnx, 'base64'), 'classification', FEATURES.length);
    const batchRows = Array.from({ length: 10_000 }, (_, i) => trained.probes[i % trained.probes.length]!.features);
    const batchStarted = process.hrtime.bigint();
    await batch.predict(batchRows);
    const batchMs = Number(process.hrtime.bigint() - batchStarted) / 1e6;
    await batch.release();
    await local.close();

    const rulesP50 = at(samples.get('rules (stand-in)')!.sort((a, b) => a - b), 0.5);
    console.log(`\nbench:score: one churn score, ${scores} per path, in this process (model churn@${version.version}: ${(trained.metrics.auc as number).toFixed(3)} held-out AUC, ${Math.round(Buffer.from(trained.onnx, 'base64').length / 1024)} KiB ONNX)`);
    console.log('path                 p50 µs   p99 µs   max µs   p50 vs rules');
    for (const [name] of paths) {
      const s = samples.get(name)!.sort((a, b) => a - b);
      console.log(`${name.padEnd(20)} ${at(s, 0.5).toFixed(1).padStart(7)}  ${at(s, 0.99).toFixed(1).padStart(7)}  ${s[s.length - 1]!.toFixed(0).padStart(7)}   ${(at(s, 0.5) / rulesP50).toFixed(1)}x`);
    }
    console.log(`batch scoring: 10,000 rows in one call, ${batchMs.toFixed(1)} ms (${Math.round(10_000 / (batchMs / 1000)).toLocaleString('en-US')} rows/s)`);
    const p99 = at(samples.get('model, else rules')!, 0.99) / 1000;
    console.log(`target: p99 under 5 ms in-process: ${p99 < 5 ? 'met' : 'NOT met'} (${p99.toFixed(3)} ms)`);
    return 0;
  } finally {
    await store.close();
    if (store.startedEmbedded()) await store.stopEmbedded();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(`bench:score failed: ${err.stack ?? err.message}`);
    process.exit(1);
  },
);
