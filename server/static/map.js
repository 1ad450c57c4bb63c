// Draws the points listed in #map-data on a Leaflet map; the same points are listed in the HTML,
// so the page stays useful without JavaScript or when the tile server cannot be reached.
(function () {
  "use strict";
  function start() {
    var element = document.getElementById("map");
    var data = document.getElementById("map-data");
    if (!element || !data || typeof L === "undefined") {
      return;
    }
    var points = JSON.parse(data.textContent);
    var map = L.map(element, { scrollWheelZoom: false });
    var tiles = L.tileLayer(element.dataset.tileUrl, {
      maxZoom: 18,
      attribution: element.dataset.tileAttribution,
    });
    tiles.on("tileerror", function () {
      element.classList.add("tiles-failed");
    });
    tiles.addTo(map);
    var bounds = [];
    points.forEach(function (point) {
      var marker = L.circleMarker([point.lat, point.long], { radius: 7, weight: 2 }).addTo(map);
      var link = document.createElement("a");
      link.textContent = point.label; // text, never HTML: labels come from the data
      if (point.href) {
        link.href = point.href;
      }
      marker.bindPopup(link);
      marker.bindTooltip(point.label);
      bounds.push([point.lat, point.long]);
    });
    if (bounds.length === 1) {
      map.setView(bounds[0], 10);
    } else if (bounds.length > 1) {
      map.fitBounds(bounds, { padding: [20, 20], maxZoom: 11 });
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
