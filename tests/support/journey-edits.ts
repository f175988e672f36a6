import type { ValidationLimits } from '../../src/journey/validate';

/** One valid journey using every step kind, and edits of it: the validation tests' cases (tests/unit/validation*.test.ts). */

export const DAY = 86_400_000;
export const LIMITS: ValidationLimits = { maxWaitMs: 30 * DAY };

export type Json = null | string | number | boolean | Json[] | { [key: string]: Json };
export type Obj = { [key: string]: Json };

/** A valid journey that uses every step kind. */
export function validJourney(): Obj {
  return {
    id: 'test-journey',
    name: 'Test journey',
    entry: { event: 'signed_up', filter: { property: 'source', op: 'eq', value: 'web' } },
    exits: [{ event: 'account_deleted' }],
    start: 'welcome',
    steps: {
      welcome: { kind: 'send', channel: 'email', template: 'welcome', next: 'pause' },
      pause: { kind: 'wait', duration: '1d', next: 'check' },
      check: {
        kind: 'branch',
        branches: [{ when: { attribute: 'plan', op: 'eq', value: 'pro' }, next: 'pro_tips' }],
        default: 'await_activation',
      },
      pro_tips: { kind: 'send', channel: 'push', template: 'pro-tips', next: 'offer_test' },
      await_activation: { kind: 'wait_for_event', event: 'activated', timeout: '3d', onEvent: 'mark', onTimeout: 'nudge' },
      nudge: { kind: 'send', channel: 'sms', template: 'nudge', next: 'offer_test' },
      offer_test: {
        kind: 'split',
        paths: [
          { name: 'offer', weight: 50, next: 'mark' },
          { name: 'holdout', weight: 50, holdout: true, next: 'done' },
        ],
      },
      mark: { kind: 'update_attribute', attribute: 'onboarded', value: true, next: 'done' },
      done: { kind: 'exit' },
    },
  };
}

/** Edits by dotted path ("steps.check.branches.0.next"); `undefined` deletes the field. */
export type Edits = Record<string, Json | undefined>;

export function edited(edits: Edits): Obj {
  const journey = validJourney();
  for (const [dotted, value] of Object.entries(edits)) {
    const keys = dotted.split('.');
    const last = keys.pop()!;
    let node = journey as Json;
    for (const key of keys) {
      node = (node as Obj)[key] as Json;
      if (node === undefined || node === null || typeof node !== 'object') throw new Error(`test setup: no "${key}" on the way to ${dotted}`);
    }
    if (value === undefined) delete (node as Obj)[last];
    else (node as Obj)[last] = value;
  }
  return journey;
}
