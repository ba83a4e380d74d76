// tagtrail scanner: what a scanned text or a typed code is.
(function () {
  "use strict";
  var CODE = /^[0-9A-HJKMNP-TV-Z]{6}$/;  // Crockford base32: no I, L, O or U

  // The server's rule (app/codes.py): case, spaces and hyphens ignored, O→0, I/L→1.
  function normalise(text) {
    return String(text).replace(/[\s-]+/g, "").toUpperCase().replace(/O/g, "0").replace(/[IL]/g, "1");
  }
  function parseCode(text) {
    var code = normalise(text);
    return CODE.test(code) ? code : null;
  }
  function pretty(code) { return code.length === 6 ? code.slice(0, 3) + "-" + code.slice(3) : code; }

  // Our labels: {base}/A/CODE or {base}/L/CODE in any case, for each base given
  // (the public address, and the address the page came from). Anything else
  // is not ours: null, and the scanner never opens it.
  function reader(bases) {
    return function (text) {
      var url;
      try { url = new URL(String(text).trim()); } catch (e) { return null; }
      for (var i = 0; i < bases.length; i++) {
        var base;
        try { base = new URL(bases[i].replace(/\/+$/, "") + "/"); } catch (e) { continue; }
        var prefix = base.pathname.toUpperCase();
        if (url.origin !== base.origin || url.pathname.toUpperCase().indexOf(prefix) !== 0) { continue; }
        var match = /^([AL])\/([^/]+)\/?$/i.exec(url.pathname.slice(prefix.length));
        var code = null;
        try { code = match && parseCode(decodeURIComponent(match[2])); } catch (e) { code = null; }
        if (code) { return { kind: match[1].toUpperCase() === "A" ? "asset" : "location", code: code }; }
      }
      return null;
    };
  }

  window.TagtrailLabels = { normalise: normalise, parseCode: parseCode, pretty: pretty, reader: reader };
})();
