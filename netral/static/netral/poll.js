// Refreshes a progress block (#progress) from ?partial=1 until its job is finished.
(function () {
  var block = document.getElementById("progress");
  if (!block) return;
  function tick() {
    fetch(window.location.pathname + "?partial=1", { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector("#progress");
        if (!fresh) return;
        block.replaceWith(fresh);
        block = fresh;
        var status = fresh.getAttribute("data-status");
        if (status === "queued" || status === "running") setTimeout(tick, 1500);
      })
      .catch(function () { setTimeout(tick, 5000); });
  }
  setTimeout(tick, 1000);
})();
