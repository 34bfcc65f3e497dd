(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var details = document.getElementById("details");
  var groups = document.querySelectorAll("#diagram .state[data-path]");
  var byPath = {};
  groups.forEach(function (g) {
    var path = g.getAttribute("data-path");
    byPath[path] = g;
    var status = data.states[path];
    if (status) {
      g.classList.add("st-" + status);
    }
    g.addEventListener("click", function () { show(path); });
  });
  document.querySelectorAll("#timeline .bar[data-path]").forEach(function (b) {
    b.addEventListener("click", function () { show(b.getAttribute("data-path")); });
  });
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = text; }
    if (cls) { e.className = cls; }
    return e;
  }
  function pretty(text) {
    try { return JSON.stringify(JSON.parse(text), null, 2); } catch (e) { return text; }
  }
  function show(path) {
    Object.keys(byPath).forEach(function (p) { byPath[p].classList.toggle("selected", p === path); });
    while (details.firstChild) { details.removeChild(details.firstChild); }
    var status = data.states[path] || "not-reached";
    details.appendChild(el("h2", path));
    details.appendChild(el("p", status.replace(/-/g, " "), "state-status st-" + status));
    var visits = data.visits.filter(function (v) { return v.path === path; });
    if (visits.length === 0) {
      details.appendChild(el("p", "The execution never entered this state.", "hint"));
    }
    visits.forEach(function (v, i) {
      var section = el("section", null, "visit");
      if (visits.length > 1) { section.appendChild(el("h3", "Visit " + (i + 1))); }
      section.appendChild(el("p", "entered at " + v.entered + " ms" + (v.exited === null ? ", never left" : ", left at " + v.exited + " ms")));
      if (v.attempts.length > 1) {
        section.appendChild(el("p", (v.attempts.length - 1) + " retr" + (v.attempts.length === 2 ? "y" : "ies") + ": " +
          v.attempts.map(function (a) { return a.start + "–" + (a.end === null ? "…" : a.end) + " ms" + (a.error ? " " + a.error : ""); }).join(", "), "retries"));
      }
      section.appendChild(el("h3", "Input"));
      section.appendChild(el("pre", v.input === null ? "—" : pretty(v.input), "input"));
      section.appendChild(el("h3", "Output"));
      section.appendChild(el("pre", v.output === null ? "—" : pretty(v.output), "output"));
      if (v.error) {
        section.appendChild(el("h3", "Error"));
        section.appendChild(el("pre", v.error + (v.cause ? "\n" + v.cause : ""), "error"));
      }
      details.appendChild(section);
    });
  }
  window.rcdkReport = { show: show };
}());
