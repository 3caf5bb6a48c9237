/* Payment finder: "use my location" and a small tile map. No library; the page works without
   this file (the form and the list are plain HTML). */
(function () {
  "use strict";

  function setupLocate() {
    var button = document.getElementById("use-location");
    var form = document.getElementById("finder-form");
    if (!button || !form || !("geolocation" in navigator)) return;
    button.hidden = false;
    var status = document.getElementById("locate-status");
    button.addEventListener("click", function () {
      status.textContent = "…";
      navigator.geolocation.getCurrentPosition(
        function (pos) {
          document.getElementById("f-lat").value = pos.coords.latitude.toFixed(6);
          document.getElementById("f-lng").value = pos.coords.longitude.toFixed(6);
          var landmark = document.getElementById("f-landmark");
          if (landmark) landmark.value = "";
          form.submit();
        },
        function () {
          status.textContent = button.getAttribute("data-failed") || "✕";
        },
        { enableHighAccuracy: false, timeout: 10000, maximumAge: 60000 }
      );
    });
  }

  // Web Mercator: longitude/latitude -> world pixel at zoom z (256-pixel tiles).
  function project(lat, lng, z) {
    var scale = 256 * Math.pow(2, z);
    var sin = Math.sin((lat * Math.PI) / 180);
    return {
      x: ((lng + 180) / 360) * scale,
      y: (0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)) * scale,
    };
  }

  function tileUrl(template, z, x, y) {
    return template.replace("{z}", z).replace("{x}", x).replace("{y}", y);
  }

  function drawMap(el, points, origin, zoom) {
    var width = el.clientWidth, height = el.clientHeight;
    var center = project(points.centerLat, points.centerLng, zoom);
    var left = center.x - width / 2, top = center.y - height / 2;
    var n = Math.pow(2, zoom);
    var frag = document.createDocumentFragment();
    for (var tx = Math.floor(left / 256); tx <= Math.floor((left + width) / 256); tx++) {
      for (var ty = Math.floor(top / 256); ty <= Math.floor((top + height) / 256); ty++) {
        if (ty < 0 || ty >= n) continue;
        var img = document.createElement("img");
        img.className = "pay-tile";
        img.alt = "";
        img.src = tileUrl(el.dataset.tileUrl, zoom, ((tx % n) + n) % n, ty);
        img.style.left = Math.round(tx * 256 - left) + "px";
        img.style.top = Math.round(ty * 256 - top) + "px";
        frag.appendChild(img);
      }
    }
    points.items.forEach(function (p, i) {
      var at = project(p.lat, p.lng, zoom);
      var a = document.createElement("a");
      a.className = "pay-marker";
      a.href = "#r" + (i + 1);
      a.textContent = String(i + 1);
      a.title = p.name;
      a.style.left = Math.round(at.x - left) + "px";
      a.style.top = Math.round(at.y - top) + "px";
      frag.appendChild(a);
    });
    if (origin) {
      var o = project(origin.lat, origin.lng, zoom);
      var dot = document.createElement("span");
      dot.className = "pay-origin";
      dot.style.left = Math.round(o.x - left) + "px";
      dot.style.top = Math.round(o.y - top) + "px";
      frag.appendChild(dot);
    }
    el.textContent = "";
    el.appendChild(frag);
    if (el.dataset.attribution) {
      var attr = document.createElement("small");
      attr.className = "pay-attribution";
      attr.textContent = el.dataset.attribution;
      el.appendChild(attr);
    }
    var controls = document.createElement("div");
    controls.className = "pay-zoom";
    [["+", 1], ["−", -1]].forEach(function (c) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = c[0];
      b.addEventListener("click", function () {
        drawMap(el, points, origin, Math.max(3, Math.min(18, zoom + c[1])));
      });
      controls.appendChild(b);
    });
    el.appendChild(controls);
  }

  function setupMap() {
    var el = document.getElementById("pay-map");
    if (!el || !el.dataset.tileUrl) return;
    var items = Array.prototype.map.call(
      document.querySelectorAll("[data-testid=result][data-lat]"),
      function (li) {
        return { lat: parseFloat(li.dataset.lat), lng: parseFloat(li.dataset.lng), name: li.dataset.name };
      }
    );
    if (!items.length) return;
    var origin = el.dataset.originLat
      ? { lat: parseFloat(el.dataset.originLat), lng: parseFloat(el.dataset.originLng) }
      : null;
    var all = origin ? items.concat([origin]) : items;
    var lats = all.map(function (p) { return p.lat; });
    var lngs = all.map(function (p) { return p.lng; });
    var minLat = Math.min.apply(null, lats), maxLat = Math.max.apply(null, lats);
    var minLng = Math.min.apply(null, lngs), maxLng = Math.max.apply(null, lngs);
    var points = { items: items, centerLat: (minLat + maxLat) / 2, centerLng: (minLng + maxLng) / 2 };
    // The largest zoom at which every point fits, with a margin.
    var zoom = 17;
    while (zoom > 3) {
      var a = project(maxLat, minLng, zoom), b = project(minLat, maxLng, zoom);
      if (b.x - a.x < el.clientWidth - 40 && b.y - a.y < el.clientHeight - 40) break;
      zoom--;
    }
    drawMap(el, points, origin, zoom);
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupLocate();
    setupMap();
  });
})();
