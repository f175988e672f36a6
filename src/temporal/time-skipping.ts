import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { temporalBinary } from './binaries';
import { SEARCH_ATTRIBUTES } from './search-attributes';

/**
 * A private time-skipping Temporal server (timers fire as soon as nothing else can happen),
 * with Waymark's search attributes registered: it rejects unknown ones. Used by journey
 * previews and the workflow tests.
 */
export async function startTimeSkippingServer(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: temporalBinary('temporal-test-server') } },
  });
  const keyword = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(SEARCH_ATTRIBUTES.map((a) => [a.name, keyword])),
  });
  return env;
}
