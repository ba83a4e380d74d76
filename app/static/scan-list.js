// tagtrail scanner: the running list, one line per scan, newest first.
(function () {
  "use strict";
  var WORDS = { open: "Open", tick: "Audit", checkout: "Check out to…", "return": "Return",
                move: "Move to…", undo: "Undo", room: "I am in…" };

  function List(element) {
    this.element = element;
    this.entries = {};  // idempotency key -> line
  }

  List.prototype.add = function (item, what) {
    var li = document.createElement("li");
    li.className = "scan-item is-pending";
    var head = document.createElement("p");
    var name = document.createElement("strong");
    name.className = "scan-what";
    name.textContent = what;
    var word = document.createElement("span");
    word.className = "scan-word";
    word.textContent = WORDS[item.action] || "";
    head.append(name, " ", word);
    var message = document.createElement("p");
    message.className = "scan-message";
    li.append(head, message);
    this.element.prepend(li);
    if (item.key) { this.entries[item.key] = li; }
    li.dataset.code = item.code || "";
    li.dataset.action = item.action || "";
    return li;
  };

  List.prototype.find = function (key) { return this.entries[key]; };

  List.prototype.set = function (li, state, text) {
    li.className = "scan-item is-" + state;
    li.querySelector(".scan-message").textContent = text;
  };

  List.prototype.waiting = function (li) {
    this.set(li, "pending", navigator.onLine ? "Sending…" : "Waiting to send (no connection).");
  };

  // The line of an earlier tick of this code in this audit, if it stands.
  List.prototype.ticked = function (code, auditId) {
    var line = this.element.querySelector(
      '.scan-item.is-done[data-action="tick"][data-code="' + CSS.escape(code) + '"]');
    return line && line.dataset.audit === String(auditId) ? line : null;
  };

  List.prototype.button = function (li, label, onClick) {
    if (li.querySelector("button")) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "small";
    button.textContent = label;
    button.addEventListener("click", function () { onClick(li, button); });
    li.append(button);
  };

  List.prototype.undoButton = function (li, undo) { this.button(li, "Undo", undo); };

  window.TagtrailList = List;
  window.TagtrailList.WORDS = WORDS;
})();
