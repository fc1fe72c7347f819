// Entry form: live character count, autosave via htmx (every ~20 s and on leaving a field, only
// when something changed), and a warning before leaving with unsaved changes. Loaded only on the
// entry form; messages come from data-* attributes so they stay translatable.
(function () {
  "use strict";
  const form = document.getElementById("entry-form");
  if (!form) return;
  const text = document.getElementById("text");
  const count = document.getElementById("text-count");
  const hint = document.getElementById("text-count-hint");
  const status = document.getElementById("autosave-status");
  const min = Number(form.dataset.guidanceMin || 150);
  const max = Number(form.dataset.guidanceMax || 1500);
  let dirty = false;
  let stopped = false;
  let submitting = false;
  let saving = false; // an autosave request is in flight
  let heldSubmitter = null; // a submit clicked meanwhile, replayed when the autosave returns

  function updateCount() {
    if (!text || !count) return;
    const n = text.value.length;
    count.textContent = n.toLocaleString("cs-CZ");
    let message = form.dataset.msgOk;
    let cls = "text-success";
    if (n < min) { message = form.dataset.msgShort; cls = "text-warning-emphasis"; }
    else if (n > max) { message = form.dataset.msgLong; cls = "text-warning-emphasis"; }
    if (hint) { hint.textContent = message; hint.className = cls; }
  }

  form.addEventListener("input", function () { dirty = true; updateCount(); });
  updateCount();

  // Skip autosave requests when nothing changed or after a conflict; never race a real submit.
  document.body.addEventListener("htmx:confirm", function (event) {
    if (event.target !== form) return;
    if (stopped || submitting || !dirty) event.preventDefault();
  });
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (event.target !== form) return;
    saving = true;
    dirty = false;
    if (status) status.textContent = form.dataset.msgSaving;
  });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (!status || event.target !== status) return;
    if (status.querySelector('[data-autosave="conflict"]')) { stopped = true; dirty = true; }
    if (status.querySelector('[data-autosave="error"]')) { dirty = true; }
  });
  ["htmx:responseError", "htmx:sendError"].forEach(function (name) {
    document.body.addEventListener(name, function (event) {
      if (event.target !== form) return;
      dirty = true;
      if (status) status.textContent = form.dataset.msgFailed;
    });
  });
  // When the autosave's answer (with the entry's new version) is in, replay a held submit, so a
  // click during an autosave never posts the old version and lands on the conflict page.
  document.body.addEventListener("htmx:afterRequest", function (event) {
    if (event.target !== form) return;
    saving = false;
    if (heldSubmitter === null) return;
    const submitter = heldSubmitter;
    heldSubmitter = null;
    window.setTimeout(function () {
      form.requestSubmit(submitter instanceof HTMLElement ? submitter : undefined);
    }, 50);
  });

  form.addEventListener("submit", function (event) {
    if (saving) {
      event.preventDefault();
      heldSubmitter = event.submitter || true;
      if (status) status.textContent = form.dataset.msgSaving;
      return;
    }
    submitting = true;
    dirty = false;
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty && !submitting) { event.preventDefault(); event.returnValue = ""; }
  });
})();
