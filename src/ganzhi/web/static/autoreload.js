// Reloads the page after data-after-ms milliseconds (the portal while a self-check is scanning).
// A file, not an inline script: the site's Content-Security-Policy runs scripts from this origin only.
"use strict";
(() => {
  const after = Number(document.currentScript?.dataset.afterMs || "1500");
  setTimeout(() => location.reload(), Number.isFinite(after) && after > 0 ? after : 1500);
})();
