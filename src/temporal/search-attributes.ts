import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes Waymark keeps current on every journey run and pipeline batch (see docs/operations.md). */
export const JourneyId = defineSearchAttributeKey('JourneyId', SearchAttributeType.KEYWORD);
export const JourneyVersion = defineSearchAttributeKey('JourneyVersion', SearchAttributeType.KEYWORD);
export const CustomerId = defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD);
export const JourneyStep = defineSearchAttributeKey('JourneyStep', SearchAttributeType.KEYWORD);
export const JourneyStatus = defineSearchAttributeKey('JourneyStatus', SearchAttributeType.KEYWORD);

/**
 * The path each split of the run's version assigns the customer, as "<split step>:<path>" (step ids
 * and path names hold neither ":" nor spaces): set when the run starts, for results per variant.
 * The split picks by customer, so the assignment is known at entry (src/journey/split.ts).
 */
export const JourneySplits = defineSearchAttributeKey('JourneySplits', SearchAttributeType.KEYWORD_LIST);

/** How a pipeline batch ended: published, quarantined or nothing_to_do (where the list's own status says COMPLETED for all three). */
export const BatchStatus = defineSearchAttributeKey('BatchStatus', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [JourneyId, JourneyVersion, CustomerId, JourneyStep, JourneyStatus, BatchStatus, JourneySplits];

/** The type's name as the Temporal CLI takes it (`--type`, `--search-attribute Name=Type`). */
export function cliTypeOf(attribute: (typeof SEARCH_ATTRIBUTES)[number]): 'Keyword' | 'KeywordList' {
  return attribute.type === SearchAttributeType.KEYWORD_LIST ? 'KeywordList' : 'Keyword';
}
