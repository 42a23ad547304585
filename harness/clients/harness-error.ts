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
