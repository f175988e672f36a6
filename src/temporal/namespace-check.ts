import type { NativeConnection } from '@temporalio/worker';
import { cliTypeOf, SEARCH_ATTRIBUTES } from './search-attributes';

export class NamespaceNotReadyError extends Error {
  readonly code = 'NAMESPACE_NOT_READY';
  constructor(address: string, namespace: string, missing: string[]) {
    const flags = SEARCH_ATTRIBUTES.filter((a) => missing.includes(a.name))
      .map((a) => `--name ${a.name} --type ${cliTypeOf(a)}`)
      .join(' ');
    super(
      `namespace "${namespace}" lacks Waymark's search attributes ${missing.join(', ')}: runs could not be started or found. ` +
        `Register them once: npm run temporal -- operator search-attribute create --address ${address} --namespace ${namespace} ${flags} (see docs/deployment.md)`,
    );
    this.name = 'NamespaceNotReadyError';
  }
}

/** Refuses to run against a namespace without Waymark's search attributes (every start would fail with INVALID_ARGUMENT). */
export async function checkNamespace(connection: NativeConnection, address: string, namespace: string): Promise<void> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = SEARCH_ATTRIBUTES.map((a) => a.name).filter((name) => !(name in (customAttributes ?? {})));
  if (missing.length) throw new NamespaceNotReadyError(address, namespace, missing);
}
