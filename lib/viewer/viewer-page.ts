/**
 * The viewer's page: one HTML document with its own script, no outside request. Every value from
 * a row is put in the page as text (`textContent`), never as markup, so a row holding `<script>`
 * shows as those characters.
 * @module
 */
export const VIEWER_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>sluice view</title>
<link rel="stylesheet" href="/assets/uplot.css">
<script nonce="__NONCE__" src="/assets/uplot.js"></script>
<style>
  body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #1d2433; background: #f6f7f9; }
  header { background: #1d2433; color: #fff; padding: 10px 16px; display: flex; gap: 16px; align-items: baseline; flex-wrap: wrap; }
  header h1 { font-size: 16px; margin: 0; }
  main { padding: 12px 16px; }
  table { border-collapse: collapse; background: #fff; margin: 8px 0 16px; }
  th, td { border: 1px solid #d8dce3; padding: 4px 8px; text-align: right; vertical-align: top; }
  th:first-child, td:first-child { text-align: left; }
  nav button { margin: 0 6px 6px 0; padding: 4px 10px; border: 1px solid #9aa3b2; background: #fff; border-radius: 4px; cursor: pointer; }
  nav button.on { background: #1d2433; color: #fff; }
  .rows details { background: #fff; border: 1px solid #d8dce3; margin: 4px 0; padding: 4px 8px; border-radius: 4px; }
  .rows summary { cursor: pointer; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
  .rows pre, pre.definition { white-space: pre-wrap; word-break: break-word; margin: 6px 0 0; }
  .error { color: #a4262c; }
  .storybox h4 { margin: 8px 0 2px; font-size: 13px; }
  button.story { margin-top: 6px; }
  .muted { color: #6b7385; }
  .flow { display: flex; align-items: center; flex-wrap: wrap; gap: 4px; margin: 8px 0; }
  .flow .node { background: #fff; border: 1px solid #9aa3b2; border-radius: 6px; padding: 4px 8px; }
  .flow .node small { display: block; color: #6b7385; }
  .flow .arrow { color: #6b7385; }
  .flow .lanes { display: flex; flex-direction: column; gap: 4px; border-left: 2px solid #9aa3b2; padding-left: 6px; }
  .flow .lane { display: flex; align-items: center; gap: 4px; }
  .flow .lane > b { font-size: 12px; color: #6b7385; }
  #charts { display: flex; flex-wrap: wrap; gap: 12px; }
  #charts > div { background: #fff; border: 1px solid #d8dce3; padding: 4px; }
</style>
</head>
<body>
<header><h1 id="title">sluice view</h1><span id="status"></span><span id="live" class="muted"></span></header>
<main>
  <h2>Steps</h2>
  <div id="graph" class="flow"></div>
  <table id="steps"><thead><tr><th>step</th><th>in</th><th>out</th><th>filtered</th><th>failed</th></tr></thead><tbody></tbody></table>
  <h2>Over time</h2>
  <div id="charts"><p class="muted" id="nocharts">No counters yet (runs with --run-dir record them every 2 s).</p></div>
  <h2>Rows</h2>
  <nav id="files"></nav>
  <div><input id="search" placeholder="search this page" size="30"> <button id="prev">previous</button> <button id="next">next</button> <span id="where" class="muted"></span></div>
  <div id="rows" class="rows"></div>
  <h2>Definition</h2>
  <pre id="definition" class="definition"></pre>
</main>
<script nonce="__NONCE__">
const token = new URLSearchParams(location.search).get('token') || '';
const api = (path, params = {}) => fetch(path + '?' + new URLSearchParams({ ...params, token })).then((r) => r.json());
const el = (tag, text, cls) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; };
let file = null, offsets = [0], lines = [], counts = {};

async function load() {
  const run = await api('/api/run');
  const record = run.record;
  document.getElementById('title').textContent = 'sluice view: ' + (record.pipeline || run.runDir);
  document.getElementById('status').textContent = record.status || '';
  counts = run.counts;
  const body = document.querySelector('#steps tbody');
  body.replaceChildren();
  for (const [name, s] of Object.entries((record.summary && record.summary.steps) || {})) {
    const tr = el('tr');
    for (const v of [name, s.in, s.out, s.filtered, s.failed]) tr.append(el('td', String(v)));
    body.append(tr);
  }
  document.getElementById('definition').textContent = JSON.stringify(record.definition || {}, null, 2);
  const stats = (record.summary && record.summary.steps) || {};
  const graph = document.getElementById('graph');
  graph.replaceChildren(node((record.definition && record.definition.source) || 'source', 'source'));
  flow(graph, (record.definition && record.definition.steps) || [], '', stats);
  graph.append(el('span', '→', 'arrow'), node(Object.keys(record.outputs || {}).length + ' output(s)', 'outputs'));
  const nav = document.getElementById('files');
  nav.replaceChildren();
  for (const name of [...run.files, ...run.kept.map((step) => 'kept: ' + step)]) {
    const b = el('button', name);
    b.dataset.file = name;
    b.addEventListener('click', () => { file = name; offsets = [0]; show(); });
    nav.append(b);
  }
  if (file === null && run.files.length > 0) { file = run.files[0]; }
  labels();
  await show();
}

/** A box for a step: its name, kind and counts. */
function node(name, kind, s) {
  const box = el('div', name, 'node');
  box.append(el('small', kind + (s ? ' · ' + s.in + ' in, ' + s.out + ' out' + (s.filtered ? ', ' + s.filtered + ' filtered' : '') + (s.failed ? ', ' + s.failed + ' failed' : '') : '')));
  return box;
}

/** The steps left to right; a step with branches holds a lane per branch. */
function flow(into, steps, prefix, stats) {
  for (const step of steps) {
    const name = prefix + step.name;
    into.append(el('span', '→', 'arrow'), node(step.name, step.kind, stats[name]));
    if (step.branches) {
      const lanes = el('div', undefined, 'lanes');
      for (const [branch, inner] of Object.entries(step.branches)) {
        const lane = el('div', undefined, 'lane');
        if (branch) lane.append(el('b', branch));
        flow(lane, inner, name + '/' + (branch ? branch + '/' : ''), stats);
        lanes.append(lane);
      }
      into.append(lanes);
    }
  }
}

function labels() {
  for (const b of document.querySelectorAll('#files button')) {
    b.textContent = b.dataset.file + (b.dataset.file in counts ? ' (' + counts[b.dataset.file].toLocaleString('en-US') + ')' : '');
    b.classList.toggle('on', b.dataset.file === file);
  }
}

async function show() {
  labels();
  if (file === null) return;
  const offset = String(offsets[offsets.length - 1]);
  const page = file.startsWith('kept: ') ? await api('/api/kept', { step: file.slice(6), offset, limit: '50' }) : await api('/api/rows', { file, offset, limit: '50' });
  lines = page.lines;
  offsets.next = page.next;
  render();
}

function render() {
  const query = document.getElementById('search').value.toLowerCase();
  const box = document.getElementById('rows');
  box.replaceChildren();
  const shown = lines.filter((l) => query === '' || l.text.toLowerCase().includes(query));
  for (const line of shown) {
    let value;
    try { value = JSON.parse(line.text); } catch { value = line.text; }
    const d = el('details');
    d.dataset.offset = String(line.offset);
    const head = value && value.error && value.step ? '[' + value.step + '] ' + value.error.code + ': ' + value.error.message + '  ' + (value.id || '') : line.text.slice(0, 300);
    d.append(el('summary', head, value && value.error && value.step ? 'error' : undefined));
    d.append(el('pre', JSON.stringify(value, null, 2)));
    if (file !== 'failed rows' && !file.startsWith('kept: ')) {
      const button = el('button', 'story', 'story');
      const panel = el('div', undefined, 'storybox');
      button.addEventListener('click', () => story(line.offset, panel));
      d.append(button, panel);
    }
    box.append(d);
  }
  document.getElementById('where').textContent = 'page ' + offsets.length + ', ' + shown.length + ' of ' + lines.length + ' rows';
}

async function story(offset, panel) {
  const s = await api('/api/story', { file, offset: String(offset) });
  panel.replaceChildren();
  if (s.error) { panel.append(el('p', s.error, 'muted')); return; }
  const section = (title, value) => { panel.append(el('h4', title)); panel.append(el('pre', JSON.stringify(value, null, 2))); };
  section('from source records ' + s.lineage.join(', '), s.sources.length ? s.sources.map((x) => x.row) : '(the source is not a local file read by line)');
  for (const [step, rows] of Object.entries(s.kept)) section('at step ' + step + ' (kept)', rows);
  section(s.siblings.length + ' sibling row(s) from the same records', s.siblings.map((x) => x.row));
  section(s.failed.length + ' failed row(s) of the same records', s.failed);
}

// Charts over time, from the run's metrics.jsonl: rates from the differences of its counters.
const COLORS = ['#1f6feb', '#d1242f', '#1a7f37', '#9a6700', '#8250df', '#0a7b83'];
let charting = false;
async function charts() {
  if (charting || typeof uPlot === 'undefined') return;
  charting = true;
  try {
    const { lines } = await api('/api/metrics');
    if (lines.length < 2) return;
    const t = lines.map((l) => l.at / 1000);
    const rate = (pick) => lines.map((l, i) => (i === 0 ? null : Math.max(0, (pick(l) - pick(lines[i - 1])) / Math.max(0.001, t[i] - t[i - 1]))));
    const llms = [...new Set(lines.flatMap((l) => Object.keys(l.llm || {})))];
    const per = (name, pick) => lines.map((l) => (l.llm && l.llm[name] ? pick(l.llm[name]) : null));
    const specs = [
      { title: 'rows/s (records done)', series: [['rows/s', rate((l) => l.source.done)]] },
      { title: 'LLM requests/s', series: llms.map((n) => [n, rate((l) => (l.llm[n] ? l.llm[n].requests : 0))]) },
      { title: 'latency (ms), answers of each interval', series: llms.flatMap((n) => [[n + ' p50', per(n, (u) => u.p50 ?? null)], [n + ' p90', per(n, (u) => u.p90 ?? null)], [n + ' p99', per(n, (u) => u.p99 ?? null)]]) },
      { title: '429s/s', series: llms.map((n) => [n, rate((l) => (l.llm[n] ? l.llm[n].rateLimited : 0))]) },
      { title: 'tokens (total)', series: llms.map((n) => [n, per(n, (u) => u.promptTokens + u.completionTokens)]) },
      { title: 'cost (USD, total)', series: llms.map((n) => [n, per(n, (u) => u.costUsd)]) },
    ].filter((spec) => spec.series.length > 0);
    const box = document.getElementById('charts');
    box.replaceChildren();
    for (const spec of specs) {
      const holder = el('div');
      box.append(holder);
      new uPlot(
        {
          title: spec.title,
          width: 420,
          height: 200,
          series: [{}, ...spec.series.map(([label], i) => ({ label, stroke: COLORS[i % COLORS.length], width: 1.5 }))],
        },
        [t, ...spec.series.map(([, values]) => values)],
        holder,
      );
    }
  } finally {
    charting = false;
  }
}

document.getElementById('search').addEventListener('input', render);
document.getElementById('next').addEventListener('click', () => { if (offsets.next > offsets[offsets.length - 1]) { const next = offsets.next; offsets.push(next); show(); } });
document.getElementById('prev').addEventListener('click', () => { if (offsets.length > 1) { offsets.pop(); show(); } });

const events = new EventSource('/api/events?' + new URLSearchParams({ token }));
events.onmessage = (message) => {
  const update = JSON.parse(message.data);
  counts = update.counts;
  document.getElementById('live').textContent = 'live: ' + Object.entries(counts).map(([k, v]) => k + ' ' + v.toLocaleString('en-US')).join(', ');
  if (update.status) document.getElementById('status').textContent = update.status;
  labels();
  charts();
};
load().then(charts);
</script>
</body>
</html>
`;
