package report

// pageTop opens every HTML page, up to its generator and title.
const pageTop = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
`

// pageCSS is the one stylesheet of every HTML page (run report, comparison,
// plan). It sets the fonts of the charts' text (vgsvg writes font-family
// inline; !important lets a metric-compatible fallback apply where Liberation
// Sans is not installed). Row classes: broken/capacity (stress steps),
// worse/better (comparison), urgent (plan actions).
const pageCSS = `<style>
:root { --pass: #0a7d3b; --fail: #b00020; --muted: #5f6368; --line: #dadce0; --bg-alt: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1240px; padding: 16px 24px 48px; color: #202124; background: #fff;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", Arial, sans-serif; }
h1 { font-size: 24px; margin: 8px 0 4px; }
h2 { font-size: 19px; margin: 32px 0 8px; padding-top: 12px; border-top: 2px solid var(--line); }
h3 { font-size: 15px; margin: 20px 0 6px; }
.meta { color: var(--muted); margin: 0 0 4px; }
.meta b { color: #202124; font-weight: 600; }
.headline { font-size: 15px; max-width: 900px; }
.runway { font-weight: 600; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-weight: 700; font-size: 12px; color: #fff; vertical-align: 2px; }
.badge.pass { background: var(--pass); } .badge.fail { background: var(--fail); } .badge.none { background: var(--muted); }
.warn { border-left: 4px solid #e69f00; background: #fff8e6; padding: 6px 10px; margin: 8px 0; }
.bad { border-left: 4px solid var(--fail); background: #fdecee; padding: 6px 10px; margin: 8px 0; }
table { border-collapse: collapse; margin: 6px 0 12px; font-size: 13px; }
th, td { border: 1px solid var(--line); padding: 3px 8px; vertical-align: top; }
th { background: var(--bg-alt); text-align: left; font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.broken td, tr.worse td, tr.urgent td { background: #fdecee; } tr.capacity td, tr.better td { background: #e8f5ec; }
.answer { font-weight: 600; }
.sev { font-weight: 700; }
.sev.urgent { color: var(--fail); }
.note { color: var(--muted); font-style: italic; }
nav a { margin-right: 12px; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(560px, 1fr)); gap: 16px; margin: 12px 0; align-items: start; }
figure.chart { margin: 12px 0; max-width: 900px; border: 1px solid var(--line); border-radius: 4px; padding: 8px; background: #fff; }
.charts figure.chart { margin: 0; max-width: none; }
figure.chart svg { display: block; width: 100%; height: auto; }
figure.chart svg text { font-family: "Liberation Sans", Arimo, Arial, Helvetica, sans-serif !important; }
figcaption { color: var(--muted); font-size: 12px; margin-top: 4px; }
figcaption b { color: #202124; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
</style>
`
