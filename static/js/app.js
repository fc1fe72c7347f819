// Plnění: small progressive enhancements. No inline scripts anywhere (CSP-friendly).
document.addEventListener("DOMContentLoaded", () => {
  // htmx requests carry the CSRF token from the <meta> tag.
  const token = document.querySelector('meta[name="csrf-token"]');
  document.body.addEventListener("htmx:configRequest", (event) => {
    if (token) event.detail.headers["X-CSRFToken"] = token.content;
  });
  // Confirmation for irreversible actions: <form data-confirm="…">.
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
});
