import { validateJourney, type ValidationIssue, type ValidationLimits } from '../../src/journey/validate';
import { SHIPPED_JOURNEYS } from '../../journeys';

/**
 * Every kind of invalid journey, each checked for the exact path of its problem and a message
 * that says what to fix. The cases edit one valid journey, so each failure comes from its edit.
 */

import { DAY, edited, LIMITS, validJourney, type Edits } from '../support/journey-edits';


function issuesOf(input: unknown, limits: ValidationLimits = LIMITS): ValidationIssue[] {
  const result = validateJourney(input, limits);
  if (result.ok) throw new Error('expected the journey to be invalid, but it validated');
  return result.issues;
}

const unknownStep = /refers to unknown step "nowhere" \(known steps: welcome, pause, check/;
const badDuration = /must be a duration such as "30s".*greater than zero/;
const oneOfDurationUntil = /a wait needs exactly one of "duration" \(e\.g\. "1d"\) or "until"/;
const propertyTestsOnly = /is not a valid condition: use \{attribute\|property, op, value\}.*filters take property tests only/;

/** [what, edits, the exact path of the issue, a phrase of its message] */
const CASES: Array<[string, Edits, string, RegExp]> = [
  // References to steps that do not exist, in every field that links steps.
  ['unknown step in next', { 'steps.nudge.next': 'nowhere' }, 'steps.nudge.next', unknownStep],
  ['unknown step in onEvent', { 'steps.await_activation.onEvent': 'nowhere' }, 'steps.await_activation.onEvent', unknownStep],
  ['unknown step in onTimeout', { 'steps.await_activation.onTimeout': 'nowhere' }, 'steps.await_activation.onTimeout', unknownStep],
  ['unknown step in a branch default', { 'steps.check.default': 'nowhere' }, 'steps.check.default', unknownStep],
  ['unknown step in a branch condition', { 'steps.check.branches.0.next': 'nowhere' }, 'steps.check.branches.0.next', unknownStep],
  ['unknown step in a split path', { 'steps.offer_test.paths.1.next': 'nowhere' }, 'steps.offer_test.paths.1.next', unknownStep],
  ['unknown start step', { start: 'nowhere' }, 'start', unknownStep],
  ['a missing entry', { entry: undefined }, 'entry', /^is required: the event that starts the journey, e\.g\. "entry: \{ event: signed_up \}" \(or a list of them\)$/],
  ['a step reference that is not a step id', { 'steps.nudge.next': 'the end' }, 'steps.nudge.next', /must be a step id: a letter/],

  // Graph rules.
  [
    'an unreachable step',
    { 'steps.orphan': { kind: 'send', channel: 'email', template: 'orphan', next: 'done' } },
    'steps.orphan',
    /is unreachable from start "welcome"; link to it from another step or remove it/,
  ],
  [
    'a loop with no wait (branch -> send -> split -> update -> branch)',
    { 'steps.mark.next': 'check' },
    'steps.mark.next',
    /closes a loop with no wait \(check -> pro_tips -> offer_test -> mark -> check\); add a wait or wait_for_event step/,
  ],
  [
    'a loop that never reaches an exit',
    { 'steps.nudge.next': 'nag_later', 'steps.nag_later': { kind: 'wait', duration: '1d', next: 'nudge' } },
    'steps.nag_later',
    /never reaches an exit step; every path must end in a step of kind "exit"/,
  ],

  // Durations.
  ['duration "0d"', { 'steps.pause.duration': '0d' }, 'steps.pause.duration', badDuration],
  ['duration "1 day"', { 'steps.pause.duration': '1 day' }, 'steps.pause.duration', badDuration],
  ['duration "-5m"', { 'steps.pause.duration': '-5m' }, 'steps.pause.duration', badDuration],
  ['duration "1y"', { 'steps.pause.duration': '1y' }, 'steps.pause.duration', badDuration],
  ['duration as a number', { 'steps.pause.duration': 86_400_000 }, 'steps.pause.duration', /expected string, received number/],
  ['timeout "1 day"', { 'steps.await_activation.timeout': '1 day' }, 'steps.await_activation.timeout', badDuration],
  ['missing timeout', { 'steps.await_activation.timeout': undefined }, 'steps.await_activation.timeout', /expected string, received undefined/],
  ['reentry cooldown "2 weeks"', { reentry: { policy: 'after_exit', cooldown: '2 weeks' } }, 'reentry.cooldown', badDuration],
  ['a wait longer than the maximum', { 'steps.pause.duration': '31d' }, 'steps.pause.duration', /"31d" is longer than the longest wait allowed \(30d, WAYMARK_JOURNEY_MAX_WAIT\)/],
  ['a timeout longer than the maximum', { 'steps.await_activation.timeout': '4w3d' }, 'steps.await_activation.timeout', /"4w3d" is longer than the longest wait allowed \(30d/],

  // Waits.
  ['a wait with both duration and until', { 'steps.pause.until': { time: '09:00' } }, 'steps.pause', oneOfDurationUntil],
  ['a wait with neither duration nor until', { 'steps.pause.duration': undefined }, 'steps.pause', oneOfDurationUntil],
  ['until at "25:00"', { 'steps.pause.duration': undefined, 'steps.pause.until': { time: '25:00' } }, 'steps.pause.until.time', /must be a local time of day "HH:MM" \(24-hour\)/],
  ['until at "9:00"', { 'steps.pause.duration': undefined, 'steps.pause.until': { time: '9:00' } }, 'steps.pause.until.time', /"HH:MM"/],
  [
    'a weekday spelled out',
    { 'steps.pause.duration': undefined, 'steps.pause.until': { time: '09:00', weekdays: ['mon', 'Friday'] } },
    'steps.pause.until.weekdays.1',
    /expected one of "sun"\|"mon"\|"tue"\|"wed"\|"thu"\|"fri"\|"sat"/,
  ],
  ['an empty weekday list', { 'steps.pause.duration': undefined, 'steps.pause.until': { time: '09:00', weekdays: [] } }, 'steps.pause.until.weekdays', /too small/i],

  // Event filters (property tests only) and branch conditions.
  ['a filter on an attribute', { 'entry.filter': { attribute: 'plan', op: 'eq', value: 'pro' } }, 'entry.filter', propertyTestsOnly],
  ['a filter using performed', { 'entry.filter': { performed: 'activated' } }, 'entry.filter', propertyTestsOnly],
  ['a wait_for_event filter on an attribute', { 'steps.await_activation.filter': { attribute: 'plan', op: 'eq', value: 'pro' } }, 'steps.await_activation.filter', propertyTestsOnly],
  ['a nested filter using performed', { 'entry.filter': { not: { performed: 'activated' } } }, 'entry.filter.not', propertyTestsOnly],
  ['"in" with a single value', { 'entry.filter': { property: 'plan', op: 'in', value: 'pro' } }, 'entry.filter.value', /"in" needs a non-empty list of values/],
  ['"not_in" with an empty list', { 'entry.filter': { property: 'plan', op: 'not_in', value: [] } }, 'entry.filter.value', /"not_in" needs a non-empty list of values/],
  ['"exists" with a value', { 'entry.filter': { property: 'plan', op: 'exists', value: true } }, 'entry.filter.value', /"exists" takes no value; remove "value"/],
  ['an unknown op', { 'entry.filter': { property: 'plan', op: 'between', value: 3 } }, 'entry.filter.op', /expected one of "eq"\|"neq"\|"gt"/],
  ['"gt" with a boolean', { 'entry.filter': { property: 'seats', op: 'gt', value: true } }, 'entry.filter.value', /"gt" compares numbers or strings, not booleans/],
  ['"eq" with a list', { 'entry.filter': { property: 'plan', op: 'eq', value: ['pro'] } }, 'entry.filter.value', /"eq" needs a single value/],
  ['a missing op', { 'entry.filter': { property: 'plan', value: 'pro' } }, 'entry.filter.op', /expected one of "eq"/],
  ['a bad field name', { 'entry.filter': { property: 'usage..seats', op: 'gt', value: 1 } }, 'entry.filter.property', /must be a field name, dotted for nested fields/],
  [
    '"in" without a list in a branch condition',
    { 'steps.check.branches.0.when': { attribute: 'plan', op: 'in', value: 'pro' } },
    'steps.check.branches.0.when.value',
    /"in" needs a non-empty list of values/,
  ],
  [
    'an unknown op inside "all"',
    { 'steps.check.branches.0.when': { all: [{ performed: 'activated' }, { attribute: 'plan', op: 'like', value: 'p%' }] } },
    'steps.check.branches.0.when.all.1.op',
    /expected one of "eq"/,
  ],
  ['an empty "any"', { 'steps.check.branches.0.when': { any: [] } }, 'steps.check.branches.0.when.any', /too small/i],
  ['a condition that is an object value', { 'steps.check.branches.0.when.value': { plan: 'pro' } }, 'steps.check.branches.0.when.value', /must be a string, number or boolean/],
  ['a condition that is a string', { 'steps.check.branches.0.when': 'plan == pro' }, 'steps.check.branches.0.when', /is not a valid condition: use/],
  ['a branch with no conditions', { 'steps.check.branches': [] }, 'steps.check.branches', /a branch needs at least one condition/],

  // Shape: unknown keys, kinds, empty steps, splits, ids, channels, attributes.
  ['a typo "nxt"', { 'steps.nudge.next': undefined, 'steps.nudge.nxt': 'offer_test' }, 'steps.nudge', /Unrecognized key: "nxt"; remove it or check its spelling/],
  ['a typo "nxt" leaves "next" missing', { 'steps.nudge.next': undefined, 'steps.nudge.nxt': 'offer_test' }, 'steps.nudge.next', /expected string, received undefined/],
  ['an unknown top-level key', { strat: 'welcome' }, '', /Unrecognized key: "strat"; remove it or check its spelling/],
  ['an unknown step kind', { 'steps.welcome.kind': 'email' }, 'steps.welcome.kind', /is not a known kind; use one of "send", "wait", "wait_for_event", "branch", "split", "update_attribute", "exit"/],
  ['a step with no kind', { 'steps.welcome.kind': undefined }, 'steps.welcome.kind', /use one of "send"/],
  ['a field of another kind', { 'steps.done.next': 'welcome' }, 'steps.done', /Unrecognized key: "next"/],
  ['no steps', { steps: {} }, 'steps', /a journey needs at least one step/],
  ['a split with one path', { 'steps.offer_test.paths': [{ name: 'only', weight: 1, next: 'mark' }] }, 'steps.offer_test.paths', /a split needs at least two paths/],
  ['duplicate split path names', { 'steps.offer_test.paths.1.name': 'offer' }, 'steps.offer_test.paths.1.name', /path name "offer" is used twice/],
  ['a zero split weight', { 'steps.offer_test.paths.0.weight': 0 }, 'steps.offer_test.paths.0.weight', /too small: expected number to be >=1/i],
  ['a fractional split weight', { 'steps.offer_test.paths.0.weight': 0.5 }, 'steps.offer_test.paths.0.weight', /must be a whole number/],
  ['a journey id with uppercase', { id: 'Test-Journey' }, 'id', /must be a journey id: lowercase letters, digits and "-", starting with a letter/],
  ['a step id with spaces', { 'steps.say hello': { kind: 'exit' } }, 'steps.say hello', /step ids start with a letter, then letters, digits, "_" or "-"/],
  ['a step id starting with a digit', { 'steps.1st': { kind: 'exit' } }, 'steps.1st', /step ids start with a letter/],
  ['an unknown channel', { 'steps.welcome.channel': 'fax' }, 'steps.welcome.channel', /expected one of "email"\|"push"\|"sms"\|"in_app"/],
  ['a bad template name', { 'steps.welcome.template': 'welcome mail' }, 'steps.welcome.template', /must be a template name/],
  ['a bad entry event', { 'entry.event': 'signed up' }, 'entry.event', /must be an event type/],
  ['an attribute set to an object', { 'steps.mark.value': { a: 1 } }, 'steps.mark.value', /must be a string, number or boolean .*null to clear an attribute/],
  ['a nested attribute name', { 'steps.mark.attribute': 'profile.onboarded' }, 'steps.mark.attribute', /must be a top-level attribute name/],
  ['an unknown reentry policy', { reentry: { policy: 'sometimes' } }, 'reentry.policy', /expected one of "never"\|"after_exit"\|"always"/],
  ['an empty name', { name: '' }, 'name', /too small/i],
];

describe('validateJourney', () => {
  it('accepts the journey the cases edit', () => {
    expect(validateJourney(validJourney(), LIMITS)).toMatchObject({ ok: true });
  });

  it.each(CASES)('rejects %s', (_what, edits, path, phrase) => {
    const issues = issuesOf(edited(edits));
    expect(issues).toContainEqual({ path, message: expect.stringMatching(phrase) });
  });

  it('gives every issue a path that is a string and a non-empty message', () => {
    for (const [what, edits] of CASES) {
      for (const issue of issuesOf(edited(edits))) {
        expect({ what, path: typeof issue.path, message: issue.message.trim().length > 0 }).toEqual({ what, path: 'string', message: true });
      }
    }
  });

  it('accepts a loop that contains a wait', () => {
    const result = validateJourney(edited({ 'steps.mark.next': 'pause' }), LIMITS);
    expect(result).toMatchObject({ ok: true });
  });

  it('accepts a loop that contains a wait_for_event', () => {
    const result = validateJourney(edited({ 'steps.nudge.next': 'await_activation' }), LIMITS);
    expect(result).toMatchObject({ ok: true });
  });

  it('reports every step of a loop that never reaches an exit, and only those', () => {
    const issues = issuesOf(edited({ 'steps.nudge.next': 'nag_later', 'steps.nag_later': { kind: 'wait', duration: '1d', next: 'nudge' } }));
    expect(issues.map((i) => i.path).sort()).toEqual(['steps.nag_later', 'steps.nudge']);
  });

  it('reports a step that only leads into a dead end as never reaching an exit', () => {
    const issues = issuesOf(
      edited({
        'steps.nudge.next': 'spin',
        'steps.spin': { kind: 'wait_for_event', event: 'activated', timeout: '1d', onEvent: 'spin', onTimeout: 'spin' },
      }),
    );
    expect(issues.map((i) => i.path).sort()).toEqual(['steps.nudge', 'steps.spin']);
  });

  it('accepts durations and waits at the maximum', () => {
    expect(validateJourney(edited({ 'steps.pause.duration': '30d', 'steps.await_activation.timeout': '4w2d' }), LIMITS)).toMatchObject({ ok: true });
  });

  it('names a maximum under a day in the unit it was set in', () => {
    const issues = issuesOf(edited({ 'steps.pause.duration': '13h', 'steps.await_activation.timeout': '12h' }), { maxWaitMs: 12 * 3_600_000 });
    expect(issues).toEqual([{ path: 'steps.pause.duration', message: '"13h" is longer than the longest wait allowed (12h, WAYMARK_JOURNEY_MAX_WAIT)' }]);
  });

  it('reports several shape problems at once', () => {
    const issues = issuesOf(
      edited({ id: 'Bad Id', 'steps.welcome.channel': 'fax', 'steps.pause.duration': '1 day', 'steps.offer_test.paths.1.name': 'offer' }),
    );
    expect(issues.map((i) => i.path).sort()).toEqual(['id', 'steps.offer_test.paths.1.name', 'steps.pause.duration', 'steps.welcome.channel']);
  });

  it('reports several reference problems at once, with waits over the maximum', () => {
    const issues = issuesOf(
      edited({ start: 'begin', 'steps.nudge.next': 'nowhere', 'steps.check.default': 'elsewhere', 'steps.pause.duration': '60d' }),
    );
    expect(issues.map((i) => i.path).sort()).toEqual(['start', 'steps.check.default', 'steps.nudge.next', 'steps.pause.duration']);
  });

  it('reports several graph problems at once', () => {
    const issues = issuesOf(
      edited({
        'steps.orphan': { kind: 'exit' },
        'steps.mark.next': 'check',
        'steps.nudge.next': 'nag_later',
        'steps.nag_later': { kind: 'wait', duration: '1d', next: 'nudge' },
      }),
    );
    expect(issues.map((i) => i.path).sort()).toEqual(['steps.mark.next', 'steps.nag_later', 'steps.nudge', 'steps.orphan']);
  });

  it('applies defaults to what it returns', () => {
    const result = validateJourney(validJourney(), LIMITS);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.journey.reentry).toEqual({ policy: 'never' });
    expect(result.journey.goals).toEqual([]);
  });

  it('rejects input that is not an object', () => {
    expect(issuesOf('journey: onboarding')).toEqual([{ path: '', message: expect.stringMatching(/expected object/) }]);
  });
});

describe('the shipped journeys', () => {
  it.each(Object.entries(SHIPPED_JOURNEYS))('%s validates under the default maximum wait', (_source, journey) => {
    const result = validateJourney(journey, { maxWaitMs: 365 * DAY });
    expect(result.ok ? [] : result.issues).toEqual([]);
  });

  it('are three, with distinct ids', () => {
    const ids = Object.values(SHIPPED_JOURNEYS).map((j) => (j as { id: string }).id);
    expect(ids.sort()).toEqual(['churn-prevention', 'onboarding', 'trial-conversion']);
  });
});
