/**
 * A lab: a testbed (CA, TLS origin, mock proxy — plain or HTTPS per transport) and one client
 * driver. The suite makes one per worker; cases share it and are kept apart by unique hosts.
 */
import { startTestbed, type Testbed } from '../proxy/testbed';
import type { ClientDriver, ClientKind } from './client';
import type { Transport } from './transports';

export class Lab {
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

  static async start(kind: ClientKind, transport: Transport = 'h1'): Promise<Lab> {
    const testbed = await startTestbed(transport);
    try {
      return new Lab(kind, transport, testbed, await kind.start(testbed, transport));
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
