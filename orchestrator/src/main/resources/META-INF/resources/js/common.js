// Helpers shared by the dashboard's pages: the REST API, element building, number formatting.
'use strict';

const Mesh = {
  /** GETs (or sends) JSON from the orchestrator's REST API; rejects with {status, body} on an HTTP error. */
  async api(path, options = {}) {
    const response = await fetch('api/' + path, options);
    const text = await response.text();
    const body = text && (response.headers.get('content-type') || '').includes('json') ? JSON.parse(text) : text;
    if (!response.ok) throw { status: response.status, body };
    return body;
  },

  /** el('td', {class: 'num'}, 'text', child, ...): a DOM element; null/undefined children are skipped. */
  el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null) continue;
      if (k.startsWith('on')) node.addEventListener(k.slice(2), v); else node.setAttribute(k, v);
    }
    for (const c of children) if (c !== undefined && c !== null) node.append(c instanceof Node ? c : String(c));
    return node;
  },

  num(v, digits = 4) {
    if (v === undefined || v === null || Number.isNaN(v)) return '';
    return Math.abs(v) >= 1000 || Number.isInteger(v) ? Math.round(v).toLocaleString('en') : v.toFixed(digits);
  },

  /** "job-x-t0003" → "t0003": trial ids carry their job's id. */
  shortTrial(id) {
    return id ? id.substring(id.lastIndexOf('-') + 1) : '';
  },

  seconds(from, to) {
    return from && to ? (new Date(to) - new Date(from)) / 1000 : null;
  },

  time(instant) {
    return instant ? new Date(instant).toLocaleTimeString('en-GB') : '';
  },

  terminal(state) {
    return ['COMPLETED', 'FAILED', 'CANCELLED', 'REJECTED'].includes(state);
  },
};
