// Swagger UI / ReDoc for /api/v1/openapi.json, from files this server ships (no CDN, no inline script).
(function () {
  var swagger = document.getElementById("swagger-ui");
  if (swagger && typeof SwaggerUIBundle !== "undefined") {
    SwaggerUIBundle({
      url: swagger.getAttribute("data-spec"),
      dom_id: "#swagger-ui",
      deepLinking: true,
      presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
      layout: "BaseLayout"
    });
  }
  var redoc = document.getElementById("redoc");
  if (redoc && typeof Redoc !== "undefined") {
    Redoc.init(redoc.getAttribute("data-spec"), {}, redoc);
  }
})();
