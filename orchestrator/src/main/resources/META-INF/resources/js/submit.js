// The submit page: a job file pasted or loaded, POSTed as YAML (JSON is YAML too); field errors listed by field.
'use strict';

document.getElementById('job-file').addEventListener('change', async event => {
  const file = event.target.files[0];
  if (file) document.getElementById('job-text').value = await file.text();
});

document.getElementById('submit-form').addEventListener('submit', async event => {
  event.preventDefault();
  const status = document.getElementById('submit-status');
  const errors = document.getElementById('errors');
  errors.hidden = true;
  status.textContent = 'submitting…';
  try {
    const accepted = await Mesh.api('jobs', {
      method: 'POST', headers: { 'Content-Type': 'application/yaml' },
      body: document.getElementById('job-text').value,
    });
    location.href = 'job.html?id=' + encodeURIComponent(accepted.jobId);
  } catch (e) {
    status.textContent = '';
    const list = (e.body && e.body.errors) || [{ field: '(request)', reason: 'HTTP ' + e.status + ' ' + (e.body || '') }];
    document.getElementById('field-errors').replaceChildren(...list.map(err =>
      Mesh.el('li', { 'data-field': err.field }, Mesh.el('code', {}, err.field), ': ', err.reason)));
    errors.hidden = false;
  }
});
