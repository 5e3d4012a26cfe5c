// What every map of platekeeper draws the same way: the street layer this server serves (the
// demo town's streets or PLATEKEEPER_MAP_FILE, never a third party's), camera markers that are
// labelled and gather into a numbered cluster when they overlap, and numbered sightings.
// Loaded after Leaflet and before the page's own map script, which calls window.PlatekeeperMaps.
(function () {
  "use strict";

  var L = window.L;
  if (!L) {
    return;
  }
  // Markers closer than this on screen gather into one cluster.
  var CLUSTER_PIXELS = 34;
  // Street names are drawn from this zoom on; further out they would cover each other.
  var STREET_LABEL_ZOOM = 16;

  function text(tag, className, content) {
    var node = document.createElement(tag);
    node.className = className;
    node.textContent = content;
    return node;
  }

  // PLATEKEEPER_MAP_TILES when the department set it (data-tiles); else the map is marked
  // `no-tiles` and only the server's own streets are drawn (addStreets).
  function addTiles(map, element) {
    if (element.dataset.tiles) {
      L.tileLayer(element.dataset.tiles, {
        maxZoom: 19,
        attribution: element.dataset.attribution || "",
      }).addTo(map);
    } else {
      element.classList.add("no-tiles");
    }
  }

  // The server's street layer under everything else, unless tiles already draw the streets.
  function addStreets(map, element) {
    var url = element.dataset.streets;
    if (!url || element.dataset.tiles) {
      return;
    }
    map.createPane("streets");
    map.getPane("streets").style.zIndex = 350;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) {
          return;
        }
        var names = L.layerGroup();
        var layer = L.geoJSON(data, {
          pane: "streets",
          interactive: false,
          style: function () { return { color: "#ffffff", weight: 7, opacity: 1, className: "street-casing" }; },
        }).addTo(map);
        L.geoJSON(data, {
          pane: "streets",
          interactive: false,
          style: function () { return { color: "#c9c2b4", weight: 4, opacity: 1, className: "street" }; },
          onEachFeature: function (feature, line) {
            var name = feature.properties && feature.properties.name;
            var vertices = line.getLatLngs ? L.LineUtil.isFlat(line.getLatLngs())
              ? line.getLatLngs() : [].concat.apply([], line.getLatLngs()) : [];
            if (name && vertices.length) {
              names.addLayer(L.tooltip({
                permanent: true, direction: "center", className: "street-name", opacity: 0.9,
              }).setLatLng(vertices[Math.floor(vertices.length / 2)]).setContent(name));
            }
          },
        }).addTo(map);
        function showNames() {
          if (map.getZoom() >= STREET_LABEL_ZOOM) {
            names.addTo(map);
          } else {
            names.remove();
          }
        }
        map.on("zoomend", showNames);
        showNames();
        element.classList.add("has-streets");
        element.dispatchEvent(new CustomEvent("streets-drawn", { detail: layer }));
      })
      .catch(function () { /* no street layer: markers still show on the plain background */ });
  }

  // Markers that gather into one numbered cluster when they overlap on screen; a cluster zooms
  // in when clicked, or lists its members (as links when they have one) at the last zoom.
  // `single(item)` draws one marker on its own.
  function addClustered(map, items, className, single) {
    var group = L.layerGroup().addTo(map);
    function draw() {
      group.clearLayers();
      var clusters = [];
      items.forEach(function (item) {
        var point = map.latLngToLayerPoint([item.lat, item.lon]);
        var home = clusters.filter(function (c) { return c.point.distanceTo(point) < CLUSTER_PIXELS; })[0];
        if (home) {
          home.members.push(item);
        } else {
          clusters.push({ point: point, members: [item] });
        }
      });
      clusters.forEach(function (cluster) {
        if (cluster.members.length === 1) {
          single(cluster.members[0]).addTo(group);
          return;
        }
        var bounds = L.latLngBounds(cluster.members.map(function (c) { return [c.lat, c.lon]; }));
        var list = document.createElement("ul");
        list.className = "cluster-list";
        cluster.members.forEach(function (member) {
          var entry = document.createElement("li");
          if (member.url) {
            var link = text("a", "", member.label);
            link.href = member.url;
            entry.appendChild(link);
          } else {
            entry.textContent = member.label;
          }
          list.appendChild(entry);
        });
        var count = cluster.members.length;
        var marker = L.marker(bounds.getCenter(), {
          icon: L.divIcon({ className: "map-cluster " + className, html: String(count), iconSize: [28, 28] }),
          title: count + " here",
          alt: count + " here",
        }).bindPopup(list).addTo(group);
        marker.on("click", function () {
          var spread = bounds.getNorthEast().distanceTo(bounds.getSouthWest()) > 1;
          if (spread && map.getZoom() < map.getMaxZoom()) {
            marker.closePopup();
            map.fitBounds(bounds.pad(0.5), { maxZoom: map.getMaxZoom() });
          }
        });
      });
    }
    map.on("zoomend", draw);
    map.whenReady(draw);
    return group;
  }

  // Camera markers labelled with their names; grey when the camera is offline.
  function addCameras(map, cameras) {
    return addClustered(map, cameras, "camera-cluster", function (camera) {
      return L.circleMarker([camera.lat, camera.lon], {
        radius: 6, weight: 2, color: "#fff", fillOpacity: 1,
        fillColor: camera.online === false ? "#8a8f96" : "#1f5fa8",
        className: "camera-marker",
      }).bindTooltip(camera.label, {
        permanent: true, direction: "right", offset: [8, 0], className: "camera-label",
      });
    });
  }

  // Sightings in time order as numbered points (1 = earliest), not joined by lines: the
  // vehicle's route between two cameras is not known, and a line would suggest one.
  // Several sightings at one camera (of one plate or several) stand side by side instead of on
  // top of each other.
  var takenPlaces = new WeakMap();
  function addNumbered(map, points, colour, popup) {
    var group = L.layerGroup().addTo(map);
    if (!takenPlaces.has(map)) {
      takenPlaces.set(map, {});
    }
    var taken = takenPlaces.get(map);
    points.forEach(function (point, index) {
      var place = point.lat.toFixed(5) + "," + point.lon.toFixed(5);
      var shift = (taken[place] || 0) * 24;
      taken[place] = (taken[place] || 0) + 1;
      var icon = L.divIcon({
        className: "sighting-number sighting-" + colour,
        html: String(index + 1),
        iconSize: [22, 22],
        iconAnchor: [11 - shift, 11],
      });
      L.marker([point.lat, point.lon], { icon: icon, title: (index + 1) + ": " + point.label })
        .bindPopup(popup(point))
        .addTo(group);
    });
    return group;
  }

  window.PlatekeeperMaps = {
    addTiles: addTiles, addStreets: addStreets, addClustered: addClustered, addCameras: addCameras, addNumbered: addNumbered,
  };
})();
