// One job, live: its events over server-sent events (lifecycle, trial updates, epoch progress); every trial update
// refreshes the job document, its trials and the chart data the report's plots are drawn from (GET .../charts).
'use strict';

const jobId = new URLSearchParams(location.search).get('id');
const view = {
  job: null, progress: {}, trials: [], charts: {}, files: [],
  curves: new Map(),          // trialId -> [{x: epoch, y: accuracy}] from stored and live epoch reports
  pruned: new Set(),          // trials stopped early (their curves are drawn dashed)
  sort: { key: 'number', dir: 1 }, selected: null,
};
const COLORS = { trials: '#4c78a8', front: '#e45756', baseline: '#54a24b', pruned: '#9e9e9e' };

Chart.defaults.animation = false;
const charts = {
  scatter: new Chart(document.getElementById('scatter'), {
    type: 'scatter', data: { datasets: [] },
    options: { maintainAspectRatio: false, scales: { y: { title: { display: true, text: 'accuracy' } } } },
  }),
  best: new Chart(document.getElementById('best-so-far'), {
    type: 'line', data: { datasets: [] },
    options: { maintainAspectRatio: false, parsing: false, scales: {
      x: { type: 'linear', title: { display: true, text: 'trial number' } },
      y: { title: { display: true, text: 'best objective' } } } },
  }),
  curves: new Chart(document.getElementById('curves'), {
    type: 'line', data: { datasets: [] },
    options: { maintainAspectRatio: false, parsing: false, plugins: { legend: { display: false } }, scales: {
      x: { type: 'linear', title: { display: true, text: 'epoch' }, ticks: { stepSize: 1 } },
      y: { title: { display: true, text: 'validation accuracy' } } } },
  }),
  layers: new Chart(document.getElementById('layers'), {
    type: 'bar', data: { labels: [], datasets: [] }, options: { maintainAspectRatio: false },
  }),
};

// ---- live events ---------------------------------------------------------------------------------------------

function onEvent(event) {
  if (event.type === 'STATE_CHANGED') {
    addToTimeline(event);
    if (Mesh.terminal(event.state)) stream.close(); // the server ends the stream; do not let EventSource reconnect
  } else if (event.type === 'TRIAL_PROGRESS') {
    const points = view.curves.get(event.trialId) || [];
    const accuracy = event.data && event.data.metrics && event.data.metrics.accuracy;
    if (accuracy !== undefined && !points.some(p => p.x === event.data.epoch)) {
      points.push({ x: event.data.epoch, y: accuracy });
      points.sort((a, b) => a.x - b.x);
      view.curves.set(event.trialId, points);
      drawCurves();
    }
  } else if (event.type === 'TRIAL_UPDATED' && event.trialState === 'PRUNED') {
    view.pruned.add(event.trialId);
    drawCurves();
  }
  scheduleRefresh();
}

function addToTimeline(event) {
  const items = document.getElementById('timeline');
  items.append(Mesh.el('li', { 'data-state': event.state },
    Mesh.el('span', { class: 'state ' + event.state }, event.state), ' ', Mesh.time(event.createdAt),
    event.message ? ' — ' + event.message : ''));
}

const stream = new EventSource('api/jobs/' + encodeURIComponent(jobId) + '/events');
stream.onmessage = message => onEvent(JSON.parse(message.data));
// Epoch reports are relayed live only; the ones before this page opened come from the store.
Mesh.api('jobs/' + encodeURIComponent(jobId) + '/epochs')
  .then(reports => reports.forEach(p => onEvent({ type: 'TRIAL_PROGRESS', trialId: p.trialId, data: p })))
  .catch(e => console.warn('epochs failed', e));

// ---- refreshing from the REST API ----------------------------------------------------------------------------

let refreshTimer = null;
function scheduleRefresh() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => refresh().catch(e => console.warn('refresh failed', e)), 150);
}

async function refresh() {
  const id = encodeURIComponent(jobId);
  const [doc, trials, chartData, files] = await Promise.all([Mesh.api('jobs/' + id), Mesh.api('jobs/' + id + '/trials'),
    Mesh.api('jobs/' + id + '/charts'), Mesh.api('jobs/' + id + '/files')]);
  Object.assign(view, { job: doc.job, progress: doc.progress || {}, trials, charts: chartData, files });
  drawHeader();
  drawTable();
  drawScatter();
  drawBestSoFar();
  drawDownloads();
  if (!view.selected) drawLayers(view.charts.layers, 'best trial');
  document.body.dataset.state = view.job.state; // set last: a test waiting on the state sees everything drawn
}

// ---- header, downloads ---------------------------------------------------------------------------------------

