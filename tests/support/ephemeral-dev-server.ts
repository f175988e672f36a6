import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporalBinary } from '../../src/temporal/binaries';
import { SEARCH_ATTRIBUTES } from '../../src/temporal/search-attributes';

/**
 * A throwaway Temporal dev server on a free loopback port, in memory, with Waymark's search
 * attributes registered: for the integration tests. (The benchmarks start the file-persisted
 * server `npm run dev` starts, src/temporal/dev-server.ts, to measure what it runs; an
 * in-memory database has no journal to configure.)
 */
export function startEphemeralDevServer(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalBinary('temporal') },
      searchAttributes: SEARCH_ATTRIBUTES,
      ip: '127.0.0.1',
      ui: false,
    },
  });
}
