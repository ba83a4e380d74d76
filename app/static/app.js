// tagtrail: the little script the pages need. htmx does the rest.
// A failed request must never look like success on a weak connection: say
// so in the message area, and say that nothing was saved.
(function () {
  "use strict";
  function say(text) {
    var flash = document.getElementById("flash");
    if (!flash) { return; }
    var p = document.createElement("p");
    p.className = "flash flash-error";
    p.setAttribute("role", "alert");
    p.textContent = text;
    flash.replaceChildren(p);
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
      : status === 413 ? "That file is too large (10 MB at most). Nothing was saved."
      : status === 429 ? "Too many attempts. Wait a minute and try again."
      : status === 403 ? "Your account cannot do that. Nothing was saved."
      : "That did not work (error " + status + "). Nothing was saved; reload and try again.");
  });
})();