function drawHeader() {
  const { job, progress: p } = view;
  document.title = 'PocketMesh — ' + job.name;
  document.getElementById('job-name').textContent = job.name;
  document.getElementById('job-id').textContent = job.jobId;
  const state = document.getElementById('job-state');
  state.textContent = job.state;
  state.className = 'state ' + job.state;
  document.getElementById('job-message').textContent = job.message || '';
  document.getElementById('cancel').hidden = Mesh.terminal(job.state);
  const parts = [];
  if (p.budget) parts.push(`trials ${p.finished}/${p.budget} done, ${p.running} running, ${p.pruned} stopped early, ${p.failed} failed`);
  if (p.bestValue !== undefined) parts.push(`best ${Mesh.num(p.bestValue)} (${Mesh.shortTrial(p.bestTrialId)})`);
  if (p.baseline) parts.push(`baseline accuracy ${Mesh.num(p.baseline.accuracy)}`);
  if (p.finalMetrics) parts.push(`final accuracy ${Mesh.num(p.finalMetrics.accuracy)}`);
  document.getElementById('summary').textContent = parts.join(' · ');
}

document.getElementById('cancel').addEventListener('click', async () => {
  if (!confirm('Cancel job ' + jobId + '?')) return;
  try {
    await Mesh.api('jobs/' + encodeURIComponent(jobId), { method: 'DELETE' });
  } catch (e) {
    alert((e.body && e.body.errors && e.body.errors.map(x => x.reason).join('; ')) || 'HTTP ' + e.status);
  }
  scheduleRefresh();
});

const REPORT_LINKS = [['report.html', 'Report (HTML)'], ['report.md', 'Report (Markdown)'], ['report.json', 'Report (JSON)']];
function drawDownloads() {
  const href = file => 'api/jobs/' + encodeURIComponent(jobId) + '/files/' + file;
  const links = REPORT_LINKS.filter(([file]) => view.files.includes(file))
    .map(([file, label]) => Mesh.el('li', {}, Mesh.el('a', { href: href(file), target: '_blank' }, label)));
  // The final model's files: its manifest, network, weights and model.onnx (ONNX export) when there is one.
  for (const file of view.files.filter(f => f.startsWith('final/'))) {
    const label = file.endsWith('.onnx') ? 'ONNX model: ' + file : 'Model file: ' + file;
    links.push(Mesh.el('li', {}, Mesh.el('a', { href: href(file), download: file.split('/').pop() }, label)));
  }
  document.getElementById('downloads').replaceChildren(...(links.length ? links : [Mesh.el('li', {}, 'none yet')]));
}

// ---- charts --------------------------------------------------------------------------------------------------

const xy = points => points.map(p => ({ x: p.x, y: p.y, trial: p.trialId }));

function drawScatter() {
  const s = view.charts.scatter;
  const canvas = document.getElementById('scatter');
  const trials = s ? s.trials : [], front = s ? s.front : [], baseline = s && s.baseline ? [s.baseline] : [];
  document.getElementById('scatter-cost').textContent = s ? s.cost : 'cost';
  charts.scatter.data.datasets = [
    { label: 'trials', data: xy(trials), backgroundColor: COLORS.trials },
    { label: 'Pareto front', data: xy(front), showLine: true, borderColor: COLORS.front, backgroundColor: COLORS.front,
      pointRadius: 6, pointStyle: 'circle' },
    { label: 'baseline', data: xy(baseline), backgroundColor: COLORS.baseline, pointStyle: 'rectRot', pointRadius: 9 },
  ];
  charts.scatter.options.scales.x = { type: 'linear', title: { display: true, text: s ? s.cost : 'cost' } };
  charts.scatter.update();
  Object.assign(canvas.dataset, { trialPoints: trials.length, frontPoints: front.length, baselinePoints: baseline.length });
}

function drawBestSoFar() {
  const curve = view.charts.bestSoFar || [];
  charts.best.data.datasets = [{ label: 'best so far', data: xy(curve), stepped: 'before', borderColor: COLORS.trials,
    backgroundColor: COLORS.trials }];
  charts.best.update();
  document.getElementById('best-so-far').dataset.points = curve.length;
}

function drawCurves() {
  charts.curves.data.datasets = [...view.curves].map(([trialId, points]) => {
    const pruned = view.pruned.has(trialId);
    return { label: Mesh.shortTrial(trialId) + (pruned ? ' (stopped early)' : ''), data: points,
      borderColor: pruned ? COLORS.pruned : COLORS.trials, borderDash: pruned ? [5, 4] : [], pointRadius: 2 };
  });
  charts.curves.update();
  Object.assign(document.getElementById('curves').dataset,
    { trials: view.curves.size, pruned: [...view.curves.keys()].filter(t => view.pruned.has(t)).length });
}

