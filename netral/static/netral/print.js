// A print button without inline script (the CSP forbids inline handlers).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
