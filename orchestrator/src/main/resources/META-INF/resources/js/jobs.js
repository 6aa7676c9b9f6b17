// The jobs list: every job with its state, progress and best value, refreshed every two seconds.
'use strict';

async function refreshJobs() {
  const jobs = await Mesh.api('jobs?limit=100');
  const documents = await Promise.all(jobs.map(j => Mesh.api('jobs/' + encodeURIComponent(j.jobId)).catch(() => null)));
  const body = document.querySelector('#jobs tbody');
  body.replaceChildren(...jobs.map((job, i) => {
    const p = (documents[i] && documents[i].progress) || {};
    return Mesh.el('tr', { 'data-job': job.jobId },
      Mesh.el('td', {}, Mesh.el('a', { href: 'job.html?id=' + encodeURIComponent(job.jobId) }, job.jobId)),
      Mesh.el('td', {}, job.name),
      Mesh.el('td', {}, Mesh.el('span', { class: 'state ' + job.state }, job.state)),
      Mesh.el('td', {}, p.budget ? `${p.finished}/${p.budget} trials` + (p.running ? `, ${p.running} running` : '') : ''),
      Mesh.el('td', { class: 'num' }, p.bestValue !== undefined ? Mesh.num(p.bestValue) : ''),
      Mesh.el('td', {}, Mesh.time(job.updatedAt)));
  }));
  document.getElementById('no-jobs').hidden = jobs.length > 0;
}

refreshJobs();
setInterval(() => refreshJobs().catch(e => console.warn('refresh failed', e)), 2000);
