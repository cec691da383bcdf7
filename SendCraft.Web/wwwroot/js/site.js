// SendCraft's only hand-written script: wiring that every page shares.

// Antiforgery: every htmx request carries the token rendered into <meta name="csrf-token">.
document.body.addEventListener("htmx:configRequest", (event) => {
  const token = document.querySelector('meta[name="csrf-token"]')?.content;
  if (token) event.detail.headers["RequestVerificationToken"] = token;
});

// Handlers answer success with an HX-Trigger "toast" event: {"toast": {"message": "...", "level": "success"}}.
document.body.addEventListener("toast", (event) => {
  const { message, level } = event.detail;
  const container = document.getElementById("toasts");
  if (!container || !message) return;
  const el = document.createElement("div");
  el.className = `toast align-items-center text-bg-${level === "error" ? "danger" : "success"} border-0`;
  el.setAttribute("role", "status");
  el.innerHTML = '<div class="d-flex"><div class="toast-body"></div><button type="button" class="btn-close btn-close-white me-2 m-auto" data-bs-dismiss="toast" aria-label="Close"></button></div>';
  el.querySelector(".toast-body").textContent = message;
  container.appendChild(el);
  new bootstrap.Toast(el, { delay: 4000 }).show();
  el.addEventListener("hidden.bs.toast", () => el.remove());
});

// Copy buttons: <button data-copy="#id"> copies the text of the element it names.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.querySelector(button.dataset.copy);
  if (!source) return;
  await navigator.clipboard.writeText(source.value ?? source.textContent.trim());
  const label = button.innerHTML;
  button.innerHTML = '<i class="bi bi-check2"></i> Copied';
  setTimeout(() => (button.innerHTML = label), 1500);
});

// The Content-Security-Policy allows no inline script (no onclick=, no hx-on, no eval'd hx-trigger filters), so the
// small behaviours pages need are declared with data- attributes and wired here.

// <button data-confirm="Delete …?"> asks before its form is submitted (hx-confirm does the same for htmx requests).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !confirm(button.dataset.confirm)) event.preventDefault();
});

// <input type="checkbox" data-check-all=".row-check"> checks or clears every box the selector names.
document.addEventListener("change", (event) => {
  const all = event.target.closest("[data-check-all]");
  if (!all) return;
  document.querySelectorAll(all.dataset.checkAll).forEach((c) => (c.checked = all.checked));
});

// <button data-clear="#id"> empties the element it names (a dismissable result panel).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-clear]");
  if (!button) return;
  const target = button.closest(button.dataset.clear);
  if (target) target.innerHTML = "";
});

// <form data-reset-on-success hx-post=…> is cleared after a successful htmx request.
document.body.addEventListener("htmx:afterRequest", (event) => {
  const form = event.detail.elt;
  if (event.detail.successful && form instanceof HTMLFormElement && form.hasAttribute("data-reset-on-success")) form.reset();
});

// Typing in the template editor asks for a new preview: the panel listens for "template-input" on body
// (a hx-trigger filter such as input[target.closest(…)] would need eval, which the policy forbids).
document.addEventListener("input", (event) => {
  if (event.target.closest("#template-form")) htmx.trigger(document.body, "template-input");
});
