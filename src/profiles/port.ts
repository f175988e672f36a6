/** Customer attributes that journeys branch on and update. */
export interface ProfileStore {
  get(customerId: string): Promise<Record<string, unknown>>;
  /** Applies `changes` once per `key` (a retried update is not applied twice); returns the new attributes. */
  update(customerId: string, changes: Record<string, unknown>, key: string): Promise<Record<string, unknown>>;
}
