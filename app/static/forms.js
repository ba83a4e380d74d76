// Small helps for forms, loaded only by the pages that use them. Every form
// works without this file; it only saves typing.
(function () {
  "use strict";
  // Set-up: start from the browser's own time zone, and that zone's currency,
  // until the person picks one themselves.
  var zone = document.querySelector("select[data-browser-zone]");
  var money = document.querySelector("select[data-zone-currencies]");
  var touched = false;
  function has(select, value) {
    return Array.prototype.some.call(select.options, function (o) { return o.value === value; });
  }
  function follow() {
    if (!money || touched) { return; }
    var byZone = {};
    try { byZone = JSON.parse(money.getAttribute("data-zone-currencies")) || {}; } catch (e) { return; }
    var code = byZone[zone.value] || "GBP";
    if (has(money, code)) { money.value = code; }
  }
  if (zone) {
    var browser = "";
    try { browser = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { browser = ""; }
    if (browser && has(zone, browser)) { zone.value = browser; }
    follow();
    zone.addEventListener("change", follow);
    if (money) { money.addEventListener("change", function () { touched = true; }); }
  }
  // "Show password": a box beside each new-password field switches it between
  // hidden and plain text. Hidden without JavaScript, where it could do nothing.
  document.querySelectorAll("input[type=checkbox][data-shows]").forEach(function (box) {
    var field = document.getElementById(box.getAttribute("data-shows"));
    if (!field) { return; }
    box.closest(".show-password").hidden = false;
    box.checked = false;
    box.addEventListener("change", function () {
      field.type = box.checked ? "text" : "password";
    });
    // Never leave a password shown in a form the browser might keep or autofill.
    if (field.form) {
      field.form.addEventListener("submit", function () { field.type = "password"; });
    }
  });
  // A choice's own field (the category, the place or the day beside its radio
  // button): filling it in picks that choice. Caught on the way down, so a form
  // that refreshes itself on a change (htmx) already sends the choice with it.
  document.addEventListener("change", function (event) {
    var field = event.target;
    var value = field.getAttribute && field.getAttribute("data-picks");
    if (!value || !field.form) { return; }
    Array.prototype.forEach.call(field.form.querySelectorAll("input[type=radio]"), function (radio) {
      if (radio.name === field.getAttribute("data-choice") && radio.value === value) {
        radio.checked = true;
      }
    });
  }, true);
})();
