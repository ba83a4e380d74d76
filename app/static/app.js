// tagtrail: the little script the pages need. htmx does the rest.
// A failed request must never look like success on a weak connection: say
// so in the message area, and say that nothing was saved.
(function () {
  "use strict";
  // htmx's settings, here rather than in every page's head (a meta tag of a
  // third of a kilobyte). This script runs after htmx and before it starts (both
  // are deferred), so every request already goes by them: no eval, no script
  // tags from answers, and refusals (409, 422) are swapped in to be read.
  if (window.htmx) {
    Object.assign(window.htmx.config, {
      allowEval: false,
      allowScriptTags: false,
      includeIndicatorStyles: false,
      historyCacheSize: 0,
      attributesToSettle: ["class", "width", "height"],
      responseHandling: [
        { code: "204", swap: false },
        { code: "[23]..", swap: true },
        { code: "409", swap: true },
        { code: "422", swap: true },
        { code: "[45]..", swap: false, error: true },
        { code: "...", swap: false }
      ]
    });
  }
  function say(text) {
    var flash = document.getElementById("flash");
    if (!flash) { return; }
    var p = document.createElement("p");
    p.className = "flash flash-error";
    p.setAttribute("role", "alert");
    p.textContent = text;
    flash.replaceChildren(p);
  }
  // Signed out (here, or everywhere from another device): the scanner's offline
  // copy names people, places and audits, so its worker must drop it.
  if (document.querySelector('meta[name="tagtrail-signed-out"]') && navigator.serviceWorker) {
    navigator.serviceWorker.getRegistrations().then(function (registrations) {
      registrations.forEach(function (registration) {
        var worker = registration.active || registration.waiting || registration.installing;
        if (worker) { worker.postMessage("signed-out"); }
      });
    }, function () {});
  }
  document.addEventListener("htmx:sendError", function () {
    say("No connection. Nothing was sent; try again when you have signal.");
  });
  document.addEventListener("htmx:timeout", function () {
    say("The server took too long to answer. Reload the page to see what was saved.");
  });
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    var full = event.detail.xhr && event.detail.xhr.getResponseHeader("X-Tagtrail-Error") === "storage-full";
    say(full ? "Storage full, nothing was saved. Tell whoever runs the server."
      : status === 413 ? "That file is too large (" + document.body.dataset.uploadLimit + " at most). Nothing was saved."
      : status === 429 ? "Too many attempts. Wait a minute and try again."
      : status === 403 ? "Your account cannot do that. Nothing was saved."
      : "That did not work (error " + status + "). Nothing was saved; reload and try again.");
  });
})();

// The asset list's ticks for printing. Without this script the boxes belong to
// #print-form (form="print-form") and send their codes themselves. A new search
// or page would drop those ticks with the rows, so here each ticked code is
// kept in the form as a hidden field instead (the boxes leave the form, so no
// code is sent twice), boxes shown again come back ticked, and the form says
// how many are ticked.
(function () {
  "use strict";
  var BOX = "input[type=checkbox].print-tick";
  function form() { return document.getElementById("print-form"); }
  function kept(f) { return f.querySelectorAll("input[type=hidden][name=asset]"); }
  function keep(f, code, on) {
    var found = null;
    kept(f).forEach(function (input) { if (input.value === code) { found = input; } });
    if (on && !found) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "asset";
      input.value = code;
      f.appendChild(input);
    } else if (!on && found) {
      found.remove();
    }
  }
  function count(f) {
    var label = document.getElementById("ticked-count");
    if (!label) { return; }
    label.textContent = kept(f).length + " ticked";
    label.hidden = false;
  }
  function restore() {
    var f = form();
    if (!f) { return; }
    var codes = {};
    kept(f).forEach(function (input) { codes[input.value] = true; });
    document.querySelectorAll(BOX).forEach(function (box) {
      if (box.checked) { keep(f, box.value, true); codes[box.value] = true; }
      box.checked = codes[box.value] === true;
      box.removeAttribute("form");
    });
    count(f);
  }
  document.addEventListener("change", function (event) {
    var f = form();
    if (!f || !event.target.matches || !event.target.matches(BOX)) { return; }
    keep(f, event.target.value, event.target.checked);
    count(f);
  });
  document.addEventListener("htmx:afterSettle", restore);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", restore);
  } else {
    restore();
  }
})();

// The audit page's typed code: after a tick the box is emptied for the next code
// and keeps the focus; after a "check it" question the code stays to be corrected.
(function () {
  "use strict";
  document.addEventListener("tagtrail-ticked", function (event) {
    var form = event.target.closest ? event.target.closest("#typed-form") : null;
    var box = form ? form.querySelector("input[name=code]") : null;
    if (!box) { return; }
    box.value = "";
    box.focus();
  });
})();

// The asset form's custom fields: show those the chosen category has (fields for
// every asset, and that category's own), and hide and switch off the rest, so a
// hidden field sends nothing. Without this script every field shows, each one
// for a single category saying so.
(function () {
  "use strict";
  var category = document.getElementById("category");
  var fields = document.querySelectorAll("[data-custom-category]");
  if (!category || !fields.length) { return; }
  function apply() {
    fields.forEach(function (field) {
      var own = field.getAttribute("data-custom-category");
      var on = own === "" || own === category.value;
      field.hidden = !on;
      field.querySelectorAll("input, select").forEach(function (input) { input.disabled = !on; });
    });
  }
  category.addEventListener("change", apply);
  apply();
})();

// "Copy link" next to an invite or password link shown to pass on: the button
// shows only where this script runs; without it the link is selectable text.
(function () {
  "use strict";
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      source.select();
      var done = function () { button.textContent = "Copied"; };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(source.value).then(done, function () {
          document.execCommand("copy");
          done();
        });
      } else {
        document.execCommand("copy");
        done();
      }
    });
  });
})();
