// tagtrail: the signing pad. A finger (or a mouse, or a pen) draws on a canvas;
// the picture goes with the form as a PNG data URL in a hidden input. Without
// this script the pad stays hidden and typing one's full name is the signature.
(function () {
  "use strict";
  function setUp(pad) {
    if (pad.dataset.ready) { return; }
    pad.dataset.ready = "1";
    var canvas = pad.querySelector("canvas");
    var input = pad.querySelector('input[name="signature"]');
    var clear = pad.querySelector("[data-clear]");
    var context = canvas.getContext("2d");
    var drawing = false;
    var inked = false;
    var last = null;
    pad.hidden = false;
    context.lineWidth = 4;
    context.lineCap = "round";
    context.lineJoin = "round";
    context.strokeStyle = "#000";
    function at(event) {
      // The canvas keeps its own size in pixels, whatever width the page gives it.
      var box = canvas.getBoundingClientRect();
      return {
        x: (event.clientX - box.left) * (canvas.width / box.width),
        y: (event.clientY - box.top) * (canvas.height / box.height)
      };
    }
    function keep() {
      input.value = inked ? canvas.toDataURL("image/png") : "";
    }
    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      drawing = true;
      last = at(event);
      context.beginPath();
      context.arc(last.x, last.y, context.lineWidth / 2, 0, Math.PI * 2);
      context.fillStyle = "#000";
      context.fill();
      inked = true;
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) { return; }
      event.preventDefault();
      var point = at(event);
      context.beginPath();
      context.moveTo(last.x, last.y);
      context.lineTo(point.x, point.y);
      context.stroke();
      last = point;
    });
    function stop() {
      if (!drawing) { return; }
      drawing = false;
      keep();
    }
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    canvas.addEventListener("lostpointercapture", stop);
    // A form refused for another reason comes back with the drawing in the input:
    // paint it again, so the signer need not sign twice.
    if (/^data:image\/png;base64,[A-Za-z0-9+\/]+=*$/.test(input.value)) {
      var kept = new Image();
      kept.onload = function () {
        context.drawImage(kept, 0, 0, canvas.width, canvas.height);
        inked = true;
      };
      kept.onerror = function () { input.value = ""; };
      kept.src = input.value;
    } else {
      input.value = "";
    }
    clear.addEventListener("click", function () {
      context.clearRect(0, 0, canvas.width, canvas.height);
      inked = false;
      keep();
    });
  }
  function setUpAll() {
    document.querySelectorAll("[data-signature-pad]").forEach(setUp);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpAll);
  } else {
    setUpAll();
  }
  document.addEventListener("htmx:afterSettle", setUpAll);
})();
