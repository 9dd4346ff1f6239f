(function () {
  "use strict";
  function same(n) {
    return document.querySelectorAll('[data-region="' + n + '"]');
  }
  function mark(n, cls, on) {
    same(n).forEach(function (el) { el.classList.toggle(cls, on); });
  }
  document.querySelectorAll("[data-region]").forEach(function (el) {
    var n = el.getAttribute("data-region");
    el.addEventListener("mouseenter", function () { mark(n, "hl", true); });
    el.addEventListener("mouseleave", function () { mark(n, "hl", false); });
    el.addEventListener("click", function () {
      var wasPinned = el.classList.contains("pinned");
      document.querySelectorAll(".pinned").forEach(function (p) { p.classList.remove("pinned"); });
      if (wasPinned) { return; }
      mark(n, "pinned", true);
      var target = el.tagName === "TR"
        ? document.querySelector('.box[data-region="' + n + '"]')
        : document.getElementById("r" + n);
      if (target) { target.scrollIntoView({ block: "center", behavior: "smooth" }); }
    });
  });
  document.querySelectorAll("[data-toggle]").forEach(function (item) {
    item.addEventListener("click", function () {
      var cat = item.getAttribute("data-toggle");
      var off = item.classList.toggle("off");
      document.querySelectorAll('.box[data-cat="' + cat + '"]').forEach(function (box) {
        box.style.display = off ? "none" : "";
      });
    });
  });
})();
