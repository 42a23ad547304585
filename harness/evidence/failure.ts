/**
 * How a visit failed, exactly as the client reported it. A record stores this and never a
 * normalised code: the `error` fact reads a code out of it whenever facts are computed, so a
 * better reading re-judges every stored run (results@3; results@2 stored the code, see
 * harness/runs/migrate-v2.ts).
 */
export type VisitFailure =
  /** Playwright: the rejected page.goto (its error class and message). */
  | { by: 'automation'; name?: string; message: string }
  /** The browser process died during the navigation. */
  | { by: 'crash'; message: string }
  /** WebDriver (WebKitGTK): the navigate command's error code and message. */
  | { by: 'webdriver'; error: string; message: string }
  /** WebDriver said the navigation succeeded, but the page at the end is not the origin's. */
  | { by: 'page absent'; finalUrl: string }
  /** A command-line client: its exit status and what it wrote to stderr. */
  | { by: 'exit'; program: string; exitCode: number; stderr: string }
  /** A library client (Node): the error and its causes, outermost first. */
  | { by: 'library'; chain: { name?: string; code?: string | number; message?: string }[] }
  /** A command client's adapter: the code it reported under the command contract, and its message. */
  | { by: 'adapter'; code: string; message: string }
  /** A results@2 record: only the code stored then is known. */
  | { by: 'stored code'; code: string; message: string };

/** The code the `error` fact shows for a failure (the forms of ERROR_FORMS in vocabulary/facts.ts). */
export function failureCode(f: VisitFailure): string {
  switch (f.by) {
    case 'automation': {
      if (f.name === 'TimeoutError' || /Timeout \d+ms exceeded/.test(f.message)) return 'timeout';
      // Chromium puts net::ERR_* in the message; Firefox under WebDriver BiDi starts with a generic
      // "unknown error" line and carries NS_ERROR_* (or NS_BINDING_*) further down.
      const chromium = /net::(ERR_[A-Z0-9_]+)/.exec(f.message);
      if (chromium) return `net::${chromium[1]}`;
      const firefox = /\b(NS_(?:ERROR|BINDING)_[A-Z0-9_]+)\b/.exec(f.message);
      if (firefox) return firefox[1]!;
      const firstLine = f.message.split('\n').find((l) => l.trim()) ?? f.message;
      return `other: ${firstLine.replace(/^page\.goto: /, '').slice(0, 120)}`;
    }
    case 'crash':
      return 'client crashed';
    case 'webdriver':
      return f.error === 'timeout' ? 'timeout' : `webdriver: ${f.error || 'error'}`;
    case 'page absent':
      return 'not loaded';
    case 'exit':
      // curl's exit status is its error code (the "curl: (N)" it prints says the same).
      return f.exitCode > 0 && f.program === 'curl' ? `curl (${f.exitCode})` : `${f.program} exit ${f.exitCode}`;
    case 'library': {
      const outer = f.chain[0] ?? {};
      if (outer.name === 'TimeoutError' || outer.name === 'AbortError') return 'timeout';
      // undici wraps the real failure (a UND_ERR_* or errno) in a DOMException whose numeric
      // legacy "code" (0) names nothing: the innermost string code is the one.
      const coded = [...f.chain].reverse().find((x) => typeof x.code === 'string' && x.code);
      return String(coded?.code ?? outer.name ?? 'Error');
    }
    case 'adapter':
    case 'stored code':
      return f.code;
  }
}

/** The failure as text, for a person reading the evidence. */
export function failureText(f: VisitFailure): string {
  switch (f.by) {
    case 'automation':
    case 'crash':
    case 'adapter':
    case 'stored code':
      return f.message;
    case 'webdriver':
      return `${f.error}: ${f.message}`;
    case 'page absent':
      return `WebDriver navigate returned, but the page is ${f.finalUrl || '(no URL)'} without the origin marker`;
    case 'exit':
      return `${f.program} exited with status ${f.exitCode}${f.stderr.trim() ? `: ${f.stderr.trim()}` : ''}`;
    case 'library':
      return f.chain
        .map((x) => [x.name, x.code, x.message].filter((v) => v !== undefined && v !== '').join(' '))
        .filter(Boolean)
        .join(' — ');
  }
}
