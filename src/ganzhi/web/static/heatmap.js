// Task × enterprise heatmap of open issues; data comes from the JSON block the server rendered.
(function () {
  var el = document.getElementById("heatmap");
  var raw = document.getElementById("heatmap-data");
  if (!el || !raw || typeof echarts === "undefined") { return; }
  var d = JSON.parse(raw.textContent);
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: { position: "top" },
    grid: { left: 160, bottom: 40 },
    xAxis: { type: "category", data: d.tasks },
    yAxis: { type: "category", data: d.enterprises },
    visualMap: { min: 0, max: d.max, calculable: true, orient: "horizontal", left: "center", bottom: 0 },
    series: [{ type: "heatmap", data: d.data, label: { show: true } }]
  });
})();
