import { Lab } from '../../harness/clients/lab';
import { ENGINES } from '../../harness/clients/engines';
import { performance } from 'node:perf_hooks';
for (const name of ['chromium', 'firefox'] as const) {
  const lab = await Lab.start(ENGINES[name]); await lab.open();
  for (let i = 0; i < 3; i++) {
    const host = `phase-${i}-${Date.now()}.connect.test`;
    const s = lab.proxy.openCase(host, { exchanges: [{ steps: [{ do: 'send', text: 'HTTP/1.1 200 OK\r\n\r\n' }, { do: 'tunnel' }] }], requestTimeoutMs: 10000, settleMs: 300 } as never);
    lab.origin.register(host, { marker: 'm' });
    const t: Record<string, number> = {}; let t0 = performance.now();
    const lap = (k: string) => { const n = performance.now(); t[k] = Math.round(n - t0); t0 = n; };
    const ctx = await lab.browser!.newContext(lab.contextOptions()); lap('context');
    const page = await ctx.newPage(); lap('page');
    await page.goto(`https://${host}/`); lap('goto');
    await page.title(); await page.content(); await page.evaluate(() => document.body?.innerText); lap('describe');
    await page.screenshot({ path: '/tmp/x.png' }); lap('screenshot');
    await s.settled(300, 5000); lap('settle');
    await ctx.close(); lap('close');
    lab.proxy.closeCase(s);
    console.log(name, JSON.stringify(t));
  }
  await lab.close();
}
