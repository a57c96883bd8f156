// feedback.js - autosave of a feedback form (courses/feedback.c).  Each
// change of an answer is saved at once with PUT
// /api/v1/feedback/rounds/{id}/responses/{org} {"answers": {key: value}},
// so nothing is lost on reload and two referents of one organisation do
// not overwrite each other's answers (the server writes only the answer
// sent).  After a save the answer's hidden "o<n>" field takes the saved
// value, so a later press of "Salva la bozza" writes only what changed
// since; the line under the answer says who changed it last.  Without
// this script the form posts as usual.
(function () {
  'use strict';

  var form = document.getElementById('feedback-form');
  var status = document.getElementById('feedback-status');
  if (!form || !status || !window.fetch || !window.JSON) return;
  var url = form.getAttribute('data-api');
  var token = form.getAttribute('data-csrf-token');
  var pending = 0;

  function say(text) {
    status.textContent = text;
  }

  // The value an answer block holds now, as the API takes it.
  function valueOf(block) {
    var kind = block.getAttribute('data-kind');
    var n = block.getAttribute('data-slot');
    var inputs = block.querySelectorAll('[name="a' + n + '"]');
    var i;
    if (kind === 'multiple') {
      var chosen = [];
      for (i = 0; i < inputs.length; i++) if (inputs[i].checked) chosen.push(inputs[i].value);
      return chosen;
    }
    if (kind === 'likert' || kind === 'single') {
      for (i = 0; i < inputs.length; i++) {
        if (inputs[i].checked) return kind === 'likert' ? parseInt(inputs[i].value, 10) : inputs[i].value;
      }
      return null;
    }
    if (inputs.length === 0) return null;
    var text = inputs[0].value.trim();
    if (text === '') return null;
    // A number the server can read, else the text itself: its answer says what is wrong.
    if (kind === 'number') return /^-?[0-9]{1,15}$/.test(text) ? parseInt(text, 10) : text;
    return inputs[0].value;
  }

  function labelOf(block) {
    var l = block.querySelector('legend, label');
    return l ? l.textContent.replace(/\s+/g, ' ').trim() : 'risposta';
  }

  function refusal(r) {
    var fallback = 'errore ' + r.status;
    return r.json().then(function (j) {
      return j && j.error && typeof j.error.message === 'string' ? j.error.message : fallback;
    }, function () { return fallback; });
  }

  function saved(block, key, answer) {
    var n = block.getAttribute('data-slot');
    var orig = form.querySelector('input[name="o' + n + '"]');
    var value = answer.answers && Object.prototype.hasOwnProperty.call(answer.answers, key) ? answer.answers[key] : null;
    if (orig) orig.value = key + ' ' + JSON.stringify(value);
    var meta = document.getElementById('m-' + n);
    var change = answer.changes && answer.changes[key];
    if (meta) meta.textContent = change ? 'Ultima modifica: ' + change.updated_by + ', ' + change.updated_at_local : '';
  }

  function save(block) {
    var key = block.getAttribute('data-key');
    var body = { answers: {} };
    body.answers[key] = valueOf(block);
    pending++;
    say('Salvataggio in corso…');
    fetch(url, {
      method: 'PUT',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': token },
      body: JSON.stringify(body)
    }).then(function (r) {
      if (r.ok) {
        return r.json().then(function (answer) {
          saved(block, key, answer);
          pending--;
          if (pending === 0) say('Risposta salvata: «' + labelOf(block) + '».');
        });
      }
      return refusal(r).then(function (msg) {
        pending--;
        say('Risposta non salvata («' + labelOf(block) + '»): ' + msg);
      });
    }).catch(function () {
      pending--;
      say('Risposta non salvata: connessione assente. Riprova o usa «Salva la bozza».');
    });
  }

  form.addEventListener('change', function (e) {
    var block = e.target.closest ? e.target.closest('.feedback-answer') : null;
    if (block && e.target.name && e.target.name.charAt(0) === 'a') save(block);
  });
})();
