/**
 * How a visit's screenshot is stored. It is evidence of what a page showed (an error page, the
 * origin's page, a proxy's body shown as a page), read by a person, never compared pixel by pixel:
 * JPEG, not PNG. Measured on the 2026-12-02 full run, each screenshot loaded in Chromium at its
 * natural size and captured again:
 *   the 1,030 Chromium and Firefox ones (800×600): PNG 26.5 MB (median 27.0 KB);
 *   JPEG quality 40: 11.7 MB (10.7 KB), 50: 12.7 MB (11.6 KB), 60: 13.7 MB (12.4 KB).
 * Firefox's own encoder (BiDi, honoured: real JPEG, size follows quality) makes 25 % more bytes
 * than Chromium's for the same pixels (1.08 against 0.86 MB on 64 of its pages at 50), so a full
 * run's screenshots come to about 17 MB with WebKit's PNG, against 29.2 MB all PNG.
 * 50: every error code, host name and body line stays legible at 3× zoom (40 shows more ringing
 * around small grey text for 1 MB less; 60 costs 1 MB more for no reading gained). A blank page is the one
 * case where PNG is smaller (2.7 KB against 3.6 KB: 27 of 1,210 pages, 30 KB in all).
 * WebKit over WebDriver stays PNG (the protocol's only format; see pngPath).
 * Old runs keep their .png files: the record stores the screenshot's path, extension included.
 */
import { extname } from 'node:path';

/** The file a visit's screenshot is asked for (a test's output folder names where). */
export const SCREENSHOT_FILE = 'screenshot.jpg';
export const JPEG_QUALITY = 50;

const isJpeg = (path: string) => /^\.jpe?g$/i.test(extname(path));

/** Playwright's page.screenshot options for a path: JPEG at JPEG_QUALITY for .jpg, PNG otherwise. */
export function screenshotOptions(path: string): { type: 'jpeg'; quality: number } | { type: 'png' } {
  return isJpeg(path) ? { type: 'jpeg', quality: JPEG_QUALITY } : { type: 'png' };
}

/** The content type of a stored screenshot, by its name (old runs: .png). */
export function screenshotContentType(path: string): string {
  return isJpeg(path) ? 'image/jpeg' : 'image/png';
}

/**
 * Where a client that can only produce PNG (W3C WebDriver's screenshot command) writes the
 * screenshot asked for at `path`: the same name with .png, so the file says what it holds.
 */
export function pngPath(path: string): string {
  const ext = extname(path);
  return ext.toLowerCase() === '.png' ? path : `${ext ? path.slice(0, -ext.length) : path}.png`;
}
