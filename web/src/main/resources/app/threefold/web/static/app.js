// Every HTMX request carries the session's CSRF token; forms carry it as a hidden field.
document.addEventListener('htmx:configRequest', function (e) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) { e.detail.headers['X-CSRF-Token'] = meta.content; }
});

// Print buttons (the recovery kit): no inline handlers, so the CSP can forbid inline script.
document.addEventListener('click', function (e) {
  if (e.target.closest('[data-print]')) { window.print(); }
});

// The dashboard's growth chart: points come from the page, the drawing from Chart.js.
document.addEventListener('DOMContentLoaded', function () {
  var canvas = document.getElementById('growth');
  if (!canvas || typeof Chart === 'undefined') { return; }
  var points = JSON.parse(canvas.dataset.chart || '[]');
  var units = ['B', 'KB', 'MB', 'GB', 'TB'];
  function human(v) { var u = 0; while (v >= 1000 && u < units.length - 1) { v /= 1000; u++; } return v.toFixed(v < 10 && u > 0 ? 1 : 0) + ' ' + units[u]; }
  new Chart(canvas, {
    type: 'line',
    data: { labels: points.map(function (p) { return p.t; }),
            datasets: [{ label: 'Stored bytes', data: points.map(function (p) { return p.b; }),
                         borderColor: '#1f7a3d', backgroundColor: 'rgba(31,122,61,.12)', fill: true, tension: .2 }] },
    options: { animation: false, maintainAspectRatio: false, plugins: { legend: { display: false } },
               scales: { y: { beginAtZero: true, ticks: { callback: human } } } }
  });
});

// A refusal (400, 409 or 422) carries a message for the slot that asked, e.g. "not inside a NAS share":
// HTMX drops error answers by default, so slots marked data-show-refusals swap them in.
document.addEventListener('htmx:beforeSwap', function (e) {
  var status = e.detail.xhr.status;
  if ((status === 400 || status === 409 || status === 422) && e.detail.target && e.detail.target.hasAttribute('data-show-refusals')) {
    e.detail.shouldSwap = true;
    e.detail.isError = false;
  }
});

// Copy buttons beside snippets. navigator.clipboard exists only on https or localhost; a NAS is
// usually plain http on the home network, so fall back to selecting the text and execCommand.
document.addEventListener('click', function (e) {
  var button = e.target.closest('button[data-copy]');
  if (!button) { return; }
  var pre = button.parentElement.querySelector('pre');
  var text = pre ? pre.textContent : '';
  function done(ok) {
    button.textContent = ok ? 'Copied' : 'Select and copy by hand';
    setTimeout(function () { button.textContent = 'Copy'; }, 2000);
  }
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(false); });
    return;
  }
  var range = document.createRange();
  range.selectNodeContents(pre);
  var selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  var ok = false;
  try { ok = document.execCommand('copy'); } catch (err) { ok = false; }
  done(ok);
});

// Browse: checkboxes select entries for one zip or one restore; "select all" covers this page.
function selectionChanged() {
  var form = document.getElementById('selection');
  if (!form) { return; }
  var boxes = form.querySelectorAll('input[name=pick]');
  var n = form.querySelectorAll('input[name=pick]:checked').length;
  var all = form.querySelector('[data-select-all]');
  if (all) { all.checked = n > 0 && n === boxes.length; all.indeterminate = n > 0 && n < boxes.length; }
  var count = form.querySelector('[data-selected-count]');
  if (count) { count.textContent = n === 0 ? 'Select entries to download or restore them together.' : n + ' selected'; }
  form.querySelectorAll('[data-needs-selection]').forEach(function (b) { b.disabled = n === 0; });
  var what = document.querySelector('[data-restore-what]');
  if (what) {
    if (!what.dataset.whole) { what.dataset.whole = what.textContent; }
    what.textContent = n === 0 ? what.dataset.whole : 'the ' + n + ' selected ' + (n === 1 ? 'entry' : 'entries');
  }
}
document.addEventListener('change', function (e) {
  if (e.target.matches('[data-select-all]')) {
    document.querySelectorAll('#selection input[name=pick]').forEach(function (b) { b.checked = e.target.checked; });
  }
  if (e.target.closest('#selection')) { selectionChanged(); }
});
document.addEventListener('DOMContentLoaded', selectionChanged);

// The restore box's folder picker fills the target field: a folder as it is, or a new folder typed inside it.
document.addEventListener('click', function (e) {
  var pick = e.target.closest('[data-pick]');
  var target = document.getElementById('restore-target');
  if (pick && target) { target.value = pick.dataset.pick; target.focus(); }
});
document.addEventListener('input', function (e) {
  var under = e.target.closest('[data-new-under]');
  var target = document.getElementById('restore-target');
  if (under && target) {
    var name = under.value.replace(/^\/+|\/+$/g, '');
    target.value = name ? under.dataset.newUnder.replace(/\/$/, '') + '/' + name : under.dataset.newUnder;
  }
});
