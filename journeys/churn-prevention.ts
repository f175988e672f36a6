import { defineJourney } from '../src/journey/define';

/** A win-back offer for customers at risk; a week to re-engage, else escalate by plan. */
export default defineJourney({
  id: 'churn-prevention',
  name: 'Churn prevention',
  description:
    'Win back customers at risk: their health fell into at risk (the warehouse pipeline sends health_at_risk with the score, 0-100), or a promoted churn model rated them at high risk (the retraining pipeline sends churn_risk_high with the score, 0-1).',
  entry: [{ event: 'health_at_risk', filter: { property: 'score', op: 'lt', value: 40 } }, { event: 'churn_risk_high' }],
  reentry: { policy: 'after_exit', cooldown: '30d' },
  exits: [{ event: 'subscription_cancelled' }],
  start: 'winback_offer',
  steps: {
    winback_offer: { kind: 'send', channel: 'email', template: 'churn-winback-offer', next: 'await_engagement' },
    await_engagement: {
      kind: 'wait_for_event',
      event: 'session_started',
      timeout: '7d',
      onEvent: 'mark_retained',
      onTimeout: 'escalate',
    },
    mark_retained: { kind: 'update_attribute', attribute: 'churn_status', value: 'retained', next: 'done' },
    escalate: {
      kind: 'branch',
      branches: [{ when: { attribute: 'plan', op: 'in', value: ['pro', 'enterprise'] }, next: 'account_manager_call' }],
      default: 'last_chance',
    },
    account_manager_call: { kind: 'send', channel: 'email', template: 'churn-account-manager', next: 'mark_escalated' },
    last_chance: { kind: 'send', channel: 'push', template: 'churn-last-chance', next: 'mark_escalated' },
    mark_escalated: { kind: 'update_attribute', attribute: 'churn_status', value: 'escalated', next: 'done' },
    done: { kind: 'exit' },
  },
});
