// A box above a list of member checkboxes keeps only the names that
// contain what is typed; checked names always stay in view. Without this
// script the box stays hidden and the whole list shows.
document.querySelectorAll("input.choice-filter").forEach((box) => {
  const list = document.getElementById(box.getAttribute("aria-controls"));
  if (!list) {
    return;
  }
  box.hidden = false;
  box.addEventListener("input", () => {
    const wanted = box.value.trim().toLowerCase();
    list.querySelectorAll("label").forEach((label) => {
      const checkbox = label.querySelector("input");
      const matches = label.textContent.toLowerCase().includes(wanted);
      label.parentElement.hidden = Boolean(wanted) && !checkbox.checked && !matches;
    });
  });
});
