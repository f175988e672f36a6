import { renderJourneyDetails } from '../../workflows/journey-details';
import { renderRouterDetails } from '../../workflows/router-details';
import type { CustomerState, JourneyState } from '../../workflows/contract';
import type { Journey } from '../../src/journey/schema';

const journey = { name: 'Onboarding' } as Journey;
const base: JourneyState = {
  journeyId: 'onboarding',
  version: 'abc123',
  customerId: 'ada<script>',
  status: 'active',
  step: 'await_activation',
  enteredAt: '2026-11-25T10:00:00.000Z',
  path: [
    { step: 'welcome', kind: 'send', at: '2026-11-25T10:00:00.100Z', outcome: 'sent email onboarding-welcome' },
    { step: 'activated_yet', kind: 'branch', at: '2026-11-26T10:00:00.100Z', outcome: 'default: performed activated did not hold (performed activated 0x)' },
    { step: 'await_activation', kind: 'wait_for_event', at: '2026-11-26T10:00:01.000Z' },
  ],
  pathDropped: 0,
  waiting: { kind: 'event', step: 'await_activation', event: 'activated', until: '2026-11-29T10:00:01.000Z' },
  attributes: {},
  currentEvent: { type: 'signed_up', messageId: 'm1', properties: {} },
  performed: {},
  buffered: [],
  lateEvents: 0,
  messagesSent: 1,
  visits: {},
};

describe('what the Temporal UI shows of a run (current details)', () => {
  it('says where an active run is, what it waits for, and the path with outcomes', () => {
    const text = renderJourneyDetails(journey, base);
    expect(text).toContain('**Now:** step await\\_activation, waiting for activated until 2026-11-29T10:00:01.000Z, else the timeout path');
    expect(text).toContain('default: performed activated did not hold (performed activated 0x)');
    expect(text).not.toContain('<script>');
  });

  it('puts why a finished run ended first', () => {
    const text = renderJourneyDetails(journey, { ...base, status: 'converted', endedAt: '2026-11-27T09:00:00.000Z', reason: 'goal converted reached', waiting: undefined });
    expect(text.split('\n')[1]).toBe('**Ended converted** at 2026-11-27T09:00:00.000Z: goal converted reached');
  });

  it('lists a customer\'s journeys and the latest decisions on the router', () => {
    const state: CustomerState = {
      customerId: 'ada',
      seen: [],
      journeys: { onboarding: { version: 'abc', active: false, entries: 1, lastEnteredAt: 'x', lastEndedAt: '2026-11-27T09:00:00Z', lastStatus: 'exited', lastReason: 'exit event account_deleted', listensTo: [] } },
      eventsAccepted: 2,
      duplicatesIgnored: 0,
      decisions: [{ at: '2026-11-25T10:00:00.000Z', messageId: 'm2', type: 'signed_up', journeyId: 'onboarding', outcome: 'not entered: re-entry policy is "never"' }],
    };
    const text = renderRouterDetails(state);
    expect(text).toContain('- onboarding @abc: entered 1x, exited 2026-11-27T09:00:00Z: exit event account\\_deleted');
    expect(text).toContain('signed\\_up → onboarding: not entered: re-entry policy is "never"');
  });
});
