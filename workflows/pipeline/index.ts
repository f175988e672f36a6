/** The pipelines task queue's workflows (bundled apart from the journeys'). */
export { ingestionWorkflow } from './ingestion';
export { retrainingWorkflow } from './retraining';
export { audienceWorkflow } from './audience';
export { scoringWorkflow } from './scoring';
