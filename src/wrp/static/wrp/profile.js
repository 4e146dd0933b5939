/* The profile's live update (portal/applicant/_profile_form.html). Each change posts the form and htmx swaps in the
   questions the answers call for, rendered from the answers as they were sent. Whatever the person changed after the
   request left — above all the box they are typing in — must not be replaced by that older answer: those controls
   are kept as they are (the element itself, through htmx's hx-preserve: its value, caret and focus), so nothing typed
   is lost or merged, and the next change posts it. A status line beside 「保存资料」 says what the page is doing; its
   words come from the template (data-*). Without JavaScript the form is a plain POST and none of this runs. */
(function () {
  "use strict";
  var ARIA = ["aria-invalid", "aria-describedby"];
  var sent = null; // each control of the form → its state when the last live update was sent
  var kept = []; // the controls kept through the coming swap, with the new attributes their twins carried
  var focus = null; // the box being typed in, and where its caret was
  var unsaved = false;
  var saving = false;

  function ours(event) {
    var elt = event.detail && event.detail.elt;
    return !!(elt && elt.closest && elt.closest("#profile-form"));
  }

  function controls() {
    var form = document.querySelector("#profile-form form");
    return form ? Array.prototype.filter.call(form.elements, function (control) {
      return control.id && control.name && control.type !== "hidden" && control.type !== "submit";
    }) : [];
  }

  function state(control) {
    if (control.type === "checkbox" || control.type === "radio") {
      return control.checked ? "on" : "";
    }
    if (control.multiple) {
      return Array.prototype.map.call(control.selectedOptions, function (option) { return option.value; }).join("\n");
    }
    return control.value;
  }

  function typing(control) {
    return control.tagName === "TEXTAREA" || (control.tagName === "INPUT" && /^(text|date|number)$/.test(control.type));
  }

  function say(key) {
    var status = document.getElementById("profile-status");
    if (status) {
      status.textContent = key ? status.getAttribute("data-" + key) || "" : "";
    }
  }

  document.addEventListener("input", function (event) {
    if (event.target.closest && event.target.closest("#profile-form")) {
      unsaved = true;
    }
  });

  document.addEventListener("submit", function (event) {
    if (event.target.closest && event.target.closest("#profile-form")) {
      saving = true;
      say("saving");
    }
  });

  document.addEventListener("htmx:configRequest", function (event) {
    if (!ours(event)) {
      return;
    }
    unsaved = true;
    sent = new Map(controls().map(function (control) { return [control, state(control)]; }));
    if (!saving) {
      say("busy");
    }
  });

  // The response names which controls the person touched since it was asked for: their twins are marked hx-preserve,
  // and htmx puts the person's own elements in their place.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (ours(event) && saving) {
      // 「保存资料」 was pressed while a live update was under way (leaving the box just typed in sends one): the form
      // being sent stays in the page, for a browser cancels the submission of a form taken out of it.
      event.detail.shouldSwap = false;
      return;
    }
    if (!ours(event) || !sent || !event.detail.shouldSwap) {
      return;
    }
    var active = document.activeElement;
    var touched = controls().filter(function (control) {
      return (sent.has(control) && sent.get(control) !== state(control)) || (control === active && typing(control));
    });
    kept = [];
    focus = active && typing(active) ? {element: active, start: active.selectionStart, end: active.selectionEnd} : null;
    if (!touched.length) {
      return;
    }
    var page = new DOMParser().parseFromString(event.detail.serverResponse, "text/html");
    touched.forEach(function (control) {
      var twin = page.getElementById(control.id);
      if (!twin || twin.tagName !== control.tagName || twin.type !== control.type) {
        return; // no longer asked: the answers changed the questions
      }
      twin.setAttribute("hx-preserve", "true");
      kept.push({element: control, aria: ARIA.map(function (name) { return [name, twin.getAttribute(name)]; })});
    });
    if (kept.length) {
      event.detail.serverResponse = page.body.innerHTML;
    }
  });

  // A kept control takes the new field's error state; the box being typed in keeps the focus and the caret (browsers
  // without Element.moveBefore take the focus away when htmx moves it).
  document.addEventListener("htmx:afterSwap", function (event) {
    if (!ours(event)) {
      return;
    }
    kept.forEach(function (item) {
      item.aria.forEach(function (pair) {
        if (pair[1] === null) {
          item.element.removeAttribute(pair[0]);
        } else {
          item.element.setAttribute(pair[0], pair[1]);
        }
      });
    });
    kept = [];
    if (focus && focus.element.isConnected && document.activeElement !== focus.element) {
      focus.element.focus({preventScroll: true});
      try {
        focus.element.setSelectionRange(focus.start, focus.end);
      } catch (ignored) { /* a date box has no caret to put back */ }
    }
    focus = null;
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    if (ours(event) && !saving) {
      say(unsaved ? "unsaved" : "");
    }
  });

  ["htmx:responseError", "htmx:sendError", "htmx:timeout"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      if (ours(event) && !saving) {
        say("failed");
      }
    });
  });
})();
