/**
 * A lab: a testbed (CA, TLS origin, mock proxy — plain or HTTPS per transport) and one client
 * driver. The suite makes one per worker; cases share it and are kept apart by unique hosts.
 */
import { startTestbed, type Testbed, type TestbedOptions } from './testbed';
import type { ClientDriver, ClientKind } from '../clients/client';
import type { Transport } from '../vocabulary/transports';
import { SetupError } from '../vocabulary/harness-errors';

export class Lab {
  /** When this lab (and its client) was started: tells one worker's launches apart. */
  readonly startedAt = Date.now();

  private constructor(
    readonly kind: ClientKind,
    readonly transport: Transport,
    readonly testbed: Testbed,
    readonly driver: ClientDriver,
  ) {}

  get proxy() {
    return this.testbed.proxy;
  }
  get origin() {
    return this.testbed.origin;
  }

  static async start(kind: ClientKind, transport: Transport = 'h1', options: TestbedOptions = {}): Promise<Lab> {
    const testbed = await startTestbed(transport, options);
    try {
      return new Lab(kind, transport, testbed, await kind.start(testbed.endpoint, transport));
    } catch (e) {
      await testbed.close();
      throw e;
    }
  }

  async close(): Promise<void> {
    await this.driver.close().catch(() => {});
    await this.testbed.close();
  }
}

/**
 * CC_PROXY_PORT pins the mock proxy's port (to capture a run with tcpdump or Wireshark on a known
 * port); worker N uses CC_PROXY_PORT + N. Unset, every lab takes a free port, so runs never clash.
 */
export function proxyPortFor(parallelIndex: number, env = process.env.CC_PROXY_PORT): number {
  if (!env) return 0;
  const base = Number(env);
  if (!Number.isInteger(base) || base < 1 || base + parallelIndex > 65535)
    throw new SetupError(`CC_PROXY_PORT="${env}" is not a port number (1-65535)`);
  return base + parallelIndex;
}
