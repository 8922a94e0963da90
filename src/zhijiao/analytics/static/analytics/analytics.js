// The statistics overview: ECharts panels from the page's json_script data, and tables sortable by any column.
// (No inline handlers: the Content-Security-Policy allows none.)
(function () {
  "use strict";

  var COLORS = ["#3b82f6", "#f97316", "#10b981", "#8b5cf6", "#ef4444", "#14b8a6", "#eab308"];
  var AXIS = {color: "#4b5563"};
  var GRID_LINE = {lineStyle: {color: "#eef0f3"}};

  function chartAt(id) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) return null;
    var chart = window.echarts.init(el, null, {renderer: "svg"});
    window.addEventListener("resize", function () { chart.resize(); });
    return chart;
  }

  function empty(chart, text) {
    chart.setOption({title: {text: text, left: "center", top: "middle", textStyle: {color: "#9ca3af", fontSize: 14, fontWeight: "normal"}}});
  }

  // the 大班额 line comes with the data (core/class_size.py): the page never states the rule itself
  function largeClassLine(size) {
    return {silent: true, symbol: "none", data: [{yAxis: size}], lineStyle: {color: "#dc2626", type: "dashed"},
            label: {formatter: "大班额线 " + size, position: "insideEndTop", color: "#dc2626"}};
  }

  function stages(data) {
    var chart = chartAt("chart-stages");
    if (!chart) return;
    if (!data.names.length) return empty(chart, "暂无学生");
    chart.setOption({
      animation: false, color: COLORS,
      grid: {left: 64, right: 56, top: 44, bottom: 32},
      tooltip: {trigger: "axis"},
      legend: {data: ["在读学生", "平均班额"], top: 0, textStyle: AXIS},
      xAxis: {type: "category", data: data.names, axisLabel: AXIS},
      yAxis: [{type: "value", name: "人", splitLine: GRID_LINE}, {type: "value", name: "人/班", min: 0, max: 70, splitLine: {show: false}}],
      series: [
        {name: "在读学生", type: "bar", data: data.students, barMaxWidth: 48, itemStyle: {borderRadius: [4, 4, 0, 0]}},
        {name: "平均班额", type: "line", yAxisIndex: 1, data: data.mean, smooth: true, symbolSize: 8,
         markLine: largeClassLine(data.large_class)}
      ]
    });
  }

  function bands(data) {
    var chart = chartAt("chart-bands");
    if (!chart) return;
    if (!data.names.length) return empty(chart, "暂无班级");
    var tint = {"45人及以下": "#10b981", "46–55人": "#3b82f6", "56–65人": "#f97316", "66人及以上": "#dc2626"};
    chart.setOption({
      animation: false,
      grid: {left: 56, right: 24, top: 24, bottom: 32},
      tooltip: {trigger: "axis"},
      xAxis: {type: "category", data: data.names, axisLabel: {color: AXIS.color, interval: 0, fontSize: 11}},
      yAxis: {type: "value", name: "班级", splitLine: GRID_LINE},
      series: [{type: "bar", name: "班级", barMaxWidth: 56, label: {show: true, position: "top", color: "#4b5563"},
        data: data.names.map(function (name, i) { return {value: data.classes[i], itemStyle: {color: tint[name] || COLORS[0], borderRadius: [4, 4, 0, 0]}}; })}]
    });
  }

  function trend(data) {
    var chart = chartAt("chart-trend");
    if (!chart) return;
    if (!data.dates.length) return empty(chart, "暂无快照");
    var single = data.dates.length === 1;
    var size = single ? 10 : 6;
    var series = [{name: "在读学生", type: "line", data: data.students, symbolSize: size}];
    if (data.staff) series.push({name: "教职工", type: "line", yAxisIndex: 1, data: data.staff, symbolSize: size});
    series.push({name: "班级", type: "line", yAxisIndex: 1, data: data.classes, symbolSize: size});
    chart.setOption({
      animation: false, color: data.staff ? ["#3b82f6", "#10b981", "#8b5cf6"] : ["#3b82f6", "#8b5cf6"],
      grid: {left: 64, right: 56, top: chart.getWidth() < 440 ? 58 : 44, bottom: 32},
      tooltip: {trigger: "axis"},
      legend: {data: series.map(function (s) { return s.name; }), top: 0, textStyle: AXIS},
      xAxis: {type: "category", data: data.dates, axisLabel: AXIS, boundaryGap: single},
      yAxis: [{type: "value", name: "人", scale: true, splitLine: GRID_LINE},
              {type: "value", name: data.staff ? "班/人" : "班", scale: true, splitLine: {show: false}}],
      series: series
    });
  }

  function mix(sex, mode) {
    var chart = chartAt("chart-mix");
    if (!chart) return;
    if (!sex.length) return empty(chart, "暂无学生");
    var narrow = chart.getWidth() < 440;  // the printable report's half-width charts: smaller rings keep labels inside
    var ring = {type: "pie", radius: narrow ? ["22%", "38%"] : ["30%", "50%"], avoidLabelOverlap: true, minShowLabelAngle: 3,
                label: {formatter: "{b}\n{d}%", color: "#4b5563", lineHeight: 16, overflow: "none", fontSize: narrow ? 11 : 12},
                labelLine: {length: 8, length2: 8}};
    var caption = {fontSize: 13, fontWeight: "normal", color: "#6b7280"};
    chart.setOption({
      animation: false,
      title: [{text: "性别", left: "25%", top: "88%", textAlign: "center", textStyle: caption},
              {text: "就读方式", left: "75%", top: "88%", textAlign: "center", textStyle: caption}],
      tooltip: {trigger: "item", formatter: "{a}<br>{b}：{c} 人（{d}%）"},
      series: [
        Object.assign({name: "性别", center: ["25%", "48%"], data: sex, color: ["#3b82f6", "#ec4899", "#9ca3af"]}, ring),
        Object.assign({name: "就读方式", center: ["75%", "48%"], data: mode, color: ["#10b981", "#8b5cf6", "#f97316", "#9ca3af"]}, ring)
      ]
    });
  }

  function staff(data) {
    var chart = chartAt("chart-staff");
    if (!chart) return;
    if (!data.names.length) return empty(chart, "暂无教职工");
    chart.setOption({
      animation: false, color: ["#14b8a6"],
      grid: {left: 8, right: 56, top: 12, bottom: 12, containLabel: true},
      tooltip: {trigger: "axis", axisPointer: {type: "shadow"}},
      xAxis: {type: "value", name: "人", splitLine: GRID_LINE, splitNumber: chart.getWidth() < 440 ? 3 : 5,
              axisLabel: {color: AXIS.color, hideOverlap: true}},
      yAxis: {type: "category", data: data.names.slice().reverse(), axisLabel: AXIS},
      series: [{type: "bar", name: "在岗教职工", data: data.staff.slice().reverse(), barMaxWidth: 22,
                label: {show: true, position: "right", color: "#4b5563"}, itemStyle: {borderRadius: [0, 4, 4, 0]}}]
    });
  }

  function classes(data) {
    var chart = chartAt("chart-classes");
    if (!chart) return;
    if (!data.names.length) return empty(chart, "暂无班级");
    var labels = data.names.map(function (name) { var m = name.match(/（(\d+)）班$/); return m ? m[1] + "班" : name; });
    chart.setOption({
      animation: false, color: ["#3b82f6", "#ec4899"],
      grid: {left: 48, right: 24, top: 40, bottom: 32},
      tooltip: {trigger: "axis", axisPointer: {type: "shadow"}},
      legend: {data: ["男生", "女生"], top: 0, textStyle: AXIS},
      xAxis: {type: "category", data: labels, axisLabel: AXIS},
      yAxis: {type: "value", name: "人", max: function (v) { return Math.max(70, v.max + 4); }, splitLine: GRID_LINE},
      series: [
        {name: "男生", type: "bar", stack: "size", data: data.boys, barMaxWidth: 40},
        {name: "女生", type: "bar", stack: "size", data: data.girls, barMaxWidth: 40, itemStyle: {borderRadius: [4, 4, 0, 0]},
         markLine: largeClassLine(data.large_class)}
      ]
    });
  }

  // 学习活动: active learners (line) and learning records (bars) per day
  function learning(data) {
    var chart = chartAt("chart-learning");
    if (!chart) return;
    if (!data.days.length) { empty(chart, "暂无学习记录"); return; }
    chart.setOption({
      animation: false, color: ["#93c5fd", "#f97316"],
      grid: {left: 56, right: 56, top: 40, bottom: 32},
      tooltip: {trigger: "axis"},
      legend: {data: ["学习记录", "活跃学习者"], top: 0, textStyle: AXIS},
      xAxis: {type: "category", data: data.days.map(function (d) { return d.slice(5); }), axisLabel: AXIS},
      yAxis: [
        {type: "value", name: "条", splitLine: GRID_LINE, axisLabel: AXIS},
        {type: "value", name: "人", splitLine: {show: false}, axisLabel: AXIS, minInterval: 1}
      ],
      series: [
        {name: "学习记录", type: "bar", data: data.statements, barMaxWidth: 28, itemStyle: {borderRadius: [3, 3, 0, 0]}},
        {name: "活跃学习者", type: "line", yAxisIndex: 1, data: data.learners, smooth: true, symbolSize: 6}
      ]
    });
  }

  function sortBy(th) {
    var table = th.closest("table");
    var index = Array.prototype.indexOf.call(th.parentNode.children, th);
    var numeric = th.getAttribute("data-sort") === "num";
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    var headers = th.parentNode.querySelectorAll("th");
    for (var i = 0; i < headers.length; i++) headers[i].removeAttribute("aria-sort");
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[index].getAttribute("data-value") || "";
      var y = b.cells[index].getAttribute("data-value") || "";
      var order;
      if (numeric) {
        var nx = x === "" ? -Infinity : parseFloat(x);
        var ny = y === "" ? -Infinity : parseFloat(y);
        order = nx - ny;
      } else {
        order = x.localeCompare(y, "zh-Hans-CN");
      }
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }

  document.addEventListener("click", function (event) {
    if (!(event.target instanceof Element)) return;
    var th = event.target.closest("table[data-sortable] th[data-sort]");
    if (th) sortBy(th);  // [data-print] buttons are web/app.js's, on every page
  });

  var source = document.getElementById("analytics-charts");
  if (source) {
    var data = JSON.parse(source.textContent);
    if (data.stages) stages(data.stages);
    if (data.classes) classes(data.classes);
    if (data.staff) staff(data.staff);
    bands(data.bands);
    trend(data.trend);
    mix(data.sex, data.study_mode);
    if (data.learning) learning(data.learning);
  }
})();
