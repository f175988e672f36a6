import type { Command } from 'commander';
import { loadConfig } from '../config';
import { Store } from '../store/store';
import { CustomerKeys, CustomerKeyUnavailableError } from '../temporal/customer-keys';

/** `waymark keys`: the customers' data keys of the Temporal payload codec (docs/operations.md, "Per-customer data keys"). */
export function registerKeysCommand(program: Command): void {
  const keys = program
    .command('keys')
    .description("customers' data keys for the payloads written to Temporal: each is wrapped under a master key of WAYMARK_TEMPORAL_PAYLOAD_KEYS")
    .addHelpText(
      'after',
      `
With WAYMARK_TEMPORAL_PAYLOAD_KEYS set, each customer's runs are encrypted with a data key of their
own (kept in the store, wrapped under a master key); erasing the customer destroys it.

Examples:
  waymark keys rewrap          after a master key rotation: wrap every customer key under the new first key`,
    );

  keys
    .command('rewrap')
    .description('wrap every customer data key under the first master key of WAYMARK_TEMPORAL_PAYLOAD_KEYS (after a rotation)')
    .option('--batch <n>', 'rows read and re-wrapped at a time', '500')
    .addHelpText(
      'after',
      `
After a rotation (the new master key first, the old ones after it), customers' keys made before it
are still wrapped under an old master key, which must stay listed until they are re-wrapped. This
re-wraps them under the first key. The customers' keys do not change: nothing in Temporal's
histories is re-encrypted. Payloads encrypted directly under an old master key (pipeline runs,
runs from before per-customer keys) still need it while you keep those histories. Exits 1 when a
row's master key is not listed (nothing is changed) or WAYMARK_TEMPORAL_PAYLOAD_KEYS is empty.

Examples:
  WAYMARK_TEMPORAL_PAYLOAD_KEYS="k2:...,k1:..." waymark keys rewrap
  waymark keys rewrap --batch 100`,
    )
    .action(async function (this: Command, options: { batch: string }) {
      const batch = Number(options.batch);
      if (!Number.isInteger(batch) || batch < 1) this.error(`error: --batch must be a whole number of at least 1, not "${options.batch}"`, { exitCode: 2, code: 'commander.error' });
      process.exitCode = await rewrap(batch);
    });
}

async function rewrap(batch: number): Promise<number> {
  const config = loadConfig();
  const store = new Store(config);
  try {
    const done = await new CustomerKeys(store, config).rewrapAll(batch);
    const total = Object.values(done).reduce((a, b) => a + b, 0);
    const first = config.temporal.payloadKeys[0]!.id;
    console.log(total ? `Re-wrapped ${total} customer data key(s) under "${first}": ${Object.entries(done).map(([id, n]) => `${n} from "${id}"`).join(', ')}.` : `Every customer data key is wrapped under "${first}" already.`);
    return 0;
  } catch (err) {
    if (!(err instanceof CustomerKeyUnavailableError)) throw err;
    console.error(`waymark: ${err.message}`);
    return 1;
  } finally {
    await store.close();
  }
}
