import { defineJourney } from '../src/journey/define';

/**
 * Day 1 getting started; day 7 help chosen by usage or lead score (a trial the lead model rates
 * likely to convert gets the power tips); day 12 an offer, A/B tested against a 10%
 * holdout that gets nothing. Starting a subscription ends the journey at once.
 */
export default defineJourney({
  id: 'trial-conversion',
  name: 'Trial conversion',
  description: 'Turn trials into paid subscriptions.',
  entry: { event: 'trial_started' },
  reentry: { policy: 'never' },
  goals: [{ name: 'converted', event: 'subscription_started' }],
  start: 'getting_started',
  steps: {
    getting_started: { kind: 'send', channel: 'email', template: 'trial-day1-getting-started', next: 'until_day7' },
    until_day7: { kind: 'wait', duration: '6d', next: 'usage_check' },
    usage_check: {
      kind: 'branch',
      branches: [{ when: { any: [{ attribute: 'usage_events', op: 'gte', value: 10 }, { score: 'lead', op: 'gte', value: 0.7 }] }, next: 'power_tips' }],
      default: 'need_help',
    },
    power_tips: { kind: 'send', channel: 'email', template: 'trial-day7-power-tips', next: 'until_day12' },
    need_help: { kind: 'send', channel: 'email', template: 'trial-day7-need-help', next: 'until_day12' },
    until_day12: { kind: 'wait', duration: '5d', next: 'business_hours' },
    business_hours: { kind: 'wait', until: { time: '10:00', weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'] }, next: 'offer_test' },
    offer_test: {
      kind: 'split',
      paths: [
        { name: 'discount', weight: 45, next: 'offer_discount' },
        { name: 'extension', weight: 45, next: 'offer_extension' },
        { name: 'holdout', weight: 10, holdout: true, next: 'done' },
      ],
    },
    offer_discount: { kind: 'send', channel: 'email', template: 'trial-day12-discount', next: 'done' },
    offer_extension: { kind: 'send', channel: 'email', template: 'trial-day12-extension', next: 'done' },
    done: { kind: 'exit' },
  },
});
