/* Open the course contents beside the page on a wide screen; keep it folded on a phone. */
(function () {
  "use strict";
  var details = document.getElementById("nav-details");
  if (!details) return;
  var wide = window.matchMedia("(min-width: 62em)");
  function apply() { details.open = wide.matches; }
  apply();
  wide.addEventListener("change", apply);
})();
