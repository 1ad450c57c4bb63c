// Draws France's outline (served by this site, /map/france.geojson) and the points listed in #map-data
// with Leaflet; tiles only when the operator configured a tile server. Markers are keyboard-focusable
// (Tab, then Enter opens the link) and the same points are listed in the HTML below the map.
(function () {
  "use strict";
  function start() {
    var element = document.getElementById("map");
    var data = document.getElementById("map-data");
    if (!element || !data || typeof L === "undefined") {
      return;
    }
    var points = JSON.parse(data.textContent);
    var map = L.map(element, { scrollWheelZoom: false, keyboard: true, attributionControl: true });
    map.attributionControl.setPrefix("Leaflet");
    if (element.dataset.tileUrl) {
      var tiles = L.tileLayer(element.dataset.tileUrl, {
        maxZoom: 18,
        attribution: element.dataset.tileAttribution,
      });
      tiles.on("tileerror", function () {
        element.classList.add("tiles-failed");
      });
      tiles.addTo(map);
    }
    if (element.dataset.outlineUrl) {
      fetch(element.dataset.outlineUrl)
        .then(function (response) {
          return response.json();
        })
        .then(function (outline) {
          var layer = L.geoJSON(outline, {
            interactive: false,
            style: { color: "#1d3557", weight: 1, fillColor: "#e9eef5", fillOpacity: 1 },
          });
          layer.addTo(map);
          layer.bringToBack();
          map.attributionControl.addAttribution("Natural Earth");
          element.classList.add("outline-drawn");
        })
        .catch(function () {
          element.classList.add("outline-failed");
        });
    }
    var bounds = [];
    points.forEach(function (point) {
      var icon = L.divIcon({ className: "map-point", iconSize: [14, 14] });
      var marker = L.marker([point.lat, point.long], {
        icon: icon,
        keyboard: true,
        title: point.label,
        alt: point.label,
      }).addTo(map);
      var link = document.createElement("a");
      link.textContent = point.label; // text, never HTML: labels come from the data
      if (point.href) {
        link.href = point.href;
      }
      marker.bindPopup(link);
      marker.on("keypress", function (event) {
        if (event.originalEvent.key === "Enter" && point.href) {
          window.location.href = point.href;
        }
      });
      bounds.push([point.lat, point.long]);
    });
    if (bounds.length === 1) {
      map.setView(bounds[0], 8);
    } else if (bounds.length > 1) {
      map.fitBounds(bounds, { padding: [20, 20], maxZoom: 9 });
    } else {
      map.setView([46.6, 2.4], 5);
    }
    element.classList.add("map-ready");
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
