// Draws France's outline (served by this site, /map/france.geojson) and the points listed in #map-data
// with Leaflet; tiles only when the operator configured a tile server. Markers are keyboard-focusable
// (Tab, then Enter opens the link) and the same points are listed in the HTML below the map.
(function () {
  "use strict";
  // Overseas départements get their own small map below the main one, which shows metropolitan France.
  var OVERSEAS = [
    { fr: "Guadeloupe", en: "Guadeloupe", box: [[15.8, -61.9], [16.55, -60.95]] },
    { fr: "Martinique", en: "Martinique", box: [[14.35, -61.25], [14.9, -60.8]] },
    { fr: "Guyane", en: "French Guiana", box: [[2.1, -54.65], [5.8, -51.6]] },
    { fr: "La Réunion", en: "Réunion", box: [[-21.4, 55.2], [-20.85, 55.85]] },
    { fr: "Mayotte", en: "Mayotte", box: [[-13.05, 44.95], [-12.6, 45.35]] },
  ];
  function within(box, point) {
    return point.lat >= box[0][0] && point.lat <= box[1][0] && point.long >= box[0][1] && point.long <= box[1][1];
  }
  function addPoints(map, points) {
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
    });
  }
  function drawOutline(map, outline, element) {
    var layer = L.geoJSON(outline, {
      interactive: false,
      style: function (feature) {
        if (feature.geometry.type === "MultiLineString") {  // borders between regions
          return { color: "#6b7a90", weight: 1, dashArray: "3 3", fill: false };
        }
        return { color: "#1d3557", weight: 1, fillColor: "#e9eef5", fillOpacity: 1 };
      },
    });
    layer.addTo(map);
    layer.bringToBack();
    layer.eachLayer(function (part) {
      if (part.feature.geometry.type === "MultiLineString") {
        part.bringToFront(); // the borders between regions over the land, not under it
      }
    });
    map.attributionControl.addAttribution("Natural Earth");
    element.classList.add("outline-drawn");
  }
  function newMap(element) {
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
    return map;
  }
  function start() {
    var element = document.getElementById("map");
    var data = document.getElementById("map-data");
    if (!element || !data || typeof L === "undefined") {
      return;
    }
    var points = JSON.parse(data.textContent);
    var lang = document.documentElement.lang === "en" ? "en" : "fr";
    var maps = [];
    var home = points.filter(function (point) {
      return !OVERSEAS.some(function (place) {
        return within(place.box, point);
      });
    });
    var map = newMap(element);
    maps.push([map, element]);
    addPoints(map, home);
    var bounds = home.map(function (point) {
      return [point.lat, point.long];
    });
    if (bounds.length === 1) {
      map.setView(bounds[0], 6); // the place within France
    } else if (bounds.length > 1) {
      map.fitBounds(bounds, { padding: [20, 20], maxZoom: 9 });
    } else {
      map.fitBounds([[41.3, -5.2], [51.1, 9.6]]);
    }
    var insets = document.createElement("div");
    insets.className = "map-insets";
    OVERSEAS.forEach(function (place) {
      var here = points.filter(function (point) {
        return within(place.box, point);
      });
      if (!here.length) {
        return;
      }
      var figure = document.createElement("figure");
      var box = document.createElement("div");
      box.className = "map map-inset";
      box.dataset.tileUrl = element.dataset.tileUrl;
      box.dataset.tileAttribution = element.dataset.tileAttribution;
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", place[lang]);
      var caption = document.createElement("figcaption");
      caption.textContent = place[lang];
      figure.appendChild(box);
      figure.appendChild(caption);
      insets.appendChild(figure);
      element.parentNode.insertBefore(insets, element.nextSibling);
      var inset = newMap(box);
      inset.fitBounds(place.box);
      addPoints(inset, here);
      maps.push([inset, box]);
    });
    if (element.dataset.outlineUrl) {
      fetch(element.dataset.outlineUrl)
        .then(function (response) {
          return response.json();
        })
        .then(function (outline) {
          maps.forEach(function (pair) {
            drawOutline(pair[0], outline, pair[1]);
          });
        })
        .catch(function () {
          element.classList.add("outline-failed");
        });
    }
    element.classList.add("map-ready");
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
