// "Use my location" for the hall finder: fills `lat,lon` from the browser and submits (no external service).
"use strict";
document.getElementById("locate")?.addEventListener("click", () => {
  if (!navigator.geolocation) return;
  navigator.geolocation.getCurrentPosition((pos) => {
    const form = document.getElementById("hall-form");
    form.place.value = pos.coords.latitude.toFixed(5) + "," + pos.coords.longitude.toFixed(5);
    form.submit();
  });
});
