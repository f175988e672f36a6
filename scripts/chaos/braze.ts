import { BrazeServer } from '../../tests/support/braze-server';

const SEND = '/messages/send';

/**
 * The tests' loopback Braze, answering slowly: each of the first `answers` requests after a delay
 * drawn uniformly from [minMs, maxMs] (then at once), so that sends are in flight when the worker
 * is stopped. It records every request as it arrives, answered or not: what a real Braze would
 * have sent.
 */
export async function startSlowBraze(minMs: number, maxMs: number, answers: number): Promise<BrazeServer> {
  const server = await BrazeServer.start();
  server.answerNext(...Array.from({ length: answers }, () => ({ kind: 'slow' as const, delayMs: Math.round(minMs + Math.random() * (maxMs - minMs)) })));
  return server;
}

/** The worker's settings for Braze at `server`. */
export function brazeEnv(server: BrazeServer): Record<string, string> {
  return {
    WAYMARK_BRAZE_URL: server.url,
    WAYMARK_BRAZE_API_KEY: server.apiKey,
    WAYMARK_BRAZE_APP_ID: 'chaos-app',
    WAYMARK_BRAZE_EMAIL_FROM: 'Waymark Chaos <chaos@example.com>',
  };
}

/** Sends received less than `minMs` ago: none of them can have been answered yet. */
export function sendsInFlight(server: BrazeServer, minMs: number): number {
  const now = Date.now();
  return server.on(SEND).filter((r) => now - r.at < minMs).length;
}

/** One /messages/send call as Braze sees it: to whom, and which message (Braze gets no send key). */
export interface BrazeSend {
  externalId: string;
  subject: string;
  at: number;
  dispatchId?: string;
}

export function brazeSends(server: BrazeServer): BrazeSend[] {
  return server.on(SEND).map((r) => {
    const body = r.body as { external_user_ids?: string[]; messages?: { email?: { subject?: string } } } | undefined;
    return { externalId: body?.external_user_ids?.[0] ?? '', subject: body?.messages?.email?.subject ?? JSON.stringify(body?.messages ?? null), at: r.at, ...(r.dispatchId ? { dispatchId: r.dispatchId } : {}) };
  });
}
