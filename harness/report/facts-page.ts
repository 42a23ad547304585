/** Every fact the suite computes from a record, with what it means: the glossary case pages link to. */
import { html, page } from './html';
import { topNav } from './components';
import { FACTS, type FactName } from '../vocabulary/facts';

export function factsPage(rawResults?: string): string {
  const names = Object.keys(FACTS) as FactName[];
  const body = html`<main>
    <h1>The facts</h1>
    ${topNav('', rawResults)}
    <p class="meta">${names.length} facts, each a pure function of a case's stored record (harness/observe/); a case observes some of them (★ on its page), pins them in expectations/ and judges them in its checks.</p>
    <table class="glossary">${names.map((k) => html`<tr id=${`fact-${k}`}><td><b>${k}</b></td><td class="note">${FACTS[k].means}</td></tr>`)}</table>
  </main>`;
  return page('The facts — connect-conformance', body);
}
