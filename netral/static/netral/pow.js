// ALTCHA (v1) proof of work: solve sha256(salt + n) == challenge before the form is sent.
// Without JavaScript or Web Crypto the form still submits; the server then applies a stricter limit.
(function () {
  var form = document.querySelector("form[data-pow]");
  if (!form || !window.crypto || !window.crypto.subtle || !window.TextEncoder) return;
  var spec = JSON.parse(form.getAttribute("data-pow"));
  var field = form.querySelector("input[name=altcha]");
  var encoder = new TextEncoder();
  var solved = null;

  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  async function solve() {
    for (var n = 0; n <= spec.maxnumber; n++) {
      var digest = await crypto.subtle.digest("SHA-256", encoder.encode(spec.salt + n));
      if (hex(digest) === spec.challenge) {
        return btoa(JSON.stringify({
          algorithm: spec.algorithm, challenge: spec.challenge, number: n,
          salt: spec.salt, signature: spec.signature
        }));
      }
    }
    return "";
  }

  var work = solve().then(function (payload) { solved = payload; field.value = payload; });
  form.addEventListener("submit", function (event) {
    if (solved !== null) return;
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    work.then(function () { form.submit(); });
  });
})();
