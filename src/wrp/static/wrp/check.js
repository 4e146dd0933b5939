/* htmx swaps in the answers as they were sent; keep what was typed meanwhile into the field that has the focus. */
(function () {
  var typing = null;
  document.addEventListener("htmx:beforeSwap", function () {
    var active = document.activeElement;
    typing = active && active.id && active.tagName === "INPUT" && /^(text|date)$/.test(active.type)
      ? {id: active.id, value: active.value} : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    var input = typing && document.getElementById(typing.id);
    if (input && input.value !== typing.value) {
      input.value = typing.value;
      input.addEventListener("blur", function () {
        input.dispatchEvent(new Event("change", {bubbles: true}));
      }, {once: true});
    }
    typing = null;
  });
})();
