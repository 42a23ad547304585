/** Failures of the harness itself (not observations about a client), and a bounded await. */
export class HarnessError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HarnessError';
  }
}

/** Awaits p for at most ms; a failure is noted (not thrown), for best-effort evidence gathering. */
export async function guarded<T>(what: string, p: Promise<T>, ms: number, notes: string[]): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
      }),
    ]);
  } catch (e) {
    notes.push(`${what} failed: ${(e as Error).message.split('\n')[0]}`);
    return undefined;
  } finally {
    clearTimeout(timer);
  }
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
