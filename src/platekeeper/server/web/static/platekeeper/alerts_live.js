// Live alerts: new hotlist alerts pushed by the server (server-sent events) appear at the top
// of the alerts table without a reload, with a visible banner and, once the officer has turned
// sound on, a short audible cue. Rows are built with textContent only: nothing from the server
// is parsed as HTML.
(function () {
  "use strict";

  var rows = document.getElementById("alert-rows");
  if (!rows || !rows.dataset.stream || !window.EventSource) {
    return;
  }
  var banner = document.getElementById("live-banner");
  var bannerText = document.getElementById("live-banner-text");
  var bannerLink = document.getElementById("live-banner-link");
  var status = document.getElementById("live-status");
  var soundButton = document.getElementById("sound-toggle");
  var baseTitle = document.title;
  var unseen = 0;
  var audio = null;
  var soundOn = window.sessionStorage && sessionStorage.getItem("platekeeper-sound") === "on";

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  // Browsers only let a page make sound after the person has interacted with it, so the audio
  // context is created (or resumed) on a click.
  function audioContext() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) {
      return null;
    }
    if (!audio) {
      audio = new Context();
    }
    if (audio.state === "suspended") {
      audio.resume();
    }
    return audio;
  }

  function showSound() {
    if (soundButton) {
      soundButton.textContent = soundOn ? "Sound: on" : "Sound: off";
      soundButton.setAttribute("aria-pressed", soundOn ? "true" : "false");
    }
  }

  if (soundButton) {
    soundButton.addEventListener("click", function () {
      soundOn = !soundOn;
      if (window.sessionStorage) {
        sessionStorage.setItem("platekeeper-sound", soundOn ? "on" : "off");
      }
      showSound();
      if (soundOn) {
        beep(1);
      }
    });
  }
  document.addEventListener("click", function () { if (soundOn) { audioContext(); } }, { once: true });
  showSound();

  // Two rising tones for an ordinary alert, three for priority 1.
  function beep(priority) {
    if (!soundOn) {
      return;
    }
    try {
      var context = audioContext();
      if (!context) {
        return;
      }
      var tones = priority === 1 ? [880, 1175, 1568] : [880, 1175];
      tones.forEach(function (frequency, index) {
        var start = context.currentTime + index * 0.22;
        var oscillator = context.createOscillator();
        var gain = context.createGain();
        oscillator.type = "square";
        oscillator.frequency.value = frequency;
        gain.gain.setValueAtTime(0.0001, start);
        gain.gain.exponentialRampToValueAtTime(0.2, start + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.18);
        oscillator.connect(gain).connect(context.destination);
        oscillator.start(start);
        oscillator.stop(start + 0.2);
      });
    } catch (error) {
      // No audio device: the banner still shows.
    }
  }

  function cell(text, className) {
    var td = document.createElement("td");
    if (className) {
      td.className = className;
    }
    if (text !== undefined) {
      td.textContent = text;
    }
    return td;
  }

  function span(text, className, title) {
    var element = document.createElement("span");
    element.className = className;
    element.textContent = text;
    if (title) {
      element.title = title;
    }
    return element;
  }

  function row(alert) {
    var tr = document.createElement("tr");
    tr.dataset.alertId = String(alert.id);
    tr.dataset.plate = alert.plate;
    tr.className = "priority-" + alert.priority + " status-new fresh";

    var plate = cell(alert.plate, "plate");
    if (alert.entry_plate !== alert.plate) {
      plate.appendChild(span("entry " + alert.entry_plate, "muted small block"));
    }
    tr.appendChild(plate);

    var image = cell();
    if (alert.crop_url) {
      var img = document.createElement("img");
      img.className = "crop";
      img.src = alert.crop_url;
      img.alt = "Plate " + alert.plate;
      image.appendChild(img);
    } else {
      image.appendChild(span("no image", "muted"));
    }
    tr.appendChild(image);

    var list = cell(alert.hotlist + " ");
    list.appendChild(span("P" + alert.priority, "pill priority"));
    tr.appendChild(list);

    var kind = cell();
    kind.appendChild(span(alert.match_label, "pill kind-" + alert.match_kind));
    tr.appendChild(kind);

    var state = cell(alert.status);
    if (alert.stale) {
      state.appendChild(document.createTextNode(" "));
      state.appendChild(span("stale", "pill bad"));
    }
    tr.appendChild(state);

    var when = cell(alert.captured_at);
    when.appendChild(span(alert.camera, "muted small block"));
    tr.appendChild(when);

    var open = cell();
    var link = document.createElement("a");
    link.href = alert.url;
    link.textContent = "open";
    open.appendChild(link);
    tr.appendChild(open);
    return tr;
  }

  // A new hit of a plate already listed takes that plate's row: the row it replaces becomes the
  // newest of the older hits folded under the count, as the server draws the list.
  function foldInto(fresh, previous) {
    var when = previous.cells[5];
    var hit = document.createElement("li");
    hit.dataset.hitId = previous.dataset.alertId;
    var link = document.createElement("a");
    link.href = previous.cells[6].querySelector("a").href;
    link.textContent = when.firstChild.textContent;
    hit.appendChild(link);
    hit.appendChild(document.createTextNode(" · " + when.querySelector(".block").textContent +
      " · " + previous.cells[4].firstChild.textContent));
    var oldList = previous.querySelector(".repeat-hits ul");
    var list = document.createElement("ul");
    list.className = "small";
    list.appendChild(hit);
    if (oldList) {
      while (oldList.firstChild) {
        list.appendChild(oldList.firstChild);
      }
    }
    var details = document.createElement("details");
    details.className = "repeat-hits";
    var summary = document.createElement("summary");
    summary.appendChild(span((list.children.length + 1) + " hits", "pill"));
    details.appendChild(summary);
    details.appendChild(list);
    fresh.cells[0].appendChild(details);
  }

  function announce(alert) {
    unseen += 1;
    document.title = "(" + unseen + ") " + baseTitle;
    if (banner) {
      bannerText.textContent = alert.plate + " on " + alert.hotlist + " (" + alert.match_label +
        " match, priority " + alert.priority + ") at " + alert.camera +
        (unseen > 1 ? " — " + unseen + " new alerts" : "");
      bannerLink.href = alert.url;
      banner.hidden = false;
    }
    beep(alert.priority);
  }

  var dismiss = document.getElementById("live-banner-dismiss");
  if (dismiss) {
    dismiss.addEventListener("click", function () {
      banner.hidden = true;
      unseen = 0;
      document.title = baseTitle;
    });
  }

  var source = new EventSource(rows.dataset.stream);
  source.addEventListener("open", function () {
    say("Live: new alerts appear here as they are raised.");
  });
  source.addEventListener("alert", function (event) {
    var alert = JSON.parse(event.data);
    if (rows.querySelector('tr[data-alert-id="' + alert.id + '"], li[data-hit-id="' + alert.id + '"]')) {
      return;
    }
    var empty = rows.querySelector("tr.empty-row");
    if (empty) {
      empty.remove();
    }
    var fresh = row(alert);
    var previous = Array.prototype.find.call(rows.rows, function (tr) {
      return tr.dataset.plate === alert.plate;
    });
    if (previous) {
      foldInto(fresh, previous);
      previous.remove();
    }
    rows.insertBefore(fresh, rows.firstChild);
    announce(alert);
  });
  source.addEventListener("refused", function (event) {
    source.close();
    say("Live updates stopped: " + JSON.parse(event.data).reason);
  });
  source.addEventListener("error", function () {
    if (source.readyState === EventSource.CLOSED) {
      say("Live updates stopped (signed out, or the server is unreachable). Reload the page.");
    } else {
      say("Reconnecting to the live feed…");
    }
  });
})();
