/**
 * Templating for the report: preact's h through htm tagged templates, rendered to a string.
 * Every interpolated value is escaped by the renderer (text and attributes); nothing here builds
 * markup by string concatenation, which is what keeps hostile proxy bytes inert.
 */
import { h, type VNode } from 'preact';
import htm from 'htm';
import { render } from 'preact-render-to-string';
import { createHash } from 'node:crypto';

export const html = htm.bind(h) as (strings: TemplateStringsArray, ...values: unknown[]) => VNode;

/**
 * A whole page. The Content-Security-Policy allows no script but the page's own (by hash) and no
 * inline event handlers, so even a hypothetical escaping bug could not run proxy bytes as script.
 */
/**
 * A page. `stylesheet`: the relative address of the run's shared STYLESHEET_FILE, for pages written
 * by the hundred (case pages), which then carry no copy of the CSS of their own.
 */
export function page(title: string, body: VNode, options: { script?: string; stylesheet?: string } = {}): string {
  const scriptHash = options.script ? `'sha256-${createHash('sha256').update(options.script).digest('base64')}'` : "'none'";
  const styles = options.stylesheet ? "'self'" : "'unsafe-inline'";
  const csp = `default-src 'none'; img-src 'self' data:; style-src ${styles}; script-src ${scriptHash}; base-uri 'none'; form-action 'none'`;
  return (
    '<!doctype html>\n' +
    render(html`<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta http-equiv="Content-Security-Policy" content=${csp} />
    <title>${title}</title>
    ${options.stylesheet ? html`<link rel="stylesheet" href=${options.stylesheet} />` : html`<style>${CSS}</style>`}
  </head>
  <body>${body}${options.script ? html`<script dangerouslySetInnerHTML=${{ __html: options.script }}></script>` : null}</body>
</html>`)
  );
}

/** The shared stylesheet's file name in a run's folder (written by write-report.ts). */
export const STYLESHEET_FILE = 'report.css';

