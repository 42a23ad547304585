/** Small pieces shared by the report pages. */
import type { VNode } from 'preact';
import { html } from './html';
import type { Cell } from './view-model';
import type { LoadedFixture } from '../cases/load';
import { intermittentFacts } from '../cases/schema';
import { JUNIT_SEMANTICS } from './junit';
import { RESULTS_FILE } from '../runs/results';

export const cls = (v: string) => v.replace(/[^a-z0-9]+/gi, '-');

export function verdictBadge(v: string): VNode {
  return html`<span class=${`v v-${cls(v)}`}>${v}</span>`;
}

export function historyLine(cell: Cell): VNode | null {
  const h = cell.history;
  if (!h) return null;
  if (h.status === 'same') return html`<div class="hist same">same as 2015 ${h.cite}</div>`;
  if (h.status === 'not comparable')
    return html`<div class="hist nc">2015 ${h.cite}: not comparable${h.reason ? ` (${h.reason})` : ''}</div>`;
  return html`<div class="hist changed">changed since 2015 ${h.cite}: ${h.diffs.map((d) => `${d.fact} was ${d.was}, now ${d.now}`).join('; ')}</div>`;
}

/** "dependency failed: baseline-200 (fail)" when a case this one depends on failed for the client. */
export function dependencyLine(cell: Cell, casesHref = ''): VNode | null {
  if (!cell.failedDependencies?.length) return null;
  return html`<div class="dep">dependency failed: ${cell.failedDependencies.map((d) => html`<a href=${`${casesHref}${d.caseId}.html#${cell.client}`}>${d.caseId}</a> (${d.verdict}) `)}<span class="note">— this case means nothing here; its own verdict would be ${cell.ownVerdict}</span></div>`;
}

/** The positive control's own result for this client, beside a cell of a controlled case: why to believe it. */
export function controlLine(cell: Cell, casesHref = ''): VNode | null {
  const c = cell.control;
  if (!c) return null;
  return html`<div class=${`control ${c.shows ? 'control-works' : 'control-blind'}`}>control <a href=${`${casesHref}${c.caseId}.html#${cell.client}`}>${c.caseId}</a>: ${c.shows ? 'shows the consequence here' : html`<b>does not show the consequence here</b> (blind)`} <span class="note">(${c.seen})</span></div>`;
}

export function expectationLine(cell: Cell): VNode | null {
  const flaky = cell.result?.flakyFirstAttempt
    ? html`<div class="exp-mismatch">flaky: the first attempt saw ${cell.result.flakyFirstAttempt}</div>`
    : null;
  const e = cell.expectation;
  if (flaky && (!e || e.status === 'match')) return flaky;
  if (!e || e.status === 'match') return null;
  if (e.status === 'missing') return html`<div class="exp-missing">no committed expectation</div>`;
  return html`<div class="exp-mismatch">differs from expectations (recorded with ${e.recordedWith}): ${e.differences.map((d) => `${d.fact} expected ${Array.isArray(d.expected) ? d.expected.join(' or ') : String(d.expected)}`).join('; ')}</div>`;
}

export function factsList(fixture: LoadedFixture, cell: Cell): VNode {
  const flaky = intermittentFacts(fixture, cell.client);
  return html`<ul class="facts">${fixture.observe.map((f) => html`<li><b>${f}</b>: ${String(cell.facts?.[f] ?? '(not observed)')}${flaky[f] ? html` <span class="changed" title="seen to vary between runs">(intermittent: ${flaky[f]!.join(' / ')})</span>` : null}</li>`)}</ul>`;
}

/** `rawResults`: the name of the run's raw results file (an older run re-rendered has a plain results.json). */
export function topNav(prefix: string, rawResults: string = RESULTS_FILE): VNode {
  return html`<nav class="top"><a href=${`${prefix}findings.html`}><b>findings</b></a><a href=${`${prefix}index.html`}>matrix</a><a href=${`${prefix}coverage.html`}>requirement coverage</a><a href=${`${prefix}summary.html`}>errors and security</a><a href=${`${prefix}clients.html`}>clients</a><a href=${`${prefix}${rawResults}`}>raw results</a><a href=${`${prefix}junit.xml`}>JUnit</a></nav>`;
}

/** Text with `code` spans, as the requirement table writes them; every part stays escaped text. */
export function prose(text: string): (string | VNode)[] {
  return text.split('`').map((part, i) => (i % 2 ? html`<code>${part}</code>` : part));
}

/** What a JUnit failure means here (JUNIT_SEMANTICS), as a short paragraph linking the run's junit.xml. */
export function junitSemantics(prefix: string): VNode {
  return html`<p class="note junit-semantics" id="junit-semantics"><b>JUnit</b> (<a href=${`${prefix}junit.xml`}>junit.xml</a>): ${JUNIT_SEMANTICS}</p>`;
}

/**
 * A client's version without the words its label already says ("Python requests" +
 * "requests 2.28.1 / urllib3 1.26.12" → "2.28.1 / urllib3 1.26.12"), so a heading names it once.
 */
export function versionAfter(label: string, version: string | undefined): string {
  if (!version) return '';
  const words = new Set(label.toLowerCase().split(/[\s()]+/));
  const tokens = version.split(' ');
  while (tokens.length > 1 && words.has(tokens[0]!.toLowerCase())) tokens.shift();
  return tokens.join(' ');
}
