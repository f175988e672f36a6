import { CircuitBreaker, type CircuitSettings, type CircuitState } from './circuit-breaker';

/** The providers a worker guards with a breaker. */
export type Provider = 'braze' | 'gemini' | 'vertex' | 'bigquery';

type Listener = (provider: Provider, state: CircuitState) => void;

const breakers = new Map<Provider, CircuitBreaker>();
const listeners: Listener[] = [];

/**
 * The process's breaker for a provider, created on first use: every client of that provider in
 * this process (each activity builds its own) sees the same failures and the same open circuit.
 */
export function breakerFor(provider: Provider, settings: CircuitSettings): CircuitBreaker {
  let breaker = breakers.get(provider);
  if (!breaker) {
    breaker = new CircuitBreaker(provider, settings, (state) => listeners.forEach((listen) => listen(provider, state)));
    breakers.set(provider, breaker);
  }
  return breaker;
}

/** Calls `listen` on every change of any provider's circuit (the worker's metric and log). */
export function onCircuitChange(listen: Listener): void {
  listeners.push(listen);
}
