import { defineJourney } from '../src/journey/define';

/** Welcome, a day to look around, tips if not yet activated, then up to 3 days to activate. */
export default defineJourney({
  id: 'onboarding',
  name: 'Onboarding',
  description: 'Welcome new sign-ups and get them to their first activation.',
  entry: { event: 'signed_up' },
  reentry: { policy: 'never' },
  exits: [{ event: 'account_deleted' }],
  start: 'welcome',
  steps: {
    welcome: { kind: 'send', channel: 'email', template: 'onboarding-welcome', next: 'first_day' },
    first_day: { kind: 'wait', duration: '1d', next: 'activated_yet' },
    activated_yet: {
      kind: 'branch',
      branches: [{ when: { performed: 'activated' }, next: 'congratulate' }],
      default: 'tips',
    },
    tips: { kind: 'send', channel: 'email', template: 'onboarding-tips', next: 'await_activation' },
    await_activation: { kind: 'wait_for_event', event: 'activated', timeout: '3d', onEvent: 'congratulate', onTimeout: 'nudge' },
    nudge: { kind: 'send', channel: 'email', template: 'onboarding-nudge', next: 'done' },
    congratulate: { kind: 'send', channel: 'email', template: 'onboarding-congrats', next: 'done' },
    done: { kind: 'exit' },
  },
});
