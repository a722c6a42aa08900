// The report form's helpers; the form works without them (choose a regency/city, then "Show").
// Agency: suggestions of agencies and units (OPD) with their region while the reporter types;
// choosing one picks the registry agency. Place: the districts of the chosen regency/city.
(function () {
  if (!window.fetch) return;
  var input = document.getElementById("id_accused_agency_text");
  var select = document.getElementById("id_accused_agency");
  if (input && select) {
    var list = document.createElement("ul");
    list.id = "agency-suggestions";
    list.className = "suggestions";
    list.setAttribute("aria-live", "polite");
    input.parentNode.appendChild(list);
    var timer = null;
    var choose = function (item) {
      var label = item.unit ? item.unit + " - " + item.name : item.name;
      input.value = label;
      var option = select.querySelector("option[value='" + item.code + "']");
      if (!option) {
        option = document.createElement("option");
        option.value = item.code;
        option.textContent = item.name;
        select.appendChild(option);
      }
      select.value = item.code;
      list.innerHTML = "";
    };
    input.addEventListener("input", function () {
      clearTimeout(timer);
      select.value = "";  // typed anew: no registry agency chosen until a suggestion is
      var q = input.value.trim();
      if (q.length < 2) { list.innerHTML = ""; return; }
      timer = setTimeout(function () {
        fetch("/api/v1/registry/agencies-suggest?q=" + encodeURIComponent(q))
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (items) {
            list.innerHTML = "";
            items.forEach(function (item) {
              var li = document.createElement("li");
              var button = document.createElement("button");
              button.type = "button";
              button.className = "link";
              button.textContent = (item.unit ? item.unit + " - " : "") + item.name +
                (item.region ? " (" + item.region + ")" : "");
              button.addEventListener("click", function () { choose(item); });
              li.appendChild(button);
              list.appendChild(li);
            });
          })
          .catch(function () {});
      }, 250);
    });
  }
  var region = document.getElementById("id_act_region");
  var district = document.getElementById("id_act_district");
  if (region && district) {
    region.addEventListener("change", function () {
      var first = district.options[0];
      district.innerHTML = "";
      district.appendChild(first);
      if (region.value.length !== 5) return;
      fetch("/api/v1/regions?limit=200&parent=" + encodeURIComponent(region.value))
        .then(function (r) { return r.ok ? r.json() : { items: [] }; })
        .then(function (page) {
          page.items.forEach(function (item) {
            var option = document.createElement("option");
            option.value = item.code;
            option.textContent = item.name;
            district.appendChild(option);
          });
        })
        .catch(function () {});
    });
  }
})();
