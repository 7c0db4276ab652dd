// Draws the ECharts bar and line charts of the dashboard, ranking and unit pages.
// Each chart is a <div data-chart="bar|line" data-source="ID" data-series="KEY">; its figures are the
// JSON in <script type="application/json" id="ID"> under KEY: {labels, values, links?, titles?}.
// The pages print the same figures as tables; those are hidden on screen once a chart is drawn.
(function () {
  "use strict";
  if (!window.echarts) { return; }
  var sources = {};

  function figures(el) {
    var id = el.getAttribute("data-source");
    if (!(id in sources)) {
      var node = document.getElementById(id);
      sources[id] = node ? JSON.parse(node.textContent) : {};
    }
    return sources[id][el.getAttribute("data-series")];
  }

  function option(kind, data, name, color) {
    var horizontal = kind === "bar" && data.labels.length > 8;
    var category = {
      type: "category",
      data: data.labels,
      inverse: horizontal,
      axisLabel: { interval: 0, width: horizontal ? 140 : 90, overflow: "truncate", rotate: !horizontal && data.labels.length > 5 ? 30 : 0 }
    };
    var amount = { type: "value", minInterval: 1, max: data.max };
    return {
      color: [color || "#1f4e9a"],
      tooltip: {
        trigger: "axis",
        formatter: function (items) {
          var item = items[0];
          var title = data.titles ? data.titles[item.dataIndex] : item.name;
          var box = document.createElement("div");
          box.textContent = title + "：" + item.value + (data.unit || "项");
          return box.innerHTML;
        }
      },
      grid: { left: horizontal ? 150 : 40, right: 20, top: 20, bottom: horizontal ? 20 : 60 },
      xAxis: horizontal ? amount : category,
      yAxis: horizontal ? category : amount,
      series: [{
        name: name, type: kind, data: data.values, smooth: kind === "line",
        label: { show: kind === "bar", position: horizontal ? "right" : "top", formatter: "{c}" + (data.unit === "%" ? "%" : "") },
        areaStyle: kind === "line" ? { opacity: 0.15 } : undefined
      }]
    };
  }

  function draw(el) {
    var data = figures(el);
    if (!data || !data.labels || !data.labels.length) { return; }
    var horizontal = el.getAttribute("data-chart") === "bar" && data.labels.length > 8;
    if (horizontal) { el.style.height = Math.max(320, data.labels.length * 28 + 40) + "px"; }
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option(el.getAttribute("data-chart"), data, el.getAttribute("data-name"), el.getAttribute("data-color")));
    if (data.links) {
      chart.on("click", function (params) {
        var link = data.links[params.dataIndex];
        if (link) { window.location.href = link; }
      });
    }
    window.addEventListener("resize", function () { chart.resize(); });
  }

  var charts = document.querySelectorAll("[data-chart]");
  if (charts.length) { document.documentElement.classList.add("has-charts"); }
  charts.forEach(draw);
})();
