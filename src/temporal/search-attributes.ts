import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes Waymark keeps current on every journey run and pipeline batch (see docs/operations.md). */
export const JourneyId = defineSearchAttributeKey('JourneyId', SearchAttributeType.KEYWORD);
export const JourneyVersion = defineSearchAttributeKey('JourneyVersion', SearchAttributeType.KEYWORD);
export const CustomerId = defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD);
export const JourneyStep = defineSearchAttributeKey('JourneyStep', SearchAttributeType.KEYWORD);
export const JourneyStatus = defineSearchAttributeKey('JourneyStatus', SearchAttributeType.KEYWORD);

/** How a pipeline batch ended: published, quarantined or nothing_to_do (where the list's own status says COMPLETED for all three). */
export const BatchStatus = defineSearchAttributeKey('BatchStatus', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [JourneyId, JourneyVersion, CustomerId, JourneyStep, JourneyStatus, BatchStatus];
