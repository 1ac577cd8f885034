// Landing pages of a simulation. Reports *that* something happened, never what was typed.
(function () {
  "use strict";
  var root = document.querySelector("[data-token]");
  if (!root || !root.getAttribute("data-token")) { return; }  // previews carry no token
  var base = "/t/" + root.getAttribute("data-token");

  function post(path) {
    return fetch(base + path + "?h=1", { method: "POST", credentials: "omit", keepalive: true });
  }

  // A real person moves a pointer, presses a key or focuses a field; link scanners rarely do.
  var announced = false;
  function seenHuman() {
    if (announced) { return; }
    announced = true;
    post("/h");
  }
  ["pointermove", "pointerdown", "keydown", "touchstart", "focusin"].forEach(function (name) {
    window.addEventListener(name, seenHuman, { once: true, passive: true });
  });

  var form = document.querySelector("form[data-simulated-login]");
  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      form.reset();  // what was typed is gone before anything else happens
      seenHuman();
      // Nothing from the form travels: the request has no body at all.
      post("/submit").finally(function () { window.location.href = base + "/lesson"; });
    });
  }

  var copyButtons = document.querySelectorAll("[data-clipboard]");
  copyButtons.forEach(function (button) {
    button.addEventListener("click", function () {
      seenHuman();
      var text = button.getAttribute("data-clipboard");
      var done = function () {
        post("/copy");
        var steps = document.getElementById("steps");
        if (steps) { steps.hidden = false; }
        button.setAttribute("aria-checked", "true");
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(done, done);
      } else {
        done();
      }
    });
  });
})();
