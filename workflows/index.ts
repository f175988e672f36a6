export { journeyWorkflow } from './journey';
export { customerWorkflow } from './customer';
