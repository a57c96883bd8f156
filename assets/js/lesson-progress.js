// lesson-progress.js - automatic completion of a lesson (completion_mode
// 'auto').  Reports to POST /api/v1/lessons/{id}/views that the end of the
// lesson came into view ({"event":"read"}) and that a video was played to
// its end ({"event":"played","video":N}); the server completes the lesson
// when everything it waits for was reported, and the status line (the
// element #lesson-progress, role="status", also the end-of-lesson sentinel)
// says so.  Observed players: HTML5 <video> ('ended'), YouTube (iframe
// postMessage protocol, enablejsapi=1) and Vimeo (player postMessage API).
// Messages are accepted only from the frame's own window and origin.
(function () {
  'use strict';

  var status = document.getElementById('lesson-progress');
  if (!status || !window.fetch || !window.JSON) return;
  var url = status.getAttribute('data-views-url');
  var token = status.getAttribute('data-csrf-token');
  var tracked = document.querySelectorAll('[data-track]');
  var done = false;
  var sent = {};

  function say(text) {
    status.textContent = text;
  }

  function update(answer) {
    if (answer.completed) {
      done = true;
      say('Hai completato questa lezione.');
      return;
    }
    var played = (answer.videos_played || []).length;
    if (answer.read && tracked.length > 0) {
      say('Hai letto la lezione fino in fondo; video guardati: ' + played + ' su ' + tracked.length +
          '. Sarà segnata come completata quando li avrai guardati tutti.');
    }
  }

  // The server's own message in a JSON error answer ({"error":{"message"}}),
  // or a generic one when the body is not that.
  function refusal(r) {
    var fallback = 'Non è stato possibile registrare il tuo avanzamento (errore ' + r.status + ').';
    return r.json().then(function (j) {
      return j && j.error && typeof j.error.message === 'string' && j.error.message ? j.error.message : fallback;
    }, function () { return fallback; });
  }

  // Sends one report once.  A network failure or a 5xx is tried again a
  // few times; a 4xx (403 expired form, 409, 422...) would be refused the
  // same way again, so it stops there and the status line gives the
  // server's reason.
  function report(body, key, attempt) {
    attempt = attempt || 0;
    if (done || (sent[key] && attempt === 0)) return;
    sent[key] = true;
    fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': token },
      body: JSON.stringify(body)
    }).then(function (r) {
      if (r.ok) return r.json().then(update);
      if (r.status >= 400 && r.status < 500) return refusal(r).then(say);
      throw new Error('HTTP ' + r.status);
    }).catch(function () {
      if (attempt < 5) {
        window.setTimeout(function () { report(body, key, attempt + 1); }, 2000 * (attempt + 1));
      } else {
        sent[key] = false;
      }
    });
  }

  function played(position) {
    var n = parseInt(position, 10);
    if (n > 0) report({ event: 'played', video: n }, 'played:' + n);
  }

  // The end of the lesson: the status line after the text and the videos.
  if ('IntersectionObserver' in window) {
    var io = new IntersectionObserver(function (entries) {
      for (var i = 0; i < entries.length; i++) {
        if (entries[i].isIntersecting) {
          report({ event: 'read' }, 'read');
          io.disconnect();
          return;
        }
      }
    });
    io.observe(status);
  } else {
    // No observer: reading to the end is the scroll reaching the bottom.
    window.addEventListener('scroll', function () {
      if (window.innerHeight + window.pageYOffset >= document.documentElement.scrollHeight - 2) {
        report({ event: 'read' }, 'read');
      }
    });
  }

  function parse(data) {
    if (typeof data === 'string') {
      try { return JSON.parse(data); } catch (e) { return null; }
    }
    return data && typeof data === 'object' ? data : null;
  }

  var frames = [];

  function frameOrigin(frame) {
    try { return new URL(frame.src, document.baseURI).origin; } catch (e) { return null; }
  }

  function send(f, message) {
    if (f.el.contentWindow) f.el.contentWindow.postMessage(JSON.stringify(message), f.origin);
  }

  // YouTube answers only after it was told someone listens; its first
  // messages may be lost while it loads, so ask again until it speaks.
  function listen(f) {
    var tries = 0;
    function ask() {
      if (f.heard || done || tries++ > 20) return;
      if (f.player === 'youtube') send(f, { event: 'listening', id: f.position, channel: 'widget' });
      else if (f.player === 'vimeo') send(f, { method: 'addEventListener', value: 'ended' });
      window.setTimeout(ask, 1000);
    }
    ask();
  }

  for (var i = 0; i < tracked.length; i++) {
    var el = tracked[i];
    var player = el.getAttribute('data-player');
    if (el.tagName === 'VIDEO') {
      el.addEventListener('ended', (function (pos) {
        return function () { played(pos); };
      })(el.getAttribute('data-track')));
    } else if (el.tagName === 'IFRAME' && (player === 'youtube' || player === 'vimeo')) {
      var f = { el: el, player: player, position: el.getAttribute('data-track'),
                origin: frameOrigin(el), heard: false };
      if (!f.origin) continue;
      frames.push(f);
      listen(f); // the frame may have loaded before this script ran
      el.addEventListener('load', (function (fr) {
        return function () { listen(fr); };
      })(f));
    }
  }

  window.addEventListener('message', function (ev) {
    for (var i = 0; i < frames.length; i++) {
      var f = frames[i];
      if (ev.source !== f.el.contentWindow || ev.origin !== f.origin) continue;
      var m = parse(ev.data);
      if (!m) return;
      f.heard = true;
      if (f.player === 'youtube') {
        // playerState 0 is "ended", in state changes and info updates alike.
        if ((m.event === 'onStateChange' && m.info === 0) ||
            (m.event === 'infoDelivery' && m.info && m.info.playerState === 0)) {
          played(f.position);
        }
      } else if (f.player === 'vimeo') {
        if (m.event === 'ready') send(f, { method: 'addEventListener', value: 'ended' });
        else if (m.event === 'ended') played(f.position);
      }
      return;
    }
  });
})();
