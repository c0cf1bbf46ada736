// The reflection editor's template buttons (free, KPT, 4L) add the template
// without leaving the page: into the empty editor, or below what was typed.
// Nothing typed is ever replaced. Without JavaScript the buttons post the
// text with the template chosen and the server does the same
// (sessions/forms/reflections.py, with_template).
document.addEventListener("click", (event) => {
  const button = event.target.closest(".template-choice button[data-template-text]");
  if (!button) {
    return;
  }
  const editor = document.getElementById(button.getAttribute("form"))?.querySelector("textarea[name=body]");
  if (!editor) {
    return;
  }
  event.preventDefault();
  const template = button.dataset.templateText;
  if (!editor.value.trim()) {
    editor.value = template;
  } else if (template) {
    editor.value = `${editor.value.replace(/\s+$/, "")}\n\n${template}`;
  }
  // The markdown editor renders its preview on input.
  editor.dispatchEvent(new Event("input", { bubbles: true }));
  editor.focus();
});