export const CSS = `
:root { --pass:#1b7f3b; --fail:#b3261e; --ns:#a15c00; --info:#3f5f8a; --err:#6b2a86; --na:#777; }
[hidden] { display: none !important; }
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.2rem 1.6rem; color: #1d1d1f; background: #fafafa; }
h1 { font-size: 1.45rem; margin: 0 0 .3rem; } h2 { font-size: 1.15rem; margin: 1.6rem 0 .5rem; } h3 { font-size: 1rem; margin: 1.1rem 0 .4rem; }
a { color: #0b57d0; }
.meta { color: #555; margin: .2rem 0 1rem; }
table { border-collapse: collapse; background: #fff; }
th, td { border: 1px solid #d8d8d8; padding: .35rem .5rem; vertical-align: top; text-align: left; }
th { background: #f0f0f0; font-weight: 600; }
.matrix { width: 100%; }
.matrix td.case, .matrix th.case { width: 13rem; min-width: 10rem; position: sticky; left: 0; z-index: 1; background: #fff; overflow-wrap: anywhere; }
.matrix th.case { z-index: 3; background: #f0f0f0; }
.matrix thead th { position: sticky; top: 0; z-index: 2; font-size: 12.5px; }
.matrix td.cell { font-size: 12px; overflow-wrap: anywhere; min-width: 6.5rem; }
.matrix td.cell .key { margin-top: .15rem; } .matrix td.cell .key b { font-weight: 600; color: #444; }
.matrix td.cell details summary { color: #555; cursor: pointer; font-size: 11.5px; }
.matrix .chip { text-decoration: none; }
.matrix td.h2015 { color: #333; background: #f7f7f2; font-size: 12px; overflow-wrap: anywhere; min-width: 6rem; }
.totals a { text-decoration: none; } .totals td:first-child { text-align: left; } .v { white-space: nowrap; overflow-wrap: normal; } .totals td { font-size: 12.5px; }
.callout { background: #fff8e1; border: 1px solid #e0c36a; padding: .45rem .7rem; display: inline-block; }
.group th { background: #e7ecf3; font-size: 1rem; }
.v { display: inline-block; font-weight: 700; padding: 0 .4rem; border-radius: 3px; color: #fff; font-size: 12px; letter-spacing: .02em; }
.sev { font-size: 11px; font-weight: bold; padding: 0 4px; border: 1px solid currentColor; border-radius: 3px; } .sev-security { color: var(--fail); } .sev-MUST { color: var(--fail); } .sev-SHOULD { color: var(--ns); } .sev-informational { color: var(--info); }
.v-pass { background: var(--pass); } .v-fail { background: var(--fail); } .v-non-strict { background: var(--ns); }
.v-informational { background: var(--info); } .v-not-measured { background: #fff; color: #455a64; border: 1px dashed #78909c; } .v-blind { background: #fff; color: #6d4c41; border: 1px dashed #8d6e63; } .v-unsupported { background: #8d6e63; } .v-not-applicable { background: #b0b0b0; color: #222; } .v-harness-error { background: var(--err); } .v-not-available { background: var(--na); }
.cell-unsupported { border-left: 4px solid #8d6e63; } .cell-blind { border-left: 4px dashed #8d6e63; } .cell-not-measured { border-left: 4px dashed #78909c; } .cell-not-applicable { border-left: 4px solid #ccc; color: #999; background: #f4f4f4; } .matrix td.na { min-width: 2rem; text-align: center; vertical-align: middle; }
.cell-pass { border-left: 4px solid var(--pass); } .cell-fail { border-left: 4px solid var(--fail); }
.cell-non-strict { border-left: 4px solid var(--ns); } .cell-informational { border-left: 4px solid var(--info); }
.cell-harness-error { border-left: 4px solid var(--err); } .cell-not-available { border-left: 4px solid var(--na); }
.control { font-size: 12px; } .control-works { color: #2e7d32; } .control-blind { color: #6d4c41; }
.facts { margin: .25rem 0 0; padding: 0; list-style: none; font-size: 12.5px; }
.facts li { margin: 0; } .facts b { font-weight: 600; color: #444; }
.hist { font-size: 12.5px; margin-top: .3rem; }
.same { color: #1b7f3b; } .changed { color: #a15c00; font-weight: 600; } .nc { color: #777; }
.exp-mismatch, .exp-missing { color: #b3261e; font-size: 12px; }
.dep { color: #6b4f00; font-size: 12.5px; margin-top: .3rem; }
.v-dependency-failed { background: #8a6d00; } .cell-dependency-failed { border-left: 4px solid #8a6d00; }
.totals td { text-align: center; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
pre { background: #fff; border: 1px solid #ddd; padding: .5rem; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
.wire td { font-size: 12px; } .wire td:first-child { white-space: nowrap; overflow-wrap: normal; font-family: ui-monospace, monospace; } .wire .c2p { background: #eef5ff; } .wire .p2c { background: #fff4e5; } .wire .ev { color: #555; background: #fafafa; }
.wire td:last-child { max-width: 60rem; white-space: pre-wrap; word-break: break-all; font-family: ui-monospace, monospace; }
img.shot { max-width: 320px; border: 1px solid #ccc; display: block; } figure.shot { margin: .5rem 0; }
.repro { background: #f3f6fb; border: 1px solid #c9d6ea; padding: .45rem .7rem; margin: .6rem 0; max-width: 100%; overflow-wrap: anywhere; }
.repro code { background: #fff; border: 1px solid #ddd; padding: 0 .3rem; user-select: all; }
.facts-table tr.differs td { background: #fdecea; }
ul.about { padding-left: 1.1rem; } main.case-page { overflow-wrap: break-word; } .case-page td.mono, .case-page pre, .case-page figcaption, .case-page .about, .case-page h4 { overflow-wrap: anywhere; }
.hscroll { overflow-x: auto; max-width: 100%; }
.summary th { position: sticky; top: 0; z-index: 2; } .summary td:first-child, .summary th:first-child { position: sticky; left: 0; z-index: 1; background: #fff; } .summary th:first-child { z-index: 3; background: #f0f0f0; } .summary th .mono { font-weight: normal; } .summary td.mono { overflow-wrap: anywhere; min-width: 5rem; }
details.more-facts { margin-top: .8rem; } details.more-facts p.mono { white-space: pre-line; }
.note { color: #555; font-size: 12.5px; }
.legend span { margin-right: .8rem; }
#filters { background: #fff; border: 1px solid #ddd; padding: .4rem .7rem; display: inline-flex; gap: 1.2rem; align-items: center; flex-wrap: wrap; }
#filters label { white-space: nowrap; }
.covered-no { color: #b3261e; font-weight: 600; } .untestable { color: #555; font-style: italic; }
.t-regressed { color: #b3261e; font-weight: 700; } .t-improved { color: #1b7f3b; font-weight: 700; } .t-changed { color: #a15c00; font-weight: 700; }
.t-added, .t-removed { color: #3f5f8a; font-weight: 700; }
nav.top a { margin-right: 1rem; }
ul.findings { padding-left: 1.2rem; } ul.findings li { margin: .35rem 0; max-width: 110rem; }
.f-security b, .f-fail b { color: var(--fail); } .f-non-strict b { color: var(--ns); }
svg.chart { background: #fff; border: 1px solid #ddd; padding: .3rem; }
svg.chart { max-width: 100%; height: auto; box-sizing: border-box; } svg.chart a text { fill: #0b57d0; text-decoration: underline; }
.findings-page { overflow-wrap: anywhere; } .findings-page table { max-width: 100%; } .findings-page td { overflow-wrap: anywhere; } .findings-page th { overflow-wrap: normal; }
.findings-page ul.cases { margin: .15rem 0 .3rem; padding-left: 1.1rem; } .findings-page ul.cases li { margin: .1rem 0; }
.findings-page .in-cases { font-weight: 600; } .findings-page var { font-style: italic; color: #444; }
.findings-page .client-findings { border-top: 2px solid #d8dce6; margin-top: 1.6rem; }
.findings-page .client-findings:not(:target):not(:has(:target)) { display: none; }
.findings-page:has(.client-findings:target, .client-findings :target) .all-view { display: none; }
`;
