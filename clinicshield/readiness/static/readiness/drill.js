// The facilitator's drill clock: minutes since the drill started, and when the next inject is due.
(function () {
  var clock = document.getElementById("drill-clock");
  if (!clock) return;
  var started = Date.parse(clock.dataset.started);
  var nextAt = clock.dataset.nextMinute === "" ? null : Number(clock.dataset.nextMinute);
  var due = document.getElementById("next-due");
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var seconds = Math.max(0, Math.floor((Date.now() - started) / 1000));
    clock.textContent = pad(Math.floor(seconds / 60)) + ":" + pad(seconds % 60);
    if (due && nextAt !== null && seconds >= nextAt * 60) due.hidden = false;
  }
  tick();
  setInterval(tick, 1000);
})();
