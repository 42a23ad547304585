/**
 * The browser engines among the client kinds: their columns are the matrix's default view and the
 * ones compared with each other ("engines differ"). Reference clients (curl, Node, Python…) are not.
 */
export const BROWSER_ENGINES = ['chromium', 'firefox', 'webkit'] as const;

export function isBrowserEngine(kind: string | undefined): boolean {
  return (BROWSER_ENGINES as readonly string[]).includes(kind ?? '');
}
