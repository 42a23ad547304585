import { chromium } from '@playwright/test';
const [file, out, width] = process.argv.slice(2);
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const p = await b.newPage({ viewport: { width: Number(width ?? 1400), height: 900 } });
await p.goto('file://' + file);
await p.screenshot({ path: out, fullPage: !process.argv[5] });
if (process.argv[5]) { await p.setViewportSize({ width: Number(width), height: Number(process.argv[5]) }); await p.screenshot({ path: out }); }
await b.close();
