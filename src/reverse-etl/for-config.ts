import { BrazeClient } from '../channels/braze/client';
import type { Config } from '../config';
import type { ProfileStore } from '../profiles/port';
import type { WarehouseLease } from '../warehouse/lease';
import { HightouchReverseEtl } from './hightouch';
import { LocalReverseEtl } from './local';
import type { ReverseEtl } from './port';

/** The reverse ETL WAYMARK_REVERSE_ETL names; none when it is off. */
export function reverseEtlFor(config: Config, deps: { warehouse: WarehouseLease; profiles: Pick<ProfileStore, 'mergeTraits'> }): ReverseEtl | undefined {
  switch (config.reverseEtl.adapter) {
    case 'off':
      return undefined;
    case 'hightouch':
      return HightouchReverseEtl.fromConfig(config);
    case 'local':
      return new LocalReverseEtl({
        warehouse: deps.warehouse,
        datasetPrefix: config.warehouse.datasetPrefix,
        profiles: deps.profiles,
        ...(config.braze.url ? { braze: BrazeClient.fromConfig(config) } : {}),
        pageRows: config.scoring.batchRows,
      });
  }
}
