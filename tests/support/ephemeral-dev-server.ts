import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporalBinary } from '../../src/temporal/binaries';
import { SEARCH_ATTRIBUTES } from '../../src/temporal/search-attributes';

/**
 * A throwaway Temporal dev server on a free loopback port, in memory, with Waymark's search
 * attributes registered: for the integration tests and the benchmark.
 */
export function startEphemeralDevServer(quiet = false): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalBinary('temporal') },
      searchAttributes: SEARCH_ATTRIBUTES,
      ip: '127.0.0.1',
      ui: false,
      // Its warnings about tasks cancelled at teardown are noise in the benchmark's output.
      ...(quiet ? { log: { format: 'pretty', level: 'error' } } : {}),
    },
  });
}
