// tagtrail scanner: modes, reading labels and typed codes, the running list.
// Only the /scan page loads this (with scan-queue.js and scan-camera.js).
(function () {
  "use strict";
  var root = document.getElementById("scanner");
  if (!root || !window.TagtrailQueue || !window.TagtrailCamera || !window.TagtrailList ||
      !window.TagtrailLabels) { return; }
  var data = root.dataset;
  var IGNORE_MS = 3000;                       // the same label again within this is ignored
  var SAVED = "tagtrail.scan";
  var QUEUED = { tick: true, "return": true, move: true, room: true };

  function $(id) { return document.getElementById(id); }
  var list = $("scan-list"), status = $("scan-status"), queueLine = $("scan-queue");
  var auditSelect = $("scan-audit"), holderSelect = $("scan-holder"), placeSelect = $("scan-place");
  var scans = new window.TagtrailList(list);
  var WORDS = window.TagtrailList.WORDS;
  // The list names a check-out as the mode does ("Check out to me" for members).
  var checkoutWord = root.querySelector('input[name="mode"][value="checkout"] + span');
  if (checkoutWord) { WORDS.checkout = checkoutWord.textContent; }
  var Labels = window.TagtrailLabels, parseCode = Labels.parseCode, pretty = Labels.pretty;
  var recent = {};         // decoded text -> last time seen
  // The Check out to… run: check-outs to one other person go on one receipt,
  // which they sign at the end ("Sign for N items").
  var run = null;          // { holder: id, receipt: id, items: count }

  var places = {};
  Array.prototype.forEach.call(placeSelect.options, function (option) {
    if (option.dataset.code) { places[option.dataset.code] = option; }
  });

  // Labels of this tagtrail: its public address, or the address this page came from.
  var bases = [];
  if (data.publicUrl) { bases.push(data.publicUrl); }
  bases.push(location.origin + data.root);
  var readLabel = Labels.reader(bases);

  // Settings kept across reloads (a phone reopening the page in a dead spot).
  function saved() {
    try { return JSON.parse(localStorage.getItem(SAVED)) || {}; } catch (e) { return {}; }
  }
  var cameraWanted = Boolean(saved().camera);
  function save() {
    localStorage.setItem(SAVED, JSON.stringify({
      mode: mode(), place: placeSelect.value, holder: holderSelect.value,
      audit: auditSelect ? auditSelect.value : "", camera: cameraWanted
    }));
  }
  function choose(select, value) {
    if (select && value && select.querySelector('option[value="' + CSS.escape(value) + '"]')) {
      select.value = value;
    }
  }

  function mode() {
    var checked = root.querySelector('input[name="mode"]:checked');
    return checked ? checked.value : "open";
  }
  function showMode() {
    var current = mode();
    root.querySelectorAll("[data-for]").forEach(function (el) {
      el.hidden = el.dataset.for.split(" ").indexOf(current) < 0;
    });
    if (current === "move" && placeSelect.value === "") { placeSelect.selectedIndex = 1; }
    showAuditRoom();
    $("scan-progress").hidden = current !== "audit" || !auditSelect;
    showProgress();
    save();
  }

  // In audit mode the place is where I am in the chosen audit: one room per
  // person per audit, the same one the audit page shows and every tick uses.
  function auditOption() { return auditSelect ? auditSelect.selectedOptions[0] : null; }
  function showAuditRoom() {
    var option = auditOption();
    if (mode() === "audit" && option) { placeSelect.value = option.dataset.room || ""; }
  }
  function sayRoom() {
    var option = auditOption();
    if (mode() !== "audit" || !option || (option.dataset.room || "") === placeSelect.value) { return; }
    option.dataset.room = placeSelect.value;
    var item = { action: "room", audit_id: Number(option.value), scanned_at: Date.now(),
                 room_id: placeSelect.value ? Number(placeSelect.value) : null,
                 key: window.TagtrailQueue.newKey(), queued: true };
    queue.add(item).catch(function () {
      say("This browser cannot keep scans offline (storage is blocked).", "bad");
    });
  }

  function showProgress(summary) {
    if (!auditSelect) { return; }
    var option = auditSelect.selectedOptions[0];
    if (summary) {
      option.dataset.seen = summary.seen;
      option.dataset.expected = summary.expected;
    }
    var seen = Number(option.dataset.seen), expected = Number(option.dataset.expected);
    $("scan-seen").textContent = seen;
    $("scan-expected").textContent = expected;
    $("scan-percent").textContent = expected ? Math.round(100 * seen / expected) : 100;
    $("scan-bar").max = expected || 1;
    $("scan-bar").value = seen;
  }

  // Feedback: a short high beep for a scan taken, a low one for a refusal.
  var audio = null;
  function unlockAudio() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!audio && Context) { audio = new Context(); }
    if (audio && audio.state === "suspended") { audio.resume(); }
  }
  function beep(ok) {
    if (audio && audio.state === "running") {
      var osc = audio.createOscillator(), gain = audio.createGain();
      osc.frequency.value = ok ? 1320 : 300;
      gain.gain.value = 0.15;
      osc.connect(gain);
      gain.connect(audio.destination);
      osc.start();
      osc.stop(audio.currentTime + (ok ? 0.08 : 0.3));
    }
    if (navigator.vibrate) { navigator.vibrate(ok ? 40 : [90, 60, 90]); }
  }

  function say(text, kind) {
    status.textContent = text;
    status.className = "scan-status" + (kind ? " is-" + kind : "");
  }

  function showSign() {
    var link = $("scan-sign-link");
    if (!link || !run) { return; }
    link.href = data.signUrl.replace("/0/", "/" + run.receipt + "/");
    link.textContent = "Sign for " + run.items + (run.items === 1 ? " item" : " items");
    $("scan-sign").hidden = false;
  }

  function entry(item, what) { return scans.add(item, what); }
  function setEntry(li, state, text) { scans.set(li, state, text); }
  function waiting(li) { scans.waiting(li); }

  function answered(item, result, audits) {
    if (item.action === "room") {  // "I am in…": said in the status line, not a list entry
      say(result.message, result.status === "done" ? "ok" : "bad");
      return;
    }
    var li = scans.find(item.key) || entry(item, pretty(item.code || ""));
    var state = { done: "done", duplicate: "done", already: "already", noted: "noted" }[result.status]
      || "refused";
    if (result.status === "check" && item.action === "tick") {
      // A typed code that matches nothing: recorded only if the person says so.
      scans.button(li, "Record as unexpected", function (line, button) {
        button.remove();
        act("audit", item.code, false, item.audit_id);
      });
    }
    if (result.receipt_id && item.action === "checkout") {
      run = { holder: item.holder_id, receipt: result.receipt_id, items: result.receipt_items };
      showSign();
    }
    if (result.name) {
      li.querySelector(".scan-what").textContent = result.name + " · " + pretty(result.code);
    }
    setEntry(li, state, result.message);
    // The latest answer also shows right under the camera.
    say(li.querySelector(".scan-what").textContent + ": " + result.message,
        state === "refused" ? "bad" : "ok");
    if (state === "refused") { beep(false); }
    if (result.tick_id && (state === "done" || state === "noted") && item.action === "tick") {
      li.dataset.tick = result.tick_id;
      li.dataset.audit = result.audit_id;
      scans.undoButton(li, undo);
    }
    Object.keys(audits).forEach(function (id) {
      if (auditSelect && auditSelect.value === id) { showProgress(audits[id]); }
    });
  }

  function undo(li, button) {
    button.disabled = true;
    queue.sendNow({ action: "undo", audit_id: Number(li.dataset.audit),
                    tick_id: Number(li.dataset.tick) }).then(function (answer) {
      var ok = answer.result.status === "done";
      setEntry(li, ok ? "undone" : "refused", ok ? "Tick undone." : answer.result.message);
      if (ok) { button.remove(); } else { button.disabled = false; }
      var audits = answer.audits;
      Object.keys(audits).forEach(function (id) {
        if (auditSelect && auditSelect.value === id) { showProgress(audits[id]); }
      });
    }, function (problem) {
      button.disabled = false;
      say(problem.message || "No connection: undo needs the server. Try again with signal.", "bad");
    });
  }

  function go(template, code) { window.location.assign(template.replace("CODE", code)); }

  function setPlace(code) {
    var option = places[code];
    if (!option) {
      say("No location has the code " + pretty(code) + " here. Reload the page if it is new.", "bad");
      beep(false);
      return;
    }
    placeSelect.value = option.value;
    sayRoom();
    save();
    var name = option.textContent.replace(/^\s+/, "");  // without its indent
    say(mode() === "move" ? "Moving items to " + name + "." : "I am in " + name + ".", "ok");
    beep(true);
  }

  // One scanned or typed thing, in the current mode.
  function handle(text, typed) {
    var found = readLabel(text), byHand = false;
    if (!found && typed && !/[/:]/.test(text)) {
      byHand = true;
      var code = parseCode(text);
      if (!code) {
        say("“" + text + "” is not a code: codes are 6 letters and digits, like 7K3-M9Q.", "bad");
        return;
      }
      found = { kind: places[code] ? "location" : "asset", code: code };
    }
    var current = mode();
    if (!found) {
      var shown = String(text).length > 60 ? String(text).slice(0, 57) + "…" : String(text);
      setEntry(entry({}, shown), "refused", "Not a tagtrail label: not opened.");
      say("Not a tagtrail label.", "bad");
      beep(false);
      return;
    }
    if (current === "open") {
      go(found.kind === "asset" ? data.assetUrl : data.locationUrl, found.code);
      return;
    }
    if (found.kind === "location") { setPlace(found.code); return; }
    act(current, found.code, byHand);
  }

  // `typed`: a code typed by hand (not read off a label); `auditId`: the audit
  // a confirmed "Record as unexpected" belongs to.
  function act(current, code, typed, auditId) {
    var item = { code: code, scanned_at: Date.now(), action: current === "audit" ? "tick" : current };
    if (current === "audit") {
      if (!auditSelect) { say("No audit is running.", "bad"); beep(false); return; }
      item.audit_id = auditId || Number(auditSelect.value);
      if (typed) { item.typed = true; }
      var before = scans.ticked(code, auditSelect.value);
      if (before) {
        say("Already ticked: " + before.querySelector(".scan-what").textContent + ".", "ok");
        before.classList.add("is-again");
        setTimeout(function () { before.classList.remove("is-again"); }, 800);
        return;
      }
    } else if (current === "return") {
      item.location_id = placeSelect.value ? Number(placeSelect.value) : null;
    } else if (current === "move") {
      if (!placeSelect.value) { say("Choose where to move them first, or scan the location's label.", "bad"); return; }
      item.location_id = Number(placeSelect.value);
    } else if (current === "checkout") {
      item.holder_id = Number(holderSelect.value);
      if (run && run.holder === item.holder_id) { item.receipt_id = run.receipt; }
    }
    beep(true);
    item.key = window.TagtrailQueue.newKey();
    if (QUEUED[item.action]) {
      item.queued = true;
      waiting(entry(item, pretty(code)));
      say("Scanned " + pretty(code) + ".", "ok");
      queue.add(item).catch(function () {
        say("This browser cannot keep scans offline (storage is blocked).", "bad");
      });
      return;
    }
    var li = entry(item, pretty(code));
    if (!navigator.onLine) {
      var what = item.action === "take_over" ? "take-overs" : "check-outs";
      setEntry(li, "refused", "No connection: " + what + " are not queued. Scan it again when you have signal.");
      return;
    }
    setEntry(li, "pending", "Sending…");
    queue.sendNow(item).then(function (answer) {
      answered(item, answer.result, answer.audits);
    }, function (problem) {
      setEntry(li, "refused", problem.message || "Not sent: no connection. Scan it again when you have signal.");
    });
  }

  // A fresh CSRF token from the page itself (the copy kept for offline use may be old).
  function freshToken() {
    return fetch(data.workerScope, { credentials: "same-origin" }).then(function (response) {
      if (response.redirected || !response.ok) { return null; }
      return response.text().then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html").getElementById("page");
        try { return JSON.parse(page.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return null; }
      });
    });
  }

  var pageHeaders = {};
  try { pageHeaders = JSON.parse($("page").getAttribute("hx-headers")); } catch (e) { pageHeaders = {}; }
  var queue = new window.TagtrailQueue({
    url: data.actionsUrl,
    user: data.user,
    token: pageHeaders["X-CSRFToken"],
    onAnswer: answered,
    onToken: freshToken,
    onCount: function (count, problem) {
      var text = count ? count + " waiting to send" : "";
      if (problem === "offline") { problem = count ? "no connection; they send themselves when it returns" : ""; }
      if (problem) { text += (text ? " · " : "") + problem; }
      queueLine.textContent = text;
      queueLine.hidden = !text;
    }
  });

  // The camera: each label read once while it stays in view.
  window.TagtrailCamera.attach({
    root: root,
    decoderUrl: data.decoderUrl,
    wanted: cameraWanted,
    onWanted: function (on) { cameraWanted = on; save(); },
    onText: function (text) {
      var now = Date.now(), last = recent[text];
      recent[text] = now;
      if (last && now - last < IGNORE_MS) { return; }
      handle(text, false);
    }
  });

  // Controls.
  root.addEventListener("pointerdown", unlockAudio);
  root.addEventListener("keydown", unlockAudio);
  root.querySelectorAll('input[name="mode"]').forEach(function (input) {
    input.addEventListener("change", function () { say(""); showMode(); });
  });
  [placeSelect, holderSelect, auditSelect].forEach(function (select) {
    if (select) { select.addEventListener("change", function () { save(); showProgress(); }); }
  });
  placeSelect.addEventListener("change", sayRoom);
  if (auditSelect) { auditSelect.addEventListener("change", showAuditRoom); }
  $("scan-type").addEventListener("submit", function (event) {
    event.preventDefault();
    var input = $("scan-code"), text = input.value.trim();
    if (text) { handle(text, true); }
    input.value = "";
    input.focus();
  });

  // Restore the last settings, and what still waits to be sent.
  var last = saved();
  var wanted = last.mode && root.querySelector('input[name="mode"][value="' + CSS.escape(last.mode) + '"]');
  if (wanted) { wanted.checked = true; }
  choose(placeSelect, last.place);
  choose(holderSelect, last.holder);
  choose(auditSelect, last.audit);
  showMode();
  queue.all().then(function (rows) {
    rows.forEach(function (item) {
      if (item.action !== "room") { waiting(entry(item, pretty(item.code || ""))); }
    });
    queue.count(navigator.onLine ? "" : "offline");
    queue.flush();
  }, function () {
    say("This browser cannot keep scans offline (storage is blocked).", "bad");
  });
  window.addEventListener("offline", function () { queue.count("offline"); });

  // Let the page open again with no signal. The worker only ever answers for
  // /scan; asset pages always come from the server.
  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register(data.workerUrl, { scope: data.workerScope }).then(function () {
      if (!window.caches) { return; }
      var urls = [data.workerScope, data.decoderUrl];
      document.querySelectorAll("script[src], link[rel=stylesheet]").forEach(function (el) {
        urls.push(el.getAttribute("src") || el.getAttribute("href"));
      });
      return caches.open("tagtrail-scan-v1").then(function (cache) {
        return Promise.all(urls.map(function (url) { return cache.add(url).catch(function () {}); }));
      });
    }).catch(function () { /* no offline copy; everything else still works */ });
  }
})();
