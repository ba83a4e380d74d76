// tagtrail scanner's service worker. Registered with the scope of the /scan
// page only, so it never answers for an asset page: those always come from
// the server, never from a stale copy. The scanner page itself is fetched
// from the network first; only with no network does the last copy open, so an
// auditor can reopen the scanner in a dead spot and keep queueing scans.
"use strict";
var CACHE = "tagtrail-scan-v1";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

// The sign-in page says so when nobody is signed in: forget everything kept.
self.addEventListener("message", function (event) {
  if (event.data === "signed-out") { event.waitUntil(caches.delete(CACHE)); }
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }  // scans are sent by the page, never replayed here
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).then(function (response) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) {
        // Signed out (sent to sign in): forget everything kept, the copy holds names and places.
        if (response.redirected) { return caches.delete(CACHE); }
        if (!response.ok) { return cache.delete(url.pathname); }
        return cache.put(url.pathname, copy);
      });
      return response;
    }).catch(function () {
      return caches.match(url.pathname).then(function (copy) { return copy || Response.error(); });
    }));
    return;
  }
  // Static files carry their content hash in ?v=, so a kept copy is never stale.
  if (url.searchParams.has("v")) {
    event.respondWith(caches.match(request).then(function (copy) {
      return copy || fetch(request).then(function (response) {
        if (response.ok) {
          var kept = response.clone();
          caches.open(CACHE).then(function (cache) { cache.put(request, kept); });
        }
        return response;
      });
    }));
  }
});
