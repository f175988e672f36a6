import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes Waymark keeps current on every journey run (see docs/operations.md). */
export const JourneyId = defineSearchAttributeKey('JourneyId', SearchAttributeType.KEYWORD);
export const JourneyVersion = defineSearchAttributeKey('JourneyVersion', SearchAttributeType.KEYWORD);
export const CustomerId = defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD);
export const JourneyStep = defineSearchAttributeKey('JourneyStep', SearchAttributeType.KEYWORD);
export const JourneyStatus = defineSearchAttributeKey('JourneyStatus', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [JourneyId, JourneyVersion, CustomerId, JourneyStep, JourneyStatus];
