import type { Journey } from '../../src/journey/schema';
import type { CustomerEvent } from '../../src/events/schema';
import { defineSignal } from '@temporalio/workflow';
import type { JourneyRunInput, JourneyRunSettings, JourneyState } from '../contract';

/** The input of journey runs started before version 2: the whole definition travelled in it. */
export interface JourneyRunInputV1 {
  journey: Journey;
  version: string;
  customerId: string;
  entry: CustomerEvent;
  settings: JourneyRunSettings;
  notifyRouter?: boolean;
  resume?: JourneyState;
}

/** The restart signal as version-1 code knows it: version-1 routers send the v1 input, today's routers the v2 one. */
export const reenterSignalV1 = defineSignal<[JourneyRunInputV1 | JourneyRunInput]>('reenter');
