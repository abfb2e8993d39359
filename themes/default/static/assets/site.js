/* minglu default theme: the 大字版 (large text) switch. Pages work without it:
   the switch stays hidden, and the default text and tap targets are already large. */
(function () {
  var root = document.documentElement;
  var key = "minglu-text";
  try {
    if (localStorage.getItem(key) === "large") root.classList.add("large-text");
  } catch (e) { /* storage may be disabled */ }
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector(".text-size");
    if (!button) return;
    var sync = function () {
      button.setAttribute("aria-pressed", root.classList.contains("large-text") ? "true" : "false");
    };
    button.hidden = false;
    sync();
    button.addEventListener("click", function () {
      root.classList.toggle("large-text");
      try {
        localStorage.setItem(key, root.classList.contains("large-text") ? "large" : "normal");
      } catch (e) { /* the choice then lasts for this page only */ }
      sync();
    });
  });
})();
