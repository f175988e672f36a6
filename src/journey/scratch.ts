import { randomBytes } from 'node:crypto';
import type { Config } from '../config';

/**
 * A config for a private run (preview, backtest): a throwaway database on the embedded
 * PostgreSQL, no real provider (messages go to its own local channel, no consent change reaches
 * Braze), sends on the run's own queue (which its one worker polls). `generate: false`: send steps
 * with `generate` use their template, so no customer's data goes to a model.
 */
export function scratchConfig(config: Config, purpose: 'preview' | 'backtest', generate: boolean): Config {
  const store = { ...config.store, url: '', migrateOnStart: 'embedded' as const, embedded: { ...config.store.embedded, database: `${purpose}_${randomBytes(8).toString('hex')}` } };
  return {
    ...config,
    store,
    braze: { ...config.braze, url: '' },
    sends: { ...config.sends, ratePerSecond: 0 },
    ...(generate ? {} : { content: { ...config.content, generator: 'none' as const } }),
  };
}
