/** Days of the week as journeys name them, Sunday first (Date#getUTCDay order). Pure: workflow code imports it. */
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
