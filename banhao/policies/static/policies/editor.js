// Checks each rule as it is typed (POST /api/v1/policies/check-rule) and shows the problem,
// with its column, under the field. The server checks again on save; without JavaScript the
// same messages appear after saving.
(function () {
  "use strict";
  var form = document.querySelector("[data-rule-editor]");
  if (!form) return;
  var url = form.getAttribute("data-check-url");
  var token = form.querySelector("[name=csrfmiddlewaretoken]").value;
  var okText = form.getAttribute("data-ok-text");
  function check(input) {
    var out = document.getElementById(input.id + "_live");
    if (!out) return;
    var text = input.value.trim();
    if (!text) { out.textContent = ""; out.className = "rule-live"; return; }
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify({ expression: text, formula: input.hasAttribute("data-formula") })
    }).then(function (r) { return r.json(); }).then(function (data) {
      if (input.value.trim() !== text) return;  // typed on since
      out.textContent = data.ok ? okText : data.message;
      out.className = "rule-live " + (data.ok ? "good" : "bad");
    }).catch(function () {});
  }
  var timers = {};
  form.querySelectorAll("input.rule").forEach(function (input) {
    input.addEventListener("input", function () {
      clearTimeout(timers[input.id]);
      timers[input.id] = setTimeout(function () { check(input); }, 350);
    });
    input.addEventListener("blur", function () { check(input); });
  });
})();
