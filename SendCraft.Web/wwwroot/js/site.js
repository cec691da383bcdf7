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
