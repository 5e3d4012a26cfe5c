// The dashboard's map of the cameras on the server's street layer: where each fixed camera
// stands and whether it is online. Cameras come from the server as JSON, never inline script.
(function () {
  "use strict";

  var element = document.getElementById("camera-map");
  if (!element || !window.L || !window.PlatekeeperMaps) {
    return;
  }
  var L = window.L;
  var map = L.map(element, { scrollWheelZoom: false }).setView([20, 0], 2);
  window.PlatekeeperMaps.addTiles(map, element);
  fetch(element.dataset.cameras, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) { return response.ok ? response.json() : { cameras: [] }; })
    .then(function (data) {
      var cameras = data.cameras || [];
      if (cameras.length) {
        var bounds = L.latLngBounds(cameras.map(function (c) { return [c.lat, c.lon]; }));
        map.fitBounds(bounds, { padding: [24, 24], maxZoom: 17 });
      }
      window.PlatekeeperMaps.addStreets(map, element);
      window.PlatekeeperMaps.addCameras(map, cameras);
      element.dataset.cameraCount = String(cameras.length);
    });
})();
