import fs from 'node:fs';
import path from 'node:path';
import { SEARCH_ATTRIBUTES } from '../../src/temporal/search-attributes';
import { devServer } from '../support/dev-server';

/**
 * The Temporal UI links docs/operations.md prints for each end state (a converted, exited or
 * quarantined run looks COMPLETED in the list): each is a query the server takes, on a search
 * attribute Waymark registers.
 */
describe('the Temporal UI links in docs/operations.md', () => {
  const text = fs.readFileSync(path.join(__dirname, '../../docs/operations.md'), 'utf8');
  const queries = [...text.matchAll(/^http:\/\/localhost:8233\/namespaces\/default\/workflows\?query=(\S+)$/gm)].map((m) => decodeURIComponent(m[1]!));

  it('give one query per end state, each on a registered search attribute', () => {
    expect(queries).toEqual(["JourneyStatus='converted'", "JourneyStatus='exited'", "BatchStatus='quarantined'"]);
    const names = SEARCH_ATTRIBUTES.map((a) => a.name);
    for (const query of queries) expect(names).toContain(query.split('=')[0]);
  });

  it('are queries the server runs', async () => {
    const server = await devServer();
    try {
      // A query the server cannot run is refused (INVALID_ARGUMENT); count runs it once.
      for (const query of queries) expect((await server.client.workflow.count(query)).count).toBeGreaterThanOrEqual(0);
    } finally {
      await server.close();
    }
  });
});
