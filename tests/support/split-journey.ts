/**
 * A journey that splits customers between offers (each a send) and a holdout, then waits for a
 * click a goal event can end: the shape the results, the console and the journeys API count and draw.
 * Events are `<prefix>_entered`, `<prefix>_bought` (the goal) and `<prefix>_clicked`; templates `<id>-<offer>`.
 */
export function splitJourney(id: string, prefix: string, offers: string[]) {
  const sends = Object.fromEntries(offers.map((offer) => [`offer_${offer}`, { kind: 'send', channel: 'email', template: `${id}-${offer}`, next: 'wait_for_click' }]));
  return {
    id,
    name: id.split('-').map((w) => w[0]!.toUpperCase() + w.slice(1)).join(' '),
    entry: { event: `${prefix}_entered` },
    reentry: { policy: 'never' },
    goals: [{ event: `${prefix}_bought`, name: 'bought' }],
    start: 'offer_test',
    steps: {
      offer_test: {
        kind: 'split',
        paths: [...offers.map((offer) => ({ name: offer, weight: 1, next: `offer_${offer}` })), { name: 'holdout', weight: 1, holdout: true, next: 'wait_for_click' }],
      },
      ...sends,
      wait_for_click: { kind: 'wait_for_event', event: `${prefix}_clicked`, timeout: '1h', onEvent: 'done', onTimeout: 'done' },
      done: { kind: 'exit' },
    },
  };
}
