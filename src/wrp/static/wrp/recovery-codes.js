// The recovery-codes page (accounts/otp_recovery_codes.html): print and copy buttons, shown only where they work.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var list = document.getElementById(button.getAttribute("data-copy"));
    if (!list || !navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var codes = Array.prototype.map.call(list.querySelectorAll("li"), function (item) { return item.textContent; });
      navigator.clipboard.writeText(codes.join("\n")).then(function () {
        button.textContent = button.getAttribute("data-copied");
      });
    });
  });
})();
