import { validateJourney, type ValidationIssue } from '../../src/journey/validate';
import { edited, LIMITS, validJourney, type Json } from '../support/journey-edits';
import { SHIPPED_JOURNEYS } from '../../journeys';

/** Dead paths: what validation warns about in a journey that is still valid (tests/unit/validation.test.ts has the invalid ones). */

/** The warnings of a journey that must still be valid: warnings never make a journey invalid. */
function warningsOf(input: unknown): ValidationIssue[] {
  const result = validateJourney(input, LIMITS);
  if (!result.ok) throw new Error(`expected the journey to be valid: ${JSON.stringify(result.issues)}`);
  return result.warnings;
}

const paths = (issues: ValidationIssue[]) => issues.map((i) => i.path).sort();
const plan = (op: string, value?: Json): Json => (value === undefined ? { attribute: 'plan', op } : { attribute: 'plan', op, value });
const extraStep = { kind: 'send', channel: 'email', template: 'extra', next: 'done' };

describe('dead paths (warnings)', () => {
  it('finds none in the journey the cases edit, nor in the shipped journeys', () => {
    expect(warningsOf(validJourney())).toEqual([]);
    for (const journey of Object.values(SHIPPED_JOURNEYS)) expect(warningsOf(journey)).toEqual([]);
  });

  it('reports a wait_for_event whose event is a goal: the goal ends the run first, so onEvent is dead', () => {
    const warnings = warningsOf(
      edited({ goals: [{ name: 'active', event: 'activated' }], 'steps.await_activation.onEvent': 'celebrate', 'steps.celebrate': extraStep }),
    );
    expect(warnings).toEqual([
      { path: 'steps.await_activation.event', message: expect.stringContaining('is the goal "active" (goals.0), which ends the run as soon as it arrives: onEvent ("celebrate") is never taken') },
      { path: 'steps.celebrate', message: 'never runs: it is reached only through steps.await_activation.onEvent, which no run takes; fix that path or remove this step' },
    ]);
  });

  it('reports a wait_for_event whose event is an exit, without a step warning when onEvent leads somewhere reachable', () => {
    const warnings = warningsOf(edited({ exits: [{ event: 'activated' }] }));
    expect(warnings).toEqual([{ path: 'steps.await_activation.event', message: expect.stringContaining('is the exit "activated" (exits.0)') }]);
  });

  it('reports a wait only when the goal catches every event the wait accepts', () => {
    const pro = { property: 'plan', op: 'eq', value: 'pro' };
    const paid = { property: 'plan', op: 'in', value: ['pro', 'team'] };
    // The goal catches only pro plans; the wait still receives the others.
    expect(warningsOf(edited({ goals: [{ event: 'activated', filter: pro }] }))).toEqual([]);
    // The wait takes pro plans only, and every one of them is a paid-plan goal.
    const covered = edited({ goals: [{ event: 'activated', filter: paid }], 'steps.await_activation.filter': pro });
    expect(paths(warningsOf(covered))).toEqual(['steps.await_activation.event']);
    // Another event type is never caught.
    expect(warningsOf(edited({ goals: [{ event: 'purchased' }] }))).toEqual([]);
  });

  it('reports a branch condition identical to an earlier one', () => {
    const branches = [
      { when: plan('eq', 'pro'), next: 'pro_tips' },
      { when: { all: [plan('exists'), plan('eq', 'pro')] }, next: 'celebrate' },
      { when: plan('eq', 'pro'), next: 'nudge' },
    ];
    const warnings = warningsOf(edited({ 'steps.check.branches': branches, 'steps.celebrate': extraStep }));
    expect(warnings).toEqual([
      { path: 'steps.check.branches.1.when', message: expect.stringContaining('takes the earlier condition at branches.0 (plan = "pro") first') },
      { path: 'steps.check.branches.2.when', message: expect.stringContaining('is never taken: every customer it matches takes the earlier condition at branches.0') },
      { path: 'steps.celebrate', message: expect.stringContaining('reached only through steps.check.branches.1.next') },
    ]);
  });

  it.each([
    ['a value in an earlier list', plan('in', ['pro', 'team']), plan('eq', 'pro')],
    ['a narrower range', { attribute: 'seats', op: 'gte', value: 50 }, { attribute: 'seats', op: 'gt', value: 80 }],
    ['a narrower exclusion', plan('neq', 'x'), plan('not_in', ['x', 'y'])],
    ['the same members in another order', { any: [plan('eq', 'a'), { performed: 'activated' }] }, { any: [{ performed: 'activated' }, plan('eq', 'a')] }],
  ])('reports a branch condition implied by an earlier one: %s', (_what, earlier, later) => {
    const branches = [
      { when: earlier, next: 'pro_tips' },
      { when: later, next: 'celebrate' },
    ];
    expect(paths(warningsOf(edited({ 'steps.check.branches': branches, 'steps.celebrate': extraStep })))).toEqual(['steps.celebrate', 'steps.check.branches.1.when']);
  });

  it.each([
    ['a wider range after a narrower one', { attribute: 'seats', op: 'gte', value: 80 }, { attribute: 'seats', op: 'gte', value: 50 }],
    ['another field', plan('eq', 'pro'), { attribute: 'tier', op: 'eq', value: 'pro' }],
    ['an attribute and a property of the same name', plan('eq', 'pro'), { property: 'plan', op: 'eq', value: 'pro' }],
    ['a string and a number', plan('eq', '1'), plan('eq', 1)],
    ['neq after exists (a missing field is not equal either)', plan('exists'), plan('neq', 'x')],
  ])('leaves alone a branch that can still be taken: %s', (_what, earlier, later) => {
    const branches = [
      { when: earlier, next: 'pro_tips' },
      { when: later, next: 'nudge' },
    ];
    expect(paths(warningsOf(edited({ 'steps.check.branches': branches })))).not.toContain('steps.check.branches.1.when');
  });

  it('leaves the default alone while a case is left for it', () => {
    const branches = [
      { when: plan('in', ['pro', 'team']), next: 'pro_tips' },
      { when: plan('neq', 'free'), next: 'nudge' },
    ];
    expect(warningsOf(edited({ 'steps.check.branches': branches }))).toEqual([]);
  });

  it('reports a branch taken only when the earlier ones together cover it', () => {
    const branches = [
      { when: plan('eq', 'pro'), next: 'pro_tips' },
      { when: plan('eq', 'team'), next: 'nudge' },
      { when: plan('in', ['team', 'pro']), next: 'celebrate' },
    ];
    expect(warningsOf(edited({ 'steps.check.branches': branches, 'steps.celebrate': extraStep }))).toContainEqual({
      path: 'steps.check.branches.2.when',
      message: expect.stringContaining('takes the conditions before it first'),
    });
  });

  it('reports a condition that can never hold: performed of an exit event, or parts that contradict', () => {
    const branches: Json = [
      { when: { performed: 'account_deleted' }, next: 'celebrate' },
      { when: { all: [plan('eq', 'a'), plan('eq', 'b')] }, next: 'pro_tips' },
      { when: { all: [{ attribute: 'seats', op: 'gt', value: 10 }, { attribute: 'seats', op: 'lte', value: 10 }] }, next: 'pro_tips' },
    ];
    const warnings = warningsOf(edited({ 'steps.check.branches': branches, 'steps.celebrate': extraStep }));
    expect(warnings).toEqual([
      { path: 'steps.check.branches.0.when', message: expect.stringMatching(/^can never hold \(performed account_deleted\): "account_deleted" is a goal or exit event/) },
      { path: 'steps.check.branches.1.when', message: expect.stringContaining('its parts contradict each other') },
      { path: 'steps.check.branches.2.when', message: expect.stringContaining('its parts contradict each other') },
      { path: 'steps.celebrate', message: expect.stringContaining('steps.check.branches.0.next') },
      { path: 'steps.pro_tips', message: expect.stringContaining('steps.check.branches.1.next, steps.check.branches.2.next') },
    ]);
  });

  it('leaves alone performed of a goal with a filter: other events of that type do not end the run', () => {
    const journey = edited({ goals: [{ event: 'purchased', filter: { property: 'amount', op: 'gte', value: 100 } }], 'steps.check.branches.0.when': { performed: 'purchased' } });
    expect(warningsOf(journey)).toEqual([]);
  });

  it('reports a condition that always holds, and everything only the later ways lead to', () => {
    const warnings = warningsOf(edited({ 'steps.check.branches.0.when': { performed: 'signed_up' } }));
    expect(warnings).toEqual([
      { path: 'steps.check.branches.0.when', message: expect.stringContaining('"signed_up" is the entry event, so it is always performed; the branches after it and the default are never taken') },
      { path: 'steps.await_activation', message: expect.stringContaining('reached only through steps.check.default') },
      { path: 'steps.nudge', message: expect.stringContaining('reached only through steps.check.default') },
    ]);
  });

  it('reports a default the conditions leave no case for', () => {
    const branches = [
      { when: plan('eq', 'pro'), next: 'pro_tips' },
      { when: { not: plan('eq', 'pro') }, next: 'nudge' },
    ];
    expect(paths(warningsOf(edited({ 'steps.check.branches': branches })))).toEqual(['steps.await_activation', 'steps.check.default']);
  });

  it('reports shadowed goals and exits', () => {
    const warnings = warningsOf(
      edited({
        goals: [{ event: 'purchased' }, { name: 'big purchase', event: 'purchased', filter: { property: 'amount', op: 'gt', value: 100 } }],
        exits: [{ event: 'account_deleted' }, { event: 'purchased' }, { event: 'account_deleted', filter: { property: 'why', op: 'eq', value: 'gdpr' } }],
      }),
    );
    expect(warnings).toEqual([
      { path: 'goals.1', message: expect.stringContaining('never counts: every event it matches reaches the goal "purchased" (goals.0) first') },
      { path: 'exits.1', message: expect.stringContaining('never ends a run: every event it matches is the goal "purchased" (goals.0), and goals are checked first') },
      { path: 'exits.2', message: expect.stringContaining('reaches the exit "account_deleted" (exits.0) first') },
    ]);
  });

  it('still reports errors with warnings found alongside', () => {
    const result = validateJourney(edited({ 'steps.orphan': { kind: 'exit' }, exits: [{ event: 'activated' }] }), LIMITS);
    expect(result).toMatchObject({ ok: false, issues: [{ path: 'steps.orphan' }], warnings: [{ path: 'steps.await_activation.event' }] });
  });
});
