// Swagger UI draws a few controls without an accessible name (the copy and close buttons are
// bare icons) and code blocks that scroll without being reachable by keyboard. It redraws on
// every click, so each new node is fixed as it appears.
(function () {
  var names = [
    [".copy-to-clipboard button, button.copy-to-clipboard", "Copy to clipboard"],
    [".close-modal", "Close"],
    [".download-contents", "Download"],
    [".model-box-control, .json-schema-2020-12-expand-deep-button", "Expand"],
  ];
  function fix(root) {
    names.forEach(function (pair) {
      root.querySelectorAll(pair[0]).forEach(function (el) {
        if (!el.getAttribute("aria-label") && !el.textContent.trim()) {
          el.setAttribute("aria-label", pair[1]);
        }
      });
    });
    root.querySelectorAll("button:not([aria-label])").forEach(function (el) {
      if (!el.textContent.trim() && !el.getAttribute("title")) {
        el.setAttribute("aria-label", el.className.replace(/[-_]/g, " ").trim() || "Button");
      }
    });
    root.querySelectorAll("pre, .microlight, .highlight-code").forEach(function (el) {
      if (!el.hasAttribute("tabindex")) {
        el.setAttribute("tabindex", "0");
        if (!el.getAttribute("aria-label")) el.setAttribute("aria-label", "Code");
      }
    });
  }
  var target = document.getElementById("swagger-ui");
  if (!target) return;
  new MutationObserver(function () { fix(target); }).observe(target, {
    childList: true,
    subtree: true,
  });
  fix(target);
})();
