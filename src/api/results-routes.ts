import { Hono } from 'hono';
import type { Config } from '../config';
import { JOURNEY_ID } from '../journey/schema';
import type { Journey } from '../journey/schema';
import type { JourneyResults, ResultsRange } from '../results/journey-results';
import type { JourneyWarehouseKpis } from '../results/warehouse-kpis';
import type { Logger } from '../logger';
import { ApiError } from './errors';
import { fromVisibility } from './temporal';

/** A results answer: the version's results in the range and, where the reader reads the warehouse, its journey KPIs (never failing the answer). */
export type ResultsAnswer = JourneyResults & { warehouse?: JourneyWarehouseKpis };

/** What the results routes read: the store's journey versions, and the results themselves. */
export interface ResultsReader {
  /** The version published now, or undefined for a journey never published. */
  currentVersion(journeyId: string): Promise<string | undefined>;
  definition(journeyId: string, version: string): Promise<Journey | undefined>;
  results(journey: Journey, range: ResultsRange): Promise<ResultsAnswer>;
}

/** The scope an API key needs to read journeys and their results. */
export const READ_SCOPE = 'read';

/**
 * GET /v1/journeys/{journeyId}/results: a version's results in a date range (docs/results.md,
 * docs/openapi.yaml). Query: version (default: the current one), from and to (ISO 8601; default
 * the last WAYMARK_RESULTS_DEFAULT_RANGE), confidence (default WAYMARK_RESULTS_CONFIDENCE). The
 * answer's `warehouse` (the journey's KPIs from the warehouse, all time) says why when it has none.
 */
export function resultsRoutes(config: Config, reader: ResultsReader, logger: Logger): Hono {
  const routes = new Hono();
  routes.get('/:journeyId/results', async (c) => {
    const journeyId = c.req.param('journeyId');
    if (!JOURNEY_ID.test(journeyId)) throw new ApiError('FIELD_FORMAT', 'path.journeyId', `path.journeyId: "${journeyId.slice(0, 80)}" is not a journey id (lowercase letters, digits and "-", starting with a letter)`);
    const query = (name: string) => c.req.query(name) || undefined;
    const to = instant(query('to'), 'query.to') ?? new Date();
    const from = instant(query('from'), 'query.from') ?? new Date(to.getTime() - config.results.defaultRangeMs);
    if (from >= to) throw new ApiError('FIELD_INVALID', 'query.from', `query.from (${from.toISOString()}) must be before query.to (${to.toISOString()})`);
    const confidence = level(query('confidence')) ?? config.results.confidence;
    const version = query('version') ?? (await reader.currentVersion(journeyId));
    if (!version) throw new ApiError('JOURNEY_NOT_FOUND', 'path.journeyId', `no journey "${journeyId}" has been published; list them with: waymark journeys list`);
    const journey = /^[0-9a-f]{1,64}$/.test(version) ? await reader.definition(journeyId, version) : undefined;
    if (!journey) throw new ApiError('JOURNEY_NOT_FOUND', 'query.version', `journey "${journeyId}" has no version "${version.slice(0, 80)}"; see: waymark journeys versions ${journeyId}`);
    return c.json(await fromVisibility(logger, 'the results', () => reader.results(journey, { journeyId, version, from, to, confidence })));
  });
  return routes;
}

function instant(text: string | undefined, path: string): Date | undefined {
  if (text === undefined) return undefined;
  const at = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(at.getTime())) throw new ApiError('FIELD_FORMAT', path, `${path}: "${text.slice(0, 80)}" is not an ISO 8601 date or time (e.g. 2026-12-01 or 2026-12-01T09:00:00Z)`);
  return at;
}

function level(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!(value > 0 && value < 1)) throw new ApiError('FIELD_INVALID', 'query.confidence', `query.confidence: "${text.slice(0, 80)}" is not a level between 0 and 1 (e.g. 0.95)`);
  return value;
}
