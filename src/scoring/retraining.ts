import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy, type Client, type WorkflowHandle } from '@temporalio/client';
import type { Config } from '../config';
import { pipelineSettings } from '../pipeline/settings';
import { md } from '../temporal/markdown';
import { RETRAINING_WORKFLOW, retrainingProgressQuery, retrainingWorkflowId, type RetrainingInput, type RetrainingResult, type RetrainingSettings } from '../../workflows/pipeline/retraining-contract';
import { MODELS, type ScoreName } from './models';

/** The settings a retraining run carries in its input (config's pipeline and training). */
export function retrainingSettings(config: Config): RetrainingSettings {
  const t = config.training;
  return { ...pipelineSettings(config), trainingTaskQueue: t.taskQueue, promoteMargin: t.promoteMargin, approval: t.approval, approvalTimeoutMs: t.approvalTimeoutMs };
}

/**
 * Starts a model's retraining on the pipelines task queue, or finds the one already running: one
 * at a time per model (the workflow id is the model's).
 */
export async function startRetraining(client: Client, config: Config, model: ScoreName, settings: Partial<RetrainingSettings> = {}): Promise<WorkflowHandle<(input: RetrainingInput) => Promise<RetrainingResult>>> {
  const input: RetrainingInput = { model, settings: { ...retrainingSettings(config), ...settings } };
  return client.workflow.start<(input: RetrainingInput) => Promise<RetrainingResult>>(RETRAINING_WORKFLOW, {
    workflowId: retrainingWorkflowId(model),
    taskQueue: config.pipeline.taskQueue,
    args: [input],
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    staticSummary: `Retrain the ${md(model)} model (${md(MODELS[model].means)})`,
  });
}

/**
 * The open retraining run whose challenger `model`@`version` awaits a decision: one started by
 * `waymark models train` (the model's own id) or by the model's schedule (that id and the time).
 */
export async function runAwaitingDecision(client: Client, model: ScoreName, version: number): Promise<WorkflowHandle | undefined> {
  const prefix = retrainingWorkflowId(model);
  const ids = new Set<string>([prefix]);
  for await (const run of client.workflow.list({ query: `WorkflowType = '${RETRAINING_WORKFLOW}' AND ExecutionStatus = 'Running' AND WorkflowId STARTS_WITH '${prefix}-'` })) ids.add(run.workflowId);
  for (const id of ids) {
    const handle = client.workflow.getHandle(id);
    const progress = await handle.query(retrainingProgressQuery).catch(() => undefined);
    if (progress?.step === 'awaiting approval' && progress.registered?.version === version) return handle;
  }
  return undefined;
}
