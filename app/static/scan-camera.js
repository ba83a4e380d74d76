// tagtrail scanner: the camera and the QR decoder.
// BarcodeDetector where the browser has one; elsewhere (iOS Safari, Firefox,
// desktop Linux) the vendored jsQR, fetched only then.
(function () {
  "use strict";
  var REMEMBER = "tagtrail.camera";
  var EVERY_MS = 120, MAX_SIDE = 800;

  function Camera(options) {
    this.video = options.video;
    this.decoderUrl = options.decoderUrl;
    this.onText = options.onText;       // (decoded text)
    this.onState = options.onState;     // ({running, cameras, torch, torchOn, decoder})
    this.stream = null;
    this.cameras = [];
    this.torchOn = false;
    this.decoder = "";
    this.timer = null;
    this.canvas = document.createElement("canvas");
  }

  Camera.supported = function () {
    return Boolean(window.isSecureContext && navigator.mediaDevices &&
                   navigator.mediaDevices.getUserMedia);
  };

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = function () { reject(new Error("The QR decoder did not load.")); };
      document.head.appendChild(script);
    });
  }

  Camera.prototype.prepareDecoder = function () {
    var camera = this;
    if (this.detect) { return Promise.resolve(); }
    var native = "BarcodeDetector" in window ? window.BarcodeDetector.getSupportedFormats() :
      Promise.resolve([]);
    return native.then(function (formats) {
      if (formats.indexOf("qr_code") >= 0) {
        var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
        camera.decoder = "native";
        camera.detect = function () {
          return detector.detect(camera.video).then(function (found) {
            return found.map(function (code) { return code.rawValue; });
          });
        };
        return;
      }
      return (window.jsQR ? Promise.resolve() : loadScript(camera.decoderUrl)).then(function () {
        camera.decoder = "jsqr";
        camera.detect = function () { return Promise.resolve(camera.readFrame()); };
      });
    });
  };

  Camera.prototype.readFrame = function () {
    var video = this.video, w = video.videoWidth, h = video.videoHeight;
    if (!w || !h) { return []; }
    var scale = Math.min(1, MAX_SIDE / Math.max(w, h));
    var cw = Math.round(w * scale), ch = Math.round(h * scale);
    this.canvas.width = cw;
    this.canvas.height = ch;
    var context = this.canvas.getContext("2d", { willReadFrequently: true });
    context.drawImage(video, 0, 0, cw, ch);
    var found = window.jsQR(context.getImageData(0, 0, cw, ch).data, cw, ch,
                            { inversionAttempts: "dontInvert" });
    return found ? [found.data] : [];
  };

  Camera.prototype.start = function (deviceId) {
    var camera = this;
    this.stop();
    var remembered = deviceId || localStorage.getItem(REMEMBER);
    var wanted = { facingMode: { ideal: "environment" }, width: { ideal: 1280 },
                   height: { ideal: 720 } };
    var first = remembered ? { deviceId: { exact: remembered } } : wanted;
    return this.prepareDecoder().then(function () {
      return navigator.mediaDevices.getUserMedia({ video: first, audio: false })
        .catch(function (error) {
          // The remembered camera is gone (another phone, unplugged): use the rear one.
          if (!remembered || deviceId) { throw error; }
          localStorage.removeItem(REMEMBER);
          return navigator.mediaDevices.getUserMedia({ video: wanted, audio: false });
        });
    }).then(function (stream) {
      camera.stream = stream;
      camera.video.srcObject = stream;
      var settings = stream.getVideoTracks()[0].getSettings();
      if (settings.deviceId) { localStorage.setItem(REMEMBER, settings.deviceId); }
      return camera.video.play();
    }).then(function () {
      return navigator.mediaDevices.enumerateDevices();
    }).then(function (devices) {
      camera.cameras = devices.filter(function (d) { return d.kind === "videoinput"; });
      camera.torchOn = false;
      camera.report();
      camera.loop();
    });
  };

  Camera.prototype.track = function () {
    return this.stream ? this.stream.getVideoTracks()[0] : null;
  };

  Camera.prototype.hasTorch = function () {
    var track = this.track();
    var caps = track && track.getCapabilities ? track.getCapabilities() : {};
    return Boolean(caps.torch);
  };

  Camera.prototype.report = function () {
    this.onState({ running: Boolean(this.stream), cameras: this.cameras.length,
                   torch: this.hasTorch(), torchOn: this.torchOn, decoder: this.decoder });
  };

  Camera.prototype.loop = function () {
    var camera = this;
    clearTimeout(this.timer);
    if (!this.stream) { return; }
    var ready = this.video.readyState >= 2;
    (ready ? this.detect() : Promise.resolve([])).then(function (texts) {
      texts.forEach(function (text) { camera.onText(text); });
    }, function () { /* a frame that could not be read; the next one may */ }).then(function () {
      if (camera.stream) { camera.timer = setTimeout(function () { camera.loop(); }, EVERY_MS); }
    });
  };

  Camera.prototype.stop = function () {
    clearTimeout(this.timer);
    if (this.stream) {
      this.stream.getTracks().forEach(function (track) { track.stop(); });
    }
    this.stream = null;
    this.video.srcObject = null;
    this.report();
  };

  Camera.prototype.next = function () {
    if (this.cameras.length < 2) { return Promise.resolve(); }
    var current = this.track() ? this.track().getSettings().deviceId : "";
    var ids = this.cameras.map(function (d) { return d.deviceId; });
    var id = ids[(ids.indexOf(current) + 1) % ids.length];
    localStorage.setItem(REMEMBER, id);
    return this.start(id);
  };

  Camera.prototype.torch = function () {
    var camera = this, track = this.track();
    if (!track || !this.hasTorch()) { return Promise.resolve(); }
    var on = !this.torchOn;
    return track.applyConstraints({ advanced: [{ torch: on }] }).then(function () {
      camera.torchOn = on;
      camera.report();
    });
  };

  // The camera's part of the scanner page: its buttons, its messages, and a
  // start by itself when it was running as the page was last left.
  Camera.attach = function (options) {
    function $(id) { return document.getElementById(id); }
    var root = options.root;
    var startButton = $("camera-start"), stopButton = $("camera-stop");
    var switchButton = $("camera-switch"), torchButton = $("camera-torch");
    var cameraError = $("camera-error");
    var camera = new Camera({
      video: $("scan-video"),
      decoderUrl: options.decoderUrl,
      onText: options.onText,
      onState: function (state) {
        $("scan-viewfinder").hidden = !state.running;
        startButton.hidden = state.running;
        stopButton.hidden = !state.running;
        switchButton.hidden = !state.running || state.cameras < 2;
        torchButton.hidden = !state.running || !state.torch;
        torchButton.setAttribute("aria-pressed", state.torchOn ? "true" : "false");
        root.dataset.decoder = state.decoder;
        root.dataset.camera = state.running ? "on" : "off";
      }
    });
    function failed(error) {
      var name = error && error.name;
      cameraError.textContent = name === "NotAllowedError"
        ? "The camera was not allowed. Allow it in the browser's site settings, or type codes below."
        : name === "NotFoundError" || name === "OverconstrainedError"
          ? "No camera was found. Type codes below."
          : "The camera did not start (" + ((error && error.message) || name || "unknown") +
            "). Type codes below.";
      cameraError.hidden = false;
    }
    function start() {
      cameraError.hidden = true;
      return camera.start().catch(failed);
    }
    if (!Camera.supported()) {
      startButton.hidden = true;
      if (!window.isSecureContext) {
        $("camera-insecure").hidden = false;
      } else {
        cameraError.textContent = "This browser cannot use the camera here. Type codes below.";
        cameraError.hidden = false;
      }
      return camera;
    }
    startButton.addEventListener("click", function () { options.onWanted(true); start(); });
    stopButton.addEventListener("click", function () { options.onWanted(false); camera.stop(); });
    switchButton.addEventListener("click", function () { camera.next().catch(failed); });
    torchButton.addEventListener("click", function () { camera.torch(); });
    if (options.wanted && navigator.permissions && navigator.permissions.query) {
      navigator.permissions.query({ name: "camera" }).then(function (permission) {
        if (permission.state === "granted") { start(); }
      }, function () { /* this browser cannot say; wait for the button */ });
    }
    return camera;
  };

  window.TagtrailCamera = Camera;
})();
