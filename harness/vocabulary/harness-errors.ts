/** Failures of the harness itself (not observations about a client), and a bounded await. */
export class HarnessError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HarnessError';
  }
}

/**
 * A harness bound ran out (a client that stopped answering, a visit past its hang bound): the
 * client may be hung, or it may have been waiting for a CPU (harness/runner/starvation.ts tells).
 */
export class HarnessBoundError extends HarnessError {
  constructor(
    message: string,
    readonly boundMs: number,
  ) {
    super(message);
    this.name = 'HarnessError';
  }
}

export const TIMED_OUT: unique symbol = Symbol('timed out');

/** p's value, or TIMED_OUT when p has not settled within ms (p itself keeps running). */
export async function within<T>(p: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Awaits p for at most ms; a failure is noted (not thrown), for best-effort evidence gathering. */
export async function guarded<T>(what: string, p: Promise<T>, ms: number, notes: string[]): Promise<T | undefined> {
  try {
    const value = await within(p, ms);
    if (value !== TIMED_OUT) return value;
    notes.push(`${what} failed: ${what} took longer than ${ms} ms`);
  } catch (e) {
    notes.push(`${what} failed: ${(e as Error).message.split('\n')[0]}`);
  }
  return undefined;
}

/**
 * A problem with the set-up (an invalid fixture, a missing browser, a port in use) that the user
 * fixes: its message says what and where, so it is printed without a stack trace or code frame.
 */
export class SetupError extends Error {
  // No "cause": the message carries the cause's message, and runners print a cause's stack.
  constructor(message: string) {
    super(message);
    this.name = 'SetupError';
    // Playwright and Node print error.stack; without frames they print just the message.
    this.stack = `${this.name}: ${message}`;
  }
}
