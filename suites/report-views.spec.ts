/**
 * The report as its readers use it, at 1000 and 1400 px, opened from disk: built from the committed
 * history snapshot, a full run of real browsers. No filter combination empties the matrix, the
 * filters survive a reload, no page scrolls sideways, every page gives a cell the same severity,
 * and the reproduce box's command runs.
 */
import { test, expect, type Page } from '@playwright/test';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeReport } from '../harness/report/write-report';
import { readResults } from '../harness/runs/results';

const ROOT = resolve(import.meta.dirname, '..');
const SNAPSHOT = join(ROOT, 'reports', 'history', '2026-11-22_chromium-156.0.8078.79_firefox-153.7.0.json');

let dir: string;
let runDir: string;
test.beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cc-report-views-'));
  runDir = join(dir, 'runs', 'history');
  mkdirSync(runDir, { recursive: true });
  // The report is written beside its results file: a copy in a scratch folder, not the committed one.
  const results = join(runDir, 'results.json');
  copyFileSync(SNAPSHOT, results);
  writeReport(readResults(results), results, { topDir: dir });
});

const url = (...parts: string[]) => pathToFileURL(join(dir, ...parts)).href;
const sideways = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

for (const width of [1000, 1400]) {
  test(`at ${width} px no choice of the matrix filters shows an empty matrix`, async ({ page }) => {
    await page.setViewportSize({ width, height: 900 });
    await page.goto(url('index.html'));
    const empty = await page.evaluate(() => {
      const sel = (id: string) => document.querySelector(id) as HTMLSelectElement;
      const fire = (el: HTMLSelectElement) => el.dispatchEvent(new Event('change'));
      const visible = (s: string) =>
        Array.from(document.querySelectorAll<HTMLElement>(s)).filter((e) => !e.hidden && e.offsetParent !== null).length;
      const out: string[] = [];
      let tried = 0;
      const cols = sel('#f-cols');
      const group = sel('#f-group');
      const show = sel('#f-show');
      for (const c of Array.from(cols.options).map((o) => o.value)) {
        cols.value = c;
        group.value = '';
        show.value = '';
        fire(cols);
        for (const g of Array.from(group.options)
          .filter((o) => !o.disabled)
          .map((o) => o.value)) {
          group.value = g;
          fire(group);
          for (const s of Array.from(show.options)
            .filter((o) => !o.disabled)
            .map((o) => o.value)) {
            show.value = s;
            fire(show);
            tried++;
            if (!visible('tr.case-row') || !visible('thead th[data-client]:not([data-h2015])')) out.push(`${c} / ${g} / ${s}`);
          }
        }
      }
      return { out, tried };
    });
    expect(empty.tried).toBeGreaterThan(50);
    expect(empty.out).toEqual([]);
    // The default view: the browsers over a plain HTTP proxy, within the screen.
    await page.goto(url('index.html'));
    if (width >= 1400) expect(await sideways(page)).toBeLessThanOrEqual(0);
  });
}

test('the matrix filters are kept in the URL and survive a reload; a total opens the matrix filtered', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto(url('index.html'));
  await page.locator('#f-cols').selectOption('client:firefox');
  await page.locator('#f-show').selectOption('v:pass');
  await page.locator('#f-q').fill('status');
  await page.locator('#f-q').dispatchEvent('input');
  const count = await page.locator('#f-count').textContent();
  expect(page.url()).toContain('cols=client%3Afirefox');
  await page.reload();
  await expect(page.locator('#f-cols')).toHaveValue('client:firefox');
  await expect(page.locator('#f-show')).toHaveValue('v:pass');
  await expect(page.locator('#f-q')).toHaveValue('status');
  await expect(page.locator('#f-count')).toHaveText(count!);
  await expect(page.locator('thead th[data-client="chromium"]')).toBeHidden();
  for (const cell of await page.locator('tr.case-row:not([hidden]) td.cell:not([hidden])').all())
    await expect(cell).toHaveAttribute('data-verdict', 'pass');

  // A number in the totals: that client's cells of that verdict, and nothing else.
  await page.goto(url('index.html'));
  const total = page.locator('table.totals a[href*="show=v%3Afail"]').first();
  const n = Number(await total.textContent());
  await total.click();
  await expect(page.locator('#f-show')).toHaveValue('v:fail');
  const shown = page.locator('tr.case-row:not([hidden]) td.cell:not([hidden])');
  await expect(shown).toHaveCount(n);
});

