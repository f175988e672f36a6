import type { PipelineSettings } from './contract';

/**
 * The audience workflow's contract (workflows/pipeline/audience.ts). Definitions only: the
 * workflow bundle imports this file.
 */
export const AUDIENCE_WORKFLOW = 'audienceWorkflow';

/** An audience's runs under this id prefix (a schedule appends its time): one at a time per audience. */
export const audienceWorkflowId = (name: string) => `audience/${name}`;

/** `changes`: customers who came to match enter (the refresh); `everyone`: every member is enrolled (the audience's schedule). */
export type AudienceMode = 'changes' | 'everyone';

export interface AudienceInput {
  name: string;
  mode: AudienceMode;
  settings: PipelineSettings;
}

export interface AudienceOutcome {
  audience: string;
  mode: AudienceMode;
  /** Profiles read, and how many match now. */
  profiles: number;
  members: number;
  /** Came to match since the last run (recorded members), and no longer match. */
  entered: number;
  left: number;
  /** audience_entered events sent (the newcomers, or every member on a schedule). */
  sent: number;
}
