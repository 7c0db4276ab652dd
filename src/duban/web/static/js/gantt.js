// 挂图作战: one frappe-gantt chart per unit or document from the JSON in #gantt-data.
// frappe-gantt writes task names into the page with innerHTML, and task text comes from uploaded
// documents, so every string is HTML-escaped before the library sees it.
(function () {
  "use strict";
  var source = document.getElementById("gantt-data");
  if (!window.Gantt || !source) { return; }
  var data = JSON.parse(source.textContent);
  var charts = [];

  function escapeHtml(text) {
    return String(text === undefined || text === null ? "" : text)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }

  function popup(ctx) {
    var task = ctx.task;
    var lines = [
      "<p><b>" + escapeHtml(task.raw_name) + "</b></p>",
      "<p>" + escapeHtml(task.state) + (task.light ? " · " + escapeHtml(task.light) : "") + "</p>",
      "<p>" + escapeHtml(task.start) + (task.start !== task.end ? " 至 " + escapeHtml(task.end) : "") + "</p>"
    ];
    if (task.units) { lines.push("<p>" + escapeHtml(task.units) + "</p>"); }
    lines.push('<p><a href="/tasks/' + encodeURIComponent(task.task_id) + '">查看任务详情 →</a></p>');
    return '<div class="gantt-popup">' + lines.join("") + "</div>";
  }

  document.querySelectorAll("[data-gantt]").forEach(function (el) {
    var bars = (data.charts[el.getAttribute("data-gantt")] || []).map(function (bar) {
      var copy = Object.assign({}, bar);
      copy.raw_name = bar.name;
      copy.name = escapeHtml(bar.name.length > 40 ? bar.name.slice(0, 40) + "…" : bar.name);
      return copy;
    });
    if (!bars.length) { return; }
    charts.push(new window.Gantt(el, bars, {
      view_mode: data.view,
      view_modes: ["Day", "Week", "Month"],
      language: "zh",
      readonly: true,
      today_button: true,
      popup_on: "click",
      popup: popup,
      on_double_click: function (task) { window.location.href = "/tasks/" + encodeURIComponent(task.task_id); }
    }));
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
