/* 学情报告 charts (ECharts, served by the app): group comparison and the score bands of the whole report. */
(function () {
  var data = document.getElementById("rp-data");
  if (!data || !window.echarts) return;
  var d = JSON.parse(data.textContent);
  var charts = [];
  var compare = document.getElementById("rp-compare");
  if (compare && d.groups.length) {
    var c = echarts.init(compare, null, {renderer: "svg"});
    c.setOption({
      animation: false, color: ["#2563eb", "#059669", "#d97706", "#dc2626"],
      tooltip: {trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v + "%"; }},
      legend: {top: 0, textStyle: {color: "#4b5563"}},
      grid: {left: 8, right: 24, top: 36, bottom: 8, containLabel: true},
      xAxis: {type: "value", max: 100, axisLabel: {formatter: "{value}%"}, splitLine: {lineStyle: {color: "#eef0f3"}}},
      yAxis: {type: "category", data: d.groups, inverse: true, axisLabel: {color: "#374151"}},
      series: [
        {name: "得分率", type: "bar", barMaxWidth: 10, data: d.means},
        {name: "优秀率", type: "bar", barMaxWidth: 10, data: d.excellent},
        {name: "及格率", type: "bar", barMaxWidth: 10, data: d.passed},
        {name: "低分率", type: "bar", barMaxWidth: 10, data: d.low}
      ]
    });
    charts.push(c);
  }
  var bands = document.getElementById("rp-bands");
  if (bands) {
    var totals = d.distribution;
    var b = echarts.init(bands, null, {renderer: "svg"});
    b.setOption({
      animation: false, color: ["#2563eb"], tooltip: {trigger: "axis"},
      grid: {left: 8, right: 16, top: 16, bottom: 8, containLabel: true},
      xAxis: {type: "category", data: d.bands, axisLabel: {color: "#374151", interval: 0, rotate: 30}},
      yAxis: {type: "value", minInterval: 1, splitLine: {lineStyle: {color: "#eef0f3"}}},
      series: [{name: "人数", type: "bar", barMaxWidth: 28, data: totals}]
    });
    charts.push(b);
  }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
