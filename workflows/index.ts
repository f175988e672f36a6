/**
 * The workflow bundle's entry point. Everything under workflows/ runs in Temporal's deterministic
 * sandbox: Date and Date.now() there are the workflow clock (replayed identically), not the
 * machine's; randomness and I/O are not used at all (ESLint forbids the Node modules).
 */
export { journeyWorkflow } from './journey';
export { customerWorkflow } from './customer';
export { consentSyncWorkflow } from './consent-sync';
