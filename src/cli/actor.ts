import { loadConfig, type Config } from '../config';

/**
 * The config, with the actor `--actor` names for the change history (else WAYMARK_ACTOR, else
 * user@host). Undefined, with the reason printed, when --actor is given blank.
 */
export function withActor(actor: string | undefined): Config | undefined {
  if (actor !== undefined && !actor.trim()) {
    console.error('--actor: give a name (or leave the option out to use WAYMARK_ACTOR, else user@host)');
    return undefined;
  }
  const config = loadConfig();
  return actor ? { ...config, actor: actor.trim() } : config;
}
