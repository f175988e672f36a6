import { previewReport, unusedEventTypeProblem } from '../../src/cli/journeys-preview';
import { SHIPPED_JOURNEYS } from '../../journeys';
import { publishJourney } from '../../src/journey/publish';
import type { PreviewResult, PreviewScenario } from '../../src/journey/preview';
import type { JourneyState } from '../../workflows/contract';

/** What `waymark journeys preview` prints, from a run's final state: time order, columns, result last. */

const DAY = 86_400_000;
const trial = publishJourney(SHIPPED_JOURNEYS['journeys/trial-conversion.ts'], 'trial', { maxWaitMs: 365 * DAY }).definition;
const onboarding = publishJourney(SHIPPED_JOURNEYS['journeys/onboarding.ts'], 'onboarding', { maxWaitMs: 365 * DAY }).definition;
const entered = Date.parse('2025-03-03T09:00:00Z');
const at = (ms: number) => new Date(entered + ms).toISOString();

/** A heavy user of the trial who subscribes on day 8, as the interpreter would leave the run. */
function converted(): PreviewResult {
  const final = {
    status: 'converted',
    reason: 'goal "converted" reached (subscription_started at 2025-03-11T09:00:00Z)',
    enteredAt: at(0),
    endedAt: at(8 * DAY),
    pathDropped: 0,
    path: [
      { step: 'getting_started', kind: 'send', at: at(0), outcome: 'sent email trial-day1-getting-started' },
      { step: 'until_day7', kind: 'wait', at: at(0), outcome: 'waited until 2025-03-09T09:00:00Z' },
      { step: 'usage_check', kind: 'branch', at: at(6 * DAY), outcome: 'branch 1: usage_events ≥ 10 held (usage_events = 12)' },
      { step: 'power_tips', kind: 'send', at: at(6 * DAY), outcome: 'sent email trial-day7-power-tips' },
      { step: 'until_day12', kind: 'wait', at: at(6 * DAY), outcome: 'interrupted' },
    ],
  } as unknown as JourneyState;
  const messages = [
    { channel: 'email', template: 'trial-day1-getting-started', content: { channel: 'email', subject: 'Your first day with Fieldnote', html: '', text: '' } },
    { channel: 'email', template: 'trial-day7-power-tips', contentMissing: 'template "trial-day7-power-tips" is not published' },
  ] as PreviewResult['messages'];
  return { final, messages, delivered: [{ afterMs: 8 * DAY, type: 'subscription_started', properties: { plan: 'pro' } }] };
}

const scenario: PreviewScenario = {
  customerId: 'c',
  attributes: {},
  entryProperties: {},
  events: [
    { afterMs: 8 * DAY, type: 'subscription_started', properties: { plan: 'pro' } },
    { afterMs: 9 * DAY, type: 'subscription_started', properties: {} },
  ],
};

describe('previewReport', () => {
  const lines = previewReport(trial, scenario, converted());

  it('prints a table in time order: offset, step, what happened, each in its column', () => {
    const table = lines.slice(0, lines.indexOf(''));
    expect(table).toEqual([
      '  offset  step             what happened',
      '  +0s     getting_started  sent email trial-day1-getting-started',
      '  +0s     until_day7       waiting 6d',
      '  +6d     until_day7       waited until 2025-03-09T09:00:00Z',
      '  +6d     usage_check      branch 1: usage_events ≥ 10 held (usage_events = 12)',
      '  +6d     power_tips       sent email trial-day7-power-tips',
      '  +6d     until_day12      waiting 5d',
      '  +8d     (event)          the customer sent subscription_started (plan="pro")',
      '  +8d     until_day12      interrupted',
    ]);
  });

  it('ends with the skipped events, the messages, then the result last', () => {
    expect(lines.slice(lines.indexOf('') + 1)).toEqual([
      '1 scripted event(s) came after the journey had ended and were not sent.',
      'Messages: 2',
      '  email trial-day1-getting-started: "Your first day with Fieldnote"',
      '  email trial-day7-power-tips: (no content: template "trial-day7-power-tips" is not published)',
      'Result: converted after 8d: goal "converted" reached (subscription_started at 2025-03-11T09:00:00Z)',
    ]);
  });

  it('puts the end of a wait_for_event at the moment the event came, after the event', () => {
    const result: PreviewResult = {
      final: {
        status: 'completed',
        enteredAt: at(0),
        endedAt: at(2 * DAY),
        pathDropped: 0,
        path: [
          { step: 'await_activation', kind: 'wait_for_event', at: at(DAY), outcome: 'received activated' },
          { step: 'congratulate', kind: 'send', at: at(2 * DAY), outcome: 'sent email onboarding-congrats' },
        ],
      } as unknown as JourneyState,
      messages: [],
      delivered: [{ afterMs: 2 * DAY, type: 'activated', properties: {} }],
    };
    const rows = previewReport(onboarding, { ...scenario, events: [] }, result).slice(1, 5);
    expect(rows).toEqual([
      '  +1d     await_activation  waiting up to 3d for activated',
      '  +2d     (event)           the customer sent activated',
      '  +2d     await_activation  received activated',
      '  +2d     congratulate      sent email onboarding-congrats',
    ]);
  });
});

describe('unusedEventTypeProblem', () => {
  it('accepts the entry, goal, wait and performed event types', () => {
    expect(unusedEventTypeProblem(trial, [{ type: 'subscription_started' }, { type: 'trial_started' }])).toBeUndefined();
    expect(unusedEventTypeProblem(onboarding, [{ type: 'activated' }, { type: 'account_deleted' }, { type: 'signed_up' }])).toBeUndefined();
  });

  it('names the first type the journey never uses, and lists those it does', () => {
    expect(unusedEventTypeProblem(onboarding, [{ type: 'activated' }, { type: 'activate', text: 'activate@1d' }])).toBe(
      '--event "activate@1d": journey onboarding never uses the event type "activate", so it could change nothing; the types it uses are account_deleted, activated, signed_up',
    );
  });
});
