// Dashboard charts: the task × enterprise heatmap (click a cell for its issue queue), the trend per run and
// open/found findings per round of the current campaign.
// Data comes from JSON blocks the server rendered (no inline script: the CSP forbids it).
(function () {
  if (typeof echarts === "undefined") { return; }
  function data(id) {
    var raw = document.getElementById(id);
    return raw ? JSON.parse(raw.textContent) : null;
  }
  var el = document.getElementById("heatmap");
  var d = data("heatmap-data");
  if (el && d) {
    el.style.height = Math.max(180, 90 + 34 * d.enterprises.length) + "px";
    var chart = echarts.init(el);
    chart.setOption({
      animation: false,
      tooltip: {
        position: "top",
        formatter: function (p) {
          return d.enterprises[p.value[1]] + "<br>" + d.task_titles[p.value[0]] + "：" + p.value[2];
        }
      },
      grid: { left: 200, right: 20, top: 10, bottom: 70 },
      xAxis: { type: "category", data: d.tasks, splitArea: { show: true } },
      yAxis: { type: "category", data: d.enterprises, splitArea: { show: true } },
      visualMap: {
        min: 0, max: d.max, calculable: true, orient: "horizontal", left: "center", bottom: 0,
        inRange: { color: ["#fff3e0", "#f59e0b", "#b3261e"] }
      },
      series: [{ type: "heatmap", data: d.data, label: { show: true } }]
    });
    chart.on("click", function (p) {
      var task = d.tasks[p.value[0]];
      var ent = d.enterprise_ids[p.value[1]];
      var url = "/issues?state=active&task=" + encodeURIComponent(task);
      if (ent) { url += "&enterprise=" + encodeURIComponent(ent); }
      window.location.href = url;
    });
    el.setAttribute("data-drawn", String(d.data.length));
    window.addEventListener("resize", function () { chart.resize(); });
  }
  var tel = document.getElementById("trend");
  var tr = data("trend-data");
  if (tel && tr) {
    var trend = echarts.init(tel);
    trend.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 50, right: 20, top: 30, bottom: 60 },
      xAxis: { type: "category", data: tr.runs, axisLabel: { fontSize: 10 } },
      yAxis: { type: "value" },
      series: tr.series.map(function (s) { return { name: s.name, type: "line", data: s.data }; })
    });
    window.addEventListener("resize", function () { trend.resize(); });
  }
  var rel = document.getElementById("round-trend");
  var rd = data("round-trend-data");
  if (rel && rd) {
    var rounds = echarts.init(rel);
    rounds.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 50, right: 20, top: 45, bottom: 40 },
      xAxis: { type: "category", data: rd.rounds },
      yAxis: { type: "value", minInterval: 1 },
      series: rd.series.map(function (s) { return { name: s.name, type: "bar", data: s.data, label: { show: true, position: "top" } }; })
    });
    rel.setAttribute("data-drawn", String(rd.rounds.length));
    window.addEventListener("resize", function () { rounds.resize(); });
  }
})();
