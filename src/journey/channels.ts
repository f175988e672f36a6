/** The channels a send step may use (no zod here: workflow code imports it). */
export const CHANNELS = ['email', 'push', 'sms', 'in_app'] as const;
export type Channel = (typeof CHANNELS)[number];
