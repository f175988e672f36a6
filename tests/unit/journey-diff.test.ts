import { diffJourneys, formatDiff } from '../../src/journey/diff';
import { publishJourney } from '../../src/journey/publish';
import type { JourneyInput } from '../../src/journey/schema';

/** `waymark journeys diff V1 V2` prints this: what a designer changed between two published versions. */

const limits = { maxWaitMs: 365 * 86_400_000 };
const seal = (input: JourneyInput) => publishJourney(input, 'journey-diff.test.ts', limits).definition;

const base: JourneyInput = {
  id: 'diff-test',
  name: 'Diff test',
  entry: { event: 'signed_up' },
  goals: [{ event: 'purchased', name: 'bought' }],
  start: 'hello',
  steps: {
    hello: { kind: 'send', channel: 'email', template: 'welcome', next: 'check' },
    check: {
      kind: 'branch',
      branches: [
        { when: { attribute: 'plan', op: 'eq', value: 'pro' }, next: 'pro_tips' },
        { when: { performed: 'activated' }, next: 'done' },
      ],
      default: 'pause',
    },
    pro_tips: { kind: 'send', channel: 'email', template: 'pro-tips', next: 'done' },
    pause: { kind: 'wait', duration: '1d', next: 'done' },
    done: { kind: 'exit' },
  },
};

/** `base` with changes: steps by id are replaced (undefined removes one). */
function edited(changes: Partial<JourneyInput>, steps: Record<string, JourneyInput['steps'][string] | undefined> = {}): JourneyInput {
  const merged = { ...base.steps, ...steps };
  return { ...base, ...changes, steps: Object.fromEntries(Object.entries(merged).filter(([, s]) => s !== undefined)) as JourneyInput['steps'] };
}

describe('diffJourneys', () => {
  it('finds nothing between a journey and itself', () => {
    expect(diffJourneys(seal(base), seal(base))).toEqual([]);
    expect(formatDiff([])).toContain('the same');
  });

  it('names a changed field of a step with both values, and a step added and one removed', () => {
    const after = edited(
      {},
      {
        hello: { kind: 'send', channel: 'email', template: 'welcome-v2', next: 'check' },
        pause: undefined,
        nudge: { kind: 'wait', duration: '2d', next: 'done' },
        check: { ...(base.steps.check as object), default: 'nudge' } as JourneyInput['steps'][string],
      },
    );
    expect(diffJourneys(seal(base), seal(after))).toEqual([
      { change: 'changed', where: 'steps.hello.template', before: 'welcome', after: 'welcome-v2' },
      { change: 'changed', where: 'steps.check.default', before: 'pause', after: 'nudge' },
      { change: 'removed', where: 'steps.pause', before: 'wait, duration 1d, next done' },
      { change: 'added', where: 'steps.nudge', after: 'wait, duration 2d, next done' },
    ]);
  });

  it('shows branches in words, one line per branch added or removed, and a reordering as such', () => {
    const check = base.steps.check as Extract<JourneyInput['steps'][string], { kind: 'branch' }>;
    const swapped = seal(edited({}, { check: { ...check, branches: [check.branches[1]!, check.branches[0]!] } }));
    expect(diffJourneys(seal(base), swapped)).toEqual([
      {
        change: 'changed',
        where: 'steps.check.branches (order)',
        before: 'if plan = "pro" -> pro_tips; if performed activated -> done',
        after: 'if performed activated -> done; if plan = "pro" -> pro_tips',
      },
    ]);
    const narrowed = seal(edited({}, { check: { ...check, branches: [{ when: { attribute: 'plan', op: 'in', value: ['pro', 'team'] }, next: 'pro_tips' }, check.branches[1]!] } }));
    expect(formatDiff(diffJourneys(seal(base), narrowed))).toBe(
      ['  - steps.check.branches: if plan = "pro" -> pro_tips', '  + steps.check.branches: if plan in [pro, team] -> pro_tips'].join('\n'),
    );
  });

  it('compares the journey fields: entry filter, goals, exits, re-entry and start', () => {
    const after = seal(
      edited({
        name: 'Diff test 2',
        entry: { event: 'signed_up', filter: { property: 'source', op: 'eq', value: 'web' } },
        goals: [{ event: 'purchased', name: 'converted' }],
        exits: [{ event: 'unsubscribed' }],
        reentry: { policy: 'after_exit', cooldown: '30d' },
        start: 'intro',
      }, { intro: { kind: 'update_attribute', attribute: 'seen_intro', value: true, next: 'hello' } }),
    );
    const text = formatDiff(diffJourneys(seal(base), after));
    expect(text.split('\n')).toEqual([
      '  ~ name: Diff test -> Diff test 2',
      '  ~ entry: signed_up -> signed_up where event.source = "web"',
      '  ~ re-entry: never -> after_exit, cooldown 30d',
      '  - goals: purchased ("bought")',
      '  + goals: purchased ("converted")',
      '  + exits: unsubscribed',
      '  ~ start: hello -> intro',
      '  + steps.intro: update_attribute, attribute seen_intro, value true, next hello',
    ]);
  });

  it('shows a step whose kind changed whole on both sides', () => {
    const after = seal(edited({}, { pause: { kind: 'wait_for_event', event: 'activated', timeout: '3d', onEvent: 'done', onTimeout: 'done' } }));
    expect(diffJourneys(seal(base), after)).toEqual([
      { change: 'changed', where: 'steps.pause', before: 'wait, duration 1d, next done', after: 'wait_for_event, event activated, timeout 3d, onEvent done, onTimeout done' },
    ]);
  });

  it('lists fields and steps in the order a designer writes them, whatever order the stored keys come back in', () => {
    // PostgreSQL's jsonb returns object keys shortest first; the diff must not depend on that.
    const reversed = (value: unknown): unknown =>
      Array.isArray(value) ? value.map(reversed) : value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversed(v)])) : value;
    const check = base.steps.check as Extract<JourneyInput['steps'][string], { kind: 'branch' }>;
    const rerouted = edited({}, { pause: undefined, nudge: { kind: 'send', channel: 'push', template: 'nudge', next: 'done' }, check: { ...check, default: 'nudge' } });
    const expected = [
      '  ~ steps.check.default: pause -> nudge',
      '  - steps.pause: wait, duration 1d, next done',
      '  + steps.nudge: send, channel push, template nudge, next done',
    ].join('\n');
    expect(formatDiff(diffJourneys(seal(base), seal(rerouted)))).toBe(expected);
    expect(formatDiff(diffJourneys(reversed(seal(base)) as never, reversed(seal(rerouted)) as never))).toBe(expected);
  });
});
