// The map on an alert's page: a marker where the plate was read. Tiles come from
// PLATEKEEPER_MAP_TILES when set; without it the server's own street layer is drawn.
(function () {
  "use strict";

  var element = document.getElementById("alert-map");
  if (!element || !window.L) {
    return;
  }
  var position = [parseFloat(element.dataset.lat), parseFloat(element.dataset.lon)];
  var map = window.L.map(element, { scrollWheelZoom: false }).setView(position, 16);
  if (window.PlatekeeperMaps) {
    window.PlatekeeperMaps.addTiles(map, element);
    window.PlatekeeperMaps.addStreets(map, element);
  }
  window.L.circle(position, { radius: 40, weight: 1 }).addTo(map);
  window.L.marker(position, { title: element.dataset.label, alt: element.dataset.label })
    .addTo(map)
    .bindPopup(element.dataset.label);
})();