function drawLayers(layers, title) {
  document.getElementById('layers-title').textContent = layers ? `${title} (${Mesh.shortTrial(layers.trialId)})` : title;
  const values = layers ? layers.values : [];
  const labels = [...new Set(values.map(v => v.layer))];
  const parameters = [...new Set(values.map(v => v.parameter))];
  const palette = [COLORS.trials, COLORS.front, COLORS.baseline, '#f58518'];
  charts.layers.data = { labels, datasets: parameters.map((parameter, i) => ({ label: parameter,
    backgroundColor: palette[i % palette.length],
    data: labels.map(l => (values.find(v => v.parameter === parameter && v.layer === l) || {}).value ?? null) })) };
  charts.layers.update();
  document.getElementById('layers').dataset.bars = values.length;
}

async function selectTrial(trialId) {
  view.selected = trialId === view.selected ? null : trialId;
  drawTable();
  if (!view.selected) return drawLayers(view.charts.layers, 'best trial');
  try {
    drawLayers(await Mesh.api(`jobs/${encodeURIComponent(jobId)}/trials/${encodeURIComponent(trialId)}/layers`),
      'selected trial');
  } catch (e) {
    drawLayers(null, 'selected trial has no per-layer parameters');
  }
}

// ---- trials table --------------------------------------------------------------------------------------------

function rows() {
  return view.trials.filter(t => t.kind === 'SEARCH').map(t => {
    const m = t.metrics || {};
    return { trialId: t.trialId, number: t.number, state: t.state,
      config: Object.entries(t.config || {}).map(([k, v]) => `${k}=${typeof v === 'number' ? Mesh.num(v, 2) : v}`).join(' '),
      accuracy: m.accuracy, flopsRatio: m.flopsRatio, bytes: m.bytes, latencyMs: m.latencyMs,
      // The latency model's estimate made when the trial was proposed, before any training: beside the measurement.
      estimatedMs: t.proposal ? t.proposal.estimatedLatencyMs : undefined,
      worker: t.workerId || '', duration: Mesh.seconds(t.proposedAt, t.finishedAt) };
  });
}

function estimateError(r) {
  if (r.estimatedMs == null || !r.latencyMs) return null;
  const pct = 100 * (r.estimatedMs - r.latencyMs) / r.latencyMs;
  return `estimate ${pct >= 0 ? '+' : ''}${pct.toFixed(1)} % off the measured latency`;
}

const NUMERIC = ['number', 'accuracy', 'flopsRatio', 'bytes', 'latencyMs', 'estimatedMs', 'duration'];
function drawTable() {
  const filter = document.getElementById('trial-filter').value.trim().toLowerCase();
  const state = document.getElementById('state-filter').value;
  const { key, dir } = view.sort;
  const all = rows();
  const shown = all.filter(r => (!state || r.state === state)
      && (!filter || Object.values(r).join(' ').toLowerCase().includes(filter)))
    .sort((a, b) => {
      const x = a[key], y = b[key];
      if (x === undefined || x === null) return 1; // missing values last, whichever the direction
      if (y === undefined || y === null) return -1;
      return dir * (NUMERIC.includes(key) ? x - y : String(x).localeCompare(String(y)));
    });
  document.querySelector('#trials tbody').replaceChildren(...shown.map(r => Mesh.el('tr',
    { 'data-trial': r.trialId, class: r.trialId === view.selected ? 'selected' : null, onclick: () => selectTrial(r.trialId) },
    Mesh.el('td', { class: 'num' }, r.number), Mesh.el('td', {}, Mesh.el('span', { class: 'state ' + r.state }, r.state)),
    Mesh.el('td', {}, r.config), Mesh.el('td', { class: 'num', 'data-value': r.accuracy }, Mesh.num(r.accuracy)),
    Mesh.el('td', { class: 'num' }, Mesh.num(r.flopsRatio, 3)), Mesh.el('td', { class: 'num' }, Mesh.num(r.bytes)),
    Mesh.el('td', { class: 'num' }, Mesh.num(r.latencyMs, 3)),
    Mesh.el('td', { class: 'num', title: estimateError(r) }, Mesh.num(r.estimatedMs, 3)), Mesh.el('td', {}, r.worker),
    Mesh.el('td', { class: 'num' }, Mesh.num(r.duration, 1)))));
  const table = document.getElementById('trials');
  table.dataset.sort = `${key}:${dir > 0 ? 'asc' : 'desc'}`;
  table.dataset.rows = shown.length;
  for (const th of table.querySelectorAll('th')) {
    th.className = th.dataset.key === key ? (dir > 0 ? 'sorted-asc' : 'sorted-desc') : '';
  }
  const states = document.getElementById('state-filter');
  for (const s of new Set(all.map(r => r.state))) {
    if (![...states.options].some(o => o.value === s)) states.append(Mesh.el('option', { value: s }, s));
  }
}

for (const th of document.querySelectorAll('#trials th')) {
  th.addEventListener('click', () => {
    const key = th.dataset.key;
    view.sort = { key, dir: view.sort.key === key ? -view.sort.dir : 1 };
    drawTable();
  });
}
document.getElementById('trial-filter').addEventListener('input', drawTable);
document.getElementById('state-filter').addEventListener('change', drawTable);

scheduleRefresh();
