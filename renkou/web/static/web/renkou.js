/* Renkou: the little the pages need beyond HTML. Plain ES2017, no build step; every page
   works without it (links, forms and tables are server-rendered). */
(function () {
  "use strict";

  // The language picker submits on change (a button shows when scripts are off).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el instanceof HTMLSelectElement && el.hasAttribute("data-autosubmit")) el.form.submit();
  });

  // HTMX requests that change data carry the CSRF token of the page's forms (every page has
  // one: the language switch), so a partial form needs no token of its own.
  document.addEventListener("htmx:configRequest", function (event) {
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (token && event.detail.verb !== "get") event.detail.headers["X-CSRFToken"] = token.value;
  });

  // On phones the menu starts folded; on wider screens it is always open (summary hidden).
  var narrow = window.matchMedia("(max-width: 640px)");
  function fitMenu() {
    document.querySelectorAll("details.menu").forEach(function (menu) { menu.open = !narrow.matches; });
  }

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  var charts = [];
  var draw = {
    monthly: function (data) {
      return {
        animation: false,
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 8, right: 20, top: 32, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: data.months },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: data.labels.births, type: "bar", data: data.births, itemStyle: { color: "#1a56a8" } },
          { name: data.labels.deaths, type: "line", data: data.deaths, itemStyle: { color: "#b3261e" } }
        ]
      };
    },
    pyramid: function (data) {
      var male = data.male.map(function (v) { return -v; });
      return {
        animation: false,
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" },
          valueFormatter: function (v) { return Math.abs(v).toLocaleString(); } },
        legend: { top: 0 },
        grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
        xAxis: { type: "value", minInterval: 1,
          axisLabel: { formatter: function (v) { return Math.abs(v).toLocaleString(); } } },
        yAxis: { type: "category", data: data.groups, axisTick: { show: false },
          axisLabel: { interval: 0, fontSize: 10 } },
        series: [
          { name: data.labels.male, type: "bar", stack: "p", data: male, barCategoryGap: "15%",
            itemStyle: { color: "#1a56a8" } },
          { name: data.labels.female, type: "bar", stack: "p", data: data.female,
            itemStyle: { color: "#b3261e" } }
        ]
      };
    }
  };

  function drawCharts() {
    if (typeof window.echarts === "undefined") return;
    document.querySelectorAll("[data-chart]").forEach(function (node) {
      var data = readJson(node.getAttribute("data-source"));
      var make = draw[node.getAttribute("data-chart")];
      if (!data || !make || node.getAttribute("data-drawn")) return;
      var chart = window.echarts.init(node, null, { renderer: "svg" });
      chart.setOption(make(data));
      node.setAttribute("data-drawn", "1");
      charts.push(chart);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    fitMenu();
    if (narrow.addEventListener) narrow.addEventListener("change", fitMenu);
    drawCharts();
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