for (const width of [1000, 1400]) {
  test(`at ${width} px findings and case pages do not scroll sideways`, async ({ page }) => {
    await page.setViewportSize({ width, height: 900 });
    await page.goto(url('findings.html'));
    expect(await sideways(page), 'findings.html').toBeLessThanOrEqual(0);
    const wide: string[] = [];
    for (const file of readdirSync(join(runDir, 'cases'))) {
      await page.goto(url('runs', 'history', 'cases', file));
      if ((await sideways(page)) > 0) wide.push(file);
    }
    expect(wide).toEqual([]);
  });
}

test('every page gives a cell the same severity', async ({ page }) => {
  await page.goto(url('index.html'));
  const matrix = await page.evaluate(() =>
    Object.fromEntries(
      Array.from(document.querySelectorAll<HTMLElement>('td.cell[data-case]')).map((td) => [
        `${td.dataset.case} ${td.dataset.client}`,
        td.dataset.severity,
      ]),
    ),
  );
  expect(Object.values(matrix).filter((s) => s !== 'none').length).toBeGreaterThan(0);
  const disagree: string[] = [];
  for (const caseId of new Set(Object.keys(matrix).map((k) => k.split(' ')[0]!))) {
    await page.goto(url('runs', 'history', 'cases', `${caseId}.html`));
    for (const [client, severity] of await page.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLElement>('section[data-severity]')).map((s) => [s.id, s.dataset.severity]),
    ))
      if (matrix[`${caseId} ${client}`] !== severity)
        disagree.push(`${caseId} ${client}: matrix ${matrix[`${caseId} ${client}`]}, case page ${severity}`);
  }
  // Findings: per case and client, the gravest severity of its findings is the cell's (a cell with a
  // security check and a MUST check lists both; engine differences and changes since 2015 carry none).
  await page.goto(url('findings.html'));
  const listed = await page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLElement>('#findings-all [data-finding-severity] a[data-case][data-client]')).map((a) => [
      a.dataset.case!,
      a.dataset.client!,
      (a.closest('[data-finding-severity]') as HTMLElement).dataset.findingSeverity!,
    ]),
  );
  const order = ['security', 'MUST', 'SHOULD', 'informational'];
  const gravest = new Map<string, string>();
  for (const [caseId, client, severity] of listed) {
    const key = `${caseId} ${client}`;
    const was = gravest.get(key);
    if (!was || order.indexOf(severity!) < order.indexOf(was)) gravest.set(key, severity!);
  }
  expect(gravest.size).toBeGreaterThan(0);
  for (const [key, severity] of gravest) if (matrix[key] !== severity) disagree.push(`${key}: matrix ${matrix[key]}, findings ${severity}`);
  for (const [key, severity] of Object.entries(matrix))
    if (severity !== 'none' && severity !== 'informational' && !gravest.has(key))
      disagree.push(`${key}: matrix ${severity}, not in findings`);
  expect(disagree).toEqual([]);
});

test("the reproduce box's command runs the case", async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto(url('runs', 'history', 'cases', 'baseline-200.html'));
  const box = page.locator('.repro[data-client="chromium"]');
  const command = (await box.locator('.cmd-case').textContent())!;
  expect(command).toBe('npm run case -- baseline-200 --client chromium --transport h1');
  await expect(box.locator('.cmd-serve')).toHaveText('npm run serve -- baseline-200 --transport h1');
  const [npm, run, ...args] = command.split(' ');
  const result = await new Promise<{ code: number; out: string }>((done) =>
    execFile(npm!, [run!, ...args], { cwd: ROOT, timeout: 150_000 }, (error, stdout, stderr) =>
      done({ code: error ? ((error as { code?: number }).code ?? -1) : 0, out: stdout + stderr }),
    ),
  );
  expect(result.out).toContain('baseline-200');
  expect(result.out).toMatch(/resp-2xx-tunnel/);
  expect(result.code, result.out).toBe(0);
});
