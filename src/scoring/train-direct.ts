import { spawn } from 'node:child_process';
import { pythonCommand } from '../warehouse/python';
import type { TrainedModel, TrainRequest } from './trained-model';

/** The trainer refused the rows (too few, one class only, a model over its cap): no retry helps. */
export class TrainingRefusedError extends Error {
  readonly code = 'TRAINING_REFUSED';
}

/**
 * A model trained without Temporal (workers/training_direct.py: the activity's own code in a
 * Python process of its own), for bench:score and the tests.
 */
export async function trainDirect(request: TrainRequest): Promise<TrainedModel> {
  const { command, args, env, cwd } = pythonCommand('training_direct.py', []);
  const child = spawn(command, args, { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
  child.stdin.end(JSON.stringify(request));
  const code = await new Promise<number | null>((resolve, reject) => child.once('error', reject).once('close', resolve));
  if (code !== 0) throw new Error(`the trainer exited (${code}):\n${stderr}`);
  const answer = JSON.parse(stdout) as TrainedModel | { error: string; refused: boolean };
  if ('error' in answer) throw answer.refused ? new TrainingRefusedError(answer.error) : new Error(answer.error);
  return answer;
}
