// Live preview of the lesson editor (/gestione/lezioni/{id}): while the
// trainer types, the Markdown is sent to POST /api/v1/preview, which
// renders it exactly as a save would (portal/md.c: raw HTML off, safe
// links, no images), and the answer fills the "Anteprima" pane.  The HTML
// comes from the portal's own renderer, so it may be inserted as is.
// Without JavaScript the "Anteprima" button does the same with a page load.
(function () {
  'use strict';

  var DELAY = 400; // ms of quiet typing before a request
  var textarea = document.getElementById('f-body');
  var pane = document.getElementById('anteprima-testo');
  var status = document.getElementById('anteprima-stato');
  var section = document.getElementById('anteprima');
  if (!textarea || !pane || !textarea.form) return;
  var tokenInput = textarea.form.querySelector('input[name="csrf_token"]');
  if (!tokenInput) return;

  var timer = null;
  var sent = 0;     // number of the latest request
  var last = null;  // the text of the latest request

  function showError(message) {
    if (!status) return;
    status.textContent = message;
    status.hidden = false;
  }

  function clearError() {
    if (!status) return;
    status.textContent = '';
    status.hidden = true;
  }

  function update() {
    var text = textarea.value;
    if (text === last) return;
    last = text;
    var mine = ++sent;
    if (section) section.setAttribute('aria-busy', 'true');
    fetch('/api/v1/preview', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': tokenInput.value },
      body: JSON.stringify({ body_md: text })
    }).then(function (res) {
      return res.json().then(function (doc) { return { ok: res.ok, doc: doc }; });
    }).then(function (r) {
      // An older answer arriving after a newer request is dropped.
      if (mine !== sent) return;
      if (r.ok && r.doc && typeof r.doc.html === 'string') {
        pane.innerHTML = r.doc.html;
        clearError();
      } else {
        showError((r.doc && r.doc.error && r.doc.error.message) || 'Anteprima non disponibile.');
      }
    }).catch(function () {
      if (mine === sent) showError('Anteprima non disponibile: controlla la connessione.');
      last = null; // try again on the next keystroke
    }).then(function () {
      if (mine === sent && section) section.removeAttribute('aria-busy');
    });
  }

  textarea.addEventListener('input', function () {
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(function () { timer = null; update(); }, DELAY);
  });
})();
