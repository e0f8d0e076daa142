// The film player's script: the thumbnail strip's buttons, and streaming. A long film has an HLS ladder (fMP4 segments, content-addressed
// under /r/); a browser that plays HLS itself is given the master playlist, any other plays it
// through Media Source Extensions: each next segment comes from the variant the last
// segment's measured speed and the player's size allow, so a phone on a slow network gets the
// small one. The MP4 in <source> stays whenever this cannot start (no MSE, a codec the
// browser lacks, a playlist that does not load), and the <track> subtitles work either way.
(function () {
  "use strict";
  var video = document.getElementById("film");
  // The thumbnail strip: each scene's button plays the film from its time.
  document.querySelectorAll("[data-seek]").forEach(function (button) {
    button.addEventListener("click", function () {
      video.currentTime = +button.getAttribute("data-seek");
      video.play().catch(function () {});
    });
  });
  var master = video && video.getAttribute("data-hls");
  if (!master) return;
  if (video.canPlayType("application/vnd.apple.mpegurl")) {
    video.src = master;
    return;
  }
  if (!window.MediaSource) return;

  // How many seconds are fetched ahead of the playhead, and kept behind it.
  var AHEAD = 30;
  var BEHIND = 60;

  function get(url, as) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error(url + ": " + r.status);
      return as === "text" ? r.text() : r.arrayBuffer();
    });
  }

  function resolve(uri, base) {
    return new URL(uri, new URL(base, location.href)).href;
  }

  // KEY=value,KEY="quoted, value" → { KEY: value }
  function attributes(line) {
    var out = {};
    var re = /([A-Z0-9-]+)=("[^"]*"|[^,]*)/g;
    var m;
    while ((m = re.exec(line))) out[m[1]] = m[2].replace(/^"|"$/g, "");
    return out;
  }

  function variantsOf(body, base) {
    var lines = body.split("\n");
    var variants = [];
    for (var i = 0; i < lines.length; i++) {
      if (lines[i].indexOf("#EXT-X-STREAM-INF:") !== 0) continue;
      var a = attributes(lines[i].slice(18));
      var size = (a.RESOLUTION || "0x0").split("x");
      variants.push({
        bandwidth: +a.BANDWIDTH || 0,
        height: +size[1] || 0,
        codecs: a.CODECS || "",
        uri: resolve(lines[i + 1].trim(), base),
      });
    }
    return variants.sort(function (x, y) { return x.bandwidth - y.bandwidth; });
  }

  function segmentsOf(body, base) {
    var media = { init: null, segments: [] };
    var start = 0;
    var lines = body.split("\n");
    for (var i = 0; i < lines.length; i++) {
      var line = lines[i].trim();
      if (line.indexOf("#EXT-X-MAP:") === 0) {
        media.init = resolve(attributes(line.slice(11)).URI, base);
      } else if (line.indexOf("#EXTINF:") === 0) {
        var duration = parseFloat(line.slice(8));
        media.segments.push({ start: start, duration: duration, uri: resolve(lines[i + 1].trim(), base) });
        start += duration;
      }
    }
    return media;
  }

  function play(variants, mime) {
    var source = new MediaSource();
    var fallback = video.currentSrc;
    video.src = URL.createObjectURL(source);
    source.addEventListener("sourceopen", function () {
      var buffer = source.addSourceBuffer(mime);
      var segments = variants[0].media.segments;
      var last = segments[segments.length - 1];
      source.duration = last.start + last.duration;
      var state = { next: 0, busy: false, init: null, speed: 0, generation: 0 };

      // The largest variant the measured speed carries (with a margin) and the player shows.
      function choose() {
        var tall = video.clientHeight * (window.devicePixelRatio || 1);
        var pick = variants[0];
        variants.forEach(function (v) {
          var fits = v.height <= Math.max(tall * 1.5, 360);
          if (fits && v.bandwidth * 1.25 <= state.speed) pick = v;
        });
        return pick;
      }

      function append(data) {
        return new Promise(function (done, fail) {
          buffer.addEventListener("updateend", done, { once: true });
          buffer.addEventListener("error", fail, { once: true });
          buffer.appendBuffer(data);
        });
      }

      function buffered(t) {
        for (var i = 0; i < buffer.buffered.length; i++) {
          if (buffer.buffered.start(i) <= t + 0.1 && t < buffer.buffered.end(i) - 0.1) return buffer.buffered.end(i);
        }
        return null;
      }

      function indexAt(t) {
        for (var i = segments.length - 1; i > 0; i--) if (segments[i].start <= t + 0.01) return i;
        return 0;
      }

      function pump() {
        if (state.busy || buffer.updating || source.readyState === "closed") return;
        var now = video.currentTime;
        if (state.next >= segments.length) {
          if (source.readyState === "open") source.endOfStream();
          return;
        }
        if (segments[state.next].start > now + AHEAD) return;
        if (buffer.buffered.length && buffer.buffered.start(0) < now - BEHIND) {
          buffer.remove(0, now - BEHIND / 2);
          buffer.addEventListener("updateend", pump, { once: true });
          return;
        }
        state.busy = true;
        var generation = state.generation;
        var variant = choose();
        var steps = Promise.resolve();
        if (state.init !== variant) {
          steps = steps.then(function () { return get(variant.media.init); }).then(append)
            .then(function () { state.init = variant; });
        }
        var began;
        steps.then(function () {
          began = performance.now();
          return get(variant.media.segments[state.next].uri);
        }).then(function (data) {
          var seconds = Math.max((performance.now() - began) / 1000, 0.001);
          state.speed = (data.byteLength * 8) / seconds;
          return append(data);
        }).then(function () {
          if (generation === state.generation) state.next++;
          state.busy = false;
          pump();
        }, function (error) {
          state.busy = false;
          console.warn("streaming stopped:", error);
          if (!video.currentTime && fallback) video.src = fallback;
        });
      }

      video.addEventListener("timeupdate", pump);
      video.addEventListener("seeking", function () {
        var t = video.currentTime;
        var end = buffered(t);
        state.next = end === null ? indexAt(t) : indexAt(end);
        state.generation++;
        pump();
      });
      pump();
    }, { once: true });
  }

  get(master, "text").then(function (body) {
    var variants = variantsOf(body, master);
    if (!variants.length) return;
    var mime = 'video/mp4; codecs="' + variants[variants.length - 1].codecs + '"';
    if (!MediaSource.isTypeSupported(mime)) return;
    return Promise.all(variants.map(function (v) {
      return get(v.uri, "text").then(function (b) { v.media = segmentsOf(b, v.uri); });
    })).then(function () { play(variants, mime); });
  }).catch(function (error) {
    console.warn("streaming unavailable, playing the MP4:", error);
  });
})();
