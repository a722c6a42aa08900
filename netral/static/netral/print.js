// A print button without inline script (the CSP forbids inline handlers). The buttons start
// hidden, so without JavaScript no button promises what it cannot do.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
