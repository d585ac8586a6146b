/* Concerto, door to door: the app's service worker, version {{ version }} (built by fieldwork/views/app.py).
   Workbox (static/vendor/workbox, MIT) precaches the shell and its assets; the shell is asked from the
   network first (4 s at most, then the saved copy), so a signed-out or updated page is seen when there is
   network and the app still opens in a cellar. The data and the sync endpoints are never cached here:
   the page keeps its data in IndexedDB. */
importScripts({{ imports|safe }});

(function () {
  "use strict";
  var core = workbox.core;
  var routing = workbox.routing;
  var strategies = workbox.strategies;
  var precaching = workbox.precaching;
  var cacheable = workbox.cacheableResponse;
  var SHELL = {{ shell_json|safe }};

  core.setCacheNameDetails({ prefix: "concerto-terrain", suffix: SHELL });
  core.skipWaiting();
  core.clientsClaim();

  routing.registerRoute(
    function (o) { return o.request.mode === "navigate" && o.url.pathname === SHELL; },
    new strategies.NetworkFirst({
      cacheName: "concerto-terrain-pages" + SHELL,
      networkTimeoutSeconds: 4,
      plugins: [
        new cacheable.CacheableResponsePlugin({ statuses: [200] }),
        // A redirect to the sign-in page is not the app: never keep it as the offline copy.
        { cacheWillUpdate: function (o) { return Promise.resolve(o.response.redirected ? null : o.response); } },
        { handlerDidError: function () { return precaching.matchPrecache(SHELL); } }
      ]
    })
  );
  precaching.cleanupOutdatedCaches();
  precaching.precacheAndRoute({{ precache_json|safe }}, { ignoreURLParametersMatching: [/.*/] });
})();
