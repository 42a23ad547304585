/** npm run fixtures:check — validates every fixture; exits 1 with file, field and reason. */
import { loadFixtures } from '../harness/cases/load';

try {
  const all = loadFixtures();
  console.log(`${all.length} fixtures valid`);
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
