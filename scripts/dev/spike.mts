import { Lab } from '../../harness/clients/lab';
import { ENGINES } from '../../harness/clients/engines';
import { runCase } from '../../harness/clients/run-case';
import { loadFixtures } from '../../harness/cases/load';
const fixtures = loadFixtures();
for (const name of (process.argv[2] ?? 'chromium,firefox').split(',') as ('chromium'|'firefox')[]) {
  const lab = await Lab.start(ENGINES[name]);
  await lab.open();
  console.log(name, lab.client?.version, 'launch', Math.round(lab.launchMs));
  for (const f of fixtures.filter(f => !process.argv[3] || f.id === process.argv[3])) {
    const rec = await runCase(lab, f, { screenshotPath: `/tmp/shot-${name}-${f.id}.png` });
    console.log(JSON.stringify({ nav: rec.navigation, conns: rec.connections.map(c => ({ id: c.id, reqs: c.requests.map(r => Buffer.from(r.raw, 'base64').toString('latin1')), early: c.earlyBytes.length, events: c.events.filter(e=>e.kind!=='c2p'&&e.kind!=='p2c').map(e => `${e.t} ${e.kind} ${e.note??''}`) })), origin: rec.origin, harness: rec.harness }, null, 1));
  }
  console.log('strays', lab.proxy.strays);
  await lab.close();
}
