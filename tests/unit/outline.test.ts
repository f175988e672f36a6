import { outline } from '../../src/journey/outline';
import { publishJourney } from '../../src/journey/publish';

/** `waymark journeys show` and the Temporal UI's details print this outline. */

const journey = publishJourney(
  {
    id: 'outline-test',
    name: 'Outline test',
    entry: { event: 'signed_up' },
    reentry: { policy: 'after_exit', cooldown: '30d' },
    goals: [{ event: 'purchased', filter: { property: 'amount', op: 'gte', value: 100 } }],
    exits: [{ event: 'account_deleted' }],
    start: 'check',
    steps: {
      check: {
        kind: 'branch',
        branches: [{ when: { all: [{ attribute: 'plan', op: 'in', value: ['pro', 'enterprise'] }, { not: { performed: 'activated' } }] }, next: 'await' }],
        default: 'test',
      },
      await: { kind: 'wait_for_event', event: 'activated', timeout: '2d', onEvent: 'done', onTimeout: 'test' },
      test: { kind: 'split', paths: [{ name: 'a', weight: 2, next: 'mark' }, { name: 'control', weight: 1, holdout: true, next: 'done' }] },
      mark: { kind: 'update_attribute', attribute: 'tested', value: true, next: 'done' },
      done: { kind: 'exit' },
    },
  },
  'outline.test.ts',
  { maxWaitMs: 365 * 86_400_000 },
);

describe('outline', () => {
  it('prints the triggers with their filters, then each step in flow order with its conditions and ways out', () => {
    expect(outline(journey.definition, journey.version).split('\n')).toEqual([
      `Outline test (outline-test@${journey.version})`,
      '  entry:    signed_up',
      '  re-entry: after_exit, cooldown 30d',
      '  goal:     purchased where event.amount ≥ 100 ends the run as converted',
      '  exit:     account_deleted ends the run as exited',
      '',
      '  check  branch (the first condition that holds)',
      '           if all(plan in [pro, enterprise], not(performed activated))  -> await',
      '           else                                                         -> test',
      '  await  wait up to 2d for activated',
      '           on event  -> done',
      '           after 2d  -> test',
      '  test   split (sticky per customer)',
      '           a 66.7%                                -> mark',
      '           control 33.3% (holdout: gets nothing)  -> done',
      '  mark   set tested = true  -> done',
      '  done   exit',
    ]);
  });

  it('says what a send step falls back to, whether a model writes its words, and whether it is transactional', () => {
    const sends = publishJourney(
      {
        id: 'outline-sends',
        name: 'Outline sends',
        entry: { event: 'signed_up' },
        start: 'ask',
        steps: {
          ask: { kind: 'send', channel: 'email', template: 'ask-email', fallback: [{ channel: 'sms', template: 'ask-sms' }], generate: { brief: 'warmer' }, next: 'receipt' },
          receipt: { kind: 'send', channel: 'email', template: 'receipt', transactional: true, next: 'done' },
          done: { kind: 'exit' },
        },
      },
      'outline.test.ts',
      { maxWaitMs: 365 * 86_400_000 },
    );
    const lines = outline(sends.definition, sends.version).split('\n');
    expect(lines).toContain('  ask      send email "ask-email", else sms "ask-sms", words written by the model, template as fallback  -> receipt');
    expect(lines).toContain('  receipt  send email "receipt", transactional  -> done');
  });
});
