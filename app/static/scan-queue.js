// tagtrail scanner: the queue of scans waiting to reach the server.
// Scans are kept in IndexedDB until the server has answered them, so a dead
// spot, a closed tab or a reload loses nothing. Each carries a random key:
// the server applies a key once, so sending again after a lost answer is safe.
(function () {
  "use strict";
  var DB = "tagtrail-scanner", STORE = "queue", BATCH = 20;
  var MAX_WAIT = 60000;

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "key" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function run(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result = work(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(result && result.result); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function newKey() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function Queue(options) {
    this.url = options.url;
    this.user = options.user;
    this.token = options.token;
    this.onAnswer = options.onAnswer;   // (item, result, audits)
    this.onCount = options.onCount;     // (number waiting, problem or "")
    this.onToken = options.onToken;     // () -> Promise of a fresh CSRF token
    this.sending = false;
    this.wait = 1000;
    this.timer = null;
    var queue = this;
    window.addEventListener("online", function () { queue.wait = 1000; queue.flush(); });
  }

  Queue.prototype.all = function () {
    var user = this.user;
    return run("readonly", function (store) { return store.getAll(); }).then(function (rows) {
      // A shared phone: someone else's scans wait for them to sign in again.
      return (rows || []).filter(function (row) { return row.user === user; })
        .sort(function (a, b) { return a.scanned_at - b.scanned_at; });
    });
  };

  Queue.prototype.count = function (problem) {
    var queue = this;
    return this.all().then(function (rows) { queue.onCount(rows.length, problem || ""); return rows; });
  };

  // Keep a scan until the server answers it, then try to send it now.
  Queue.prototype.add = function (item) {
    item.key = item.key || newKey();
    item.user = this.user;
    var queue = this;
    return run("readwrite", function (store) { store.put(item); }).then(function () {
      queue.count();
      queue.flush();
      return item;
    });
  };

  Queue.prototype.remove = function (keys) {
    return run("readwrite", function (store) {
      keys.forEach(function (key) { store.delete(key); });
    });
  };

  function wire(item) {
    var out = {};
    ["key", "action", "code", "scanned_at", "audit_id", "room_id", "location_id",
     "holder_id", "receipt_id", "tick_id", "typed"].forEach(function (name) {
      if (item[name] !== undefined && item[name] !== null) { out[name] = item[name]; }
    });
    return out;
  }

  // POST actions; resolves with the parsed answer, or rejects with
  // {retry: bool, message, csrf: bool}.
  Queue.prototype.post = function (items) {
    var queue = this;
    return fetch(this.url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": this.token,
                 "Accept": "application/json" },
      body: JSON.stringify({ actions: items.map(wire) })
    }).catch(function () {
      throw { retry: true, message: "" };
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (response.ok && json && !response.redirected) { return response.json(); }
      if (!json && (response.redirected || response.status === 400)) {
        // Signed out (the sign-in page) or a stale CSRF token (a page from
        // the offline copy): get a fresh token and try again later.
        return queue.onToken().then(function (token) {
          if (token) { queue.token = token; throw { retry: true, message: "" }; }
          throw { retry: false, message: "Signed out: sign in again to send them." };
        }, function () {
          throw { retry: true, message: "" };
        });
      }
      if (response.status >= 500 || !json) {
        throw { retry: true, message: "The server had a problem (" + response.status + "); retrying." };
      }
      return response.json().then(function (body) {
        throw { retry: false, message: body.error || "Refused (" + response.status + ")." };
      });
    });
  };

  Queue.prototype.schedule = function () {
    var queue = this;
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { queue.flush(); }, this.wait);
    this.wait = Math.min(Math.max(this.wait, 1000) * 2, MAX_WAIT);
  };

  // Send what waits, a batch at a time, until the queue is empty or the
  // network fails (then again after a growing pause, or when back online).
  Queue.prototype.flush = function () {
    if (this.sending) { this.again = true; return Promise.resolve(); }  // after this send
    var queue = this;
    this.sending = true;
    return this.all().then(function (rows) {
      if (!rows.length) { return false; }
      var items = rows.slice(0, BATCH);
      return queue.post(items).then(function (answer) {
        var done = [];
        answer.results.forEach(function (result, i) {
          done.push(items[i].key);
          queue.onAnswer(items[i], result, answer.audits || {});
        });
        queue.wait = 1000;
        return queue.remove(done).then(function () { return rows.length > items.length; });
      }, function (problem) {
        if (problem.retry) {
          queue.schedule();
          queue.count(problem.message || (navigator.onLine ? "" : "offline"));
        } else {
          queue.count(problem.message);
        }
        return "failed";
      });
    }).then(function (more) {
      queue.sending = false;
      queue.count();
      var again = queue.again && more !== "failed";
      queue.again = false;
      if (more === true || again) { return queue.flush(); }
    }, function () {
      queue.sending = false;
    });
  };

  // Check-out is never queued: the person handing an item over needs the
  // answer now. Sent once; a failure is reported, not retried.
  Queue.prototype.sendNow = function (item) {
    item.key = item.key || newKey();
    return this.post([item]).then(function (answer) {
      return { result: answer.results[0], audits: answer.audits || {} };
    });
  };

  window.TagtrailQueue = Queue;
  window.TagtrailQueue.newKey = newKey;
})();
