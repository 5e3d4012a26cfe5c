// The map of the investigation pages: areas searched, reads, per-plate sightings and cameras. On
// the canvass and scenes pages a click on the map fills in the form. Tiles come from
// PLATEKEEPER_MAP_TILES when set; without it the server's own street layer is drawn (an agency
// network may have no internet). The data arrives as a JSON block, never inline script.
(function () {
  "use strict";

  var element = document.getElementById("investigation-map");
  var source = document.getElementById("map-data");
  if (!element || !source || !window.L) {
    return;
  }
  var L = window.L;
  var layers = window.PlatekeeperMaps;
  var data = JSON.parse(source.textContent);
  var COLOURS = ["#1f5fa8", "#2e8540", "#8a4baf", "#c26a00", "#00838f", "#6d4c41", "#ad1457"];
  // Numbered sightings take the same colours from map_layers.css: sighting-0 ... sighting-6.
  var TARGET = "#c62828";

  var map = L.map(element, { scrollWheelZoom: false });
  if (layers) {
    layers.addTiles(map, element);
    layers.addStreets(map, element);
  }

  var bounds = L.latLngBounds([]);

  // Popups are built as elements, so a plate or camera name is always text, never markup.
  function popup(point) {
    var box = document.createElement("div");
    var text = document.createElement("div");
    text.textContent = point.label;
    box.appendChild(text);
    if (point.url) {
      var link = document.createElement("a");
      link.href = point.url;
      link.textContent = "open the read";
      box.appendChild(link);
    }
    return box;
  }

  // Returns the area's bounds, computed without the map: layers added before the map has a
  // view are only placed once it has one.
  function drawArea(area, colour) {
    var layer = null;
    var extent = null;
    if (area.circle) {
      layer = L.circle([area.circle[0], area.circle[1]], { radius: area.circle[2] });
      extent = L.latLng(area.circle[0], area.circle[1]).toBounds(2 * area.circle[2]);
    } else if (area.polygon) {
      layer = L.polygon(area.polygon);
      extent = L.latLngBounds(area.polygon);
    }
    if (!layer) {
      return null;
    }
    layer.setStyle({ color: colour || TARGET, weight: 2, fillOpacity: 0.08 });
    layer.addTo(map);
    if (area.label) {
      layer.bindTooltip(area.label, { permanent: true, direction: "center" });
    }
    return extent;
  }

  function readMarker(point) {
    return L.circleMarker([point.lat, point.lon], {
      radius: 6, color: "#1f5fa8", weight: 2, fillOpacity: 0.6,
    }).bindPopup(popup(point));
  }

  (data.areas || []).forEach(function (area, index) {
    var extent = drawArea(area, (data.areas.length > 1) ? COLOURS[index % COLOURS.length] : TARGET);
    if (extent) {
      bounds.extend(extent);
    }
  });

  var points = data.points || [];
  points.forEach(function (point) { bounds.extend([point.lat, point.lon]); });
  if (layers) {
    layers.addCameras(map, data.cameras || []);
    layers.addClustered(map, points, "read-cluster", readMarker);
  } else {
    points.forEach(function (point) { readMarker(point).addTo(map); });
  }

  // Each plate's sightings as numbered points in time order, never a line suggesting a route.
  (data.tracks || []).forEach(function (track, index) {
    var colour = track.role === "target" ? "target" : String(index % COLOURS.length);
    if (layers) {
      layers.addNumbered(map, track.points, colour, popup);
    }
    track.points.forEach(function (point) { bounds.extend([point.lat, point.lon]); });
  });

  if (bounds.isValid()) {
    map.fitBounds(bounds, { padding: [24, 24], maxZoom: 17 });
  } else if (data.centre) {
    map.setView(data.centre, 14);
  } else {
    map.setView([20, 0], 2);
  }

  // --- picking places on the map -------------------------------------------------------------

  var preview = L.layerGroup().addTo(map);

  function field(id) {
    return document.getElementById(id);
  }

  function pickForCanvass() {
    var lat = field("id_lat");
    var lon = field("id_lon");
    var radius = field("id_radius_m");
    var polygon = field("id_polygon");
    var status = field("polygon-status");
    var clear = field("polygon-clear");
    if (!lat || !lon || !radius || !polygon) {
      return;
    }
    function shape() {
      var checked = document.querySelector("input[name=shape]:checked");
      return checked ? checked.value : "circle";
    }
    function vertices() {
      return polygon.value.split(";").filter(Boolean).map(function (pair) {
        return pair.split(",").map(parseFloat);
      });
    }
    function redraw() {
      preview.clearLayers();
      if (shape() === "polygon") {
        var points = vertices();
        if (points.length >= 3) {
          L.polygon(points, { color: TARGET, dashArray: "4 4", weight: 2 }).addTo(preview);
        } else if (points.length) {
          L.polyline(points, { color: TARGET, dashArray: "4 4" }).addTo(preview);
        }
        points.forEach(function (p) { L.circleMarker(p, { radius: 3, color: TARGET }).addTo(preview); });
        if (status) {
          status.textContent = points.length ? points.length + " corner(s) drawn" : "Click the map to add corners";
        }
      } else if (lat.value && lon.value) {
        L.circle([parseFloat(lat.value), parseFloat(lon.value)], {
          radius: parseFloat(radius.value) || 500, color: TARGET, dashArray: "4 4", weight: 2,
        }).addTo(preview);
        if (status) {
          status.textContent = "";
        }
      }
    }
    // One way to say where: a click or typed coordinates empty the address, and a typed
    // address empties the coordinates (the server places it; coordinates win when both come).
    var address = field("id_address");
    map.on("click", function (event) {
      var lat6 = event.latlng.lat.toFixed(6);
      var lon6 = event.latlng.lng.toFixed(6);
      if (shape() === "polygon") {
        polygon.value = (polygon.value ? polygon.value + ";" : "") + lat6 + "," + lon6;
      } else {
        lat.value = lat6;
        lon.value = lon6;
        if (address) {
          address.value = "";
        }
      }
      redraw();
    });
    [lat, lon, radius].forEach(function (input) { input.addEventListener("input", redraw); });
    [lat, lon].forEach(function (input) {
      input.addEventListener("input", function () {
        if (address) {
          address.value = "";
        }
      });
    });
    if (address) {
      address.addEventListener("input", function () {
        lat.value = "";
        lon.value = "";
        redraw();
      });
    }
    document.querySelectorAll("input[name=shape]").forEach(function (input) {
      input.addEventListener("change", redraw);
    });
    if (clear) {
      clear.addEventListener("click", function () {
        polygon.value = "";
        redraw();
      });
    }
    redraw();
  }

  function pickForScenes() {
    var rows = Array.prototype.slice.call(document.querySelectorAll(".scene-row"));
    map.on("click", function (event) {
      var empty = rows.filter(function (row) {
        return !row.querySelector("input[name^=lat]").value;
      })[0] || rows[rows.length - 1];
      empty.querySelector("input[name^=lat]").value = event.latlng.lat.toFixed(6);
      empty.querySelector("input[name^=lon]").value = event.latlng.lng.toFixed(6);
      var radius = empty.querySelector("input[name^=radius]");
      L.circle(event.latlng, {
        radius: parseFloat(radius && radius.value) || 300, color: TARGET, dashArray: "4 4",
      }).bindTooltip("Scene " + empty.dataset.scene, { permanent: true }).addTo(preview);
    });
  }

  if (element.dataset.pick === "canvass") {
    pickForCanvass();
  } else if (element.dataset.pick === "scenes") {
    pickForScenes();
  }
})();
