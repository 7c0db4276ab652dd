// 挂图作战: one frappe-gantt chart per unit or document from the JSON in #gantt-data.
// frappe-gantt writes bar labels with innerHTML and task text comes from uploaded documents, so
// names are HTML-escaped before the library sees them. Its popup (also innerHTML, and clipped by
// the chart's scroll box) is off: a click fills the details panel under the chart with plain text.
(function () {
  "use strict";
  var source = document.getElementById("gantt-data");
  if (!window.Gantt || !source) { return; }
  var data = JSON.parse(source.textContent);
  var charts = [];
  var LABEL_LENGTH = 40;

  function escapeHtml(text) {
    return String(text === undefined || text === null ? "" : text)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }

  function line(parent, tag, text) {
    var node = document.createElement(tag);
    node.textContent = text;
    parent.appendChild(node);
    return node;
  }

  function showDetails(panel, task) {
    panel.replaceChildren();
    line(panel, "b", task.raw_name);
    line(panel, "p", task.state + (task.light ? " · " + task.light : ""));
    line(panel, "p", task.start === task.end ? task.start : task.start + " 至 " + task.end);
    if (task.units) { line(panel, "p", task.units); }
    var link = line(panel, "a", "查看任务详情 →");
    link.href = "/tasks/" + encodeURIComponent(task.task_id);
    panel.hidden = false;
  }

  // Scroll to today when today is on the chart, else to the first bar.
  function scrollTarget(bars) {
    var today = new Date().toISOString().slice(0, 10);
    var first = bars.reduce(function (min, bar) { return bar.start < min ? bar.start : min; }, bars[0].start);
    var last = bars.reduce(function (max, bar) { return bar.end > max ? bar.end : max; }, bars[0].end);
    return today >= first && today <= last ? "today" : "start";
  }

  document.querySelectorAll("[data-gantt]").forEach(function (el) {
    var key = el.getAttribute("data-gantt");
    var panel = document.querySelector('[data-gantt-detail="' + key + '"]');
    var bars = (data.charts[key] || []).map(function (bar) {
      var copy = Object.assign({}, bar);
      var name = bar.name.length > LABEL_LENGTH ? bar.name.slice(0, LABEL_LENGTH) + "…" : bar.name;
      copy.raw_name = bar.name;
      copy.name = escapeHtml(name);
      return copy;
    });
    if (!bars.length) { return; }
    var chart = new window.Gantt(el, bars, {
      view_modes: ["Day", "Week", "Month"],
      language: "zh",
      readonly: true,
      today_button: true,
      popup: false,
      scroll_to: scrollTarget(bars),
      on_click: function (task) { if (panel) { showDetails(panel, task); } },
      on_double_click: function (task) { window.location.href = "/tasks/" + encodeURIComponent(task.task_id); }
    });
    // With view_modes given, frappe-gantt starts on the first one; switch to the asked one.
    chart.change_view_mode(data.view);
    charts.push(chart);
  });
  if (charts.length) { document.documentElement.classList.add("has-charts"); }

  // The view-mode links reload the page without JavaScript; with it, the charts switch in place.
  document.querySelectorAll("[data-view-mode]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (!charts.length) { return; }
      event.preventDefault();
      var mode = link.getAttribute("data-view-mode");
      charts.forEach(function (chart) { chart.change_view_mode(mode); });
      document.querySelectorAll("[data-view-mode]").forEach(function (other) {
        other.setAttribute("aria-pressed", other === link ? "true" : "false");
      });
      if (window.history.replaceState) { window.history.replaceState(null, "", link.getAttribute("href")); }
    });
  });
})();
