// The console's own few lines: the name of the file dropped or chosen, and "select all". Everything else is htmx.
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target.id === "all-offices") {
    for (const box of document.querySelectorAll('input[name="office"]')) box.checked = target.checked;
  } else if (target.type === "file") {
    const shown = document.getElementById("file-name");
    if (shown) shown.textContent = target.files.length ? target.files[0].name : "";
  }
});
for (const kind of ["dragenter", "dragover"]) {
  document.addEventListener(kind, (event) => event.target.closest?.(".dropzone")?.classList.add("over"));
}
for (const kind of ["dragleave", "drop"]) {
  document.addEventListener(kind, (event) => event.target.closest?.(".dropzone")?.classList.remove("over"));
}
// The PIN leaves the page once it was sent: a page left open keeps no PIN in its form.
document.addEventListener("htmx:afterRequest", (event) => {
  const form = event.detail.elt;
  if (form && form.id === "drop-form") {
    for (const input of form.querySelectorAll('input[type="password"]')) input.value = "";
  }
});
