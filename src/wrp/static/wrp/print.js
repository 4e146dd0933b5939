// A print button (`data-print`, hidden until this runs): the appointment slip (portal/applicant/appointment_slip.html).
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
