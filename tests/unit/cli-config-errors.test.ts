import { ConfigError, loadConfig } from '../../src/config';

function problemWith(name: string, value: string): string {
  try {
    loadConfig({ [name]: value });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.join('\n');
    throw err;
  }
  throw new Error(`${name}=${value} was accepted`);
}

describe('configuration errors', () => {
  it.each([
    ['WAYMARK_API_PORT', 'abc', 'must be a number'],
    ['WAYMARK_API_PORT', '1.5', 'must be a whole number'],
    ['WAYMARK_API_PORT', '99999', 'must be at most 65535'],
    ['WAYMARK_API_MAX_BATCH', '0', 'must be at least 1'],
    ['WAYMARK_ENV', 'prod', 'must be one of "development", "test", "production"'],
    ['WAYMARK_DEMO_ON_START', 'yes', 'must be one of "true", "false"'],
    ['WAYMARK_LOG_FORMAT', 'fancy', 'must be one of "auto", "json", "pretty"'],
    ['WAYMARK_TEMPORAL_NAMESPACE', '', 'must not be empty'],
    ['WAYMARK_WORKER_METRICS_ADDRESS', 'nope', 'must be host:port, or empty for none'],
    ['WAYMARK_API_TEMPORAL_TIMEOUT', '5', 'must be a duration such as "30s"'],
  ])('%s=%j says what the value must be', (name, value, expected) => {
    const problem = problemWith(name, value);
    expect(problem).toContain(`${name}=${JSON.stringify(value)}: ${expected}`);
    // zod's own phrasing ("Too big: expected number to be <=65535", "Invalid input") names no fix.
    expect(problem).not.toMatch(/Too big|Too small|Invalid input|Invalid option|expected/);
  });
});
